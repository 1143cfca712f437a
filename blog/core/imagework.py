"""Where an upload is re-encoded: in the request when that is cheap, else by the worker.

An upload must never hold a web worker for long, nor let a crafted file take its memory.
The request reads the file and its header only (`uploads.probe`: format, size, the pixel
and decoded-byte limits). An image of at most UPLOAD_INLINE_PIXELS pixels is re-encoded
at once, as before. A larger one is kept as it came under <instance>/uploads-incoming/
(never served), its Upload row is added with `ready` False, and the job "image-encode"
re-encodes it in `blog worker`, in a child process limited to IMAGE_JOB_MEMORY_MB of
memory and IMAGE_JOB_CPU_SECONDS of CPU (`uploads.encode_limited`). Until then public
pages show no picture for it (core/imagesets.py) and the library says "Processing"; a
file the child refuses or that hits a limit keeps its row with the reason in `problem`.

Public names: `store_upload(stream, filename) -> StoredImage`, `add_upload(stored,
uploader_id) -> Upload` (adds the row and, for a waiting image, the job; the caller
commits), `discard_incoming(filename)`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import IO

import sqlalchemy as sa
from flask import current_app

from blog.core import jobs, uploads
from blog.core.audit import record
from blog.core.database import writing
from blog.extensions import db
from blog.models import Upload


def store_upload(stream: IO[bytes], filename: str = "") -> uploads.StoredImage:
    """Check an upload and store it, re-encoded now or kept for the worker; raises
    uploads.UploadError with a message for the user."""
    data = uploads.read_upload(stream)
    header = uploads.probe(data, filename)
    if header.pixels <= int(current_app.config["UPLOAD_INLINE_PIXELS"]):
        stored, files = uploads.encode_image(data, filename)
        uploads.write_files(files)
        return stored
    name = uploads.new_name(header.fmt)
    folder = uploads.incoming_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    width, height = header.fitted()
    content_type = uploads.FORMATS[header.fmt][0]
    return uploads.StoredImage(name, "", content_type, width, height, ready=False)


def add_upload(stored: uploads.StoredImage, uploader_id: int | None) -> Upload:
    """Add the Upload row of `stored` (in the caller's write transaction) and, if it
    waits for the worker, its job."""
    upload = Upload(**asdict(stored), uploader_id=uploader_id)
    db.session.add(upload)
    if not stored.ready:
        db.session.flush()
        jobs.enqueue("image-encode", f"image-encode:{stored.filename}", {"upload_id": upload.id})
    return upload


def discard_incoming(filename: str) -> None:
    """Forget the waiting original of an upload (deleted, or never saved)."""
    if filename and "/" not in filename and not filename.startswith("."):
        (uploads.incoming_folder() / filename).unlink(missing_ok=True)


@jobs.handler("image-encode")
def encode(payload: dict, run: jobs.Run) -> None:
    upload = db.session.get(Upload, payload["upload_id"])
    if upload is None or upload.ready:
        return
    filename = upload.filename
    try:
        data = (uploads.incoming_folder() / filename).read_bytes()
    except FileNotFoundError:
        _refuse(upload.id, "The uploaded file is gone; please upload it again.")
        return
    config = current_app.config
    result = uploads.encode_limited(
        data,
        filename,
        filename,
        int(config["IMAGE_JOB_MEMORY_MB"]) * 1024 * 1024,
        int(config["IMAGE_JOB_CPU_SECONDS"]),
    )
    if isinstance(result, str):
        _refuse(upload.id, result)
        return
    stored, files = result
    uploads.write_files(files, keep_existing=True)
    with writing():
        done = db.session.execute(
            sa.update(Upload)
            .where(Upload.id == upload.id, Upload.ready.is_(False))
            .values(
                thumb_filename=stored.thumb_filename,
                width=stored.width,
                height=stored.height,
                variant_widths=stored.variant_widths,
                ready=True,
                problem="",
            )
        ).rowcount
        db.session.commit()
    if not done:  # deleted while it was being processed
        uploads.remove_files(*files)
    discard_incoming(filename)


def _refuse(upload_id: int, problem: str) -> None:
    with writing():
        upload = db.session.get(Upload, upload_id)
        if upload is not None:
            upload.problem = problem[:200]
            record("image.refused", upload, f"{upload.filename}: {problem}")
        db.session.commit()
    if upload is not None:
        discard_incoming(upload.filename)
