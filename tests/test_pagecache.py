"""Anonymous pages come from the cache until anything changes; nobody else's do."""

import pytest

from blog.database import bump_version
from blog.extensions import db
from blog.settings import save_settings
from tests.factories import make_article, make_comment


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


@pytest.fixture
def article(app):
    article = make_article("Ferry timetable changes")
    db.session.commit()
    return article


def test_second_anonymous_request_is_served_from_the_cache(client, article):
    first = client.get(f"/article/{article.slug}")
    second = client.get(f"/article/{article.slug}")

    assert first.headers["X-Cache"] == "MISS"
    assert second.headers["X-Cache"] == "HIT"
    assert second.get_data() == first.get_data()
    assert second.headers["Cache-Control"].startswith("public")
    assert second.headers["ETag"] == first.headers["ETag"]


def test_a_cached_page_still_answers_conditional_requests(client, article):
    etag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda a: setattr(a, "title", "Ferry timetable cancelled"),
            "Ferry timetable cancelled",
            id="edit",
        ),
        pytest.param(
            lambda a: make_comment(a, body="Fresh comment text"), "Fresh comment text", id="comment"
        ),
        pytest.param(
            lambda a: save_settings({"site_name": "Harbour Herald"}),
            "Harbour Herald",
            id="settings",
        ),
    ],
)
def test_any_change_is_visible_on_the_next_request(client, article, change, expected):
    client.get(f"/article/{article.slug}")
    assert client.get(f"/article/{article.slug}").headers["X-Cache"] == "HIT"

    change(article)
    bump_version()
    db.session.commit()

    response = client.get(f"/article/{article.slug}")
    assert response.headers["X-Cache"] == "MISS"
    assert expected in response.get_data(as_text=True)


def test_logged_in_readers_are_never_served_or_stored(client, auth, reader, article):
    client.get(f"/article/{article.slug}")  # stored for anonymous readers
    auth.login(reader)

    response = client.get(f"/article/{article.slug}")

    assert "X-Cache" not in response.headers
    assert "private" in response.headers["Cache-Control"]
    assert reader.name in response.get_data(as_text=True)


def test_requests_with_a_session_cookie_are_not_served_from_the_cache(client, app, article):
    client.get("/")
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "anything")

    response = client.get("/")

    assert "X-Cache" not in response.headers
    assert "private" in response.headers["Cache-Control"]


def test_error_pages_and_searches_with_sessions_are_not_stored(client):
    assert "X-Cache" not in client.get("/article/no-such-article").headers
    assert "X-Cache" not in client.get("/article/no-such-article").headers


def test_the_cache_can_be_switched_off(app, client, article):
    app.config["PAGE_CACHE"] = False
    client.get("/")
    assert "X-Cache" not in client.get("/").headers
