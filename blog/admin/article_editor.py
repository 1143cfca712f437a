"""The article editor's form, read and written: what the admin's article views share.

`parse_form` validates the form and renders the Markdown before any write transaction
opens (a `Parsed`); `write_article` copies it onto the row inside one. Who may publish,
which statuses the form offers, tags read from a comma list, old slugs kept redirecting,
and the version kept of each save live here too; the views are in articles.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import request
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from blog.admin import article_trust
from blog.admin.forms import STATUS_CHOICES, ArticleForm, options
from blog.core.cache.site import get_settings
from blog.core.content import clean_text, reading_time, render_article, slugify
from blog.core.templating import site_zone
from blog.core.types import utcnow
from blog.core.upsert import get_or_create
from blog.extensions import db
from blog.models import Article, ArticleStatus, ArticleVersion, Category, SlugRedirect, Tag, Upload

MAX_TAGS = 20


def can_publish() -> bool:
    return current_user.is_editor or bool(get_settings().get("authors_can_publish"))


@dataclass
class Parsed:
    """What a valid article form turns into, computed before the write transaction."""

    title: str
    slug: str
    summary: str
    body_source: str
    body_html: str
    reading_time: int
    category_id: int
    tag_names: list[str]
    image_id: int | None
    image_alt: str
    comments_open: bool
    donation_appeal: bool
    send_alert: bool
    status: str
    published_at: datetime | None
    upload: FileStorage | None = None
    errors: dict[str, str] = field(default_factory=dict)
    trust: dict = field(default_factory=dict)  # label, dateline, bylines (article_trust.py)


def allowed_statuses(article: Article | None) -> list[tuple[str, str]]:
    """Status choices the current user may pick; an article keeps its current one."""
    allowed = {"draft", "review"}
    if can_publish():
        allowed |= {"scheduled", "published"}
    if article is not None:
        allowed.add(article.display_status)
    return options((value, label) for value, label in STATUS_CHOICES if value in allowed)


def prepare_form(form: ArticleForm, article: Article | None) -> None:
    categories = db.session.scalars(Category.ordered()).all()
    form.category_id.choices = options((c.id, c.name) for c in categories)
    images = db.session.scalars(
        sa.select(Upload).order_by(Upload.created_at.desc(), Upload.id.desc()).limit(200)
    ).all()
    if article is not None and article.image is not None and article.image not in images:
        images.append(article.image)
    form.image_id.choices = options(
        [(0, "No image")] + [(u.id, f"{u.filename} ({u.width}×{u.height})") for u in images]
    )
    form.status.choices = allowed_statuses(article)
    article_trust.prepare(form, article)


def version_of(article: Article) -> str:
    """The version an editor form carries (`base_version`): the article's `updated_at`,
    which every editorial write moves and counter updates keep as it is."""
    return article.updated_at.isoformat()


def initial_data(article: Article) -> dict:
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body_source,
        "category_id": article.category_id,
        "tags": ", ".join(t.name for t in article.tags),
        "image_id": article.image_id or 0,
        "image_alt": article.image_alt,
        "comments_open": article.comments_open,
        "donation_appeal": article.donation_appeal,
        "status": article.display_status,
        "base_version": version_of(article),
        **article_trust.initial(article),
    }
    if article.published_at is not None and article.status == ArticleStatus.PUBLISHED:
        local = article.published_at.astimezone(site_zone())
        data["publish_date"] = local.date()
        data["publish_time"] = local.time().replace(second=0, microsecond=0, tzinfo=None)
    return data


def parse_tags(text: str) -> list[str]:
    """Tag names from a comma list: trimmed, spaces collapsed, one per slug, in order."""
    names: list[str] = []
    seen: set[str] = set()
    for raw in text.split(","):
        name = " ".join(raw.split()).lstrip("#")[:60].strip()
        slug = slugify(name)
        if name and slug and slug not in seen:
            seen.add(slug)
            names.append(name)
    return names


def chosen_file() -> FileStorage | None:
    upload = request.files.get("image_file")
    return upload if upload is not None and upload.filename else None


def minute_of(moment: datetime) -> datetime:
    """`moment` as the form shows it: to the minute, in the site's time zone."""
    return moment.astimezone(site_zone()).replace(second=0, microsecond=0)


