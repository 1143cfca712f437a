"""Large uploads are re-encoded by the worker, in a child process with limits
(blog/core/imagework.py); small ones at once. The request only reads the header."""

import io
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, AuditLog, Category, Job, JobState, Upload
from tests.mailing import run_jobs
from tests.shared import image_bytes, upload

# 600 x 400 = 240,000 pixels: above the limit set here, so each upload goes to the worker.
LARGE = (600, 400)


@pytest.fixture
def app_config():
    return {"UPLOAD_INLINE_PIXELS": 10_000}


def folder(app, name: str) -> Path:
    return Path(app.instance_path) / name


def one_bit_png(width: int, height: int) -> bytes:
    """A white 1-bit PNG of any size in a few KB (a "pixel flood" file)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    pixels = zlib.compress(row * height, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def image_job_states() -> list[JobState]:
    return list(db.session.scalars(sa.select(Job.state).where(Job.kind == "image-encode")))


def log_in(auth, user) -> None:
    """Log in and send the new-device mail a staff login queues (issue 27), so the job
    counts below are the image's alone."""
    auth.login(user)
    run_jobs()


def test_a_small_image_is_ready_at_once(app, client, auth, author):
    log_in(auth, author)

    upload(client, image_bytes("PNG", size=(90, 60)), "small.png")

    row = db.session.scalar(sa.select(Upload))
    assert row.ready and (folder(app, "uploads") / row.filename).is_file()
    image_jobs = sa.select(sa.func.count(Job.id)).where(Job.kind == "image-encode")
    assert db.session.scalar(image_jobs) == 0


def test_a_large_image_waits_for_the_worker_then_appears(app, client, auth, editor):
    category = db.session.scalars(sa.select(Category)).first()
    log_in(auth, editor)
    response = client.post(
        "/admin/articles/new",
        data={
            "title": "Harbour at dawn",
            "body": "Boats.",
            "category_id": str(category.id),
            "status": "published",
            "image_id": "0",
            "image_alt": "Fishing boats at the quay",
            "image_file": (io.BytesIO(image_bytes("JPEG", size=LARGE)), "dawn.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303

    article = db.session.scalar(sa.select(Article))
    image = article.image
    # Nothing decoded in the request: the original waits outside the served folder.
    assert not image.ready and (image.width, image.height) == LARGE
    assert not (folder(app, "uploads") / image.filename).exists()
    assert (folder(app, "uploads-incoming") / image.filename).is_file()
    assert client.get(f"/uploads/../uploads-incoming/{image.filename}").status_code == 404
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert image.filename not in page  # no broken picture meanwhile
    library = client.get("/admin/images").get_data(as_text=True)
    assert "Processing…" in library

    counts = run_jobs()

    # The image's job, and the desk's "published" notice to the author (issue 25).
    assert counts.total == 2 and counts.failed == 0
    assert image_job_states() == [JobState.DONE]
    db.session.expire_all()
    assert image.ready and image.problem == "" and image.variant_widths == "480,600"
    assert (folder(app, "uploads") / image.filename).is_file()
    assert not (folder(app, "uploads-incoming") / image.filename).exists()
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert f'src="/uploads/{image.filename}"' in page  # the page cache saw the change
    assert 'alt="Fishing boats at the quay"' in page


def test_a_pixel_flood_is_probed_in_the_request_and_scaled_by_the_worker(app, client, auth, author):
    app.config["UPLOAD_INLINE_PIXELS"] = 4_000_000  # the default
    log_in(auth, author)
    data = one_bit_png(7070, 7070)  # 50 M pixels in about 6 KB

    response = upload(client, data, "flood.png")

    assert response.status_code == 303
    image = db.session.scalar(sa.select(Upload))
    assert not image.ready and (image.width, image.height) == (2400, 2400)
    run_jobs()
    db.session.expire_all()
    assert image.ready and (image.width, image.height) == (2400, 2400)


def test_an_image_over_the_memory_limit_is_refused_by_the_worker_not_the_site(
    app, client, auth, author
):
    app.config["IMAGE_JOB_MEMORY_MB"] = 1  # far below what decoding needs
    log_in(auth, author)
    upload(client, image_bytes("PNG", size=LARGE), "poster.png")

    counts = run_jobs()  # the worker itself carries on

    assert counts.total == 1
    image = db.session.scalar(sa.select(Upload))
    db.session.expire_all()
    assert not image.ready and "too much" in image.problem
    assert not (folder(app, "uploads-incoming") / image.filename).exists()
    assert (
        db.session.scalar(
            sa.select(AuditLog.action)
            .where(AuditLog.object_id == image.id)
            .order_by(AuditLog.id.desc())
        )
        == "image.refused"
    )
    library = client.get("/admin/images").get_data(as_text=True)
    assert "Could not be processed" in library


def test_deleting_a_waiting_image_drops_its_original_and_its_job_does_nothing(
    app, client, auth, editor
):
    log_in(auth, editor)
    upload(client, image_bytes("PNG", size=LARGE), "poster.png")
    image = db.session.scalar(sa.select(Upload))
    name = image.filename

    client.post(f"/admin/images/{image.id}/delete")

    assert db.session.scalar(sa.select(Upload)) is None
    assert not (folder(app, "uploads-incoming") / name).exists()
    run_jobs()
    assert not (folder(app, "uploads") / name).exists()


def test_a_broken_file_is_refused_in_the_request_whatever_its_size(app, client, auth, author):
    log_in(auth, author)
    data = bytearray(one_bit_png(3000, 3000))
    data[40] ^= 0xFF  # inside the image data: the checksum no longer matches

    response = upload(client, bytes(data), "broken.png")

    assert response.status_code == 422
    assert "not an image we accept" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Upload)) is None
