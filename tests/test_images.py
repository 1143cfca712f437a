"""Images that fit the screen: variants and WebP twins at upload, srcset/sizes in the
pages, width and height on every <img>, the first image eager, the rest lazy, and
`blog reindex --images` for uploads made before variants existed."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from blog.core.uploads import stored_files
from blog.extensions import db
from blog.models import Upload
from tests import factories
from tests.conftest import logged_in_client
from tests.security.conftest import world  # noqa: F401 - the fixture
from tests.security.helpers import build, login, rules
from tests.shared import image_bytes, upload

IMG = re.compile(r"<img\b[^>]*>")


def folder(app) -> Path:
    return Path(app.instance_path) / "uploads"


@pytest.mark.parametrize(
    ("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif")]
)
def test_upload_makes_resized_variants_and_webp_twins(app, client, auth, author, fmt, ext):
    auth.login(author)

    upload(client, image_bytes(fmt, size=(2000, 1000)), f"wide.{ext}")

    row = db.session.scalar(sa.select(Upload))
    stem = row.filename.rsplit(".", 1)[0]
    assert row.variant_widths == "480,960,1600,2000"
    for width in (480, 960, 1600):
        with Image.open(folder(app) / f"{stem}-{width}.{ext}") as same:
            assert same.size == (width, width // 2) and same.format == fmt
        with Image.open(folder(app) / f"{stem}-{width}.webp") as webp:
            assert webp.size == (width, width // 2) and webp.format == "WEBP"
    with Image.open(folder(app) / f"{stem}.webp") as full:
        assert full.size == (2000, 1000)
    assert all((folder(app) / name).exists() for name in stored_files(
        row.filename, row.thumb_filename, row.variant_widths
    ))  # fmt: skip


def test_a_small_image_gets_only_its_webp_twin(app, client, auth, author):
    auth.login(author)

    upload(client, image_bytes("JPEG", size=(400, 300)), "small.jpg")

    row = db.session.scalar(sa.select(Upload))
    assert row.variant_widths == "400"
    assert sorted(p.name for p in folder(app).iterdir()) == sorted(
        [row.filename, row.filename.replace(".jpg", ".webp")]
    )


def article_with_upload(app, client, auth, editor, **kwargs):
    auth.login(editor)
    upload(client, image_bytes("JPEG", size=(1800, 1200)), "photo.jpg")
    image = db.session.scalar(sa.select(Upload))
    article = factories.make_article("Pictured", image_id=image.id, image_alt="A pier", **kwargs)
    db.session.commit()
    return article, image


def test_article_page_has_srcset_sizes_and_an_eager_featured_image(app, client, auth, editor):
    article, image = article_with_upload(app, client, auth, editor)
    stem = image.filename.rsplit(".", 1)[0]

    html = client.get(f"/article/{article.slug}").get_data(as_text=True)

    featured = html[html.index('<figure class="featured-image">') :].split("</figure>")[0]
    assert (
        f'<source type="image/webp" srcset="/uploads/{stem}-480.webp 480w, '
        f"/uploads/{stem}-960.webp 960w, /uploads/{stem}-1600.webp 1600w, "
        f'/uploads/{stem}.webp 1800w"' in featured
    )
    img = IMG.search(featured).group(0)
    assert f'src="/uploads/{image.filename}"' in img
    assert f"/uploads/{stem}-960.jpg 960w" in img and 'sizes="' in img
    assert 'width="1800" height="1200"' in img
    assert 'fetchpriority="high"' in img and "loading=" not in img


def test_home_lead_story_is_eager_and_every_other_image_lazy(app, client, auth, editor):
    article_with_upload(app, client, auth, editor)
    image = db.session.scalar(sa.select(Upload))
    factories.make_article("Older with a picture", image_id=image.id, image_alt="Older")
    db.session.commit()

    imgs = IMG.findall(client.get("/").get_data(as_text=True))

    assert len(imgs) == 2
    assert 'fetchpriority="high"' in imgs[0] and "loading" not in imgs[0]
    assert 'loading="lazy"' in imgs[1] and "fetchpriority" not in imgs[1]
    assert f'src="/uploads/{image.thumb_filename}"' in imgs[1]


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_img_has_width_and_height(app, client, world, who):  # noqa: F811
    upload(logged_in_client(app, world.admin), image_bytes("JPEG"), "real.jpg")
    world.article.image_id = db.session.scalar(sa.select(sa.func.max(Upload.id)))
    world.article.image_alt = "Real"
    factories.make_article("Demo picture", image_path="demo/river-dusk.jpg", image_alt="Pier")
    db.session.commit()
    if who == "admin":
        login(client, world.admin)
    images = 0

    for url in [build(app, rule, world, world.admin) for rule in rules(app, "GET")]:
        response = client.get(url)
        if response.mimetype != "text/html":
            continue
        for img in IMG.findall(response.get_data(as_text=True)):
            images += 1
            assert re.search(r'width="[1-9]\d*"', img) and re.search(r'height="[1-9]\d*"', img), (
                url,
                img,
            )

    assert images >= 3


def test_reindex_images_gives_old_uploads_their_variants(app, client, auth, author, runner):
    auth.login(author)
    upload(client, image_bytes("PNG", size=(1000, 500)), "old.png")
    row = db.session.scalar(sa.select(Upload))
    old_files = set(stored_files(row.filename, row.thumb_filename, row.variant_widths))
    for name in old_files - {row.filename, row.thumb_filename}:
        (folder(app) / name).unlink()  # as an upload from before variants
    row.variant_widths = ""
    db.session.commit()

    result = runner.invoke(args=["reindex", "--images"])

    assert result.exit_code == 0, result.output
    assert "Made variants for 1 images; 0 skipped" in result.output
    assert "Image variants" in result.output  # the progress bar's label
    db.session.expire_all()
    assert db.session.get(Upload, row.id).variant_widths == "480,960,1000"
    assert all((folder(app) / name).exists() for name in old_files)
    again = runner.invoke(args=["reindex", "--images"])
    assert "Made variants for 0 images; 0 skipped" in again.output


def test_reindex_images_skips_a_missing_file(app, client, auth, author, runner):
    auth.login(author)
    upload(client, image_bytes("JPEG"), "gone.jpg")
    row = db.session.scalar(sa.select(Upload))
    (folder(app) / row.filename).unlink()
    row.variant_widths = ""
    db.session.commit()

    result = runner.invoke(args=["reindex", "--images"])

    assert result.exit_code == 0
    assert "Made variants for 0 images; 1 skipped" in result.output
