"""Forms of the auth blueprint. Credentials are checked in the views, not here."""

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from blog.auth.rules import (
    MAX_PASSWORD,
    normalize_email,
    normalize_username,
    password_problem,
    username_problem,
)
from blog.core.urls import is_fediverse_handle
from blog.extensions import db
from blog.models import User
from blog.privacy.api import comments_field

# Generous caps for fields only compared, never stored: they keep hashing cheap.
MAX_LOGIN = 254


def email_in_use(address: str, *, except_id: int | None = None) -> bool:
    query = sa.select(User.id).where(User.email == address)
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


class NewPasswordMixin:
    def validate_new_password(self, field) -> None:
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    login = StringField("Username or email", validators=[DataRequired(), Length(max=MAX_LOGIN)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=MAX_PASSWORD * 4)])
    remember = BooleanField("Remember me")


class RegisterForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=60)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired()])

    def validate_username(self, field) -> None:
        problem = username_problem(field.data)
        if problem:
            raise ValidationError(problem)
        name = normalize_username(field.data)
        if db.session.scalar(sa.select(User.id).where(User.username == name)) is not None:
            raise ValidationError("That username is taken. Please choose another.")
        self.normalized_username = name

    def validate_email(self, field) -> None:
        try:
            address = normalize_email(field.data)
        except ValueError as error:
            raise ValidationError(f"That email address is not valid. {error}") from error
        # Whether the address has an account is never said here (the reset page keeps
        # the same silence): the view mails the address either way.
        self.normalized_email = address

    def validate_password(self, field) -> None:
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class ResetForm(NewPasswordMixin, FlaskForm):
    new_password = PasswordField("New password", validators=[InputRequired()])


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[Length(max=80)])
    bio = TextAreaField("Bio", validators=[Length(max=2000)])
    fediverse = StringField("Fediverse handle", validators=[Length(max=120)])
    notify_replies = BooleanField("Email me when someone replies to my comments")

    def validate_display_name(self, field) -> None:
        field.data = (field.data or "").strip()
        # U+FFFE/U+FFFF too: the name appears in the Atom feed, and XML forbids them.
        if any(ord(c) < 32 or ord(c) == 127 or c in "\ufffe\uffff" for c in field.data):
            raise ValidationError("Display names cannot contain control characters.")

    def validate_bio(self, field) -> None:
        field.data = (field.data or "").replace("\r\n", "\n").strip()
        if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in field.data):
            raise ValidationError("The bio cannot contain control characters.")

    def validate_fediverse(self, field) -> None:
        field.data = (field.data or "").strip()
        if field.data and not is_fediverse_handle(field.data):
            raise ValidationError("Write the handle as @name@server.example.")


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired(), Length(max=MAX_PASSWORD * 4)]
    )
    new_password = PasswordField("New password", validators=[InputRequired()])


class EmailChangeForm(FlaskForm):
    email = EmailField("New email", validators=[DataRequired(), Length(max=254)])
    current_password = PasswordField(
        "Current password", validators=[InputRequired(), Length(max=MAX_PASSWORD * 4)]
    )

    def __init__(self, *args, user_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._user_id = user_id

    def validate_email(self, field) -> None:
        try:
            address = normalize_email(field.data)
        except ValueError as error:
            raise ValidationError(f"That email address is not valid. {error}") from error
        if email_in_use(address, except_id=self._user_id):
            raise ValidationError("An account with that email address already exists.")
        self.normalized_email = address


class DeleteAccountForm(FlaskForm):
    comments = comments_field("Your comments")
    current_password = PasswordField(
        "Current password", validators=[InputRequired(), Length(max=MAX_PASSWORD * 4)]
    )
    confirm = BooleanField(
        "I understand that my account is deleted for good", validators=[DataRequired()]
    )


# Second factors (blog/auth/factor_views.py). Codes are typed or pasted as they are
# shown ("123 456", "abcde-fghjk"): blog/auth/factors.clean_code reads both.
CODE_HINT = "The 6-digit code from your authenticator app, or one of your recovery codes."


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40)])


class EnrolTotpForm(FlaskForm):
    code = StringField("Code from your app", validators=[DataRequired(), Length(max=40)])


class SudoForm(FlaskForm):
    password = PasswordField("Password", validators=[Length(max=MAX_PASSWORD * 4)])
    code = StringField("Or a code", validators=[Length(max=40)])


class PasskeyNameForm(FlaskForm):
    name = StringField("Name of this passkey", validators=[DataRequired(), Length(max=60)])
