"""Bylines (issue 26): several people per article in order, guest contributors without
a login, author pages, feeds, JSON-LD, who may edit, and the editor's byline slots."""

import json
import re

import sqlalchemy as sa

from blog.extensions import db
from blog.models import ArticleByline, GuestAuthor, Role, User
from blog.trust.api import set_bylines
from tests import factories
from tests.factories import article_form as form_data
from tests.factories import make_guest


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_article_credits_its_people_in_order_everywhere(client, author, other_author, category):
    guest = make_guest()
    story = factories.make_article("Three bylines", author=author, category=category)
    set_bylines(story, [other_author, guest, author])
    db.session.commit()

    page = client.get(f"/article/{story.slug}").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    feed = client.get("/feed.xml").get_data(as_text=True)

    byline = re.search(r'<p class="byline meta">(.*?)</p>', page, re.S).group(1)
    names = [other_author.name, guest.name, author.name]
    assert re.findall(r'rel="author" href="[^"]+">([^<]+)</a>', byline) == names
    assert f'href="/contributors/{guest.slug}">{guest.name}</a>' in byline
    assert home.index(other_author.name) < home.index(guest.name) < home.index(author.name)
    entry = feed[feed.index("<entry>") :]
    assert re.findall(r"<author>\s*<name>([^<]+)</name>", entry) == names
    assert f"<uri>http://newsroom.test/contributors/{guest.slug}</uri>" in entry
    people = json_ld(page)["author"]
    assert [p["name"] for p in people] == names
    assert all(p["@type"] == "Person" for p in people)
    assert people[1]["url"] == f"http://newsroom.test/contributors/{guest.slug}"
    assert people[0]["url"] == f"http://newsroom.test/author/{other_author.username}"
    assert f'<meta name="fediverse:creator" content="{guest.fediverse}">' in page


def test_an_article_without_bylines_credits_its_author(client, article, author):
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)

    assert [p["name"] for p in json_ld(page)["author"]] == [author.name]


def test_set_bylines_replaces_in_order_and_drops_duplicates(app, article, author, other_author):
    set_bylines(article, [author, other_author, author])
    db.session.commit()
    set_bylines(article, [other_author, author])
    db.session.commit()

    rows = db.session.scalars(
        sa.select(ArticleByline).where(ArticleByline.article_id == article.id)
        .order_by(ArticleByline.position)
    ).all()  # fmt: skip
    assert [(r.position, r.user_id) for r in rows] == [(0, other_author.id), (1, author.id)]

    set_bylines(article, [])
    db.session.commit()
    assert article.credits == [author]


