"""Republish this story: an article an editor opened for republishing offers a page with
the HTML to copy (headline, byline, body, a link back, the canonical link and a counting
pixel) under the license chosen in settings (CC BY-ND 4.0 by default).

The pixel is first-party: /republished/<id>.gif adds one view to the row of the site that
loaded it (the host of its Referer; "unknown" without one). No cookie, no address, no
user agent: a count per article and site, which editors see in the admin."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort
from sqlalchemy.exc import IntegrityError

from blog.core.cache.site import get_settings
from blog.core.database import writing
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, RepublishCount

LICENSE_URLS = {
    "CC BY-ND 4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "CC BY-NC-ND 4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC BY-NC 4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
}
DEFAULT_LICENSE = "CC BY-ND 4.0"
# The smallest transparent GIF (1 x 1).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
UNKNOWN = "unknown"


def license_of_site() -> tuple[str, str]:
    name = get_settings().get("republish_license") or DEFAULT_LICENSE
    return name, LICENSE_URLS.get(name, LICENSE_URLS[DEFAULT_LICENSE])


def republishable(slug: str) -> Article:
    article = db.session.scalar(
        sa.select(Article).where(Article.slug == slug, Article.is_public_clause())
    )
    if article is None or not article.republishable:
        abort(404)
    return article


def site_of(referrer: str | None) -> str:
    """The republishing site: the host (and port) its page was served from."""
    try:
        host = (urlsplit(referrer or "").netloc or "").rpartition("@")[2].lower()
    except ValueError:
        return UNKNOWN
    return host[:255] or UNKNOWN


def _one_more(article_id: int, site: str) -> bool:
    """Add a view to an existing row; False when the site has none yet."""
    counted = db.session.execute(
        sa.update(RepublishCount)
        .where(RepublishCount.article_id == article_id, RepublishCount.site == site)
        .values(views=RepublishCount.views + 1, last_seen=utcnow())
    )
    return counted.rowcount > 0


def count_view(article_id: int, site: str) -> None:
    """One more view of the copy of `article_id` on `site`, if the article is open for
    republishing (committed)."""
    with writing():
        open_to_copy = db.session.scalar(
            sa.select(Article.id).where(Article.id == article_id, Article.republishable)
        )
        if open_to_copy is not None and not _one_more(article_id, site):
            try:
                with db.session.begin_nested():
                    db.session.add(RepublishCount(article_id=article_id, site=site, views=1))
            except IntegrityError:  # a view from the same site made the row first
                _one_more(article_id, site)
        db.session.commit()


def counts() -> list[sa.Row]:
    """(title, slug, site, views, last_seen) of every republished copy, most viewed first."""
    return list(
        db.session.execute(
            sa.select(
                Article.title,
                Article.slug,
                RepublishCount.site,
                RepublishCount.views,
                RepublishCount.last_seen,
            )
            .join(Article, Article.id == RepublishCount.article_id)
            .order_by(RepublishCount.views.desc(), RepublishCount.id)
        )
    )
