"""Categories, tags, pages, users, settings and the audit log in the admin."""

import re

import pytest
import sqlalchemy as sa

from blog.core.cache.site import get_settings
from blog.extensions import db
from blog.models import Article, AuditLog, Category, Page, Role, Tag, User
from tests import factories


def names_in_order() -> list[str]:
    return db.session.scalars(sa.select(Category.name).order_by(Category.position)).all()


# ---------------------------------------------------------------- categories


def test_create_category(client, auth, editor):
    auth.login(editor)

    response = client.post(
        "/admin/categories", data={"name": "Local  Politics", "description": "Town hall"}
    )

    created = db.session.scalar(sa.select(Category).where(Category.slug == "local-politics"))
    assert response.status_code == 303
    assert created.name == "Local Politics" and created.description == "Town hall"
    assert names_in_order()[-1] == "Local Politics"
    assert client.get("/").get_data(as_text=True).count("Local Politics") >= 1


def test_duplicate_category_name_is_refused(client, auth, editor):
    existing = db.session.scalars(Category.ordered()).first()
    auth.login(editor)

    response = client.post("/admin/categories", data={"name": existing.name.upper()})

    assert response.status_code == 422
    assert "already has this name" in response.get_data(as_text=True)


def test_rename_category(client, auth, editor):
    category = factories.make_category("Sprots")
    db.session.commit()
    auth.login(editor)

    response = client.post(
        f"/admin/categories/{category.id}/edit",
        data={"name": "Sport", "slug": "sport", "description": "Games"},
    )

    assert response.status_code == 303
    saved = db.session.get(Category, category.id)
    assert (saved.name, saved.slug, saved.description) == ("Sport", "sport", "Games")


def test_reorder_categories(client, auth, editor):
    first, second = names_in_order()[:2]
    second_id = db.session.scalar(sa.select(Category.id).where(Category.name == second))
    auth.login(editor)

    client.post(f"/admin/categories/{second_id}/move/up")

    assert names_in_order()[:2] == [second, first]


def test_delete_empty_category(client, auth, editor):
    category_id = factories.make_category("Empty").id
    db.session.commit()
    auth.login(editor)

    response = client.post(f"/admin/categories/{category_id}/delete")

    assert response.status_code == 303
    assert db.session.get(Category, category_id) is None


def test_category_with_articles_needs_a_target(client, auth, editor):
    source = factories.make_category("Old section")
    target = factories.make_category("New section")
    article = factories.make_article(category=source)
    db.session.commit()
    source_id, target_id, article_id = source.id, target.id, article.id
    auth.login(editor)

    refused = client.post(f"/admin/categories/{source_id}/delete", data={"move_to": "0"})
    moved = client.post(f"/admin/categories/{source_id}/delete", data={"move_to": str(target_id)})

    assert refused.status_code == 422
    assert "choose where to move them" in refused.get_data(as_text=True)
    assert moved.status_code == 303
    assert db.session.get(Category, source_id) is None
    assert db.session.get(Article, article_id).category_id == target_id


# ---------------------------------------------------------------- tags


def test_rename_tag(client, auth, editor):
    tag = factories.make_tag("Clmate")
    db.session.commit()
    auth.login(editor)

    client.post(f"/admin/tags/{tag.id}/edit", data={"name": "Climate", "slug": ""})

    assert (db.session.get(Tag, tag.id).name, db.session.get(Tag, tag.id).slug) == (
        "Climate",
        "climate",
    )


def test_tag_description_is_edited_and_shown_on_its_page(client, auth, editor):
    tag = factories.make_tag("Harbour")
    db.session.commit()
    auth.login(editor)
    assert "Description" in client.get(f"/admin/tags/{tag.id}/edit").text

    response = client.post(
        f"/admin/tags/{tag.id}/edit",
        data={"name": "Harbour", "description": "  Ships and quays.\x00 "},
    )

    assert response.status_code == 422  # a control character: the form again, as typed
    assert "Ships and quays." in response.text
    response = client.post(
        f"/admin/tags/{tag.id}/edit",
        data={"name": "Harbour", "description": "  Ships <b>and</b> quays. "},
    )
    assert response.status_code == 303
    assert "Saved the tag “Harbour”." in client.get(response.location).text
    assert db.session.get(Tag, tag.id).description == "Ships <b>and</b> quays."
    page = client.get(f"/tag/{tag.slug}").text
    assert "Ships &lt;b&gt;and&lt;/b&gt; quays." in page  # text, never markup
    too_long = client.post(
        f"/admin/tags/{tag.id}/edit", data={"name": "Harbour", "description": "x" * 1001}
    )
    assert too_long.status_code == 422 and db.session.get(Tag, tag.id).description


