"""Lost-update protection for the article editor: whether a form is older than the
article it saves, and what such a save shows instead of overwriting (docs/editors.md).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from blog.admin.article_editor import Parsed, minute_of
from blog.extensions import db
from blog.models import Article, AuditLog, Category, Upload


def is_stale(base_version: str | None, article: Article) -> bool:
    """Whether a form opened from `base_version` predates the article as stored.

    A form without the field (a script, an old page) is not checked; an unreadable one is
    stale, so the user sees both texts rather than losing either.
    """
    if not base_version:
        return False
    try:
        base = datetime.fromisoformat(base_version)
    except ValueError:
        return True
    return base.tzinfo is None or base != article.updated_at


@dataclass
class FieldChange:
    label: str
    theirs: str
    mine: str


@dataclass
class Conflict:
    """What the 409 page shows: who saved since, when, and how their text differs."""

    saved_by: str
    saved_at: datetime
    title: str
    their_body: str
    my_body: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def body_diff(self) -> list[tuple[str, str]]:
        """Computed when the page renders, after the write transaction has ended."""
        return word_diff(self.their_body, self.my_body)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """`old` to `new` as (op, text) runs, op "same", "del" or "ins"; a word with the
    spaces after it is the unit, so a changed word shows as one word.

    difflib's default heuristic (words in more than 1 % of a long text are not used as
    anchors) keeps a 200 000-character body to a fraction of a second.
    """
    a = re.findall(r"\s+|\S+\s*", old)
    b = re.findall(r"\s+|\S+\s*", new)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("ins", "".join(b[j1:j2])))
    return runs


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _when(moment: datetime | None) -> str:
    return minute_of(moment).strftime("%-d %B %Y %H:%M") if moment is not None else "—"


def _category(category_id: int | None) -> str:
    category = db.session.get(Category, category_id) if category_id else None
    return category.name if category is not None else "—"


def _image(image_id: int | None) -> str:
    image = db.session.get(Upload, image_id) if image_id else None
    return image.filename if image is not None else "no image"


def conflict_with(article: Article, parsed: Parsed, slug: str, status: str) -> Conflict:
    """The difference between `article` as stored and the stale form's `parsed` values.

    Call inside the write transaction, after `reread(article)`; returns plain data, so
    the page renders after the block.
    """
    pairs = [
        ("Title", article.title, parsed.title),
        ("Slug", article.slug, slug or article.slug),
        ("Summary", article.summary, parsed.summary),
        ("Category", _category(article.category_id), _category(parsed.category_id)),
        ("Tags", ", ".join(t.name for t in article.tags), ", ".join(parsed.tag_names)),
        ("Featured image", _image(article.image_id), _image(parsed.image_id)),
        ("Image description", article.image_alt, parsed.image_alt),
        ("Comments open", _yes(article.comments_open), _yes(parsed.comments_open)),
        ("Donation appeal", _yes(article.donation_appeal), _yes(parsed.donation_appeal)),
        ("Status", article.display_status, status),
        ("Publish time", _when(article.published_at), _when(parsed.published_at)),
    ]
    last = db.session.scalar(
        sa.select(AuditLog)
        .where(AuditLog.object_type == "article", AuditLog.object_id == article.id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(1)
    )
    saved_by = last.actor.username if last is not None and last.actor is not None else "someone"
    return Conflict(
        saved_by=saved_by,
        saved_at=article.updated_at,
        title=article.title,
        their_body=article.body_source,
        my_body=parsed.body_source,
        changes=[FieldChange(label, old, new) for label, old, new in pairs if old != new],
    )
