"""Full-text search over public articles with the database's own index.

SQLite: an FTS5 table `article_fts` over article title, summary and body, with
`article` as its external content; triggers (created by the migration) keep it in sync
on every insert, update and delete, and `blog reindex` rebuilds it. Results are ranked
by bm25 with the title weighted above the summary and the body.

User input never reaches FTS5's query syntax: the words are extracted and each is
quoted, so quotes, operators, `*` and parentheses are plain text, never a 500.
"""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape

from blog.extensions import db
from blog.models import Article, ArticleStatus
from blog.types import utcnow

MAX_TERMS = 12
MAX_TERM_LENGTH = 40
_WORD = re.compile(r"\w+", re.UNICODE)
# Control characters never occur in stored text (content.clean_text removes them),
# so they can mark the highlight before escaping.
_OPEN, _CLOSE = "\x02", "\x03"


@dataclass
class Hit:
    article: Article
    snippet_html: Markup


def terms(query: str) -> list[str]:
    """The searchable words of a user's query (at most MAX_TERMS)."""
    words = [w[:MAX_TERM_LENGTH] for w in _WORD.findall(query[:500])]
    return words[:MAX_TERMS]


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression: every word quoted, all required, the last as a prefix."""
    words = terms(query)
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def highlight(snippet: str) -> Markup:
    """Escape a snippet and turn the match markers into <mark> elements."""
    text = str(escape(snippet))
    return Markup(text.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))


def search(query: str, page: int, per_page: int) -> tuple[list[Hit], int]:
    """One page of ranked hits among public articles, and the total number of hits."""
    match = fts_query(query)
    if match is None:
        return [], 0
    params = {
        "match": match,
        "status": ArticleStatus.PUBLISHED.value,
        "now": utcnow().replace(tzinfo=None).isoformat(sep=" "),
        "limit": per_page,
        "offset": (page - 1) * per_page,
        "open": _OPEN,
        "close": _CLOSE,
    }
    where = (
        "article_fts MATCH :match AND a.status = :status AND a.published_at <= :now"
    )
    rows = db.session.execute(
        sa.text(
            "SELECT a.id, snippet(article_fts, -1, :open, :close, '…', 28) AS snip "
            "FROM article_fts JOIN article a ON a.id = article_fts.rowid "
            f"WHERE {where} "  # noqa: S608 - constant text, values are bound
            "ORDER BY bm25(article_fts, 10.0, 4.0, 1.0), a.published_at DESC "
            "LIMIT :limit OFFSET :offset"
        ),
        params,
    ).all()
    total = db.session.scalar(
        sa.text(
            "SELECT count(*) FROM article_fts JOIN article a ON a.id = article_fts.rowid "
            f"WHERE {where}"  # noqa: S608
        ),
        params,
    )
    if not rows:
        return [], total or 0
    by_id = {
        a.id: a
        for a in db.session.scalars(
            Article.listing().where(Article.id.in_([r.id for r in rows]))
        ).unique()
    }
    hits = [Hit(by_id[r.id], highlight(r.snip)) for r in rows if r.id in by_id]
    return hits, total or 0


def reindex() -> int:
    """Rebuild the index from the article table; returns the number of articles."""
    db.session.execute(sa.text("INSERT INTO article_fts(article_fts) VALUES ('rebuild')"))
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count(Article.id))) or 0
