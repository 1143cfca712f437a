"""Forms of the privacy blueprint."""

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from blog.personal_data import CHOICES, KEEP


class EraseForm(FlaskForm):
    """An admin erases one person on request: what becomes of the comments, and the
    username typed again so a slip of the mouse erases nobody."""

    comments = RadioField(
        "Their comments",
        choices=[SelectChoice(value, label) for value, label in CHOICES.items()],
        default=KEEP,
        validate_choice=True,
    )
    username = StringField(
        "Type the username to confirm", validators=[DataRequired(), Length(max=60)]
    )
