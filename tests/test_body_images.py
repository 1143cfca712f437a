"""Uploaded images inside article and page bodies get what a featured image gets: width
and height from the upload, srcset/sizes over the variants that exist, a WebP <source>,
lazy loading below the first block; anything else stays exactly as written."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from blog.core.bodyimages import COLUMN_SIZES
from blog.core.content import render_article
from blog.extensions import db
from blog.models import Article, Page, SiteState, Upload
from tests import factories
from tests.shared import image_bytes, upload

TAG = re.compile(r"<(img|source)\b[^>]*>")
ATTR = re.compile(r'([a-z-]+)="([^"]*)"')


def tags(html: str, name: str = "img") -> list[dict[str, str]]:
    return [dict(ATTR.findall(m.group(0))) for m in TAG.finditer(html) if m.group(1) == name]


def version() -> int:
    return db.session.scalar(sa.select(SiteState.version).where(SiteState.id == 1))


def folder(app) -> Path:
    return Path(app.instance_path) / "uploads"


def uploaded(client, fmt="JPEG", size=(2000, 1000), name="photo.jpg") -> Upload:
    assert upload(client, image_bytes(fmt, size=size), name).status_code == 303
    return db.session.scalar(sa.select(Upload).order_by(Upload.id.desc()))


def srcset_files(app, srcset: str) -> list[tuple[Image.Image, int]]:
    """(opened file, its srcset width) for each entry; fails on a missing file."""
    entries = []
    for entry in srcset.split(", "):
        url, width = entry.split(" ")
        assert url.startswith("/uploads/")
        entries.append((Image.open(folder(app) / url.removeprefix("/uploads/")), int(width[:-1])))
    return entries


def test_an_image_written_in_the_editor_gets_the_files_size_srcset_and_webp(
    app, client, auth, editor
):
    auth.login(editor)
    image = uploaded(client)
    body = f"The pier reopened.\n\n![The pier at dusk](/uploads/{image.filename})\n"
    category = factories.make_category("Harbour")
    db.session.commit()

    saved = client.post(
        "/admin/articles/new", data=factories.article_form(category, body=body, status="published")
    )
    page = client.get("/article/rain-returns-to-the-valley").get_data(as_text=True)

    assert saved.status_code == 303
    body_html = page[page.index('<div class="prose article-body">') :].split("</div>")[0]
    [img], [source] = tags(body_html), tags(body_html, "source")
    assert img["src"] == f"/uploads/{image.filename}" and img["alt"] == "The pier at dusk"
    with Image.open(folder(app) / image.filename) as file:
        assert (int(img["width"]), int(img["height"])) == file.size == (2000, 1000)
    jpegs = srcset_files(app, img["srcset"])
    assert [width for _, width in jpegs] == [480, 960, 1600, 2000]
    assert all(file.size[0] == width and file.format == "JPEG" for file, width in jpegs)
    webps = srcset_files(app, source["srcset"])
    assert [width for _, width in webps] == [480, 960, 1600, 2000]
    assert all(file.size[0] == width and file.format == "WEBP" for file, width in webps)
    for file, _ in jpegs + webps:
        file.close()
    assert source["type"] == "image/webp" and source["sizes"] == img["sizes"] == COLUMN_SIZES
    assert img["loading"] == "lazy" and img["decoding"] == "async"  # after the first block
    stem = image.filename.removesuffix(".jpg")
    assert f'<picture><source type="image/webp" srcset="/uploads/{stem}-480.webp 480w' in body_html
    assert body_html.count("</picture>") == 1


def test_the_library_shows_the_line_to_write_in_a_body(app, client, auth, author):
    auth.login(author)
    image = uploaded(client)

    page = client.get("/admin/images").get_data(as_text=True)

    assert f"<code>![Description](/uploads/{image.filename})</code>" in page


def test_external_and_unknown_images_are_left_as_written(app):
    unknown = "ab" * 16 + ".jpg"
    body = (
        "![far](https://img.test/far.jpg)\n\n"
        f"![never uploaded](/uploads/{unknown})\n\n"
        "![odd](/uploads/../instance/blog.sqlite3)\n\n"
        f'<img src="https://img.test/uploads/{unknown}" alt="elsewhere">\n'
    )

    html = render_article(body)

    assert [img.keys() for img in tags(html)] == [{"src", "alt"}] * 4
    assert "<picture" not in html and "srcset" not in html


def test_an_upload_whose_file_is_gone_keeps_its_size_and_the_page_works(app, client, auth, editor):
    auth.login(editor)
    image = uploaded(client, size=(900, 600))
    for name in folder(app).iterdir():
        name.unlink()
    article = factories.make_article(body=f"![Lost](/uploads/{image.filename})")
    db.session.commit()

    response = client.get(f"/article/{article.slug}")

    assert response.status_code == 200
    img = tags(response.get_data(as_text=True).split('class="prose article-body"')[1])[0]
    assert (img["width"], img["height"]) == ("900", "600")


def test_first_block_is_eager_later_images_lazy_and_author_width_is_kept(app, client, auth, author):
    auth.login(author)
    image = uploaded(client, size=(1200, 600))
    src = f"/uploads/{image.filename}"
    body = (
        f"![Top]({src}) Caption text.\n\nA paragraph.\n\n"
        f'<figure><img src="{src}" alt="Small" width="300"></figure>\n\n'
        f'<p><img src="{src}" alt="Tall" height="100"></p>\n\n'
        f"![Absolute](http://newsroom.test{src})\n"
    )

    top, small, tall, absolute = tags(render_article(body))

    assert "loading" not in top and top["decoding"] == "async"
    assert (top["width"], top["height"], top["sizes"]) == ("1200", "600", COLUMN_SIZES)
    assert (small["width"], small["height"], small["loading"]) == ("300", "150", "lazy")
    assert small["sizes"] == "(min-width: 46rem) 300px, 100vw"
    assert (tall["width"], tall["height"]) == ("200", "100")
    assert absolute["srcset"].startswith(f"http://newsroom.test{src[:-4]}-480.jpg 480w, ")


@pytest.mark.parametrize(
    ("fmt", "size", "srcset_widths", "webp"),
    [
        ("WEBP", (1000, 500), [480, 960, 1000], False),  # a WebP has no WebP twin
        ("PNG", (400, 300), [400], True),  # too small for variants: itself and its WebP
    ],
)
def test_srcset_lists_only_the_variants_that_exist(
    app, client, auth, author, fmt, size, srcset_widths, webp
):
    auth.login(author)
    image = uploaded(client, fmt, size, f"picture.{fmt.lower()}")

    html = render_article(f"![A]({'/uploads/' + image.filename})")

    [img] = tags(html)
    files = srcset_files(app, img["srcset"])
    assert [(file.size[0], width) for file, width in files] == [(w, w) for w in srcset_widths]
    for file, _ in files:
        file.close()
    assert ("<picture>" in html) is webp
    assert (img["width"], img["height"]) == tuple(str(n) for n in size)


def test_reindex_images_sizes_bodies_saved_before(app, client, auth, editor, runner):
    auth.login(editor)
    image = uploaded(client, size=(1000, 500))
    markdown = f"Words.\n\n![Old](/uploads/{image.filename})\n"
    article = factories.make_article(body=markdown)
    page = factories.make_page("Old page", markdown)
    db.session.commit()
    plain = f'<p>Words.</p>\n<p><img src="/uploads/{image.filename}" alt="Old"></p>\n'
    for model in (Article, Page):  # as saved before bodies were sized
        db.session.execute(sa.update(model).values(body_html=plain, updated_at=model.updated_at))
    db.session.commit()
    updated_at = db.session.get(Article, article.id).updated_at
    before = version()

    result = runner.invoke(args=["reindex", "--images"])

    assert result.exit_code == 0, result.output
    assert "Sized the images of 2 bodies" in result.output
    assert "Article bodies" in result.output  # the progress bar's label
    db.session.expire_all()
    for row in (db.session.get(Article, article.id), db.session.get(Page, page.id)):
        [img] = tags(row.body_html)
        assert (img["width"], img["height"]) == ("1000", "500") and "srcset" in img
    assert db.session.get(Article, article.id).updated_at == updated_at
    assert version() > before  # cached pages showing the old bodies expire
    again = runner.invoke(args=["reindex", "--images"])
    assert "Sized the images of 0 bodies" in again.output
