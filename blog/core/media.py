"""Audio, video and documents beside the image uploads, in instance/uploads/.

An imported mp3, mov or PDF is not an image Pillow can re-encode, so it is kept as it
came, but only when its first bytes are the signature of a type we serve (`sniff`: ID3
or an MPEG frame sync, an ISO `ftyp` box, `OggS`, RIFF WAVE, EBML with the `webm`
doctype, `%PDF-`); the extension a file arrives with never decides. It is copied in
chunks as it is checked (never whole in memory) up to MEDIA_MAX_BYTES, under a random
name with the extension its signature gives, and its SHA-256 makes a second copy of the same bytes
the same `MediaFile` row and file (`stored_media`).

Bodies show audio and video with `player` (an `<audio>` or `<video>` whose src is a
stored file: the sanitizer in blog/core/content.py keeps `src` only when `MEDIA_SRC`
matches it) and documents as a link. blog/public/views.py serves them with
`MEDIA_TYPES`' Content-Type; a document is sent as a download (docs/security.md).

Public names: MEDIA_TYPES, MEDIA_SUFFIXES, MEDIA_SRC, MEDIA_REF, MediaError,
StoredMedia, sniff, kind_of, is_player, player, check_media, stored_media.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from contextlib import nullcontext
from dataclasses import dataclass
from html import escape
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from blog.core.uploads import upload_folder
from blog.extensions import db
from blog.models import MediaFile

# The stored extension -> (Content-Type, kind). kind "document" is sent as a download.
MEDIA_TYPES = {
    ".mp3": ("audio/mpeg", "audio"),
    ".m4a": ("audio/mp4", "audio"),
    ".ogg": ("audio/ogg", "audio"),
    ".wav": ("audio/wav", "audio"),
    ".mp4": ("video/mp4", "video"),
    ".m4v": ("video/mp4", "video"),
    ".mov": ("video/quicktime", "video"),
    ".webm": ("video/webm", "video"),
    ".pdf": ("application/pdf", "document"),
}
# What an old site's address may end with for a file we may keep (.oga, .ogv: Ogg).
MEDIA_SUFFIXES = (*MEDIA_TYPES, ".oga", ".ogv")
# The only src an <audio> or <video> in a body may have: a stored file of this site.
MEDIA_SRC = re.compile(r"/uploads/[0-9a-f]{32}\.(?:mp3|m4a|ogg|wav|mp4|m4v|mov|webm)")
# The address of any stored media file (documents too), its name in group 1.
MEDIA_REF = re.compile(r"/uploads/([0-9a-f]{32}\.(?:mp3|m4a|ogg|wav|mp4|m4v|mov|webm|pdf))")
_CHUNK = 1024 * 1024
# Atoms an old QuickTime file may start with, before `ftyp` existed.
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip")


class MediaError(ValueError):
    """The file is not one we keep; the message says why (for the import report)."""


@dataclass(frozen=True)
class StoredMedia:
    filename: str
    content_type: str
    byte_size: int
    original_name: str
    sha256: str


def sniff(head: bytes, name: str = "") -> str | None:
    """The extension to store a file under, from its first 64 bytes (`name`'s extension
    only picks between the names of one container: .m4a or .mp4); None if none fits."""
    ext = Path(name).suffix.lower()
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"OggS"):
        return ".ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return ".wav"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM, or Matroska, not served
        return ".webm" if b"webm" in head[:64] else None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return ".mov"
        if brand in (b"M4A ", b"M4B "):
            return ".m4a"
        return ext if ext in (".m4a", ".m4v", ".mov") else ".mp4"
    if head[4:8] in _QUICKTIME_ATOMS and ext == ".mov":
        return ".mov"
    if head.startswith(b"ID3"):
        return ".mp3"
    # An MPEG audio frame's 11 sync bits; too common a pattern to trust without the name.
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and ext == ".mp3":
        return ".mp3"
    return None


def kind_of(filename: str) -> str:
    """ "audio", "video" or "document" for a stored name; "" for anything else."""
    return MEDIA_TYPES.get(Path(filename).suffix.lower(), ("", ""))[1]


def is_player(url: str) -> bool:
    """Whether `url` is a stored audio or video file a body may play."""
    return MEDIA_SRC.fullmatch(url) is not None


def player(url: str, label: str = "") -> str:
    """The body HTML of a stored audio or video file: the player, and inside it a link
    (named `label`, else the file's address) for readers whose browser plays neither."""
    tag = "video" if kind_of(url) == "video" else "audio"
    link = f'<a href="{escape(url)}">{escape(label or url, quote=False)}</a>'
    return f'<{tag} controls src="{escape(url)}">{link}</{tag}>'


@dataclass(frozen=True)
class Checked:
    ext: str
    sha256: str
    byte_size: int


def check_media(path: Path, copy_to: Path | None = None) -> Checked:
    """Read `path` once: its signature, size (at most MEDIA_MAX_BYTES) and SHA-256,
    writing the bytes read to `copy_to` as they come (so what is stored is exactly what
    was checked). Raises MediaError (the reason, for the report) or OSError, after
    removing `copy_to`."""
    limit = int(current_app.config["MEDIA_MAX_BYTES"])
    digest, size = hashlib.sha256(), 0
    try:
        with (
            open(path, "rb") as source,
            open(copy_to, "xb") if copy_to else nullcontext() as target,
        ):
            head = source.read(64)
            ext = sniff(head, path.name)
            if ext is None:
                raise MediaError("not an audio, video or PDF file we keep (checked by its content)")
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise MediaError(f"larger than MEDIA_MAX_BYTES ({limit // (1024 * 1024)} MB)")
                digest.update(chunk)
                if target is not None:
                    target.write(chunk)
                chunk = source.read(_CHUNK)
    except BaseException:
        if copy_to is not None:
            copy_to.unlink(missing_ok=True)
        raise
    return Checked(ext, digest.hexdigest(), size)


def stored_media(
    path: Path, original_name: str = "", dry_run: bool = False, pending: dict | None = None
) -> tuple[StoredMedia, bool]:
    """The stored copy of the file at `path`: (it, True) when it was copied now, whose
    row the caller adds; (the existing one, False) when the same bytes are stored
    already, in a MediaFile row or in `pending` (sha256 -> StoredMedia, rows not yet
    written). A dry run copies nothing. Raises MediaError or OSError."""
    part = None
    if not dry_run:  # copied while checked, under a name /uploads/ never serves
        upload_folder().mkdir(parents=True, exist_ok=True)
        part = upload_folder() / f".{secrets.token_hex(16)}.part"
    checked = check_media(path, part)
    existing = (pending or {}).get(checked.sha256)
    if existing is None:
        row = db.session.scalar(sa.select(MediaFile).where(MediaFile.sha256 == checked.sha256))
        if row is not None:
            existing = StoredMedia(
                row.filename, row.content_type, row.byte_size, row.original_name, row.sha256
            )
    if existing is not None:
        if part is not None:
            part.unlink(missing_ok=True)
        return existing, False
    name = secrets.token_hex(16) + checked.ext
    if part is not None:
        part.rename(upload_folder() / name)
    content_type = MEDIA_TYPES[checked.ext][0]
    stored = StoredMedia(
        name, content_type, checked.byte_size, (original_name or path.name)[:200], checked.sha256
    )
    return stored, True
