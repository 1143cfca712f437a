"""Crops of an article's featured image for Google's article data: 16:9, 4:3 and 1:1,
centred on the focal point the editor sets, as large as the picture allows (Google asks
for at least 1,200 px wide) and at most MAX_SIDE on the longer side.

A crop is a file beside the upload, `<stem>-crop16x9-<x>-<y>.<ext>` (x, y the focal point
in percent), made the first time the article's data is built and kept: a new focal point
makes new files, and the name says which one a page links. Still JPEG, PNG and WebP
uploads only; an animated image or a static path keeps its one picture."""

from __future__ import annotations

import io

from flask import url_for
from PIL import Image

from blog.core import uploads
from blog.models import Article

RATIOS = ((16, 9), (4, 3), (1, 1))
MAX_SIDE = 2048
STILL = {"JPEG", "PNG", "WEBP"}


def crop_box(width: int, height: int, ratio: tuple[int, int], focus: tuple[int, int]):
    """The largest box of `ratio` inside width x height, centred on `focus` (percent
    across and down) as far as the picture's edges allow: (left, top, right, bottom)."""
    rw, rh = ratio
    if width * rh > height * rw:  # wider than the ratio: full height
        w, h = round(height * rw / rh), height
    else:
        w, h = width, round(width * rh / rw)
    cx, cy = width * focus[0] / 100, height * focus[1] / 100
    left = min(max(round(cx - w / 2), 0), width - w)
    top = min(max(round(cy - h / 2), 0), height - h)
    return left, top, left + w, top + h


def crop_name(filename: str, ratio: tuple[int, int], focus: tuple[int, int]) -> str:
    stem, _, ext = filename.rpartition(".")
    return f"{stem}-crop{ratio[0]}x{ratio[1]}-{focus[0]}-{focus[1]}.{ext}"


def _make(filename: str, names: dict[tuple[int, int], str], focus: tuple[int, int]) -> bool:
    try:
        with Image.open(uploads.upload_folder() / filename) as image:
            fmt = str(image.format)
            if fmt not in STILL or getattr(image, "n_frames", 1) > 1:
                return False
            image.load()
            files = {}
            for ratio, name in names.items():
                piece = image.crop(crop_box(image.width, image.height, ratio, focus))
                if max(piece.size) > MAX_SIDE:
                    scale = MAX_SIDE / max(piece.size)
                    size = (round(piece.width * scale), round(piece.height * scale))
                    piece = piece.resize(size, Image.Resampling.LANCZOS)
                out = io.BytesIO()
                piece.save(out, fmt, **({"quality": 85} if fmt != "PNG" else {}))
                files[name] = out.getvalue()
    except OSError:  # the file is gone or unreadable: the page keeps the picture
        return False
    uploads.write_files(files, keep_existing=True)
    return True


def crop_urls(article: Article) -> list[str]:
    """Site-relative addresses of the featured image's 16:9, 4:3 and 1:1 crops, made
    when missing; [] when the article has no upload to crop (or not yet: a large one
    is re-encoded by the worker first, blog/core/imagework.py)."""
    upload = article.image
    if upload is None or not upload.ready:  # a large image waits for the worker
        return []
    x, y = article.image_focus_x, article.image_focus_y  # None on an unsaved preview
    focus = (50 if x is None else x, 50 if y is None else y)
    names = {ratio: crop_name(upload.filename, ratio, focus) for ratio in RATIOS}
    folder = uploads.upload_folder()
    missing = any(not (folder / name).exists() for name in names.values())
    if missing and not _make(upload.filename, names, focus):
        return []
    return [url_for("public.upload", filename=name) for name in names.values()]
