"""Reading a Substack export (Settings → Exports → Create new export: a .zip).

The zip holds `posts.csv`, one `posts/<post_id>.html` per post (post_id is
`<number>.<slug>`) and `email_list.<publication>.csv`. It is never unpacked: the
members a import needs are read one by one, each with a size limit that holds even if
the zip's headers lie. A file that is no zip, a zip bomb (a member hugely larger
than its compressed bytes, too many members, too much in all) or a member whose name
climbs out of the folder (`../`, an absolute path) is refused with a `SubstackError`
that says why, before anything is written.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

MAX_MEMBERS = 100_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one post's HTML or one CSV
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed: text compresses ~10x, bombs ~1000x
_EMAIL_LIST = re.compile(r"^email_list(?:\.(.+))?\.csv$", re.I)


class SubstackError(ValueError):
    """The file cannot be imported; the message says why."""


@dataclass
class Archive:
    publication: str
    posts: list[dict[str, str]]
    bodies: dict[str, str]  # post_id -> name of its HTML member
    email_lists: list[str] = field(default_factory=list)
    zip: zipfile.ZipFile | None = None

    def read(self, name: str) -> str:
        """A member's text, read with the size limit whatever its header says."""
        with self.zip.open(name) as stream:
            data = stream.read(MAX_MEMBER_BYTES + 1)
        if len(data) > MAX_MEMBER_BYTES:
            raise SubstackError(f"{name} is larger than {MAX_MEMBER_BYTES // 2**20} MB")
        return data.decode("utf-8-sig", errors="replace")

    def rows(self, name: str) -> list[dict[str, str]]:
        try:
            reader = csv.DictReader(io.StringIO(self.read(name), newline=""))
            return [{(k or "").strip().lower(): (v or "") for k, v in r.items()} for r in reader]
        except csv.Error as error:
            raise SubstackError(f"{name} is not a readable CSV file ({error})") from error


def _check(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise SubstackError(f"the zip holds more than {MAX_MEMBERS} files; refused")
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
            raise SubstackError(f"the zip holds a file outside its folder ({name[:80]!r}); refused")
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise SubstackError(f"{name[:80]} is too large unpacked; refused")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise SubstackError(f"{name[:80]} unpacks to far more than it holds (a zip bomb?)")


def open_export(path: str) -> Archive:
    """The export at `path`, checked; raises SubstackError."""
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise SubstackError(
            "this is not a Substack export: not a .zip file (in Substack, choose Settings → "
            "Exports → Create new export and upload the .zip it gives)"
        ) from error
    _check(infos)
    names = {i.filename.replace("\\", "/").lstrip("./"): i.filename for i in infos}
    csv_name = next((names[n] for n in names if n.rsplit("/", 1)[-1] == "posts.csv"), None)
    if csv_name is None:
        archive.close()
        raise SubstackError("this is not a Substack export: the zip has no posts.csv")
    folder = csv_name.rsplit("/", 1)[0] + "/" if "/" in csv_name else ""
    bodies = {}
    for name, real in names.items():
        if name.startswith(f"{folder}posts/") and name.endswith(".html"):
            bodies[name.rsplit("/", 1)[-1].removesuffix(".html")] = real
    lists, publication = [], ""
    for name, real in names.items():
        match = _EMAIL_LIST.match(name.rsplit("/", 1)[-1])
        if match:
            lists.append(real)
            publication = publication or (match[1] or "")
    found = Archive(publication, [], bodies, lists, archive)
    posts = found.rows(csv_name)
    if posts and "post_id" not in posts[0]:
        archive.close()
        raise SubstackError('this is not a Substack export: posts.csv has no "post_id" column')
    found.posts = posts
    return found
