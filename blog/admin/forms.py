"""Forms of the admin; choices that come from the database are set by the views."""

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from blog.core.content import has_control_chars, slugify
from blog.core.settings import COMMENT_POLICIES, SECOND_FACTOR_POLICIES
from blog.models import Role
from blog.privacy.api import comments_field


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoice objects WTForms 3.3 wants."""
    return [SelectChoice(value, label) for value, label in pairs]


STATUS_CHOICES = [
    ("draft", "Draft"),
    ("review", "In review"),
    ("scheduled", "Scheduled"),
    ("published", "Published"),
]
ROLE_CHOICES = [(r.value, r.label.title()) for r in Role]


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def no_control_chars(form: FlaskForm, field) -> None:
    if isinstance(field.data, str) and has_control_chars(field.data):
        raise ValidationError("Remove the invisible control characters from this field.")


def slug_format(form: FlaskForm, field) -> None:
    """A typed slug must already be a slug (lowercase letters, digits, hyphens), so the URL
    is what was typed. Letters of any script count: an imported WordPress slug such as
    `επίπεδο-2` is kept, and saving its article must not refuse it."""
    value = (field.data or "").strip()
    if value and value not in (slugify(value), slugify(value, keep_unicode=True)):
        raise ValidationError("Use lowercase letters, digits and hyphens only, e.g. my-article.")


BYLINE_SLOTS = 4


class TrustFields:
    """The editor's trust fields; choices are set by blog/admin/article_trust.py."""

    label = SelectField("Label", default="", validate_choice=True)
    dateline = StringField(
        "Dateline", validators=[Length(max=80), no_control_chars], filters=[strip]
    )
    focus_x = IntegerField(
        "Focal point across (%)", default=50, validators=[Optional(), NumberRange(0, 100)]
    )
    focus_y = IntegerField(
        "Focal point down (%)", default=50, validators=[Optional(), NumberRange(0, 100)]
    )
    republishable = BooleanField("Others may republish this story")
    bylines = FieldList(
        SelectField("Byline", default="", validate_choice=False),
        min_entries=BYLINE_SLOTS,
        max_entries=BYLINE_SLOTS,
    )


class ArticleForm(TrustFields, FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200), no_control_chars])
    slug = StringField(
        "Slug", validators=[Optional(), Length(max=200), slug_format], filters=[strip]
    )
    summary = TextAreaField("Summary", validators=[Length(max=1000), no_control_chars])
    body = TextAreaField("Body (Markdown)", validators=[Length(max=200_000)])
    # Always has a section chosen, so no `required` attribute: HTML wants a required
    # <select> to start with an empty placeholder, which would only add a wrong choice.
    category_id = SelectField(
        "Category", coerce=int, validators=[InputRequired()], render_kw={"required": False}
    )
    tags = StringField("Tags", validators=[Length(max=500), no_control_chars])
    image_id = SelectField("Featured image", coerce=int, default=0)
    image_file = FileField("…or upload a new image")
    image_alt = StringField("Image description (alt text)", validators=[Length(max=300)])
    comments_open = BooleanField("Comments open", default=True)
    donation_appeal = BooleanField("Donation appeal at the end of the article", default=True)
    status = SelectField("Status", choices=options(STATUS_CHOICES), default="draft")
    publish_date = DateField("Publish date", validators=[Optional()])
    publish_time = TimeField("Publish time", validators=[Optional()])
    send_alert = BooleanField("Send as alert")
    # The article's version the form was opened from (article_editor.version_of).
    base_version = HiddenField()


class CategoryForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=60), no_control_chars])
    slug = StringField(
        "Slug", validators=[Optional(), Length(max=80), slug_format], filters=[strip]
    )
    description = TextAreaField("Description", validators=[Length(max=1000), no_control_chars])


class DeleteCategoryForm(FlaskForm):
    move_to = SelectField("Move its articles to", coerce=int, validators=[Optional()])


class TagForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=60), no_control_chars])
    slug = StringField(
        "Slug", validators=[Optional(), Length(max=80), slug_format], filters=[strip]
    )
    description = TextAreaField("Description", validators=[Length(max=1000), no_control_chars])


class MergeTagForm(FlaskForm):
    # "Choose a tag" (0) comes first and is refused by DataRequired; see category_id.
    into = SelectField(
        "Merge into", coerce=int, validators=[DataRequired()], render_kw={"required": False}
    )


class PageForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200), no_control_chars])
    slug = StringField(
        "Slug", validators=[Optional(), Length(max=200), slug_format], filters=[strip]
    )
    body = TextAreaField("Body (Markdown)", validators=[Length(max=200_000)])
    in_footer = BooleanField("Show in the footer", default=True)
    # Ticked means hidden, so a form posted without the box publishes, as before drafts.
    draft = BooleanField("Draft: only staff can see it")
    position = IntegerField("Position", default=0, validators=[Optional(), NumberRange(0, 1000)])


class RoleForm(FlaskForm):
    role = SelectField("Role", coerce=int, choices=options(ROLE_CHOICES))


class UploadForm(FlaskForm):
    image = FileField("Image (JPEG, PNG, WebP or GIF)")


class SettingsForm(FlaskForm):
    site_name = StringField(
        "Site name", validators=[DataRequired(), Length(max=100), no_control_chars]
    )
    tagline = StringField("Tagline", validators=[Length(max=200), no_control_chars])
    about = TextAreaField("About us (footer)", validators=[Length(max=2000), no_control_chars])
    donate_url = StringField("Donation link", validators=[Length(max=500)], filters=[strip])
    donate_text = TextAreaField("Donation appeal", validators=[Length(max=2000), no_control_chars])
    social_links = TextAreaField("Social links", validators=[Length(max=3000), no_control_chars])
    posts_per_page = IntegerField(
        "Articles per page", validators=[InputRequired(), NumberRange(1, 100)]
    )
    comment_policy = SelectField("Comment moderation", choices=options(COMMENT_POLICIES.items()))
    authors_can_publish = BooleanField("Authors may publish their own articles")
    # Choices from blog/admin/checklist.CHECKS, set by the view.
    publish_checklist = SelectMultipleField("Before publishing, check", choices=[])
    comments_per_page = IntegerField(
        "Comments per page", validators=[Optional(), NumberRange(5, 500)]
    )
    # Weighed: a report of a reader of a week's standing counts 1 (comments/reports.py).
    report_threshold = IntegerField(
        "Reports that hide a comment", validators=[Optional(), NumberRange(0, 1000)]
    )
    require_confirmed_email = BooleanField("Readers must confirm their email address to comment")
    # Left out of a POST: unchanged (checked below rather than by the field's choices).
    second_factor_from = SelectField(
        "Who must log in with a second factor",
        choices=options(SECOND_FACTOR_POLICIES.items()),
        validate_choice=False,
    )

    def validate_second_factor_from(self, field) -> None:
        if field.raw_data and field.data not in SECOND_FACTOR_POLICIES:
            raise ValidationError("Please choose one of the options.")

    def validate_donate_url(self, field) -> None:
        if field.data and not http_url(field.data):
            raise ValidationError("Enter a full http:// or https:// address, or leave it empty.")

    def validate_social_links(self, field) -> None:
        parse_social_links(field.data or "")


def parse_social_links(text: str) -> dict[str, str]:
    """Lines of "Name https://url" as an ordered dict; ValidationError on a bad line."""
    links: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        name, _, url = line.rpartition(" ")
        name = name.strip()
        if not name or not http_url(url):
            raise ValidationError(
                f"Line {number}: write a name, a space and an http(s) address, "
                f'e.g. "Mastodon https://example.social/@newsroom".'
            )
        links[name[:40]] = url
    return links


def format_social_links(links: dict[str, str]) -> str:
    return "\n".join(f"{name} {url}" for name, url in (links or {}).items())


class ImportForm(FlaskForm):
    export = FileField("WordPress export (.xml)")
    dry_run = BooleanField("Dry run: show the report, write nothing")


def local_path(form: FlaskForm, field: StringField) -> None:
    if not (field.data or "").startswith("/") or (field.data or "").startswith("//"):
        raise ValidationError("Start with / : an address on this site, such as /article/slug.")
    if has_control_chars(field.data):
        raise ValidationError("Remove the control characters.")


class RedirectForm(FlaskForm):
    source = StringField(
        "Old address", validators=[DataRequired(), Length(max=500), local_path], filters=[strip]
    )
    target = StringField(
        "New address", validators=[DataRequired(), Length(max=500), local_path], filters=[strip]
    )


class EraseForm(FlaskForm):
    """An admin erases one person on request: what becomes of the comments, and the
    username typed again so a slip of the mouse erases nobody."""

    comments = comments_field("Their comments")
    username = StringField(
        "Type the username to confirm", validators=[DataRequired(), Length(max=60)]
    )
