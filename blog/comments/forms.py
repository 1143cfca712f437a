"""Forms of the comments blueprint."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from blog.comments.policy import body_problem
from blog.core.content import clean_text
from blog.models import REPORT_KINDS


def _strip(value: str | None) -> str:
    return clean_text(value or "").strip()


class _BodyMixin:
    def validate_body(self, field) -> None:
        problem = body_problem(field.data)
        if problem:
            # Keep what the user typed, minus the characters we cannot store.
            field.data = clean_text(field.data or "")
            raise ValidationError(problem)


class CommentForm(_BodyMixin, FlaskForm):
    """A new comment or a reply (parent_id). `website` is the honeypot, `started` the
    signed time the form was rendered; both are checked in the view, not here, so their
    messages come after the ones about the text."""

    body = TextAreaField("Your comment")
    parent_id = HiddenField()
    website = StringField("Leave this empty")
    started = HiddenField()


class EditCommentForm(_BodyMixin, FlaskForm):
    body = TextAreaField("Your comment")


class ReportForm(FlaskForm):
    """Why a reader reports a comment: one of REPORT_KINDS, words required for "other"."""

    kind = RadioField(
        "Why should a moderator look at this comment?",
        choices=[SelectChoice(value, label) for value, label in REPORT_KINDS.items()],
        validators=[InputRequired("Choose why you are reporting this comment.")],
    )
    reason = TextAreaField("In your own words", validators=[Length(max=500)], filters=[_strip])

    def validate_reason(self, field) -> None:  # noqa: ANN001
        if self.kind.data == "other" and not (field.data or "").strip():
            raise ValidationError("Say in a few words what is wrong with the comment.")
