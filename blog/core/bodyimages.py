"""Uploaded images inside article and page bodies, sized when the body is rendered.

An `<img>` whose src is an upload (`/uploads/<name>`, or the same under SITE_URL) gets
what a featured image gets: width and height from the upload's row (no layout shift),
`srcset`/`sizes` over its resized variants and a WebP `<source>` when those exist, and
`decoding="async"`; blog/core/content.py adds `loading="lazy"` below the body's first block.
The sizes come from the database, by filename, in one query per body, when the body is
rendered at save time: the result is stored in `body_html`, so reading a page costs
nothing more. No file is opened, so a missing file changes nothing. Any other image
(external, a demo image, an unknown upload) is left exactly as written.

Bodies saved before this, or before their images had variants, get them from
`blog reindex --images` (blog/core/imagesets.py: `refit_bodies`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from flask import current_app, has_app_context

from blog.core.uploads import srcsets
from blog.extensions import db
from blog.models import Upload

UPLOADS = "/uploads/"
# Stored names are random hex; anything else after /uploads/ is no upload of ours.
_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]*\.[a-z]{3,4}")
_CANDIDATE = re.compile(r"/uploads/([0-9A-Za-z][0-9A-Za-z_-]*\.[a-z]{3,4})")
MAX_NAMES = 500  # per body: keeps the IN list far below every database's limit
COLUMN_PX = 672  # the article column, 42rem (style.css --measure)
COLUMN_SIZES = "(min-width: 46rem) 42rem, 100vw"  # as the featured image's


class Sized(Protocol):
    """An Upload row or a StoredImage not yet written (a WordPress import batch)."""

    filename: str
    width: int
    height: int
    variant_widths: str


@dataclass(frozen=True)
class Fitted:
    attrs: dict[str, str]  # added to the <img> (author-given width/height win)
    webp_srcset: str = ""  # with attrs["sizes"], the <source> of a <picture>; "" for none


def _positive(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else None


class BodyImages:
    """The uploads one body shows, by filename, and how each of their <img> is fitted."""

    def __init__(self, html: str, pending: Iterable[Sized] = ()):
        names = list(dict.fromkeys(_CANDIDATE.findall(html)))[:MAX_NAMES]
        self.known: dict[str, Sized] = {}
        self.prefixes = (UPLOADS,)
        if not names or not has_app_context():
            return
        site = current_app.config.get("SITE_URL", "").rstrip("/")
        if site:
            self.prefixes = (UPLOADS, site + UPLOADS)
        wanted = set(names)
        self.known = {p.filename: p for p in pending if p.filename in wanted}
        missing = wanted - self.known.keys()
        if missing:
            rows = db.session.scalars(sa.select(Upload).where(Upload.filename.in_(missing)))
            self.known.update((row.filename, row) for row in rows)

    def __bool__(self) -> bool:
        return bool(self.known)

    def fit(self, src: str, width: str | None = None, height: str | None = None) -> Fitted | None:
        """What to add to an <img src=src width height>, or None to leave it alone."""
        prefix = next((p for p in self.prefixes if src.startswith(p)), None)
        name = src[len(prefix) :] if prefix else ""
        upload = self.known.get(name) if _NAME.fullmatch(name) else None
        if upload is None or upload.width <= 0 or upload.height <= 0:
            return None
        shown_w, shown_h = _positive(width), _positive(height)
        if shown_w and not shown_h:
            shown_h = max(1, round(shown_w * upload.height / upload.width))
        elif shown_h and not shown_w:
            shown_w = max(1, round(shown_h * upload.width / upload.height))
        elif not shown_w:
            shown_w, shown_h = upload.width, upload.height
        attrs = {"width": str(shown_w), "height": str(shown_h), "decoding": "async"}
        srcset, webp_srcset = srcsets(
            upload.filename, upload.variant_widths, lambda file: prefix + file
        )
        if srcset:
            attrs["srcset"] = srcset
            attrs["sizes"] = (
                COLUMN_SIZES if shown_w >= COLUMN_PX else f"(min-width: 46rem) {shown_w}px, 100vw"
            )
        return Fitted(attrs, webp_srcset)
