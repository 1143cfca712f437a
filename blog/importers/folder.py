"""Files of an old site taken from a local copy of its folder, each stored once.

`FolderFiles` is what the image and the media stores of the imports share
(blog/importers/wordpress/images.py, blog/importers/media.py): `path_of` maps a URL to
a path in the folder, `known` holds path -> stored filename from earlier runs (the
import records), a path that failed is not tried again in this run, and a missing
file is counted in the report under the store's `section`. A subclass stores a file
(`store`) and collects what its batch must write (`pending`, `take_pending`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from blog.importers.wordpress.report import Report


class FolderFiles:
    section = ""  # the report's row ("images", "media")

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
        self.path_of, self.option = path_of, option  # URL -> path in the folder, or None
        self.failed: set[str] = set()
        self.pending: list[Any] = []

    def filename(self, url: str) -> str | None:
        """The stored filename for a file's URL, storing the file if needed; None when
        the URL is no file of the folder, or the file is missing or refused (counted
        once per path)."""
        path = self.path_of(url)
        if path is None:
            return None
        if path in self.known:
            return self.known[path]
        if path in self.failed:
            return None
        self.failed.add(path)  # until it is stored below
        if self.folder is None:
            self.report.add(self.section, "skipped", f"no {self.option} folder given")
            return None
        file = (self.folder / path).resolve()
        if not file.is_relative_to(self.folder) or not file.is_file():
            self.report.add(self.section, "failed", self.missing(path))
            return None
        name = self.store(path, file)
        if name is not None:
            self.failed.discard(path)
            self.known[path] = name
        return name

    def missing(self, path: str) -> str:
        return f"missing in the {self.option} folder: {path}"

    def store(self, path: str, file: Path) -> str | None:
        """Store `file` (found at `path`) and add it to `pending`: its stored filename,
        or None when it is refused (counted in the report)."""
        raise NotImplementedError

    def url(self, url: str) -> str | None:
        name = self.filename(url)
        return f"/uploads/{name}" if name else None

    def take_pending(self) -> list:
        pending, self.pending = self.pending, []
        return pending
