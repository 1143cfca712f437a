"""Forms of the newsletter blueprint."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional, ValidationError

from blog.auth.api import normalize_email


class SubscribeForm(FlaskForm):
    email = StringField("Email", validators=[Optional(), Length(max=254)])
    # A field people never see: bots that fill every box give themselves away.
    website = StringField("Leave this empty", validators=[Optional()])
    from_article = HiddenField()
    # "footer" or "article" when sent from a subscribe box (newsletter/_box.html).
    box = HiddenField()

    normalized_email = ""

    def validate_email(self, field) -> None:
        if not field.data:
            return
        try:
            self.normalized_email = normalize_email(field.data)
        except ValueError as error:
            raise ValidationError("That does not look like an email address.") from error
