"""Views of the donations blueprint: /donate and the counted redirect /donate/go/<choice>.

The choices live in the setting `donate_choices` (a list of {"id", "label", "frequency",
"url"}); only https URLs are ever linked or redirected to. A click is counted by day,
choice and article (`?from=<article id>`) in one SQL upsert, with no cookie and no
address stored; the redirect is private, so no cache answers it instead of counting.
"""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request

from blog.extensions import db
from blog.jobs import committed_write
from blog.models import Article, DonationClick, Page
from blog.types import utcnow
from blog.upsert import insert

bp = Blueprint("donations", __name__)
FREQUENCIES = ("one-off", "monthly", "yearly")


def choices() -> list[dict]:
    """The configured choices whose URL is https and whose id is a short slug."""
    from blog.cache.site import get_settings

    found = []
    for item in get_settings().get("donate_choices") or []:
        if not isinstance(item, dict):
            continue
        url, key = str(item.get("url", "")), str(item.get("id", ""))
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc or not key.isascii() or len(key) > 40:
            continue
        if not key.replace("-", "").isalnum():
            continue
        frequency = item.get("frequency") if item.get("frequency") in FREQUENCIES else "one-off"
        found.append({"id": key, "label": str(item.get("label") or key), "url": url,
                      "frequency": frequency})  # fmt: skip
    return found


@bp.get("/donate")
def donate():
    page = db.session.scalar(sa.select(Page).where(Page.slug == "donate"))
    return render_template("donations/donate.html", page=page, choices=choices())


@bp.get("/donate/go/<choice>")
def go(choice: str):
    chosen = next((c for c in choices() if c["id"] == choice), None)
    if chosen is None:
        abort(404)
    source = request.args.get("from", "")
    article_id = int(source) if source.isdigit() and len(source) < 10 else 0
    if article_id and db.session.get(Article, article_id) is None:
        article_id = 0
    with committed_write():
        db.session.execute(
            insert(DonationClick)
            .values(day=utcnow().date(), choice=choice, article_id=article_id, count=1)
            .on_conflict_do_update(
                index_elements=["day", "choice", "article_id"],
                set_={"count": DonationClick.__table__.c.count + 1},
            )
        )
    response = redirect(chosen["url"], code=302)
    response.headers["Cache-Control"] = "private, no-store"
    return response
