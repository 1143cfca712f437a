"""Views of the donations blueprint: /donate and the counted redirect /donate/go/<choice>.

The choices are blog/donations/appeal.py's: only https URLs are ever linked or redirected to. A
click is counted by day, choice and article (`?from=<article id>`) in one SQL upsert,
with no cookie and no address stored; the redirect is private, so no cache answers it
instead of counting.
"""

from flask import Blueprint, abort, make_response, redirect, render_template, request

from blog.core.jobs import committed_write
from blog.core.types import utcnow
from blog.core.upsert import insert
from blog.donations.appeal import are_examples, choices, progress
from blog.extensions import db
from blog.models import Article, DonationClick, Page

bp = Blueprint("donations", __name__)


@bp.get("/donate")
def donate():
    page = db.session.scalar(Page.visible().where(Page.slug == "donate"))
    found = choices()
    meter = progress()
    response = make_response(render_template(
        "donations/donate.html", page=page, choices=found, examples=are_examples(found),
        progress=meter,
    ))  # fmt: skip
    if meter is not None:
        # The meter moves with every click, which expires no cache (donation_click is
        # NONE in EXPIRES): so this page is never kept by a cache while a goal is set.
        response.headers["Cache-Control"] = "private, no-store"
    return response


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
