"""Forms of the comments blueprint."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField, ValidationError

from blog.comments.policy import body_problem
from blog.content import clean_text


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
