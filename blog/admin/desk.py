"""Admin: the editorial desk around the article editor (docs/editors.md, "The desk").

What the editor's own script (static/desk.js) calls: the presence heartbeat, autosave,
the live preview and images dropped or pasted into the text; and what works without it:
discarding an autosave, comparing two versions side by side. Every change is a POST
with the form's CSRF token; the JSON answers are private and never cached.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.admin.article_conflict import word_diff
from blog.admin.article_editor import versions_of
from blog.admin.assignments import assign, assignment_form, due_of
from blog.admin.common import area, require
from blog.admin.desk_state import (
    HEARTBEAT_SECONDS,
    beat,
    colleagues_editing,
    discard_autosave,
    editable_article,
    store_autosave,
)
from blog.admin.notes import NoteForm, add_note, mention_mails, threads
from blog.admin.review_flow import sent_back
from blog.core import uploads
from blog.core.audit import record
from blog.core.content import clean_text, plain_text, reading_time, render_article
from blog.core.database import reread, writing
from blog.core.templating import site_zone
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import ArticleNote, ArticleStatus, Role, Upload

bp = area("desk", __name__, Role.AUTHOR)

MAX_AUTOSAVE_CHARS = 500_000


def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _clock(moment) -> str:
    return moment.astimezone(site_zone()).strftime("%H:%M")


@bp.post("/articles/<int:article_id>/heartbeat")
def heartbeat(article_id: int) -> Response:
    """Note that the current user has the editor open; answer who else has."""
    article = editable_article(article_id)
    with writing():
        reread(article)  # 404 if a colleague deleted it meanwhile, not a foreign key 500
        beat(article.id)
        db.session.commit()
    colleagues = colleagues_editing(article.id)
    return private(
        jsonify(
            editors=[{"name": c.name, "since": _clock(c.since)} for c in colleagues],
            next=HEARTBEAT_SECONDS,
        )
    )


@bp.post("/articles/<int:article_id>/autosave")
def autosave(article_id: int) -> Response | tuple:
    """Keep what the editor holds as the user's autosave; never a version."""
    article = editable_article(article_id)
    title = " ".join(clean_text(request.form.get("title", "")).split())
    summary = clean_text(request.form.get("summary", ""))
    body = clean_text(request.form.get("body", ""))
    if len(body) + len(summary) > MAX_AUTOSAVE_CHARS:
        return private(jsonify(error="The text is too long to autosave.")), 413
    with writing():
        reread(article)
        saved_at = store_autosave(
            article.id, title, summary, body, request.form.get("base_version", "")
        )
        db.session.commit()
    return private(jsonify(saved="autosaved", at=_clock(saved_at)))


@bp.post("/articles/<int:article_id>/autosave/discard")
def discard(article_id: int) -> Response:
    article = editable_article(article_id)
    with writing():
        discard_autosave(article.id)
        db.session.commit()
    flash("The autosaved text was discarded.", "success")
    return redirect(url_for("admin.articles.edit_article", article_id=article.id), 303)


@bp.post("/articles/render")
def render_preview() -> Response | tuple:
    """The body as the article page will show it (the same pipeline), with its word
    count and reading time, for the live preview beside the text."""
    body = clean_text(request.form.get("body", ""))
    if len(body) > MAX_AUTOSAVE_CHARS:
        return private(jsonify(error="The text is too long to preview.")), 413
    html = render_article(body)
    words = len(plain_text(html).split())
    return private(jsonify(html=html, words=words, minutes=reading_time(html)))


@bp.post("/articles/images")
def body_image() -> Response | tuple:
    """An image dropped or pasted into the text: the library's checks, then its address."""
    file = request.files.get("image")
    if file is None or not file.filename:
        return private(jsonify(error="No image was sent.")), 400
    try:
        stored = uploads.save_upload(file.stream, file.filename)
    except uploads.UploadError as exc:
        return private(jsonify(error=str(exc))), 422
    with writing():
        image = Upload(**asdict(stored), uploader_id=current_user.id)
        db.session.add(image)
        record("image.upload", image, f"{stored.filename} ({stored.width}×{stored.height})")
        db.session.commit()
    src = url_for("public.upload", filename=stored.filename)
    return private(jsonify(src=src, width=stored.width, height=stored.height))


# ---------------------------------------------------------------- notes


def notes_page(article, form: NoteForm, status: int = 200) -> tuple:
    return render_template(
        "admin/article_notes.html", article=article, threads=threads(article.id),
        note_form=form,
    ), status  # fmt: skip


def note_of(article, note_id) -> ArticleNote | None:
    note = db.session.get(ArticleNote, note_id) if note_id else None
    return note if note is not None and note.article_id == article.id else None


@bp.get("/articles/<int:article_id>/notes")
def notes(article_id: int) -> tuple:
    return notes_page(editable_article(article_id), NoteForm(prefix="note"))


