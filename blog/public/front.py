"""The front page's curation: the lead story, the top stories, and each section's pinned
story (chosen by editors in Admin > Front page, kept as settings).

Editors may choose the lead and up to `front_top_count` top stories, or leave either
to the newest: the lead is then the newest article, the top stories the next newest.
A chosen article that is not public (taken back, scheduled, deleted) is skipped, so
the page never shows what readers may not see. Settings are content (their change
expires every cached page), so a new choice shows at once.
"""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination

from blog.core.cache.site import get_settings
from blog.extensions import db
from blog.models import Article


def _public(ids: list[int]) -> dict[int, Article]:
    """The public articles among `ids`, loaded as lists load them; one query."""
    if not ids:
        return {}
    found = db.session.scalars(Article.listing().where(Article.id.in_(ids))).all()
    return {a.id: a for a in found}


def home_cards(pager: Pagination) -> dict:
    """What the home page's first page leads with: `lead`, `top` stories, then the rest of
    the page's `articles`; later pages are plain lists."""
    items = list(pager.items)
    if pager.page != 1 or not items:
        return {"lead": None, "top": [], "articles": items}
    settings = get_settings()
    lead_id = settings.get("front_lead")
    top_ids = [i for i in settings.get("front_top") or [] if i != lead_id]
    count = settings.get("front_top_count", 4)
    chosen = _public(([lead_id] if lead_id else []) + top_ids)
    lead = chosen.get(lead_id) or items[0]
    if top_ids:
        top = [chosen[i] for i in top_ids if i in chosen and i != lead.id]
    else:
        top = [a for a in items if a.id != lead.id]
    top = top[:count]
    shown = {lead.id, *(a.id for a in top)}
    return {"lead": lead, "top": top, "articles": [a for a in items if a.id not in shown]}


def pinned_first(section_id: int, pager: Pagination) -> dict:
    """A section's first page with its pinned story on top (when public and still in it)."""
    items = list(pager.items)
    pin = (get_settings().get("section_pins") or {}).get(str(section_id))
    if pager.page != 1 or not pin:
        return {"items": items}
    article = db.session.scalar(
        Article.listing().where(Article.id == pin, Article.category_id == section_id)
    )
    if article is None:
        return {"items": items}
    return {"items": [article, *(a for a in items if a.id != article.id)], "pinned": article.id}
