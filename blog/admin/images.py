"""Admin: the image library. Writers upload and browse; editors delete. Below the
images, the audio, video and PDF files imports brought (blog/core/media.py), one row
each, which editors can delete too."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.admin.common import area, paginate, require
from blog.admin.forms import UploadForm
from blog.core import imagework, media, uploads
from blog.core.audit import record
from blog.core.database import writing
from blog.extensions import db
from blog.models import Article, MediaFile, Role, Upload, User

bp = area("images", __name__, Role.AUTHOR)
MEDIA_LISTED = 200  # the newest files; a site with more deletes from the oldest shown


def images_page(form: UploadForm, status: int = 200) -> tuple:
    pager = paginate(
        sa.select(Upload).order_by(Upload.created_at.desc(), Upload.id.desc()), per_page=24
    )
    uploaders = {}
    ids = {u.uploader_id for u in pager.items if u.uploader_id}
    if ids:
        uploaders = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    files = db.session.scalars(
        sa.select(MediaFile).order_by(MediaFile.created_at.desc(), MediaFile.id.desc())
    ).all()[:MEDIA_LISTED]
    return (
        render_template(
            "admin/images.html",
            pager=pager,
            form=form,
            uploaders=uploaders,
            files=files,
            files_total=db.session.scalar(sa.select(sa.func.count(MediaFile.id))),
            kind_of=media.kind_of,
            max_upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        ),
        status,
    )


@bp.get("/images")
def images() -> tuple:
    return images_page(UploadForm())


@bp.post("/images")
def upload_image() -> Response | tuple:
    form = UploadForm()
    file = request.files.get("image")
    if not form.validate():
        return images_page(form, 422)
    if file is None or not file.filename:
        form.image.errors = ["Choose an image file to upload."]
        return images_page(form, 422)
    try:
        stored = imagework.store_upload(file.stream, file.filename)
    except uploads.UploadError as exc:
        form.image.errors = [str(exc)]
        return images_page(form, 422)
    with writing():
        image = imagework.add_upload(stored, current_user.id)
        record("image.upload", image, f"{stored.filename} ({stored.width}×{stored.height})")
        db.session.commit()
    if stored.ready:
        flash("Image uploaded. Choose it as the featured image in the article editor.", "success")
    else:
        flash(
            "Image uploaded. It is large, so it is being processed; it appears on the site "
            "in a moment. You can already choose it in the article editor.",
            "success",
        )
    return redirect(url_for("admin.images.images"), 303)


@bp.post("/images/<int:upload_id>/delete")
def delete_image(upload_id: int) -> Response:
    """Delete an image; articles that showed it lose their featured image."""
    require(Role.EDITOR)
    with writing():
        image = db.get_or_404(Upload, upload_id)
        used = db.session.scalar(
            sa.select(sa.func.count(Article.id)).where(Article.image_id == image.id)
        )
        files = uploads.stored_files(image.filename, image.thumb_filename, image.variant_widths)
        record("image.delete", image, f"{image.filename} (used by {used} articles)")
        db.session.execute(
            sa.update(Article)
            .where(Article.image_id == image.id)
            .values(image_id=None, image_alt="")
        )
        db.session.delete(image)
        db.session.commit()
    uploads.remove_files(*files)
    imagework.discard_incoming(files[0])
    flash("Image deleted.", "success")
    return redirect(url_for("admin.images.images"), 303)


@bp.post("/images/media/<int:media_id>/delete")
def delete_media(media_id: int) -> Response:
    """Delete an audio, video or PDF file and its row; a body that played or linked it
    then shows an empty player or a link that answers 404."""
    require(Role.EDITOR)
    with writing():
        file = db.get_or_404(MediaFile, media_id)
        filename = file.filename
        record("media.delete", file, f"{filename} ({file.original_name}, {file.byte_size} bytes)")
        db.session.delete(file)
        db.session.commit()
    uploads.remove_files(filename)
    flash("File deleted.", "success")
    return redirect(url_for("admin.images.images"), 303)
