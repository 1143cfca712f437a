"""What an <img> needs for an article's picture: src, width, height, srcset and the
WebP srcset of a <picture> source, built from the upload's variants (blog/core/uploads.py).

Templates call `image_set(article)` (the full image: the article's featured image,
the lead story) or `image_set(article, thumb=True)` (cards and related lists, whose
`src` is the 640-px thumbnail); the `picture` macro in _macros.html writes the markup.
Demo images shipped in blog/static have no variants; their size is read once per
process. `blog reindex --images` runs `add_missing_variants`, then `refit_bodies`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from flask import current_app, url_for
from PIL import Image

from blog.core.assets import STATIC
from blog.core.content import render_article, render_page
from blog.core.database import writing
from blog.core.uploads import UploadError, srcsets, variants_of_stored, write_files
from blog.extensions import db
from blog.models import Article, Page, Upload


@dataclass(frozen=True)
class ImageSet:
    src: str
    width: int
    height: int
    srcset: str = ""
    webp_srcset: str = ""  # empty when there is no WebP twin (or the image is WebP)


# The shape the stylesheet gives pictures (aspect-ratio 16 / 9), for a file it cannot read.
FALLBACK_SIZE = (1200, 675)


@cache
def static_image_size(path: str) -> tuple[int, int]:
    """(width, height) of blog/static/<path>; FALLBACK_SIZE when it cannot be read."""
    try:
        with Image.open(STATIC / path) as image:
            return image.size
    except OSError:
        return FALLBACK_SIZE


def _upload_url(filename: str) -> str:
    return url_for("public.upload", filename=filename)


def image_url(article: Article) -> str | None:
    """The address of the article's picture (an upload or an image shipped in
    blog/static), or None when it has none. Templates: `article|image_url`."""
    if article.image is not None:
        # An image still waiting for the worker (core/imagework.py) is not shown yet.
        return _upload_url(article.image.filename) if article.image.ready else None
    if article.image_path:
        return url_for("static", filename=article.image_path)
    return None


def thumb_url(article: Article) -> str | None:
    """The address of the article's thumbnail, else of its picture (`article|thumb_url`)."""
    if article.image is not None and article.image.ready and article.image.thumb_filename:
        return _upload_url(article.image.thumb_filename)
    return image_url(article)


def image_set(article, thumb: bool = False) -> ImageSet | None:
    """The article's picture, or None when it has none."""
    upload = article.image
    if upload is not None:
        if not upload.ready:
            return None
        src = thumb_url(article) if thumb else image_url(article)
        srcset, webp_srcset = srcsets(upload.filename, upload.variant_widths, _upload_url)
        return ImageSet(src, upload.width, upload.height, srcset, webp_srcset)
    if article.image_path:
        width, height = static_image_size(article.image_path)
        return ImageSet(image_url(article) or "", width, height)
    return None


def add_missing_variants(progressbar) -> tuple[int, int]:
    """Variants for every upload without them (`blog reindex --images`).

    Per image: the resizing first, then the files (existing ones kept), then a short
    write of `variant_widths`. Returns (images given variants, images skipped: animated,
    missing or unreadable files, each logged).
    """
    ids = db.session.scalars(
        sa.select(Upload.id).where(Upload.variant_widths == "").order_by(Upload.id)
    ).all()
    done = skipped = 0
    with progressbar(ids, label="Image variants") as bar:
        for upload_id in bar:
            filename = db.session.get(Upload, upload_id).filename
            try:
                widths, files = variants_of_stored(filename)
            except (OSError, UploadError) as error:
                current_app.logger.warning("no variants for %s: %s", filename, error)
                widths = ""
            if not widths:
                skipped += 1
                continue
            write_files(files, keep_existing=True)
            with writing():
                db.session.execute(
                    sa.update(Upload).where(Upload.id == upload_id).values(variant_widths=widths)
                )
                db.session.commit()
            done += 1
    return done, skipped


REFIT_BATCH = 100


def refit_bodies(progressbar) -> int:
    """Render again the article and page bodies that show an upload, so bodies saved
    before their images had sizes or variants get them (`blog reindex --images`).

    Per batch: the rendering first, then one short write of the `body_html` that
    changed. `updated_at` is kept (the text did not change), and a body edited since
    it was read is left to that edit. Returns how many bodies changed.
    """
    changed = 0
    for model, render in ((Article, render_article), (Page, render_page)):
        ids = db.session.scalars(
            sa.select(model.id).where(model.body_source.contains("/uploads/")).order_by(model.id)
        ).all()
        with progressbar(length=len(ids), label=f"{model.__name__} bodies") as bar:
            for start in range(0, len(ids), REFIT_BATCH):
                batch = ids[start : start + REFIT_BATCH]
                rows = db.session.execute(
                    sa.select(model.id, model.body_source, model.body_html).where(
                        model.id.in_(batch)
                    )
                ).all()
                new = []
                for id_, source, html in rows:
                    fresh = render(source)
                    if fresh != html:
                        new.append((id_, source, fresh))
                if new:
                    with writing():
                        for id_, source, html in new:
                            done = db.session.execute(
                                sa.update(model)
                                .where(model.id == id_, model.body_source == source)
                                .values(body_html=html, updated_at=model.updated_at)
                            )
                            changed += done.rowcount
                        db.session.commit()
                bar.update(len(batch))
    return changed
