"""SQL, template-injection and format-string input is stored and shown literally."""

import pytest
import sqlalchemy as sa

from blog.core.content import render_comment
from blog.extensions import db
from blog.models import Article, Comment, User
from tests import factories
from tests.security.helpers import comment_by, login, parse, text_of

PAYLOADS = [
    "'; DROP TABLE user;--",
    '" OR 1=1 --',
    "1) UNION SELECT password_hash FROM user--",
    "{{7*7}}",
    "{{ config.SECRET_KEY }}",
    "{% print 1 %}",
    "{%print 1%}",
    "${7*7}",
    "#{7*7}",
    "%s%n%x%d",
    "{0.__class__}",
    "{0.__class__.__mro__}",
    "%(secret)s",
    "\\' AND sleep(5)--",
    '"* NEAR OR ) (',
]
IDS = [repr(p) for p in PAYLOADS]
# Signs that something was evaluated, anywhere on the page ("49" for {{7*7}} is checked
# in the element that shows the input: page text has other numbers, e.g. in names).
EVALUATED = ("<class", "test-secret-key", "pbkdf2:", "__mro__")


def page_text(html: str) -> str:
    return text_of(parse(html).find(".//main"))


def assert_literal(text: str, payload: str) -> None:
    assert " ".join(payload.split()) in text
    for sign in EVALUATED:
        if sign not in payload:
            assert sign not in text, sign


def tables_intact() -> None:
    for model in (User, Article, Comment):
        db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_search_shows_the_query_literally(client, world, payload):
    response = client.get("/search", query_string={"q": payload})

    assert response.status_code == 200
    assert_literal(page_text(response.get_data(as_text=True)), payload)
    tables_intact()


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_comment_body_is_shown_literally(client, world, payload):
    login(client, world.reader)

    response = client.post(f"/article/{world.article.slug}/comments", data={"body": payload})

    assert response.status_code in (302, 303)
    assert comment_by(world.reader).body_source == payload
    html = client.get(f"/article/{world.article.slug}").get_data(as_text=True)
    bodies = [text_of(el) for el in parse(html).iter() if "comment-body" in el.get("class", "")]
    # A comment is Markdown ("1)" starts a list, __x__ is bold): shown as its Markdown
    # text, never evaluated.
    expected = text_of(parse(f"<div>{render_comment(payload)}</div>").find(".//div"))
    assert expected in bodies, bodies
    assert "49" not in expected
    for sign in EVALUATED:
        if sign not in payload:
            assert sign not in page_text(html), sign
    tables_intact()


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_article_title_is_shown_literally(client, world, payload):
    login(client, world.admin)

    response = client.post(
        "/admin/articles/new",
        data={
            "title": payload,
            "summary": payload,
            "body": payload,
            "category_id": str(world.category.id),
            "image_id": "0",
            "status": "published",
        },
    )

    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    article = db.session.scalar(sa.select(Article).where(Article.title == payload))
    html = client.get(f"/article/{article.slug}").get_data(as_text=True)
    (h1,) = parse(html).iter("h1")
    assert text_of(h1) == " ".join(payload.split())
    assert_literal(page_text(html), payload)
    for url in ("/", f"/category/{world.category.slug}", "/admin/articles"):
        assert " ".join(payload.split()) in page_text(client.get(url).get_data(as_text=True))
    tables_intact()


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_display_name_is_shown_literally(client, world, payload):
    login(client, world.author)

    response = client.post(
        "/auth/account", data={"profile-display_name": payload, "profile-bio": payload}
    )

    assert response.status_code == 303
    html = client.get(f"/author/{world.author.username}").get_data(as_text=True)
    (h1,) = parse(html).iter("h1")
    assert text_of(h1) == " ".join(payload.split())
    assert_literal(page_text(html), payload)
    tables_intact()


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_login_and_admin_user_search_take_the_text_literally(client, world, payload):
    response = client.post("/auth/login", data={"login": payload, "password": payload})
    assert response.status_code == 422
    login(client, world.admin)

    response = client.get("/admin/users", query_string={"q": payload})

    assert response.status_code == 200
    tables_intact()


def test_a_username_that_looks_like_sql_is_just_refused(client):
    response = client.post(
        "/auth/register",
        data={
            "username": "x' OR '1'='1",
            "email": "x@example.com",
            "password": "a fine passphrase",
        },
    )

    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert factories.PASSWORD not in response.get_data(as_text=True)