def parse_form(form: ArticleForm, article: Article | None) -> Parsed | None:
    """Validate the form (adding field errors) and render the Markdown; None when invalid."""
    valid = form.validate()
    if form.status.errors:
        form.status.errors[:] = [
            "You cannot publish or schedule articles yourself. "
            "Choose “In review” to submit this one to an editor."
        ]
        valid = False
    tag_names = parse_tags(form.tags.data or "")
    if len(tag_names) > MAX_TAGS:
        form.tags.errors = [*form.tags.errors, f"Use at most {MAX_TAGS} tags."]
        valid = False
    upload = chosen_file()
    has_image = bool(upload or form.image_id.data or (article is not None and article.image_path))
    alt = " ".join((form.image_alt.data or "").split())
    if has_image and not alt:
        form.image_alt.errors = [
            *form.image_alt.errors,
            "Describe the image for readers who cannot see it (required with an image).",
        ]
        valid = False
    status = form.status.data
    published_at = None
    now = utcnow()
    if status in ("scheduled", "published") and valid:
        chosen = None
        if form.publish_date.data and form.publish_time.data:
            local = datetime.combine(form.publish_date.data, form.publish_time.data)
            chosen = local.replace(tzinfo=site_zone()).astimezone(now.tzinfo)
        if not can_publish():
            # Someone who may not publish keeps an editor's choice of status and time:
            # moving a scheduled article's time would break its embargo.
            kept = article.published_at if article is not None else None
            if chosen is not None and (kept is None or chosen != minute_of(kept)):
                form.publish_date.errors = [
                    *form.publish_date.errors,
                    "Only editors can change when an article is published; "
                    "the time was left as the editor set it.",
                ]
                valid = False
            chosen = kept
        if status == "scheduled":
            if chosen is None:
                form.publish_date.errors = [
                    *form.publish_date.errors,
                    "Choose the date and time to publish at.",
                ]
                valid = False
            elif chosen <= now:
                form.publish_date.errors = [
                    *form.publish_date.errors,
                    "Choose a time in the future, or choose Published to publish now.",
                ]
                valid = False
            published_at = chosen
        elif chosen is not None and chosen <= now:
            published_at = chosen  # backdated on purpose
        elif article is not None and article.is_public:
            published_at = article.published_at
        else:
            published_at = now
    send_alert = bool(form.send_alert.data) and current_user.is_editor
    if send_alert and status not in ("scheduled", "published"):
        form.send_alert.errors = [
            "An alert goes out when the article is published: choose Published or "
            "Scheduled, or untick “Send as alert”."
        ]
        valid = False
    trust = article_trust.parse(form)
    if not valid or trust is None:
        return None
    body = clean_text(form.body.data or "")
    html = render_article(body)
    return Parsed(
        title=" ".join(form.title.data.split()),
        slug=form.slug.data or "",
        summary=clean_text(form.summary.data or "").strip(),
        body_source=body,
        body_html=html,
        reading_time=reading_time(html),
        category_id=form.category_id.data,
        tag_names=tag_names,
        image_id=form.image_id.data or None,
        image_alt=alt if has_image else "",
        comments_open=form.comments_open.data,
        donation_appeal=bool(form.donation_appeal.data),
        send_alert=send_alert,
        status=ArticleStatus.PUBLISHED if status in ("scheduled", "published") else status,
        published_at=published_at,
        upload=upload,
        trust=trust,
    )


