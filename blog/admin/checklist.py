"""The pre-publish checklist: what an article should have before it is published or
scheduled (docs/editors.md, "Before publishing").

The newsroom turns each item on or off in Settings (`publish_checklist`, a list of the
keys of `CHECKS`). The editor runs it when a save would publish or schedule an article
that is neither yet; a failed item sends the form back with the list. An editor may
publish anyway by ticking "Publish despite the checklist", which the audit log records
with the items it overrode; an author who may publish has to fix them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import RequestRedirect

from blog.admin.article_editor import Parsed
from blog.core.cache.site import get_settings
from blog.extensions import db
from blog.models import (
    Article,
    ArticleStatus,
    Category,
    Page,
    Redirect,
    SlugRedirect,
    Tag,
    Upload,
    User,
)

CHECKS = {
    "image": "A featured image with a description, at least 1200 px wide",
    "summary": "A summary of 50 to 300 characters",
    "taxonomy": "A section and at least one tag",
    "title": "A title under 110 characters",
    "links": "No link to a draft or a missing page of this site",
}
MIN_IMAGE_WIDTH = 1200
SUMMARY_LENGTH = (50, 300)
MAX_TITLE = 110
_HREF = re.compile(r'<a\s[^>]*href="([^"]+)"')


def enabled() -> list[str]:
    chosen = get_settings().get("publish_checklist") or []
    return [key for key in CHECKS if key in chosen]


def overridden() -> bool:
    """Whether an editor ticked "Publish despite the checklist" on this save."""
    return current_user.is_editor and bool(request.form.get("checklist_override"))


def due(parsed: Parsed, article: Article | None) -> bool:
    """Whether this save publishes or schedules an article that was neither."""
    was_out = article is not None and article.display_status in ("published", "scheduled")
    return parsed.status == ArticleStatus.PUBLISHED and not was_out


def problems(parsed: Parsed, article: Article | None, new_image_width: int | None) -> list[str]:
    """The failed items' messages, in the order of CHECKS; [] when all pass or none is on."""
    found = []
    for key in enabled():
        message = globals()[f"_check_{key}"](parsed, article, new_image_width)
        if message:
            found.append(message)
    return found


def _check_image(parsed: Parsed, article: Article | None, new_width: int | None) -> str:
    width = new_width
    if width is None and parsed.image_id:
        image = db.session.get(Upload, parsed.image_id)
        width = image.width if image is not None else None
    legacy = article is not None and article.image_path and not parsed.image_id
    if width is None and not legacy:
        return "There is no featured image."
    if not parsed.image_alt:
        return "The featured image has no description."
    if width is not None and width < MIN_IMAGE_WIDTH:
        return f"The featured image is {width} px wide; use one of at least {MIN_IMAGE_WIDTH} px."
    return ""


def _check_summary(parsed: Parsed, article: Article | None, new_width: int | None) -> str:
    low, high = SUMMARY_LENGTH
    n = len(parsed.summary)
    if n < low:
        return f"The summary has {n} characters; write at least {low}."
    if n > high:
        return f"The summary has {n} characters; keep it to {high}."
    return ""


def _check_taxonomy(parsed: Parsed, article: Article | None, new_width: int | None) -> str:
    if not parsed.category_id:
        return "Choose a section."
    return "" if parsed.tag_names else "Add at least one tag."


def _check_title(parsed: Parsed, article: Article | None, new_width: int | None) -> str:
    n = len(parsed.title)
    return f"The title has {n} characters; keep it under {MAX_TITLE}." if n >= MAX_TITLE else ""


def _check_links(parsed: Parsed, article: Article | None, new_width: int | None) -> str:
    bad = [href for href in dict.fromkeys(_HREF.findall(parsed.body_html)) if _broken(href, parsed)]
    return ("Links to a draft or a missing page: " + ", ".join(bad[:5])) if bad else ""


def _site_path(href: str) -> str | None:
    """The path of a link into this site, None for any other link."""
    href = href.replace("&amp;", "&")
    site = urlsplit(current_app.config["SITE_URL"])
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
            return None
    elif not href.startswith("/") or href.startswith("//"):
        return None
    return parts.path or "/"


def _broken(href: str, parsed: Parsed) -> bool:
    path = _site_path(href)
    if path is None:
        return False
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, values = adapter.match(path, method="GET")
    except RequestRedirect:
        return False
    except NotFound:  # unless an imported site's old address redirects it
        return db.session.scalar(sa.select(Redirect.id).where(Redirect.source == path)) is None
    except HTTPException:
        return False
    if endpoint == "public.article":
        return not _article_out(values["slug"], parsed)
    lookups = {
        "public.category": (Category.slug, "slug"),
        "public.tag": (Tag.slug, "slug"),
        "public.page": (Page.slug, "slug"),
        "public.author": (User.username, "username"),
        "public.upload": (Upload.filename, "filename"),
    }
    if endpoint in lookups:
        column, name = lookups[endpoint]
        query = sa.select(column).where(column == values[name])
        if endpoint == "public.page":
            query = query.where(Page.published)
        return db.session.scalar(query) is None
    return False


def _article_out(slug: str, parsed: Parsed) -> bool:
    """Whether /article/<slug> shows an article by the time `parsed` comes out."""
    target = db.session.scalar(sa.select(Article).where(Article.slug == slug))
    if target is None:
        target = db.session.scalar(
            sa.select(Article).join(SlugRedirect).where(SlugRedirect.old_slug == slug)
        )
    if target is None or target.status != ArticleStatus.PUBLISHED:
        return False
    return parsed.published_at is None or target.published_at <= parsed.published_at
