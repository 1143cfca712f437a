"""The editorial desk's state around one article editor: who else has it open, and the
autosave waiting for the current user (docs/editors.md, "The desk").

Presence is a warning, never a lock: the editor's script posts a heartbeat every 30 s
(blog/admin/desk.py), and a colleague seen in the last `PRESENCE_WINDOW` shows as
"NAME is editing (since HH:MM)". An autosave is a draft of a draft: one row per
article and staff member, overwritten by each autosave, never a version; saving the
article discards it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, url_for
from flask_login import current_user

from blog.admin.assignments import assignment_form
from blog.admin.notes import NoteForm, threads
from blog.core.assets import static_version
from blog.core.types import utcnow
from blog.core.upsert import get_or_create
from blog.extensions import db
from blog.models import Article, ArticleAutosave, EditorPresence

# Four missed heartbeats: a closed tab stops showing after two minutes.
PRESENCE_WINDOW = timedelta(minutes=2)
HEARTBEAT_SECONDS = 30
AUTOSAVE_SECONDS = 30


@dataclass
class Colleague:
    name: str
    since: datetime


def editable_article(article_id: int) -> Article:
    """The article, if the current user may edit it: 404 when missing, 403 when not theirs
    (the same rule as the editor in articles.py)."""
    article = db.get_or_404(Article, article_id)
    if not current_user.is_editor and article.author_id != current_user.id:
        abort(403)
    return article


def colleagues_editing(article_id: int) -> list[Colleague]:
    """Other staff whose editor on this article sent a heartbeat within the window."""
    rows = db.session.scalars(
        sa.select(EditorPresence)
        .where(
            EditorPresence.article_id == article_id,
            EditorPresence.user_id != current_user.id,
            EditorPresence.seen_at >= utcnow() - PRESENCE_WINDOW,
        )
        .options(so.joinedload(EditorPresence.user))
        .order_by(EditorPresence.since, EditorPresence.id)
    ).all()
    return [Colleague(row.user.name, row.since) for row in rows]


def beat(article_id: int) -> None:
    """Record the current user's heartbeat; call inside `writing()`. A gap longer than the
    window starts a new "since"."""
    now = utcnow()
    lookup = sa.select(EditorPresence).where(
        EditorPresence.article_id == article_id, EditorPresence.user_id == current_user.id
    )
    row = get_or_create(
        EditorPresence, lookup, article_id=article_id, user_id=current_user.id,
        since=now, seen_at=now,
    )  # fmt: skip
    if row.seen_at < now - PRESENCE_WINDOW:
        row.since = now
    row.seen_at = now


def store_autosave(article_id: int, title: str, summary: str, body: str, base: str) -> datetime:
    """Overwrite the current user's autosave of the article; call inside `writing()`."""
    now = utcnow()
    lookup = sa.select(ArticleAutosave).where(
        ArticleAutosave.article_id == article_id, ArticleAutosave.user_id == current_user.id
    )
    row = get_or_create(ArticleAutosave, lookup, article_id=article_id,
                        user_id=current_user.id, saved_at=now)  # fmt: skip
    row.title = title[:200]
    row.summary = summary
    row.body_source = body
    row.base_version = base[:40]
    row.saved_at = now
    return now


def discard_autosave(article_id: int) -> None:
    """Drop the current user's autosave of the article (saved, or refused by them)."""
    db.session.execute(
        sa.delete(ArticleAutosave).where(
            ArticleAutosave.article_id == article_id, ArticleAutosave.user_id == current_user.id
        )
    )


def pending_autosave(article: Article) -> ArticleAutosave | None:
    """The current user's autosave of `article` when its text differs from the stored one."""
    row = db.session.scalar(
        sa.select(ArticleAutosave).where(
            ArticleAutosave.article_id == article.id,
            ArticleAutosave.user_id == current_user.id,
        )
    )
    if row is None:
        return None
    if (row.title, row.summary, row.body_source) == (
        article.title,
        article.summary,
        article.body_source,
    ):
        return None
    return row


def restored(data: dict, autosave: ArticleAutosave | None) -> dict:
    """The editor's initial `data` with the autosaved text in it, and the version the
    autosave was typed over, so a save after a colleague's shows the conflict page."""
    if autosave is None:
        return data
    return {
        **data,
        "title": autosave.title,
        "summary": autosave.summary,
        "body": autosave.body_source,
        "base_version": autosave.base_version or data.get("base_version", ""),
    }


def desk_context(article: Article | None) -> dict:
    """What the editor template shows of the desk: colleagues editing, the autosave offer,
    its script's address, and the notes."""
    script = url_for("static", filename="desk.js", v=static_version("desk.js"))
    if article is None:
        return {"colleagues": [], "autosave": None, "desk_script": script, "threads": None}
    return {
        "colleagues": colleagues_editing(article.id),
        "autosave": pending_autosave(article),
        "desk_script": script,
        "threads": threads(article.id),
        # formdata=None: on a re-rendered editor the request's form is the article's.
        "note_form": NoteForm(formdata=None, prefix="note"),
        "assignment_form": assignment_form(article),
    }