def slug_taken(slug: str, article_id: int | None) -> bool:
    """Whether another article uses `slug`, as its slug or as a redirected old slug."""
    other = Article.id != article_id if article_id is not None else sa.true()
    in_articles = db.session.scalar(sa.select(Article.id).where(Article.slug == slug, other))
    redirect_other = SlugRedirect.article_id != article_id if article_id is not None else sa.true()
    in_redirects = db.session.scalar(
        sa.select(SlugRedirect.id).where(SlugRedirect.old_slug == slug, redirect_other)
    )
    return in_articles is not None or in_redirects is not None


def resolve_tags(names: list[str]) -> list[Tag]:
    """The tags for `names`, in that order: existing ones by slug or name, new rows for the rest.

    Call in the write transaction, before the article joins the session. Another
    request adding the same tag at the same moment is no error (`get_or_create`). New
    tags are added in slug order: two articles adding "a, b" and "b, a" at once would
    otherwise each wait for the other's uncommitted row, a deadlock PostgreSQL ends
    by failing one of them.
    """
    by_slug: dict[str, Tag] = {}
    for name in sorted(names, key=slugify):
        slug = slugify(name)
        lookup = sa.select(Tag).where(
            sa.or_(Tag.slug == slug, sa.func.lower(Tag.name) == name.lower())
        )
        by_slug[slug] = get_or_create(Tag, lookup, name=name, slug=slug)
    # Two names may find the same renamed tag (one by its name, one by its slug).
    return list(dict.fromkeys(by_slug[slugify(name)] for name in names))


def snapshot(article: Article) -> None:
    db.session.add(
        ArticleVersion(
            article_id=article.id,
            title=article.title,
            summary=article.summary,
            body_source=article.body_source,
            editor_id=current_user.id,
        )
    )


def versions_of(article: Article) -> list[ArticleVersion]:
    """The kept versions of `article`, newest first, with their editors loaded."""
    return db.session.scalars(
        sa.select(ArticleVersion)
        .where(ArticleVersion.article_id == article.id)
        .options(so.joinedload(ArticleVersion.editor))
        .order_by(ArticleVersion.created_at.desc(), ArticleVersion.id.desc())
    ).all()


def write_article(
    article: Article,
    parsed: Parsed,
    slug: str,
    old_slug: str,
    tags: list[Tag],
    image_id: int | None,
) -> None:
    """Copy the form onto `article`, keep its old public slug redirecting, and flush.

    Raises IntegrityError when another request has just taken the slug: on PostgreSQL
    the unique constraints, not the look-ups before, are what keep slugs unique.
    """
    if old_slug and old_slug != slug:
        db.session.execute(
            sa.delete(SlugRedirect).where(
                SlugRedirect.old_slug == slug, SlugRedirect.article_id == article.id
            )
        )
        if article.status == ArticleStatus.PUBLISHED and article.published_at is not None:
            exists = db.session.scalar(
                sa.select(SlugRedirect.id).where(SlugRedirect.old_slug == old_slug)
            )
            if exists is None:
                db.session.add(SlugRedirect(old_slug=old_slug, article_id=article.id))
    article.title = parsed.title
    article.slug = slug
    article.summary = parsed.summary
    article.body_source = parsed.body_source
    article.body_html = parsed.body_html
    article.reading_time = parsed.reading_time
    article.category_id = parsed.category_id
    article.tags = tags
    article.image_id = image_id
    if image_id is not None:
        article.image_path = ""
    article.image_alt = parsed.image_alt
    article.comments_open = parsed.comments_open
    article.donation_appeal = parsed.donation_appeal
    article.status = parsed.status
    article.published_at = parsed.published_at
    db.session.flush()


def save_message(status: str, article: Article) -> str:
    if status == "scheduled":
        when = article.published_at.astimezone(site_zone()).strftime("%-d %B %Y at %H:%M")
        return f"Saved. The article will be published on {when}."
    if status == "published":
        return "Saved and published."
    if status == "review":
        return "Saved and submitted for review."
    return "Draft saved."
