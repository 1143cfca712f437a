"""Images of an imported site, taken from a local copy of wp-content/uploads.

An image URL (an attachment, an inline <img>, a featured image) is matched by its path
after `/wp-content/uploads/` (or the path on `*.files.wordpress.com`) to a file under
the `--uploads` folder. Each file goes through blog.uploads like an admin upload
(Pillow verification, re-encoding, a random name), once: a second run finds it in the
import records. Nothing is ever fetched from the internet; a missing file is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from blog.core.media import MEDIA_SUFFIXES
from blog.core.uploads import StoredImage, UploadError, process_image, write_files
from blog.importers.folder import FolderFiles
from blog.importers.wordpress.report import Report

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
_MARKER = "/wp-content/uploads/"
_BLOGS_DIR = re.compile(r"^/(?:[^/]+/)?files/(\d{4}/\d{2}/.+)$")  # old multisite /files/


def upload_path(url: str, suffixes: tuple[str, ...] = IMAGE_SUFFIXES) -> str | None:
    """The path of an uploaded file relative to wp-content/uploads, or None (also for
    a file whose name does not end with one of `suffixes`)."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path)
    if not path.lower().endswith(suffixes):
        return None
    index = path.find(_MARKER)
    if index >= 0:
        return path[index + len(_MARKER) :]
    if parts.netloc.endswith(".files.wordpress.com"):
        return path.lstrip("/")
    match = _BLOGS_DIR.match(path)
    if match:
        return match[1]
    # An export of this site (blog/importers/wordpress/exporter.py): --uploads instance/uploads.
    return path[len("/uploads/") :] if path.startswith("/uploads/") else None


def media_path(url: str) -> str | None:
    """upload_path for an audio, video or PDF file (blog/importers/media.py)."""
    return upload_path(url, MEDIA_SUFFIXES)


@dataclass
class NewImage:
    path: str
    stored: StoredImage


class ImageStore(FolderFiles):
    """Maps image URLs to this site's /uploads/ URLs, processing each file once.

    `known` holds path -> stored filename from earlier runs; `pending` the images
    processed since the last `take_pending()`, whose rows the batch then writes.
    """

    section = "images"

    def __init__(
        self,
        folder: str | None,
        known: dict[str, str],
        report: Report,
        dry_run: bool,
        path_of: Callable[[str], str | None] = upload_path,
        option: str = "--uploads",
    ):
        super().__init__(folder, known, report, dry_run, path_of, option)

    def missing(self, path: str) -> str:
        return f"missing in the uploads folder: {path}"

    def store(self, path: str, file: Path) -> str | None:
        try:
            with open(file, "rb") as stream:
                stored, files = process_image(stream, file.name)
        except UploadError as error:
            self.report.add("images", "failed", f"{path}: {error}")
            return None
        if not self.dry_run:
            write_files(files)
        self.pending.append(NewImage(path, stored))
        return stored.filename