@bp.post("/articles/<int:article_id>/notes")
def add(article_id: int) -> Response | tuple:
    """A new note, or a reply to one (`parent_id`); @mentions mail the colleagues named."""
    article = editable_article(article_id)
    form = NoteForm(prefix="note")
    if not form.validate():
        return notes_page(article, form, 422)
    parent_id = request.form.get("note-parent_id", type=int)
    parent = note_of(article, parent_id)
    if parent_id and parent is None:
        form.body.errors = ["The note you replied to was deleted; your text is below."]
        return notes_page(article, form, 422)
    body = clean_text(form.body.data).strip()
    mails = mention_mails(body, article)
    with writing():
        reread(article)
        # A reply to a reply joins its thread: threads are one level deep.
        parent_id = parent.parent_id or parent.id if parent is not None else None
        add_note(article, body, db.session.get(ArticleNote, parent_id) if parent_id else None,
                 mails)  # fmt: skip
        db.session.commit()
    told = ", ".join(m.to for m in mails)
    flash("Note added." + (f" Mailed: {told}." if told else ""), "success")
    return redirect(url_for("admin.articles.edit_article", article_id=article.id) + "#notes", 303)


@bp.post("/articles/<int:article_id>/notes/<int:note_id>/resolve")
def resolve(article_id: int, note_id: int) -> Response:
    """Resolve an open thread, or reopen a resolved one."""
    article = editable_article(article_id)
    note = note_of(article, note_id)
    if note is None or note.parent_id is not None:
        abort(404)
    with writing():
        reread(note)
        if note.resolved_at is None:
            note.resolved_at, note.resolved_by_id = utcnow(), current_user.id
            message = "Thread resolved."
        else:
            note.resolved_at, note.resolved_by_id = None, None
            message = "Thread reopened."
        db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.articles.edit_article", article_id=article.id) + "#notes", 303)


# ---------------------------------------------------------------- assignment, send back


def assignment_page(article, form, send_back_error: str = "", note: str = "") -> tuple:
    return render_template(
        "admin/article_assignment.html", article=article, assignment_form=form,
        send_back_error=send_back_error, send_back_note=note,
    ), 422  # fmt: skip


@bp.post("/articles/<int:article_id>/assignment")
def assignment(article_id: int) -> Response | tuple:
    """Who works on the article next, and by when; audited."""
    article = editable_article(article_id)
    form = assignment_form(article, request.form)
    valid = form.validate()
    due_at = due_of(form)
    if not valid or form.due_date.errors:
        return assignment_page(article, form)
    with writing():
        reread(article)
        detail = assign(article, form.assignee_id.data or None, due_at)
        record("article.assign", article, detail)
        db.session.commit()
    flash("Assignment saved.", "success")
    return redirect(url_for("admin.articles.edit_article", article_id=article.id), 303)


@bp.post("/articles/<int:article_id>/send-back")
def send_back(article_id: int) -> Response | tuple:
    """An editor returns an article in review to its author as a draft, with a note
    that is kept among the article's notes and mailed to the author."""
    require(Role.EDITOR)
    article = editable_article(article_id)
    text = clean_text(request.form.get("note", "")).strip()
    if not text or len(text) > 5000:
        message = "Say what needs doing (up to 5000 characters)."
        return assignment_page(article, assignment_form(article), message, text)
    with writing():
        reread(article)
        if article.status != ArticleStatus.REVIEW:
            write_refused = True
        else:
            write_refused = False
            article.status = ArticleStatus.DRAFT
            db.session.add(ArticleNote(article_id=article.id, author_id=current_user.id,
                                       body=f"Sent back: {text}"))  # fmt: skip
            db.session.flush()
            record("article.send_back", article, f"{article.title}: {text[:200]}")
            sent_back(article, text, current_user.id)
            db.session.commit()
    if write_refused:
        flash("Only an article in review can be sent back; it was not changed.", "error")
    else:
        flash("Sent back to the author as a draft, with your note.", "success")
    return redirect(url_for("admin.articles.edit_article", article_id=article.id), 303)


# ---------------------------------------------------------------- compare versions


class Side:
    """One side of a comparison: a kept version, or the article as it is now."""

    def __init__(self, key: str, label: str, title: str, summary: str, body: str, version_id):
        self.key, self.label, self.version_id = key, label, version_id
        self.title, self.summary, self.body = title, summary, body


def sides_of(article) -> dict[str, Side]:
    versions = versions_of(article)
    sides = {"current": Side("current", "Now", article.title, article.summary,
                             article.body_source, None)}  # fmt: skip
    for v in versions:
        when = v.created_at.astimezone(site_zone()).strftime("%-d %B %Y %H:%M")
        by = v.editor.username if v.editor else "—"
        sides[str(v.id)] = Side(str(v.id), f"Saved over on {when} by {by}", v.title,
                                v.summary, v.body_source, v.id)  # fmt: skip
    return sides


@bp.get("/articles/<int:article_id>/compare")
def compare(article_id: int) -> str:
    """Two versions side by side with a word-level diff: `?a=` the older, `?b=` the
    newer, each a version id or "current"; by default the last version against now."""
    article = editable_article(article_id)
    sides = sides_of(article)
    keys = list(sides)
    default_a = keys[1] if len(keys) > 1 else "current"
    a = sides.get(request.args.get("a", default_a), sides[default_a])
    b = sides.get(request.args.get("b", "current"), sides["current"])
    return render_template(
        "admin/article_compare.html",
        article=article,
        sides=sides,
        a=a,
        b=b,
        title_diff=word_diff(a.title, b.title),
        summary_diff=word_diff(a.summary, b.summary),
        body_diff=word_diff(a.body, b.body),
    )
