"""Admin: front-page curation (editors). The lead story, the top stories and each
section's pinned story, kept as settings and read by blog/public/front.py; a change is
audited and shows at once (settings are content for the caches)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from blog.admin.common import area
from blog.core.audit import record
from blog.core.cache.site import get_settings
from blog.core.database import writing
from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Article, Category, Role

bp = area("frontpage", __name__, Role.EDITOR)

CANDIDATES = 60  # the newest public articles offered
MAX_TOP = 8


def candidates() -> list[Article]:
    return db.session.scalars(
        Article.published().options(so.joinedload(Article.category)).limit(CANDIDATES)
    ).all()


def page(errors: list[str] | None = None, typed: dict | None = None, status: int = 200):
    settings = get_settings()
    chosen = typed or {
        "lead": settings.get("front_lead"),
        "top": settings.get("front_top") or [],
        "count": settings.get("front_top_count", 4),
        "pins": {int(k): v for k, v in (settings.get("section_pins") or {}).items()},
    }
    articles = candidates()
    # A chosen article older than the newest CANDIDATES stays on offer.
    extra = {chosen["lead"], *chosen["top"], *chosen["pins"].values()} - {a.id for a in articles}
    extra.discard(None)
    if extra:
        articles += db.session.scalars(
            sa.select(Article).where(Article.id.in_(extra), Article.is_public_clause())
        ).all()
    return render_template(
        "admin/front_page.html",
        articles=articles,
        sections=db.session.scalars(Category.ordered()).all(),
        chosen=chosen,
        errors=errors or [],
        max_top=MAX_TOP,
    ), status  # fmt: skip


@bp.get("/front-page")
def front_page() -> tuple:
    return page()


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@bp.post("/front-page")
def save_front_page() -> Response | tuple:
    public = set(db.session.scalars(sa.select(Article.id).where(Article.is_public_clause())))
    sections = {c.id: c for c in db.session.scalars(sa.select(Category))}
    lead = _int(request.form.get("lead"))
    top = [i for i in (_int(v) for v in request.form.getlist("top")) if i is not None]
    count = _int(request.form.get("count"))
    pins = {cid: _int(request.form.get(f"pin-{cid}")) for cid in sections}
    typed = {"lead": lead, "top": top, "count": count if count is not None else 4,
             "pins": {k: v for k, v in pins.items() if v}}  # fmt: skip
    errors = []
    if lead is not None and lead not in public:
        errors.append("The chosen lead story is not published any more; choose another.")
    if any(i not in public for i in top):
        errors.append("A chosen top story is not published any more; untick it.")
    if len(top) > MAX_TOP:
        errors.append(f"Choose at most {MAX_TOP} top stories.")
    if count is None or not 0 <= count <= MAX_TOP:
        errors.append(f"Show between 0 and {MAX_TOP} top stories.")
    by_id = {a.id: a for a in db.session.scalars(sa.select(Article).where(Article.id.in_(
        [v for v in typed["pins"].values()])))} if typed["pins"] else {}  # fmt: skip
    for cid, aid in typed["pins"].items():
        if aid not in public or by_id[aid].category_id != cid:
            errors.append(
                f"The story pinned in {sections[cid].name} is not a public article of it."
            )
    if errors:
        return page(errors, typed, 422)
    values = {
        "front_lead": lead,
        "front_top": [i for i in top if i != lead],
        "front_top_count": count,
        "section_pins": {str(k): v for k, v in typed["pins"].items()},
    }
    current = get_settings()
    changed = {k: v for k, v in values.items() if current.get(k) != v}
    if changed:
        with writing():
            save_settings(changed)
            record("front_page.update", None, ", ".join(sorted(changed)))
            db.session.commit()
        flash("Front page saved; readers see it now.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("admin.frontpage.front_page"), 303)
