"""What an <img> needs for an article's picture: src, width, height, srcset and the
WebP srcset of a <picture> source, built from the upload's variants (blog/uploads.py).

Templates call `image_set(article)` (the full image: the article's featured image,
the lead story) or `image_set(article, thumb=True)` (cards and related lists, whose
`src` is the 640-px thumbnail); the `picture` macro in _macros.html writes the markup.
Demo images shipped in blog/static have no variants; their size is read once per
process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from flask import current_app, url_for
from PIL import Image

from blog.assets import STATIC
from blog.database import writing
from blog.extensions import db
from blog.models import Upload
from blog.uploads import UploadError, variant_name, variants_of_stored, write_files


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


def _srcset(filename: str, widths: list[int], webp: bool) -> str:
    full = widths[-1]
    entries = []
    for width in widths:
        name = variant_name(filename, None if width == full else width, webp)
        entries.append(f"{url_for('public.upload', filename=name)} {width}w")
    return ", ".join(entries)


def image_set(article, thumb: bool = False) -> ImageSet | None:  # noqa: ANN001 - an Article
    """The article's picture, or None when it has none."""
    upload = article.image
    if upload is not None:
        src = article.thumb_url if thumb else article.image_url
        widths = [int(w) for w in upload.variant_widths.split(",") if w.isdigit()]
        if not widths:
            return ImageSet(src, upload.width, upload.height)
        is_webp = upload.filename.endswith(".webp")
        return ImageSet(
            src,
            upload.width,
            upload.height,
            srcset=_srcset(upload.filename, widths, webp=is_webp),
            webp_srcset="" if is_webp else _srcset(upload.filename, widths, webp=True),
        )
    if article.image_path:
        width, height = static_image_size(article.image_path)
        return ImageSet(article.image_url, width, height)
    return None


def add_missing_variants(progressbar) -> tuple[int, int]:  # noqa: ANN001 - click.progressbar
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
