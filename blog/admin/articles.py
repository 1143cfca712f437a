"""Admin: the article list and editor (create, edit, preview, versions, restore, delete).

The views only: reading the form and writing the row are in article_editor.py.

Authors see and edit only their own articles and those crediting them; editors and
admins see every article.
Authors may publish or schedule only when the `authors_can_publish` setting is on;
otherwise they save drafts and submit them for review.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.admin import article_trust, checklist
from blog.admin.article_conflict import Conflict, conflict_with, is_stale
from blog.admin.article_editor import (
    chosen_file,
    initial_data,
    parse_form,
    parse_tags,
    prepare_form,
    resolve_tags,
    save_message,
    slug_taken,
    snapshot,
    version_of,
    versions_of,
    write_article,
)
from blog.admin.common import area, paginate
from blog.admin.desk_state import desk_context, discard_autosave, pending_autosave, restored
from blog.admin.forms import ArticleForm
from blog.admin.review_flow import after_save
from blog.auth.api import signed_in_user, sudo_required
from blog.comments.api import ThreadPage
from blog.comments.api import page_url as comment_page_url
from blog.core import imagework, uploads
from blog.core.audit import record
from blog.core.content import clean_text, reading_time, render_article, slugify, unique_slug
from blog.core.database import reread, writing
from blog.core.templating import absolute_url, site_zone
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    Category,
    Role,
    Tag,
    Upload,
    User,
)
from blog.newsletter.api import alert_status, sync_alert
from blog.public.api import page_context
from blog.trust.api import credited_clause, may_edit

bp = area("articles", __name__, Role.AUTHOR)

STATUS_FILTERS = ("draft", "review", "scheduled", "published")


def article_or_404(article_id: int) -> Article:
    """The article, if the current user may edit it: 404 when missing, 403 when they
    neither wrote it nor are credited on it (editors edit all)."""
    article = db.get_or_404(Article, article_id)
    if not may_edit(article, current_user):
        abort(403)
    return article


# ---------------------------------------------------------------- list


@bp.get("/articles")
def articles() -> str:
    query = sa.select(Article).options(
        so.joinedload(Article.author), so.joinedload(Article.category)
    )
    if not current_user.is_editor:
        query = query.where(credited_clause(current_user.id))
    status = request.args.get("status", "")
    now = utcnow()
    if status in ("draft", "review"):
        query = query.where(Article.status == status)
    elif status == "scheduled":
        query = query.where(Article.status == ArticleStatus.PUBLISHED, Article.published_at > now)
    elif status == "published":
        query = query.where(Article.is_public_clause())
    category_id = request.args.get("category", type=int)
    if category_id:
        query = query.where(Article.category_id == category_id)
    author_id = request.args.get("author", type=int)
    if author_id and current_user.is_editor:
        query = query.where(Article.author_id == author_id)
    q = clean_text(request.args.get("q", "")).strip()[:200]
    if q:
        query = query.where(Article.title.icontains(q, autoescape=True))
    pager = paginate(query.order_by(Article.updated_at.desc(), Article.id.desc()))
    authors = []
    if current_user.is_editor:
        authors = db.session.scalars(
            sa.select(User).where(User.role >= Role.AUTHOR).order_by(User.username)
        ).all()
    return render_template(
        "admin/articles.html",
        pager=pager,
        categories=db.session.scalars(Category.ordered()).all(),
        authors=authors,
        statuses=STATUS_FILTERS,
        filters={"status": status, "category": category_id, "author": author_id, "q": q},
    )


# ---------------------------------------------------------------- editor


def render_editor(
    form: ArticleForm,
    article: Article | None,
    status: int = 200,
    conflict: Conflict | None = None,
    checks: list[str] | None = None,
):
    return (
        render_template(
            "admin/article_form.html",
            form=form,
            article=article,
            conflict=conflict,
            file_lost=bool(form.errors) and chosen_file() is not None,
            alert=alert_status(article.id if article is not None else None),
            max_upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
            checks=checks or [],
            **desk_context(article),
        ),
        status,
    )


def save(form: ArticleForm, article: Article | None) -> Response | tuple:
    """Validate, then write the article in one transaction.

    On errors the form comes back with 422, or 409 when another save of the same
    article at the same moment won, or when the article was saved since the form was
    opened: then nothing is overwritten, and the page shows both texts and the form as
    typed, carrying the new version so that saving again keeps this one.
    """
    parsed = parse_form(form, article)
    if parsed is None:
        return render_editor(form, article, 422)
    stored = None
    if parsed.upload is not None:
        try:
            stored = imagework.store_upload(parsed.upload.stream, parsed.upload.filename or "")
        except uploads.UploadError as exc:
            form.image_file.errors = [str(exc)]
            return render_editor(form, article, 422)
    checks = []
    if checklist.due(parsed, article):
        checks = checklist.problems(parsed, article, stored.width if stored else None)
        if checks and not checklist.overridden():
            if stored is not None:
                uploads.remove_files(*uploads.stored_files(
                    stored.filename, stored.thumb_filename, stored.variant_widths))  # fmt: skip
            return render_editor(form, article, 422, checks=checks)

    existing = article
    with writing() as write:
        if article is not None:
            reread(article, lock=True)  # the version check holds until commit
            old_status = article.display_status
            old_slug = article.slug
        else:
            old_status = ""
            old_slug = ""
        article_id = article.id if article is not None else None
        if article is not None and is_stale(form.base_version.data, article):
            form.base_version.data = version_of(article)
            form.form_errors.append(
                "Someone else saved this article after you opened it, so nothing was saved. "
                "Compare below, then save yours again, or open theirs."
            )
            write.refuse(
                status=409,
                conflict=conflict_with(article, parsed, parsed.slug, form.status.data),
            )

        if parsed.slug:
            if slug_taken(parsed.slug, article_id):
                form.slug.errors = [
                    *form.slug.errors,
                    "Another article already uses this slug; choose a different one.",
                ]
                write.refuse()
            slug = parsed.slug
        else:
            slug = unique_slug(
                parsed.title, lambda s: slug_taken(s, article_id), fallback="article"
            )
        if db.session.get(Category, parsed.category_id) is None:
            form.category_id.errors = ["That category no longer exists; choose another."]
            write.refuse()

        # Before the article joins the session: no flush may write it half-filled.
        tags = resolve_tags(parsed.tag_names)
        if stored is not None:
            image = imagework.add_upload(stored, current_user.id)
            db.session.flush()
            image_id: int | None = image.id
        else:
            image_id = parsed.image_id
        if article is None:
            article = Article(author_id=current_user.id)
            db.session.add(article)
        elif (article.title, article.summary, article.body_source) != (
            parsed.title,
            parsed.summary,
            parsed.body_source,
        ):
            snapshot(article)
        try:
            write_article(article, parsed, slug, old_slug, tags, image_id)
            discard_autosave(article.id)
        except sa.exc.IntegrityError:
            # Another request took the slug since it was checked above. Only possible where
            # writers run side by side (PostgreSQL); the user's text comes back intact.
            db.session.rollback()
            if slug_taken(slug, article_id):
                form.slug.errors = [
                    *form.slug.errors,
                    "Another article took this slug a moment ago; choose a different one."
                    if parsed.slug
                    else f"Another article took the slug “{slug}” a moment ago; "
                    "save again for the next free one, or choose a slug.",
                ]
                write.refuse()
            form.form_errors.append(
                "Someone else saved this article at the same moment, so nothing was saved. "
                "Check the article and save again."
            )
            write.refuse(status=409)
        if not article_trust.write(article, parsed.trust):
            form.form_errors.append("Someone chosen for the byline was just deleted; choose again.")
            write.refuse()
        alert_queued = sync_alert(article, parsed.send_alert)
        new_status = article.display_status

        if old_status == "":
            record("article.create", article, f"{article.title} ({new_status})")
        elif old_status != new_status:
            record("article.update", article, f"{article.title}: {old_status} → {new_status}")
        else:
            record("article.update", article, article.title)
        after_save(article, old_status, new_status, current_user.id)
        if checks:
            record("article.checklist_override", article, "; ".join(checks))
        db.session.commit()
    if write.refused:
        # Nothing was saved, so the image uploaded with the form goes too.
        if stored is not None:
            uploads.remove_files(
                *uploads.stored_files(stored.filename, stored.thumb_filename, stored.variant_widths)
            )
            imagework.discard_incoming(stored.filename)
        return render_editor(
            form, existing, write.refused.status, write.refused.details.get("conflict")
        )
    flash(save_message(new_status, article), "success")
    if alert_queued:
        flash("The alert is queued: it goes to alert subscribers once the article is public.",
              "success")  # fmt: skip
    return redirect(url_for("admin.articles.edit_article", article_id=article.id), 303)


@bp.route("/articles/new", methods=["GET", "POST"])
def new_article() -> Response | tuple:
    form = ArticleForm()
    prepare_form(form, None)
    if request.method == "POST":
        return save(form, None)
    return render_editor(form, None)


@bp.route("/articles/<int:article_id>/edit", methods=["GET", "POST"])
def edit_article(article_id: int) -> Response | tuple:
    article = article_or_404(article_id)
    if request.method == "POST":
        form = ArticleForm()
        prepare_form(form, article)
        return save(form, article)
    data = initial_data(article)
    if request.args.get("restore") == "autosave":
        data = restored(data, pending_autosave(article))
    form = ArticleForm(data=data)
    prepare_form(form, article)
    return render_editor(form, article)


# ---------------------------------------------------------------- preview


def preview_article(form: ArticleForm, article: Article | None) -> Article:
    """A transient Article built from the submitted form, never added to the session."""
    body = clean_text(form.body.data or "")
    html = render_article(body)
    category = None
    if isinstance(form.category_id.data, int):
        category = db.session.get(Category, form.category_id.data)
    if category is None:
        category = Category(name="(no category)", slug="uncategorised")
    image = db.session.get(Upload, form.image_id.data) if form.image_id.data else None
    title = " ".join((form.title.data or "").split()) or "(untitled)"
    published_at = utcnow()
    if form.publish_date.data and form.publish_time.data:
        local = datetime.combine(form.publish_date.data, form.publish_time.data)
        published_at = local.replace(tzinfo=site_zone()).astimezone(published_at.tzinfo)
    author = article.author if article is not None else signed_in_user()
    preview = Article(
        title=title,
        slug=form.slug.data or slugify(title) or "preview",
        summary=clean_text(form.summary.data or "").strip(),
        body_source=body,
        body_html=html,
        reading_time=reading_time(html),
        status=ArticleStatus.PUBLISHED,
        published_at=published_at,
        updated_at=published_at,
        image_alt=" ".join((form.image_alt.data or "").split()),
        image_path=article.image_path if article is not None and not image else "",
        comments_open=bool(form.comments_open.data),
        donation_appeal=bool(form.donation_appeal.data),
        label=form.label.data or "",
        dateline=" ".join((form.dateline.data or "").split()),
        comment_count=article.comment_count if article is not None else 0,
    )
    # Assigned after construction so no relationship event cascades it into the session.
    preview.author = author
    preview.category = category
    preview.image = image
    preview.tags = [Tag(name=n, slug=slugify(n)) for n in parse_tags(form.tags.data or "")]
    if preview in db.session:
        db.session.expunge(preview)
    return preview


def render_preview(article: Article | None) -> Response:
    form = ArticleForm()
    prepare_form(form, article)
    preview = preview_article(form, article)
    url = absolute_url("public.article", slug=preview.slug)
    flash(
        "Preview: this is how the article will look once published. It is not saved; "
        "close this tab to return to the editor.",
        "info",
    )
    html = render_template(
        "public/article.html",
        preview=True,
        **page_context(preview, url, None),
        # The comment section as the editor would see it, with no comments.
        thread=ThreadPage([], 1, 50, 0, "oldest"),
        thread_url=comment_page_url,
        member=True,
        can_comment="yes" if current_user.can_comment else "muted",
        comment_count=preview.comment_count,
        active_category=preview.category.slug,
    )
    db.session.rollback()
    response = current_app.make_response(html)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/articles/preview")
def preview_new_article() -> Response:
    return render_preview(None)


@bp.post("/articles/<int:article_id>/preview")
def preview_existing_article(article_id: int) -> Response:
    return render_preview(article_or_404(article_id))


# ---------------------------------------------------------------- versions


@bp.get("/articles/<int:article_id>/versions")
def article_versions(article_id: int) -> str:
    article = article_or_404(article_id)
    versions = versions_of(article)
    return render_template("admin/article_versions.html", article=article, versions=versions)


@bp.post("/articles/<int:article_id>/versions/<int:version_id>/restore")
def restore_version(article_id: int, version_id: int) -> Response:
    article = article_or_404(article_id)
    version = db.get_or_404(ArticleVersion, version_id)
    if version.article_id != article.id:
        abort(404)
    html = render_article(version.body_source)
    with writing():
        reread(article)
        snapshot(article)
        article.title = version.title
        article.summary = version.summary
        article.body_source = version.body_source
        article.body_html = html
        article.reading_time = reading_time(html)
        when = version.created_at.astimezone(site_zone()).strftime("%-d %B %Y %H:%M")
        record("article.restore", article, f"{article.title}: version of {when}")
        db.session.commit()
    flash(
        f"Restored the version saved before {when}. The text it replaced is kept as a version.",
        "success",
    )
    return redirect(url_for("admin.articles.edit_article", article_id=article.id), 303)


# ---------------------------------------------------------------- delete


@bp.route("/articles/<int:article_id>/delete", methods=["GET", "POST"])
@sudo_required
def delete_article(article_id: int) -> Response | str:
    article = article_or_404(article_id)
    if request.method == "GET":
        return render_template("admin/article_delete.html", article=article)
    with writing():
        reread(article)
        title = article.title
        record("article.delete", article, title)
        db.session.delete(article)
        db.session.commit()
    flash(f"Deleted “{title}”.", "success")
    return redirect(url_for("admin.articles.articles"), 303)
