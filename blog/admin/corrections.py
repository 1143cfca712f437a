"""Admin: correction, clarification and update notes on published articles.

Editors add a dated note; it shows on the article at once (corrections at the top),
moves the article's dateModified and its feed entry's <updated>, and is listed on
/corrections. A note is never removed silently: removing one asks why and leaves an
audit entry with its text, and both acts are listed in the article's history.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.admin.common import area
from blog.admin.trust_forms import NoteForm, RemoveNoteForm
from blog.core.audit import record
from blog.core.content import clean_text
from blog.core.database import reread, writing
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, ArticleCorrection, AuditLog, Role

bp = area("corrections", __name__, Role.EDITOR)

NOTE_ACTIONS = ("article.note", "article.note_remove")


def history(article: Article) -> list[AuditLog]:
    """The notes added to and removed from `article`, newest first (from the audit log)."""
    return db.session.scalars(
        sa.select(AuditLog)
        .where(
            AuditLog.object_type == "article",
            AuditLog.object_id == article.id,
            AuditLog.action.in_(NOTE_ACTIONS),
        )
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    ).all()


def render_notes(article: Article, form: NoteForm, remove: RemoveNoteForm, status: int = 200):
    return (
        render_template(
            "admin/article_corrections.html",
            article=article,
            form=form,
            remove=remove,
            history=history(article),
        ),
        status,
    )


@bp.get("/articles/<int:article_id>/corrections")
def notes(article_id: int) -> tuple:
    article = db.get_or_404(Article, article_id)
    return render_notes(article, NoteForm(), RemoveNoteForm())


@bp.post("/articles/<int:article_id>/corrections")
def add_note(article_id: int) -> Response | tuple:
    article = db.get_or_404(Article, article_id)
    form = NoteForm()
    if not article.is_public:
        form.form_errors.append("Notes go on published articles; edit a draft instead.")
        return render_notes(article, form, RemoveNoteForm(), 422)
    if not form.validate():
        return render_notes(article, form, RemoveNoteForm(), 422)
    text = " ".join(clean_text(form.text.data).split())
    with writing():
        reread(article)
        now = utcnow()
        db.session.add(
            ArticleCorrection(
                article_id=article.id,
                kind=form.kind.data,
                text=text,
                editor_id=current_user.id,
                created_at=now,
            )
        )
        article.updated_at = now  # dateModified, the feed entry and the sitemap move
        record("article.note", article, f"{form.kind.data}: {text}")
        db.session.commit()
    flash(f"Added the {form.kind.data}; readers see it now.", "success")
    return redirect(url_for("admin.corrections.notes", article_id=article.id), 303)


@bp.post("/articles/<int:article_id>/corrections/<int:correction_id>/remove")
def remove_note(article_id: int, correction_id: int) -> Response | tuple:
    article = db.get_or_404(Article, article_id)
    note = db.get_or_404(ArticleCorrection, correction_id)
    if note.article_id != article.id:
        abort(404)
    remove = RemoveNoteForm()
    if not remove.validate():
        return render_notes(article, NoteForm(), remove, 422)
    reason = " ".join(clean_text(remove.reason.data).split())
    with writing():
        reread(article)
        reread(note)
        detail = (
            f"{note.kind} of {note.created_at:%Y-%m-%d %H:%M} UTC: {note.text} (reason: {reason})"
        )
        db.session.delete(note)
        article.updated_at = utcnow()
        record("article.note_remove", article, detail)
        db.session.commit()
    flash("Removed the note; the audit log keeps its text and your reason.", "success")
    return redirect(url_for("admin.corrections.notes", article_id=article.id), 303)
