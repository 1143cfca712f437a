"""Featured image crops (issue 26): 16:9, 4:3 and 1:1, at least 1,200 px wide where the
original allows, around the focal point an editor sets, listed in the JSON-LD image."""

import io
import json
import os
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from blog.extensions import db
from blog.models import Upload
from blog.trust.crops import MAX_SIDE, crop_box
from tests import factories
from tests.conftest import logged_in_client
from tests.factories import article_form as form_data
from tests.mailing import run_jobs
from tests.shared import upload


def two_halves(size) -> bytes:
    """A JPEG red on its left half, blue on its right."""
    image = Image.new("RGB", size, (220, 0, 0))
    image.paste((0, 0, 220), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def story_with_image(app, admin, category, size, focus=(50, 50)):
    upload(logged_in_client(app, admin), two_halves(size), "harbour.jpg")
    run_jobs()  # an image over UPLOAD_INLINE_PIXELS is re-encoded by the worker
    picture = db.session.scalar(sa.select(Upload).order_by(Upload.id.desc()))
    story = factories.make_article(category=category, image=picture, image_alt="x")
    story.image_focus_x, story.image_focus_y = focus
    db.session.commit()
    return story


def ld_images(client, story) -> list[str]:
    html = client.get(f"/article/{story.slug}").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))["image"]


def fetched(client, url: str) -> Image.Image:
    response = client.get(url.removeprefix("http://newsroom.test"))
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.get_data()))


@pytest.mark.parametrize(
    ("focus", "expected"),
    [
        ((50, 50), {(16, 9): (0, 0, 1600, 900), (4, 3): (200, 0, 1400, 900),
                    (1, 1): (350, 0, 1250, 900)}),
        ((0, 0), {(16, 9): (0, 0, 1600, 900), (4, 3): (0, 0, 1200, 900),
                  (1, 1): (0, 0, 900, 900)}),
        ((100, 100), {(4, 3): (400, 0, 1600, 900), (1, 1): (700, 0, 1600, 900)}),
        ((60, 50), {(1, 1): (510, 0, 1410, 900)}),
        ((90, 50), {(1, 1): (700, 0, 1600, 900)}),  # held inside the picture
    ],
)  # fmt: skip
def test_crop_box_centres_on_the_focus_within_the_picture(focus, expected):
    for ratio, box in expected.items():
        assert crop_box(1600, 900, ratio, focus) == box


def test_a_tall_picture_is_cropped_across_its_height():
    assert crop_box(1000, 3000, (16, 9), (50, 0)) == (0, 0, 1000, 562)
    assert crop_box(1000, 3000, (1, 1), (50, 50)) == (0, 1000, 1000, 2000)


def test_json_ld_lists_three_crops_of_at_least_1200_px(app, client, admin, category):
    story = story_with_image(app, admin, category, (3000, 2000))

    images = ld_images(client, story)

    assert len(images) == 3
    sizes = [fetched(client, url).size for url in images]
    # The library keeps uploads at most 2,400 px wide (blog/core/uploads.py): 2400 x 1600.
    assert sizes == [(MAX_SIDE, 1152), (MAX_SIDE, 1536), (1600, 1600)]
    assert all(width >= 1200 for width, _ in sizes)
    assert all(url.startswith("http://newsroom.test/uploads/") for url in images)


def test_a_small_original_is_cropped_but_never_enlarged(app, client, admin, category):
    story = story_with_image(app, admin, category, (800, 600))

    sizes = [fetched(client, url).size for url in ld_images(client, story)]

    assert sizes == [(800, 450), (800, 600), (600, 600)]


def test_the_focal_point_decides_what_the_square_keeps(app, client, admin, category):
    left = story_with_image(app, admin, category, (1600, 900), focus=(0, 50))
    right = story_with_image(app, admin, category, (1600, 900), focus=(100, 50))

    left_square = fetched(client, ld_images(client, left)[2]).convert("RGB")
    right_square = fetched(client, ld_images(client, right)[2]).convert("RGB")

    red, _, blue = left_square.getpixel((450, 450))
    assert red > 150 and blue < 80
    red, _, blue = right_square.getpixel((450, 450))
    assert blue > 150 and red < 80


def test_a_large_image_waiting_for_the_worker_has_no_crops_yet(app, client, admin, category):
    upload(logged_in_client(app, admin), two_halves((3000, 2000)), "waiting.jpg")
    picture = db.session.scalar(sa.select(Upload).order_by(Upload.id.desc()))
    story = factories.make_article(category=category, image=picture, image_alt="x")
    db.session.commit()

    assert picture.ready is False
    assert ld_images(client, story) == [ld_images(client, story)[0]]
    assert "/static/logo.png" in ld_images(client, story)[0]


def test_without_an_upload_the_picture_or_logo_stands_in(client, article):
    images = ld_images(client, article)

    assert len(images) == 1 and "/static/logo.png" in images[0]


def test_the_editor_sets_the_focal_point(client, auth, editor, category):
    auth.login(editor)
    story = factories.make_article("Focused", category=category)
    db.session.commit()
    form = client.get(f"/admin/articles/{story.id}/edit").get_data(as_text=True)
    assert 'name="focus_x"' in form and 'value="50"' in form
    base = re.search(r'name="base_version" type="hidden" value="([^"]+)"', form).group(1)

    refused = client.post(
        f"/admin/articles/{story.id}/edit",
        data=form_data(category, title="Kept title", base_version=base, focus_x="150"),
    )
    saved = client.post(
        f"/admin/articles/{story.id}/edit",
        data=form_data(category, title="Focused", base_version=base, focus_x="20", focus_y="75"),
    )

    assert refused.status_code == 422
    assert "Kept title" in refused.get_data(as_text=True)
    assert 'value="150"' in refused.get_data(as_text=True)
    assert saved.status_code == 303
    db.session.expire_all()
    stored = db.session.get(type(story), story.id)
    assert (stored.image_focus_x, stored.image_focus_y) == (20, 75)


def test_deleting_an_image_deletes_its_crops(app, client, auth, admin, category):
    story = story_with_image(app, admin, category, (1600, 900), focus=(30, 40))
    crops = [url.rsplit("/", 1)[1] for url in ld_images(client, story)]
    folder = app.instance_path + "/uploads/"
    assert len(crops) == 3 and all(os.path.exists(folder + name) for name in crops)
    picture_id = story.image_id

    auth.login(admin)
    response = client.post(f"/admin/images/{picture_id}/delete")

    assert response.status_code == 303
    assert db.session.get(Upload, picture_id) is None
    assert [name for name in crops if os.path.exists(folder + name)] == []
