"""Admin: guest contributors, people credited on articles without an account
(a freelancer, a partner outlet). Editors and admins only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from blog.admin.common import area
from blog.admin.forms import options
from blog.admin.trust_forms import GuestAuthorForm
from blog.core.audit import record
from blog.core.content import clean_text
from blog.core.database import reread, writing
from blog.extensions import db
from blog.models import ArticleByline, GuestAuthor, Role, Upload
from blog.trust.api import guest_slug

bp = area("contributors", __name__, Role.EDITOR)


@bp.get("/contributors")
def contributors() -> str:
    credited = (
        sa.select(sa.func.count(ArticleByline.id))
        .where(ArticleByline.guest_id == GuestAuthor.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(GuestAuthor, credited.label("articles")).order_by(GuestAuthor.name)
    ).all()
    return render_template("admin/contributors.html", rows=rows)


def prepare(form: GuestAuthorForm) -> None:
    images = db.session.scalars(
        sa.select(Upload).order_by(Upload.created_at.desc(), Upload.id.desc()).limit(200)
    ).all()
    form.photo_id.choices = options(
        [(0, "No photo")] + [(u.id, f"{u.filename} ({u.width}×{u.height})") for u in images]
    )


def slug_used(slug: str, guest_id: int | None) -> bool:
    other = GuestAuthor.id != guest_id if guest_id is not None else sa.true()
    return (
        db.session.scalar(sa.select(GuestAuthor.id).where(GuestAuthor.slug == slug, other))
        is not None
    )


def render_form(form: GuestAuthorForm, guest: GuestAuthor | None, status: int = 200):
    return render_template("admin/contributor_form.html", form=form, guest=guest), status


def save(form: GuestAuthorForm, guest: GuestAuthor | None) -> Response | tuple:
    if not form.validate():
        return render_form(form, guest, 422)
    name = " ".join(form.name.data.split())
    existing = guest
    with writing() as write:
        guest_id = guest.id if guest is not None else None
        if form.slug.data:
            if slug_used(form.slug.data, guest_id):
                form.slug.errors = ["Another contributor already uses this slug."]
                write.refuse()
            slug = form.slug.data
        else:
            slug = (
                guest.slug if guest is not None else guest_slug(name, lambda s: slug_used(s, None))
            )
        if guest is None:
            guest = GuestAuthor()
            db.session.add(guest)
            action = "contributor.create"
        else:
            reread(guest)
            action = "contributor.update"
        guest.name = name
        guest.slug = slug
        guest.bio = clean_text(form.bio.data or "").strip()
        guest.photo_id = form.photo_id.data or None
        guest.links = "\n".join(
            line.strip() for line in (form.links.data or "").splitlines() if line.strip()
        )
        guest.fediverse = form.fediverse.data or ""
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            form.slug.errors = ["Another contributor took this slug a moment ago; choose another."]
            write.refuse()
        record(action, guest, name)
        db.session.commit()
    if write.refused:
        return render_form(form, existing, 422)
    flash(f"Saved the contributor “{name}”.", "success")
    return redirect(url_for("admin.contributors.edit_contributor", guest_id=guest.id), 303)


@bp.route("/contributors/new", methods=["GET", "POST"])
def new_contributor() -> Response | tuple:
    form = GuestAuthorForm()
    prepare(form)
    if request.method == "POST":
        return save(form, None)
    return render_form(form, None)


@bp.route("/contributors/<int:guest_id>/edit", methods=["GET", "POST"])
def edit_contributor(guest_id: int) -> Response | tuple:
    guest = db.get_or_404(GuestAuthor, guest_id)
    if request.method == "POST":
        form = GuestAuthorForm()
        prepare(form)
        return save(form, guest)
    form = GuestAuthorForm(
        data={
            "name": guest.name,
            "slug": guest.slug,
            "bio": guest.bio,
            "photo_id": guest.photo_id or 0,
            "links": guest.links,
            "fediverse": guest.fediverse,
        }
    )
    prepare(form)
    return render_form(form, guest)


@bp.post("/contributors/<int:guest_id>/delete")
def delete_contributor(guest_id: int) -> Response:
    """Deleting a guest removes them from every byline they are on (the rows cascade)."""
    guest = db.get_or_404(GuestAuthor, guest_id)
    with writing():
        reread(guest)
        name = guest.name
        record("contributor.delete", guest, name)
        db.session.delete(guest)
        db.session.commit()
    flash(f"Deleted the contributor “{name}”; their bylines are gone.", "success")
    return redirect(url_for("admin.contributors.contributors"), 303)