def test_a_guest_has_a_profile_and_no_account(client, category):
    accounts = db.session.scalar(sa.select(sa.func.count(User.id)))
    guest = make_guest(links="https://ines.example/\nhttps://partner.example/ines")
    story = factories.make_article("Guest piece", category=category)
    set_bylines(story, [guest])
    db.session.commit()

    response = client.get(f"/contributors/{guest.slug}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert guest.name in html and guest.bio in html and "Guest piece" in html
    assert 'href="https://partner.example/ines" rel="me noopener"' in html
    assert f'<meta name="fediverse:creator" content="{guest.fediverse}">' in html
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == accounts + 1  # the author
    assert client.get("/author/ines-freelance").status_code == 404
    assert client.get("/contributors/nobody").status_code == 404


def test_author_page_lists_what_they_are_credited_on(client, author, other_author, category):
    own = factories.make_article("Own story", author=author, category=category)
    shared = factories.make_article("Shared story", author=other_author, category=category)
    handed = factories.make_article("Written for a guest", author=author, category=category)
    set_bylines(shared, [other_author, author])
    set_bylines(handed, [make_guest()])
    db.session.commit()

    html = client.get(f"/author/{author.username}").get_data(as_text=True)

    assert own.title in html and shared.title in html
    assert handed.title not in html  # the byline credits the guest alone
    assert "2 articles" in html


def test_a_credited_author_may_edit_others_may_not(client, auth, author, other_author, category):
    story = factories.make_article("Co-written", author=other_author, category=category)
    alone = factories.make_article("Not mine", author=other_author, category=category)
    set_bylines(story, [other_author, author])
    db.session.commit()
    auth.login(author)

    assert client.get(f"/admin/articles/{story.id}/edit").status_code == 200
    assert client.get(f"/admin/articles/{alone.id}/edit").status_code == 403
    listing = client.get("/admin/articles").get_data(as_text=True)
    assert "Co-written" in listing and "Not mine" not in listing


def test_editor_sets_and_orders_bylines_in_the_editor(client, auth, editor, author, category):
    guest = make_guest()
    story = factories.make_article("Ordered", author=author, category=category)
    db.session.commit()
    auth.login(editor)

    form = client.get(f"/admin/articles/{story.id}/edit").get_data(as_text=True)
    assert 'name="bylines-0"' in form and f'<option selected value="u{author.id}">' in form
    base = re.search(r'name="base_version" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        f"/admin/articles/{story.id}/edit",
        data=form_data(
            category, title="Ordered", status="published", base_version=base,
            **{"bylines-0": f"g{guest.id}", "bylines-1": "", "bylines-2": f"u{author.id}",
               "bylines-3": ""},
        ),
    )  # fmt: skip

    assert response.status_code == 303
    db.session.expire_all()
    assert [p.name for p in db.session.get(type(story), story.id).credits] == [
        guest.name,
        author.name,
    ]


def test_a_byline_naming_nobody_known_gets_the_form_back(client, auth, editor, category):
    auth.login(editor)

    response = client.post(
        "/admin/articles/new",
        data=form_data(category, title="Kept title", **{"bylines-0": "u999999"}),
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose each byline from the list." in html and "Kept title" in html


def test_an_authors_save_keeps_the_bylines(client, auth, author, other_author, category):
    story = factories.make_article("Kept bylines", author=author, category=category,
                                   status="draft")  # fmt: skip
    set_bylines(story, [other_author, author])
    db.session.commit()
    auth.login(author)

    form = client.get(f"/admin/articles/{story.id}/edit").get_data(as_text=True)
    assert 'name="bylines-0"' not in form and "An editor sets the byline." in form
    base = re.search(r'name="base_version" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        f"/admin/articles/{story.id}/edit",
        data=form_data(category, title="Kept bylines", base_version=base,
                       **{"bylines-0": f"u{author.id}"}),
    )  # fmt: skip

    assert response.status_code == 303
    db.session.expire_all()
    story = db.session.get(type(story), story.id)
    assert [p.id for p in story.credits] == [other_author.id, author.id]


def test_editor_adds_a_guest_contributor(client, auth, editor):
    auth.login(editor)

    bad = client.post(
        "/admin/contributors/new",
        data={"name": "Partner Outlet", "fediverse": "partner", "links": "", "photo_id": "0"},
    )
    assert bad.status_code == 422
    assert "@name@server.example" in bad.get_data(as_text=True)
    assert "Partner Outlet" in bad.get_data(as_text=True)

    good = client.post(
        "/admin/contributors/new",
        data={"name": "Partner Outlet", "fediverse": "@desk@partner.example",
              "links": "https://partner.example/", "photo_id": "0", "bio": "A partner."},
    )  # fmt: skip
    assert good.status_code == 303
    guest = db.session.scalar(sa.select(GuestAuthor).where(GuestAuthor.slug == "partner-outlet"))
    assert guest is not None and guest.fediverse == "@desk@partner.example"
    assert "Partner Outlet" in client.get("/admin/contributors").get_data(as_text=True)


def test_authors_cannot_manage_contributors(client, auth, author):
    auth.login(author)

    assert client.get("/admin/contributors").status_code == 403
    assert client.post("/admin/contributors/new", data={"name": "X"}).status_code == 403


def test_deleting_a_guest_removes_their_bylines(client, auth, editor, category):
    guest = make_guest()
    story = factories.make_article("Guest only", category=category)
    set_bylines(story, [guest])
    db.session.commit()
    guest_id, slug = guest.id, guest.slug
    auth.login(editor)

    response = client.post(f"/admin/contributors/{guest_id}/delete")

    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(ArticleByline.id))) == 0
    assert client.get(f"/contributors/{slug}").status_code == 404


def test_roles_of_byline_choices(app, author, reader):
    from blog.trust.api import byline_choices

    keys = [value for value, _ in byline_choices()]
    assert f"u{author.id}" in keys and f"u{reader.id}" not in keys
    assert Role.AUTHOR  # readers are never offered: they have no author page
