"""Forms of the privacy blueprint."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from blog.personal_data import comments_field


class EraseForm(FlaskForm):
    """An admin erases one person on request: what becomes of the comments, and the
    username typed again so a slip of the mouse erases nobody."""

    comments = comments_field("Their comments")
    username = StringField(
        "Type the username to confirm", validators=[DataRequired(), Length(max=60)]
    )
