"""Admin forms of the trust signals (issue 26): guest contributors and correction notes
(the article editor's own trust fields are `TrustFields` in forms.py)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from blog.admin.forms import http_url, no_control_chars, options, slug_format, strip
from blog.core.urls import is_fediverse_handle
from blog.models import NoteKind


def fediverse_handle(form: FlaskForm, field) -> None:
    value = (field.data or "").strip()
    if value and not is_fediverse_handle(value):
        raise ValidationError("Write the handle as @name@server.example.")


def link_lines(form: FlaskForm, field) -> None:
    for line in (field.data or "").splitlines():
        if line.strip() and not http_url(line.strip()):
            raise ValidationError(f"“{line.strip()[:80]}” is not an http(s) address.")


class GuestAuthorForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80), no_control_chars])
    slug = StringField(
        "Slug", validators=[Optional(), Length(max=80), slug_format], filters=[strip]
    )
    bio = TextAreaField("Bio", validators=[Length(max=2000), no_control_chars])
    photo_id = SelectField("Photo", coerce=int, default=0)
    links = TextAreaField("Links", validators=[Length(max=2000), no_control_chars, link_lines])
    fediverse = StringField(
        "Fediverse handle", validators=[Length(max=120), fediverse_handle], filters=[strip]
    )


NOTE_KINDS = [
    (NoteKind.CORRECTION.value, "Correction"),
    (NoteKind.CLARIFICATION.value, "Clarification"),
    (NoteKind.UPDATE.value, "Update"),
]


class NoteForm(FlaskForm):
    kind = SelectField("Kind", choices=options(NOTE_KINDS), default="correction")
    text = TextAreaField("Note", validators=[DataRequired(), Length(max=2000), no_control_chars])


class RemoveNoteForm(FlaskForm):
    reason = StringField(
        "Why it is removed",
        validators=[DataRequired(), Length(max=300), no_control_chars],
    )


def policy_link(form: FlaskForm, field) -> None:
    value = (field.data or "").strip()
    if value and not (value.startswith("/") and not value.startswith("//")) and not http_url(value):
        raise ValidationError("Use a path on this site (/pages/ethics) or a full https:// address.")


LICENSES = [
    ("CC BY-ND 4.0", "CC BY-ND 4.0: credit us, no changes"),
    ("CC BY-NC-ND 4.0", "CC BY-NC-ND 4.0: credit us, no changes, not for profit"),
    ("CC BY 4.0", "CC BY 4.0: credit us"),
    ("CC BY-NC 4.0", "CC BY-NC 4.0: credit us, not for profit"),
]


class StandardsForm(FlaskForm):
    """Admin > Standards: policies, labels, the sponsored disclosure, logo, license."""

    policy_corrections = StringField(
        "Corrections policy", validators=[Length(max=300), policy_link], filters=[strip]
    )
    policy_ethics = StringField(
        "Ethics policy", validators=[Length(max=300), policy_link], filters=[strip]
    )
    policy_masthead = StringField(
        "Masthead", validators=[Length(max=300), policy_link], filters=[strip]
    )
    policy_ownership = StringField(
        "Ownership and funding", validators=[Length(max=300), policy_link], filters=[strip]
    )
    policy_verification = StringField(
        "Verification and fact-checking", validators=[Length(max=300), policy_link], filters=[strip]
    )
    policy_feedback = StringField(
        "How to send feedback", validators=[Length(max=300), policy_link], filters=[strip]
    )
    article_labels = TextAreaField("Labels", validators=[Length(max=2000), no_control_chars])
    sponsored_disclosure = TextAreaField(
        "Sponsored disclosure", validators=[Length(max=1000), no_control_chars]
    )
    logo_file = FileField("Logo")
    remove_logo = BooleanField("Go back to the shipped logo")
    republish_license = SelectField("Republishing license", choices=options(LICENSES))