def test_rename_onto_existing_tag_suggests_merge(client, auth, editor):
    factories.make_tag("Climate")
    tag = factories.make_tag("Climat")
    db.session.commit()
    auth.login(editor)

    response = client.post(f"/admin/tags/{tag.id}/edit", data={"name": "climate"})

    assert response.status_code == 422
    assert "merge into it" in response.get_data(as_text=True)


def test_merge_tags(client, auth, editor):
    keep, drop = factories.make_tag("Climate"), factories.make_tag("Climate change")
    both = factories.make_article(tags=[keep, drop])
    only_drop = factories.make_article(tags=[drop])
    db.session.commit()
    drop_id = drop.id
    auth.login(editor)

    response = client.post(f"/admin/tags/{drop_id}/merge", data={"into": str(keep.id)})

    assert response.status_code == 303
    assert db.session.get(Tag, drop_id) is None
    assert [t.name for t in db.session.get(Article, both.id).tags] == ["Climate"]
    assert [t.name for t in db.session.get(Article, only_drop.id).tags] == ["Climate"]


def test_delete_tag(client, auth, editor):
    tag = factories.make_tag("Obsolete")
    article = factories.make_article(tags=[tag])
    db.session.commit()
    tag_id = tag.id
    auth.login(editor)

    client.post(f"/admin/tags/{tag_id}/delete")

    assert db.session.get(Tag, tag_id) is None
    assert db.session.get(Article, article.id).tags == []


# ---------------------------------------------------------------- pages


def test_create_and_edit_page(client, auth, editor):
    auth.login(editor)

    response = client.post(
        "/admin/pages/new",
        data={
            "title": "Corrections",
            "body": "We fix **errors**.",
            "in_footer": "y",
            "position": "5",
        },
    )
    page = db.session.scalar(sa.select(Page).where(Page.slug == "corrections"))
    assert response.status_code == 303
    assert "<strong>errors</strong>" in page.body_html and page.in_footer

    client.post(
        f"/admin/pages/{page.id}/edit",
        data={"title": "Corrections", "slug": "corrections", "body": "Changed", "position": "1"},
    )

    page = db.session.get(Page, page.id)
    assert page.body_source == "Changed" and page.in_footer is False and page.position == 1
    assert "Changed" in client.get("/pages/corrections").get_data(as_text=True)


def test_page_slug_must_be_unique(client, auth, editor):
    auth.login(editor)

    response = client.post("/admin/pages/new", data={"title": "About again", "slug": "about"})

    assert response.status_code == 422
    assert "About again" in response.get_data(as_text=True)


def test_delete_page(client, auth, editor):
    page_id = factories.make_page("Temporary").id
    db.session.commit()
    auth.login(editor)

    client.post(f"/admin/pages/{page_id}/delete")

    assert db.session.get(Page, page_id) is None


# ---------------------------------------------------------------- users


def test_search_users(client, auth, admin, reader, author):
    auth.login(admin)

    text = client.get("/admin/users?q=rit").get_data(as_text=True)

    assert "rita" in text and "arthur" not in text


def test_change_role(client, auth, admin, reader):
    auth.login(admin)

    response = client.post(f"/admin/users/{reader.id}/role", data={"role": str(int(Role.AUTHOR))})

    assert response.status_code == 303
    assert db.session.get(User, reader.id).role == Role.AUTHOR
    assert db.session.scalar(sa.select(AuditLog.detail)) == "rita: reader → author"


def test_last_admin_cannot_be_demoted_or_deactivated(client, auth, admin):
    auth.login(admin)

    demote = client.post(f"/admin/users/{admin.id}/role", data={"role": str(int(Role.EDITOR))})
    client.post(f"/admin/users/{admin.id}/deactivate")

    assert demote.status_code == 422
    assert "last active admin" in demote.get_data(as_text=True)
    user = db.session.get(User, admin.id)
    assert user.role == Role.ADMIN and user.active


