"""The pre-publish checklist: it blocks a first publication that misses an item, an
editor's override goes through and is audited (blog/admin/checklist.py)."""

import pytest
import sqlalchemy as sa

from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Article, ArticleStatus, AuditLog, Upload
from tests.factories import article_form, make_article

GOOD_SUMMARY = "After a dry spring, the valley's farmers got the rain they had waited for."


@pytest.fixture
def all_checks(app):
    from blog.admin.checklist import CHECKS

    save_settings({"publish_checklist": list(CHECKS)})
    db.session.commit()


def wide_image(width=1600) -> Upload:
    upload = Upload(filename=f"{width:08x}.png", content_type="image/png", width=width, height=900)
    db.session.add(upload)
    db.session.commit()
    return upload


def publish(client, category, **fields):
    data = article_form(category, status="published", **fields)
    return client.post("/admin/articles/new", data=data)


def stored_titles() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Article.title)).all()


def test_the_checklist_is_off_until_the_newsroom_turns_it_on(client, auth, editor, category):
    auth.login(editor)

    assert publish(client, category).status_code == 303


def test_a_complete_article_passes(client, auth, editor, category, all_checks):
    image = wide_image()
    auth.login(editor)

    response = publish(client, category, summary=GOOD_SUMMARY, image_id=str(image.id),
                       image_alt="Rain on a field")  # fmt: skip

    assert response.status_code == 303, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "There is no featured image."),
        ({"summary": "Too short."}, "The summary has 10 characters; write at least 50."),
        ({"tags": ""}, "Add at least one tag."),
        ({"title": "A" * 120}, "The title has 120 characters; keep it under 110."),
        ({"body": "See [the draft](/article/unfinished-story)."}, "/article/unfinished-story"),
        (
            {"body": "See [this](/nowhere/at-all)."},
            "Links to a draft or a missing page: /nowhere/at-all",
        ),
    ],
)
def test_a_missing_item_blocks_publishing_with_the_form_kept(
    client, auth, editor, author, category, all_checks, fields, message
):
    make_article("Unfinished story", author=author, category=category, status=ArticleStatus.DRAFT)
    db.session.commit()
    image = wide_image()
    typed = {"summary": GOOD_SUMMARY, "image_id": str(image.id), "image_alt": "Rain", **fields}
    if fields == {}:
        typed = {"summary": GOOD_SUMMARY}
    auth.login(editor)

    response = publish(client, category, **typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "Publish despite the checklist" in page
    assert "Rain returns to the valley" not in stored_titles()


def test_a_narrow_image_fails(client, auth, editor, category, all_checks):
    image = wide_image(800)
    auth.login(editor)

    response = publish(client, category, summary=GOOD_SUMMARY, image_id=str(image.id),
                       image_alt="Rain")  # fmt: skip

    assert "800 px wide; use one of at least 1200 px" in response.get_data(as_text=True)


def test_links_to_public_pages_pass(client, auth, editor, article, category, all_checks):
    image = wide_image()
    auth.login(editor)
    body = (f"See [it](/article/{article.slug}), [the section](/category/{category.slug}) "
            "and [elsewhere](https://example.org/x).")  # fmt: skip

    response = publish(client, category, summary=GOOD_SUMMARY, image_id=str(image.id),
                       image_alt="Rain", body=body)  # fmt: skip

    assert response.status_code == 303


def test_an_editor_overrides_and_the_override_is_audited(
    client, auth, editor, category, all_checks
):
    auth.login(editor)

    response = publish(client, category, checklist_override="y")

    assert response.status_code == 303
    assert "Rain returns to the valley" in stored_titles()
    detail = db.session.scalar(
        sa.select(AuditLog.detail).where(AuditLog.action == "article.checklist_override")
    )
    assert "There is no featured image." in detail


def test_an_author_cannot_override(client, auth, author, category, all_checks):
    save_settings({"authors_can_publish": True})
    db.session.commit()
    auth.login(author)

    response = publish(client, category, checklist_override="y")

    assert response.status_code == 422
    assert "Publish despite the checklist" not in response.get_data(as_text=True)
    assert "Rain returns to the valley" not in stored_titles()


def test_a_draft_and_an_already_published_article_are_not_checked(
    client, auth, editor, article, category, all_checks
):
    auth.login(editor)

    draft = client.post("/admin/articles/new", data=article_form(category, status="draft"))
    fix = client.post(
        f"/admin/articles/{article.id}/edit",
        data=article_form(category, title=article.title, slug=article.slug, status="published",
                          body="A typo fixed."),
    )  # fmt: skip

    assert draft.status_code == 303
    assert fix.status_code == 303


def test_the_newsroom_switches_items_in_settings(client, auth, admin):
    auth.login(admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "A title under 110 characters" in page

    data = {"site_name": "The Valley Courier", "posts_per_page": "15", "comment_policy": "all",
            "publish_checklist": ["title", "links"]}  # fmt: skip
    response = client.post("/admin/settings", data=data)

    assert response.status_code == 303
    from blog.core.cache.site import get_settings

    assert get_settings()["publish_checklist"] == ["title", "links"]
