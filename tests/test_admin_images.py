"""Image uploads: verification, re-encoding, metadata stripping, thumbnails, refusals."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from blog.extensions import db
from blog.models import Article, Category, Upload
from tests import factories
from tests.shared import image_bytes, upload


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    return image_bytes("JPEG", exif=exif.tobytes())


def stored(app, name: str) -> Path:
    return Path(app.instance_path) / "uploads" / name


@pytest.mark.parametrize(
    ("fmt", "content_type", "ext"),
    [
        ("JPEG", "image/jpeg", ".jpg"),
        ("PNG", "image/png", ".png"),
        ("WEBP", "image/webp", ".webp"),
        ("GIF", "image/gif", ".gif"),
    ],
)
def test_upload_each_format(app, client, auth, author, fmt, content_type, ext):
    auth.login(author)

    response = upload(client, image_bytes(fmt), f"picture{ext}")

    row = db.session.scalar(sa.select(Upload))
    assert response.status_code == 303
    assert row.content_type == content_type and row.filename.endswith(ext)
    assert (row.width, row.height) == (1200, 800)
    assert row.uploader_id == author.id
    assert len(Path(row.filename).stem) == 32  # random hex name, nothing from the user
    with Image.open(stored(app, row.thumb_filename)) as thumb:
        assert thumb.width == 640 and thumb.format == fmt
    served = client.get(f"/uploads/{row.filename}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    served.close()


def test_metadata_is_stripped(app, client, auth, author):
    auth.login(author)

    upload(client, jpeg_with_exif())

    row = db.session.scalar(sa.select(Upload))
    data = stored(app, row.filename).read_bytes()
    assert b"SpyCam" not in data
    with Image.open(stored(app, row.filename)) as img:
        assert not img.getexif()


def test_small_image_gets_no_thumbnail(app, client, auth, author):
    auth.login(author)

    upload(client, image_bytes("PNG", size=(300, 200)), "small.png")

    assert db.session.scalar(sa.select(Upload.thumb_filename)) == ""


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "SVG images are not accepted",
        ),
        (b"%PDF-1.4 not an image", "doc.jpg", "not an image we accept"),
        (image_bytes("JPEG")[:200], "truncated.jpg", "not an image we accept"),
        (image_bytes("BMP", size=(40, 40)), "bitmap.bmp", "not an image we accept"),
        (b"", "empty.png", "The file is empty"),
    ],
)
def test_bad_files_are_refused(app, client, auth, author, data, name, message):
    auth.login(author)

    response = upload(client, data, name)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0
    folder = Path(app.instance_path) / "uploads"
    assert not folder.exists() or not any(folder.iterdir())


def test_missing_file(client, auth, author):
    auth.login(author)

    response = client.post("/admin/images", data={}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "Choose an image file" in response.get_data(as_text=True)


class TestSizeLimits:
    @pytest.fixture
    def app_config(self):
        return {"UPLOAD_MAX_BYTES": 50_000, "MAX_CONTENT_LENGTH": 100_000}

    def test_too_large_for_the_upload_limit(self, client, auth, author):
        auth.login(author)

        response = upload(client, image_bytes("PNG", size=(10, 10)) + b"\0" * 60_000, "big.png")

        assert response.status_code == 422
        assert "larger than" in response.get_data(as_text=True)

    def test_request_over_max_content_length_is_413(self, client, auth, author):
        auth.login(author)

        response = upload(client, b"x" * 200_000, "huge.jpg")

        assert response.status_code == 413


def test_featured_image_upload_from_the_editor(app, client, auth, editor):
    category = db.session.scalars(sa.select(Category)).first()
    auth.login(editor)
    data = {
        "title": "Flood pictures",
        "body": "Water everywhere.",
        "category_id": str(category.id),
        "status": "published",
        "image_id": "0",
        "image_alt": "A flooded street with parked cars",
        "image_file": (io.BytesIO(image_bytes("JPEG")), "flood.jpg"),
    }

    response = client.post("/admin/articles/new", data=data, content_type="multipart/form-data")

    article = db.session.scalar(sa.select(Article))
    assert response.status_code == 303
    assert article.image is not None and article.image_alt.startswith("A flooded street")
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert f'src="/uploads/{article.image.filename}"' in page
    assert 'alt="A flooded street with parked cars"' in page


def test_image_needs_alt_text(client, auth, editor):
    category = db.session.scalars(sa.select(Category)).first()
    image = Upload(filename="abc.png", content_type="image/png", width=10, height=10)
    db.session.add(image)
    db.session.commit()
    auth.login(editor)

    response = client.post(
        "/admin/articles/new",
        data={
            "title": "Needs alt",
            "body": "x",
            "category_id": str(category.id),
            "status": "draft",
            "image_id": str(image.id),
            "image_alt": "  ",
        },
    )

    assert response.status_code == 422
    assert "Describe the image" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0


def test_editor_deletes_an_image(app, client, auth, editor):
    auth.login(editor)
    upload(client, image_bytes("PNG"), "x.png")
    row = db.session.scalar(sa.select(Upload))
    article = factories.make_article(image_id=row.id, image_alt="x")
    db.session.commit()
    name, article_id = row.filename, article.id

    response = client.post(f"/admin/images/{row.id}/delete")

    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0
    assert not stored(app, name).exists()
    assert db.session.get(Article, article_id).image_id is None
