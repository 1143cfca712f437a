"""Anonymous pages come from the cache until anything changes; nobody else's do."""

import pytest

from blog.core.settings import save_settings
from blog.extensions import db
from tests.factories import make_comment


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


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

    response = client.get("/", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["X-Cache"] == "HIT"
    assert response.headers["ETag"] == etag
    assert response.get_data() == b""
    assert client.get("/", headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_hit_repeats_every_header_of_the_page(client, article):
    first = client.get(f"/article/{article.slug}")
    second = client.get(f"/article/{article.slug}")

    assert second.headers["X-Cache"] == "HIT"
    for name in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
        "Content-Type",
        "Content-Length",
        "Vary",
    ):
        assert second.headers[name] == first.headers[name], name
    assert second.headers["Content-Length"] == str(len(second.get_data()))
    assert "Set-Cookie" not in second.headers
    # Date is the server's (gunicorn, nginx): the app never adds a second one.
    assert "Date" not in first.headers and "Date" not in second.headers


def test_a_head_request_is_answered_from_the_cache_without_a_body(client, article):
    body = client.get(f"/article/{article.slug}").get_data()

    response = client.head(f"/article/{article.slug}")

    assert response.headers["X-Cache"] == "HIT"
    assert response.get_data() == b""
    assert int(response.headers["Content-Length"]) == len(body)


def test_hits_are_answered_before_flask_runs(app, client, article):
    requests_seen = []
    app.before_request(lambda: requests_seen.append(1))  # runs for every Flask request
    client.get("/")
    assert requests_seen == [1]

    assert client.get("/").headers["X-Cache"] == "HIT"
    assert requests_seen == [1]


def test_pages_are_kept_per_host_so_an_untrusted_host_is_still_refused(app, client, article):
    app.config["TRUSTED_HOSTS"] = ["news.example"]
    client.get("/", base_url="http://news.example")
    assert client.get("/", base_url="http://news.example").headers["X-Cache"] == "HIT"

    assert client.get("/", base_url="http://evil.example").status_code == 400


def test_the_same_path_with_another_query_is_another_page(client, article):
    client.get("/")
    response = client.get("/?ref=feed")
    assert response.status_code == 200
    assert response.headers["X-Cache"] == "MISS"
    assert client.get("/?ref=feed").headers["X-Cache"] == "HIT"


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
