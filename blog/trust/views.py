"""The trust pages readers see: /corrections, every note on a public article, newest first."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, render_template

from blog.core.pagination import paginate
from blog.models import Article, ArticleNote

bp = Blueprint("trust", __name__)


@bp.get("/corrections")
def corrections() -> str:
    query = (
        sa.select(ArticleNote)
        .join(Article, Article.id == ArticleNote.article_id)
        .where(Article.is_public_clause())
        .options(so.contains_eager(ArticleNote.article))
        .order_by(ArticleNote.created_at.desc(), ArticleNote.id.desc())
    )
    pager = paginate(query, ("corrections",))
    return render_template("trust/corrections.html", pager=pager)
