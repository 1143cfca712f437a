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
from blog.importers.folder import FolderFiles
from blog.models import MediaFile


@dataclass
class NewMedia:
    path: str
    stored: StoredMedia
    copied: bool  # False: the same bytes were stored already (no new row, no new file)


class MediaStore(FolderFiles):
    """Maps file URLs to this site's /uploads/ URLs, copying each file once.

    `known` holds path -> stored filename from earlier runs (the import records shared
    with images); `pending` the files found since the last `take_pending()`.
    """

    section = "media"

    def store(self, path: str, file: Path) -> str | None:
        by_digest = {m.stored.sha256: m.stored for m in self.pending}
        try:
            stored, copied = stored_media(file, file.name, self.dry_run, by_digest)
        except (MediaError, OSError) as error:
            self.report.add("media", "failed", f"{path}: {error}")
            return None
        self.pending.append(NewMedia(path, stored, copied))
        return stored.filename

    def rewrite(self, markdown: str) -> str:
        """Markdown of this site's own export (`_newsroom_markdown`) with each stored
        file's old address moved to the copy made here, when there is one."""
        return MEDIA_REF.sub(lambda m: self.url(m[0]) or m[0], markdown)


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
