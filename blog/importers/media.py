"""Audio, video and PDF files of an imported site, copied from a local folder.

The counterpart of blog/importers/wordpress/images.py for files that are not images:
a URL (a WordPress attachment, an `[audio]` source, a Ghost card's file) is matched by
`path_of` to a file under the folder given (`--uploads` for WordPress, Ghost's
`content/`), checked and copied by blog/core/media.py once: a second run finds it in
the import records, and the same bytes under another path are the same stored file.
Nothing is fetched from the internet; a missing or refused file is counted under
*media* in the report, and the caller keeps what it did before (a link, or nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from blog.core.media import MEDIA_REF, MediaError, StoredMedia, stored_media
from blog.extensions import db
from blog.importers.wordpress.report import Report
from blog.models import MediaFile


@dataclass
class NewMedia:
    path: str
    stored: StoredMedia
    copied: bool  # False: the same bytes were stored already (no new row, no new file)


class MediaStore:
    """Maps file URLs to this site's /uploads/ URLs, copying each file once.

    `known` holds path -> stored filename from earlier runs (the import records shared
    with images); `pending` the files found since the last `take_pending()`.
    """

    def __init__(
        self,
        folder: str | Path | None,
        known: dict[str, str],
        report: Report,
        dry_run: bool,
        path_of: Callable[[str], str | None],
        option: str,
    ):
        self.folder = Path(folder).resolve() if folder else None
        self.known, self.report, self.dry_run = known, report, dry_run
        self.path_of, self.option = path_of, option
        self.failed: set[str] = set()
        self.pending: list[NewMedia] = []

    def filename(self, url: str) -> str | None:
        """The stored filename for a file's URL, copying the file if needed; None when
        the URL is no file of the old site's folder, or the file is missing or refused
        (counted once per path)."""
        path = self.path_of(url)
        if path is None:
            return None
        if path in self.known:
            return self.known[path]
        if path in self.failed:
            return None
        self.failed.add(path)  # until it succeeds below
        if self.folder is None:
            self.report.add("media", "skipped", f"no {self.option} folder given")
            return None
        file = (self.folder / path).resolve()
        if not file.is_relative_to(self.folder) or not file.is_file():
            self.report.add("media", "failed", f"missing in the {self.option} folder: {path}")
            return None
        by_digest = {m.stored.sha256: m.stored for m in self.pending}
        try:
            stored, copied = stored_media(file, file.name, self.dry_run, by_digest)
        except (MediaError, OSError) as error:
            self.report.add("media", "failed", f"{path}: {error}")
            return None
        self.failed.discard(path)
        self.known[path] = stored.filename
        self.pending.append(NewMedia(path, stored, copied))
        return stored.filename

    def url(self, url: str) -> str | None:
        name = self.filename(url)
        return f"/uploads/{name}" if name else None

    def rewrite(self, markdown: str) -> str:
        """Markdown of this site's own export (`_newsroom_markdown`) with each stored
        file's old address moved to the copy made here, when there is one."""
        return MEDIA_REF.sub(lambda m: self.url(m[0]) or m[0], markdown)

    def take_pending(self) -> list[NewMedia]:
        pending, self.pending = self.pending, []
        return pending


def add_rows(new: list[NewMedia], remember: Callable[[str, int, str], None]) -> None:
    """Write the rows of a batch's files (in its transaction): a MediaFile for each file
    copied, and for every one `remember(path, id, filename)`, the import record."""
    for media in new:
        row = None
        if not media.copied:
            row = db.session.scalar(
                sa.select(MediaFile).where(MediaFile.filename == media.stored.filename)
            )
        if row is None:
            row = MediaFile(**media.stored.__dict__)
            db.session.add(row)
            db.session.flush()
        remember(media.path, row.id, row.filename)