def test_admin_can_be_demoted_when_another_remains(client, auth, admin):
    other = factories.make_user(Role.ADMIN, username="ada")
    db.session.commit()
    auth.login(admin)

    client.post(f"/admin/users/{other.id}/role", data={"role": str(int(Role.EDITOR))})

    assert db.session.get(User, other.id).role == Role.EDITOR


def test_deactivate_ends_sessions_and_reactivate(app, client, auth, admin, author):
    author_client = app.test_client()
    author_client.post("/auth/login", data={"login": "arthur", "password": factories.PASSWORD})
    assert author_client.get("/admin/").status_code == 200
    auth.login(admin)

    response = client.post(f"/admin/users/{author.id}/deactivate")

    assert response.status_code == 303
    assert db.session.get(User, author.id).active is False
    assert author_client.get("/admin/").status_code == 302

    client.post(f"/admin/users/{author.id}/reactivate")
    assert db.session.get(User, author.id).active is True


# ---------------------------------------------------------------- settings


def settings_form(**overrides) -> dict:
    data = {
        "site_name": "The Valley Courier",
        "tagline": "News from the valley",
        "about": "A cooperative newsroom.",
        "donate_url": "https://example.org/give",
        "donate_text": "Chip in.",
        "social_links": "Mastodon https://example.social/@courier\nRSS Feed https://x.test/feed",
        "posts_per_page": "15",
        "comment_policy": "all",
        "authors_can_publish": "y",
    }
    data.update(overrides)
    return data


def test_settings_are_saved_and_shown(client, auth, admin):
    auth.login(admin)

    response = client.post("/admin/settings", data=settings_form())

    assert response.status_code == 303
    values = get_settings()
    assert values["site_name"] == "The Valley Courier"
    assert values["social_links"] == {
        "Mastodon": "https://example.social/@courier",
        "RSS Feed": "https://x.test/feed",
    }
    assert values["posts_per_page"] == 15 and values["comment_policy"] == "all"
    assert values["authors_can_publish"] is True
    assert "The Valley Courier" in client.get("/").get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditLog.action)) == "settings.update"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("donate_url", "javascript:alert(1)", "http:// or https://"),
        ("social_links", "Evil javascript:alert(1)", "Line 1"),
        ("posts_per_page", "0", "between 1 and 100"),
        ("posts_per_page", "many", "Not a valid integer"),
        ("comment_policy", "whatever", "Not a valid choice"),
        ("site_name", "", "This field is required"),
    ],
)
def test_bad_settings_are_refused(client, auth, admin, field, value, message):
    auth.login(admin)

    response = client.post("/admin/settings", data=settings_form(**{field: value}))

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "News from the valley" in response.get_data(as_text=True)  # nothing typed is lost
    assert get_settings()["tagline"] != "News from the valley"


# ---------------------------------------------------------------- audit


def test_audit_log_lists_actions(client, auth, admin, reader):
    auth.login(admin)
    client.post(f"/admin/users/{reader.id}/deactivate")

    text = client.get("/admin/audit").get_data(as_text=True)

    assert "user.deactivate" in text and "adam" in text and f"user #{reader.id}" in text


def test_a_draft_page_is_seen_by_staff_only(client, auth, editor):
    auth.login(editor)
    client.post(
        "/admin/pages/new",
        data={"title": "Masthead", "body": "Who we are", "in_footer": "y", "draft": "y"},
    )
    page = db.session.scalar(sa.select(Page).where(Page.slug == "masthead"))
    assert page is not None and not page.published
    assert "(draft)" in client.get("/admin/pages").text
    edit_form = client.get(f"/admin/pages/{page.id}/edit").text
    assert "checked" in re.search(r'<input[^>]*name="draft"[^>]*>', edit_form).group()
    auth.logout()
    assert client.get("/pages/masthead").status_code == 404
    assert "/pages/masthead" not in client.get("/").text
    assert "/pages/masthead" not in client.get("/sitemap.xml").text

    auth.login(editor)
    client.post(
        f"/admin/pages/{page.id}/edit",
        data={"title": "Masthead", "slug": "masthead", "body": "Who we are", "in_footer": "y"},
    )
    auth.logout()
    assert client.get("/pages/masthead").status_code == 200
    assert "/pages/masthead" in client.get("/").text
