"""Editorial notes on an article: threads of staff notes, resolvable, never published.

A note may mention colleagues as `@username`; each mentioned staff member who may open
the article gets one mail through the queue (template email/note_mention.txt), keyed by
the note and the recipient, so a retried request never mails twice. The views are in
desk.py; the editor shows the threads under the form (templates/admin/_notes.html).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from blog.admin.forms import no_control_chars
from blog.core.cache.site import get_settings
from blog.core.mail import queue_mail
from blog.core.mail_templates import compose
from blog.core.templating import absolute_url
from blog.extensions import db
from blog.models import Article, ArticleNote, Role, User

MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,29})")


class NoteForm(FlaskForm):
    class Meta:
        # The app-wide CSRFProtect checks every POST's csrf_token before any view; the
        # prefixed form would look for a "note-csrf_token" that the reply forms lack.
        csrf = False

    body = TextAreaField(
        "Note",
        validators=[
            DataRequired("Write the note first."),
            Length(max=5000, message="Keep a note under 5000 characters."),
            no_control_chars,
        ],
    )
    parent_id = HiddenField()


@dataclass
class Thread:
    note: ArticleNote
    replies: list[ArticleNote] = field(default_factory=list)


def threads(article_id: int) -> list[Thread]:
    """The article's notes as threads, open ones first, oldest first; two queries."""
    notes = db.session.scalars(
        sa.select(ArticleNote)
        .where(ArticleNote.article_id == article_id)
        .options(so.joinedload(ArticleNote.author), so.joinedload(ArticleNote.resolved_by))
        .order_by(ArticleNote.created_at, ArticleNote.id)
    ).all()
    by_id = {n.id: Thread(n) for n in notes if n.parent_id is None}
    for n in notes:
        if n.parent_id is not None and n.parent_id in by_id:
            by_id[n.parent_id].replies.append(n)
    return sorted(by_id.values(), key=lambda t: t.note.resolved_at is not None)


def may_open(user: User, article: Article) -> bool:
    return user.active and (user.has_role(Role.EDITOR) or user.id == article.author_id)


def mentioned(body: str, article: Article) -> list[User]:
    """Staff named as @username in `body` who may open the article, the writer excepted."""
    names = {m.lower() for m in MENTION.findall(body)}
    if not names:
        return []
    users = db.session.scalars(
        sa.select(User)
        .where(sa.func.lower(User.username).in_(names), User.role >= Role.AUTHOR)
        .order_by(User.id)
    ).all()
    return [u for u in users if u.id != current_user.id and may_open(u, article)]


@dataclass
class Mention:
    to: str
    subject: str
    text: str
    user_id: int


def mention_mails(body: str, article: Article) -> list[Mention]:
    """The mails a note with `body` sends, composed before the write transaction opens."""
    site = get_settings().get("site_name", "the site")
    link = absolute_url("admin.articles.edit_article", article_id=article.id) + "#notes"
    mails = []
    for user in mentioned(body, article):
        subject, text, _ = compose(
            "note_mention", site=site, name=user.name, writer=current_user.name,
            title=article.title, text=body, link=link,
        )  # fmt: skip
        mails.append(Mention(user.email, subject, text, user.id))
    return mails


def add_note(
    article: Article, body: str, parent: ArticleNote | None, mails: list[Mention]
) -> ArticleNote:
    """Add the note and queue its mails; call inside `writing()`, the caller commits."""
    note = ArticleNote(
        article_id=article.id,
        parent_id=parent.id if parent is not None else None,
        author_id=current_user.id,
        body=body,
    )
    db.session.add(note)
    db.session.flush()
    token = secrets.token_hex(4)
    for mail in mails:
        key = f"note-mention:{note.id}:{token}:{mail.user_id}"
        queue_mail(mail.to, mail.subject, mail.text, key)
    return note
