"""Admin: static pages (about, donate, privacy...) in Markdown. Editors and admins only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from blog.admin.common import area
from blog.admin.forms import PageForm
from blog.core.audit import record
from blog.core.content import clean_text, render_page, unique_slug
from blog.core.database import reread, writing
from blog.extensions import db
from blog.models import Page, Role

bp = area("pages", __name__, Role.EDITOR)


@bp.get("/pages")
def pages() -> str:
    rows = db.session.scalars(sa.select(Page).order_by(Page.position, Page.title)).all()
    return render_template("admin/pages.html", pages=rows)


def slug_used(slug: str, page_id: int | None) -> bool:
    other = Page.id != page_id if page_id is not None else sa.true()
    return db.session.scalar(sa.select(Page.id).where(Page.slug == slug, other)) is not None


def save_page(form: PageForm, page: Page | None) -> Response | tuple:
    template = "admin/page_form.html"
    if not form.validate():
        return render_template(template, form=form, page=page), 422
    body = clean_text(form.body.data or "")
    html = render_page(body)
    title = " ".join(form.title.data.split())
    with writing() as write:
        existing = page
        page_id = page.id if page is not None else None
        if form.slug.data:
            if slug_used(form.slug.data, page_id):
                form.slug.errors = ["Another page already uses this slug."]
                write.refuse()
            slug = form.slug.data
        else:
            slug = unique_slug(title, lambda s: slug_used(s, page_id), fallback="page")
        if page is None:
            page = Page()
            db.session.add(page)
            action = "page.create"
        else:
            reread(page)
            action = "page.update"
        page.title = title
        page.slug = slug
        page.body_source = body
        page.body_html = html
        page.in_footer = form.in_footer.data
        page.published = not form.draft.data
        page.position = form.position.data or 0
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            # Another editor saved a page with this slug since the check above; only
            # possible where writers run side by side (PostgreSQL).
            form.slug.errors = [
                "Another page took this slug a moment ago; choose a different one."
                if form.slug.data
                else f"Another page took the slug “{slug}” a moment ago; "
                "save again for the next free one, or choose a slug."
            ]
            write.refuse()
        record(action, page, title)
        db.session.commit()
    if write.refused:
        return render_template(template, form=form, page=existing), 422
    flash(f"Saved the page “{title}”.", "success")
    return redirect(url_for("admin.pages.edit_page", page_id=page.id), 303)


@bp.route("/pages/new", methods=["GET", "POST"])
def new_page() -> Response | tuple:
    form = PageForm()
    if request.method == "POST":
        return save_page(form, None)
    return render_template("admin/page_form.html", form=form, page=None), 200


@bp.route("/pages/<int:page_id>/edit", methods=["GET", "POST"])
def edit_page(page_id: int) -> Response | tuple:
    page = db.get_or_404(Page, page_id)
    if request.method == "POST":
        return save_page(PageForm(), page)
    form = PageForm(
        data={
            "title": page.title,
            "slug": page.slug,
            "body": page.body_source,
            "in_footer": page.in_footer,
            "draft": not page.published,
            "position": page.position,
        }
    )
    return render_template("admin/page_form.html", form=form, page=page), 200


@bp.route("/pages/<int:page_id>/delete", methods=["GET", "POST"])
def delete_page(page_id: int) -> Response | str:
    page = db.get_or_404(Page, page_id)
    if request.method == "GET":
        return render_template("admin/page_delete.html", page=page)
    with writing():
        reread(page)
        title = page.title
        record("page.delete", page, title)
        db.session.delete(page)
        db.session.commit()
    flash(f"Deleted the page “{title}”.", "success")
    return redirect(url_for("admin.pages.pages"), 303)
