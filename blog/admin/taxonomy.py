"""Admin: categories (the navigation sections) and tags. Editors and admins only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from blog.admin.common import area, paginate
from blog.admin.forms import CategoryForm, DeleteCategoryForm, MergeTagForm, TagForm, options
from blog.core.audit import record
from blog.core.content import clean_text, slugify, unique_slug
from blog.core.database import reread, writing
from blog.extensions import db
from blog.models import Article, Category, Role, Tag, article_tag

bp = area("taxonomy", __name__, Role.EDITOR)


def count_by_category() -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Article.category_id, sa.func.count(Article.id)).group_by(Article.category_id)
    )
    return {key: count for key, count in rows}


def categories_page(form: CategoryForm, status: int = 200):
    return (
        render_template(
            "admin/categories.html",
            categories=db.session.scalars(Category.ordered()).all(),
            counts=count_by_category(),
            form=form,
        ),
        status,
    )


def category_name_problem(name: str, slug: str, category_id: int | None) -> tuple[str, str]:
    """Field errors for a name or slug another category already uses ("" when fine)."""
    other = Category.id != category_id if category_id is not None else sa.true()
    name_used = db.session.scalar(
        sa.select(Category.id).where(sa.func.lower(Category.name) == name.lower(), other)
    )
    slug_used = slug and db.session.scalar(
        sa.select(Category.id).where(Category.slug == slug, other)
    )
    return (
        "Another category already has this name." if name_used else "",
        "Another category already uses this slug." if slug_used else "",
    )


def refuse_taken_category(
    form: CategoryForm, name: str, slug: str, category_id: int | None
) -> bool:
    """Whether another category has this name or slug; if so, field errors say which.

    Ends the transaction when it refuses.
    """
    name_error, slug_error = category_name_problem(name, slug, category_id)
    if not name_error and not slug_error:
        return False
    db.session.rollback()
    if name_error:
        form.name.errors = [name_error]
    if slug_error:
        form.slug.errors = [slug_error]
    return True


def category_lost_race(form: CategoryForm, name: str, slug: str, category_id: int | None) -> None:
    """After an IntegrityError: roll back and say why the category was not saved.

    The check before the write passed, so another editor saved the same name or slug
    in between; only possible where writers run side by side (PostgreSQL).
    """
    db.session.rollback()
    if not refuse_taken_category(form, name, slug, category_id):
        form.form_errors.append(
            "Another editor changed the categories at the same moment, so nothing was saved. "
            "Please save again."
        )


@bp.get("/categories")
def categories() -> tuple:
    return categories_page(CategoryForm())


@bp.post("/categories")
def create_category() -> Response | tuple:
    form = CategoryForm()
    if not form.validate():
        return categories_page(form, 422)
    name = " ".join(form.name.data.split())
    with writing() as write:
        if refuse_taken_category(form, name, form.slug.data or "", None):
            write.refuse()
        slug = form.slug.data or unique_slug(
            name,
            lambda s: (
                db.session.scalar(sa.select(Category.id).where(Category.slug == s)) is not None
            ),
            fallback="section",
        )
        last = db.session.scalar(sa.select(sa.func.max(Category.position))) or 0
        category = Category(
            name=name,
            slug=slug,
            description=clean_text(form.description.data or "").strip(),
            position=last + 1,
        )
        db.session.add(category)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            category_lost_race(form, name, form.slug.data or "", None)
            write.refuse()
        record("category.create", category, name)
        db.session.commit()
    if write.refused:
        return categories_page(form, 422)
    flash(f"Added the category “{name}”.", "success")
    return redirect(url_for("admin.taxonomy.categories"), 303)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(category_id: int) -> Response | tuple:
    category = db.get_or_404(Category, category_id)
    if request.method == "GET":
        form = CategoryForm(obj=category)
        return render_template("admin/category_form.html", form=form, category=category), 200
    # Never fall back to the stored values: an empty POST is an empty form.
    form = CategoryForm(data={})
    if not form.validate():
        return render_template("admin/category_form.html", form=form, category=category), 422
    name = " ".join(form.name.data.split())
    slug = form.slug.data or slugify(name) or category.slug
    page = "admin/category_form.html"
    with writing() as write:
        if refuse_taken_category(form, name, slug, category.id):
            write.refuse()
        reread(category)
        old = category.name
        category.name = name
        category.slug = slug
        category.description = clean_text(form.description.data or "").strip()
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            category_lost_race(form, name, slug, category_id)
            write.refuse()
        record("category.update", category, f"{old} → {name}" if old != name else name)
        db.session.commit()
    if write.refused:
        return render_template(page, form=form, category=category), 422
    flash(f"Saved the category “{name}”.", "success")
    return redirect(url_for("admin.taxonomy.categories"), 303)


@bp.post("/categories/<int:category_id>/move/<any(up, down):direction>")
def move_category(category_id: int, direction: str) -> Response:
    """Swap a category with its neighbour in the navigation (positions renumbered 0..n)."""
    with writing():
        ordered = list(db.session.scalars(Category.ordered()))
        index = next((i for i, c in enumerate(ordered) if c.id == category_id), None)
        if index is None:
            abort(404)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
            for position, category in enumerate(ordered):
                category.position = position
            record("category.move", ordered[other], f"{ordered[other].name} {direction}")
        db.session.commit()
    return redirect(url_for("admin.taxonomy.categories"), 303)


@bp.route("/categories/<int:category_id>/delete", methods=["GET", "POST"])
def delete_category(category_id: int) -> Response | tuple:
    """Delete a category; one that still has articles needs a category to move them to."""
    category = db.get_or_404(Category, category_id)
    count = count_by_category().get(category.id, 0)
    form = DeleteCategoryForm()
    form.move_to.choices = options(
        [(0, "Choose a category")]
        + [(c.id, c.name) for c in db.session.scalars(Category.ordered()) if c.id != category.id]
    )
    page = "admin/category_delete.html"
    if request.method == "GET":
        return render_template(page, form=form, category=category, count=count), 200
    if not form.validate():
        return render_template(page, form=form, category=category, count=count), 422
    target_id = form.move_to.data or None
    with writing() as write:
        count = db.session.scalar(
            sa.select(sa.func.count(Article.id)).where(Article.category_id == category.id)
        )
        target = db.session.get(Category, target_id) if target_id else None
        if count and target is None:
            form.move_to.errors = [
                f"This category has {count} article{'s' if count != 1 else ''}; "
                "choose where to move them first."
            ]
            write.refuse()
        name = category.name
        detail = name
        if count and target is not None:
            db.session.execute(
                sa.update(Article)
                .where(Article.category_id == category.id)
                .values(category_id=target.id)
            )
            detail = f"{name} ({count} articles moved to {target.name})"
        record("category.delete", category, detail)
        db.session.delete(db.session.get(Category, category.id))
        db.session.commit()
    if write.refused:
        return render_template(page, form=form, category=category, count=count), 422
    flash(f"Deleted the category “{name}”.", "success")
    return redirect(url_for("admin.taxonomy.categories"), 303)


# ---------------------------------------------------------------- tags


def tag_counts(tag_ids: list[int]) -> dict[int, int]:
    if not tag_ids:
        return {}
    rows = db.session.execute(
        sa.select(article_tag.c.tag_id, sa.func.count())
        .where(article_tag.c.tag_id.in_(tag_ids))
        .group_by(article_tag.c.tag_id)
    )
    return {key: count for key, count in rows}


@bp.get("/tags")
def tags() -> str:
    q = clean_text(request.args.get("q", "")).strip()[:60]
    query = sa.select(Tag).order_by(Tag.name)
    if q:
        query = query.where(Tag.name.icontains(q, autoescape=True))
    pager = paginate(query, per_page=50)
    counts = tag_counts([t.id for t in pager.items])
    return render_template("admin/tags.html", pager=pager, counts=counts, q=q)


def merge_form_for(tag: Tag) -> MergeTagForm:
    form = MergeTagForm()
    others = db.session.scalars(sa.select(Tag).where(Tag.id != tag.id).order_by(Tag.name))
    form.into.choices = options([(0, "Choose a tag")] + [(t.id, t.name) for t in others])
    return form


def tag_page(tag: Tag, form: TagForm, merge: MergeTagForm, status: int = 200) -> tuple:
    count = tag_counts([tag.id]).get(tag.id, 0)
    return (
        render_template("admin/tag_form.html", tag=tag, form=form, merge=merge, count=count),
        status,
    )


def refuse_taken_tag(form: TagForm, name: str, slug: str, tag_id: int) -> bool:
    """Whether another tag has this name (in any case) or slug; if so, the form says which.

    Ends the transaction when it refuses.
    """
    clash = db.session.scalar(
        sa.select(Tag).where(
            sa.or_(Tag.slug == slug, sa.func.lower(Tag.name) == name.lower()), Tag.id != tag_id
        )
    )
    if clash is None:
        return False
    form.name.errors = [
        f"The tag “{clash.name}” already has this name or slug; merge into it instead."
    ]
    db.session.rollback()
    return True


@bp.route("/tags/<int:tag_id>/edit", methods=["GET", "POST"])
def edit_tag(tag_id: int) -> Response | tuple:
    tag = db.get_or_404(Tag, tag_id)
    if request.method == "GET":
        return tag_page(tag, TagForm(obj=tag), merge_form_for(tag))
    form = TagForm(data={})
    if not form.validate():
        return tag_page(tag, form, merge_form_for(tag), 422)
    name = " ".join(form.name.data.split()).lstrip("#")
    slug = form.slug.data or slugify(name)
    if not slug:
        form.name.errors = ["Use at least one letter or digit."]
        return tag_page(tag, form, merge_form_for(tag), 422)
    with writing() as write:
        if refuse_taken_tag(form, name, slug, tag.id):
            write.refuse()
        reread(tag)
        old = tag.name
        tag.name, tag.slug = name, slug
        # Shown under the tag page's heading (imports bring WordPress's and Ghost's).
        tag.description = clean_text(form.description.data or "").strip()
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            # Another request added a tag with this name or slug since the check above (an
            # article's new tag, say); only possible where writers run side by side.
            db.session.rollback()
            if not refuse_taken_tag(form, name, slug, tag_id):
                form.form_errors.append(
                    "Another editor changed the tags at the same moment; save again."
                )
            write.refuse()
        record("tag.update", tag, f"{old} → {name}")
        db.session.commit()
    if write.refused:
        return tag_page(tag, form, merge_form_for(tag), 422)
    flash(f"Saved the tag “{name}”." if old == name else f"Renamed the tag to “{name}”.", "success")
    return redirect(url_for("admin.taxonomy.tags"), 303)


@bp.post("/tags/<int:tag_id>/merge")
def merge_tag(tag_id: int) -> Response | tuple:
    """Move every article of this tag to another tag, then delete this one."""
    tag = db.get_or_404(Tag, tag_id)
    merge = merge_form_for(tag)
    if not merge.validate() or not merge.into.data:
        merge.into.errors = ["Choose the tag to merge into."]
        return tag_page(tag, TagForm(obj=tag), merge, 422)
    with writing():
        target = db.session.get(Tag, merge.into.data)
        if target is None:
            abort(404)
        already = sa.select(article_tag.c.article_id).where(article_tag.c.tag_id == target.id)
        db.session.execute(
            article_tag.insert().from_select(
                ["article_id", "tag_id"],
                sa.select(article_tag.c.article_id, sa.literal(target.id)).where(
                    article_tag.c.tag_id == tag.id, article_tag.c.article_id.not_in(already)
                ),
            )
        )
        db.session.execute(article_tag.delete().where(article_tag.c.tag_id == tag.id))
        record("tag.merge", target, f"{tag.name} merged into {target.name}")
        db.session.execute(sa.delete(Tag).where(Tag.id == tag.id))
        db.session.commit()
    flash(f"Merged “{tag.name}” into “{target.name}”.", "success")
    return redirect(url_for("admin.taxonomy.tags"), 303)


@bp.post("/tags/<int:tag_id>/delete")
def delete_tag(tag_id: int) -> Response:
    with writing():
        tag = db.get_or_404(Tag, tag_id)
        name = tag.name
        record("tag.delete", tag, name)
        db.session.execute(article_tag.delete().where(article_tag.c.tag_id == tag.id))
        db.session.execute(sa.delete(Tag).where(Tag.id == tag.id))
        db.session.commit()
    flash(f"Deleted the tag “{name}”; articles keep their other tags.", "success")
    return redirect(url_for("admin.taxonomy.tags"), 303)
