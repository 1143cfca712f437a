"""The page cache shared by several servers or workers: Redis, and one folder on disk.

Two apps on one database stand for two servers (or two gunicorn workers): a page one
stores is a HIT in the other, a change made through one is fresh in the other on its
next request, and logged-in readers are never served from the shared cache. The Redis
tests run a throwaway redis-server on a free port of 127.0.0.1; without redis-server
they are skipped, except on CI (CI=true), where they fail: .ci/run installs it.
"""

import importlib.util
import secrets

import pytest

from blog import create_app
from blog.extensions import db
from blog.models import Article, ArticleStatus, CommentStatus
from tests import factories
from tests.conftest import AuthActions, IsolatedClient, base_config


@pytest.fixture(params=["redis", "filesystem"])
def shared_cache(request, tmp_path) -> dict:
    """Cache settings both apps get: one Redis server, or one folder (CACHE_DIR).

    "simple" (SimpleCache, one per app) is the control, through indirect parametrize.
    """
    if request.param == "redis":
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": request.getfixturevalue("redis_url"),
            # Every test's database starts at the same content version, so the same URL
            # would make the same key: a prefix per test keeps them apart in one server.
            "CACHE_KEY_PREFIX": f"test-{secrets.token_hex(6)}:",
        }
    if request.param == "filesystem":
        return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path / "page-cache")}
    return {"CACHE_TYPE": "SimpleCache"}


@pytest.fixture
def app_config(shared_cache):
    return {"PAGE_CACHE": True} | shared_cache


@pytest.fixture
def other_app(app, app_config, tmp_path):
    """A second app on the same database and cache settings: another server or worker."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    other = create_app(
        base_config(tmp_path / "unused.sqlite3", tmp_path)
        | {"SQLALCHEMY_DATABASE_URI": uri}
        | app_config
    )
    other.test_client_class = IsolatedClient
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def other_client(other_app):
    return other_app.test_client()


@pytest.fixture
def admin_client(app, admin):
    """An admin logged in on the first app, making changes through its admin pages."""
    client = app.test_client()
    AuthActions(client).login(admin)
    return client


def article_form(article: Article, **overrides: str) -> dict:
    return {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body_source,
        "category_id": str(article.category_id),
        "tags": "",
        "image_id": "0",
        "comments_open": "y",
        "status": "published",
    } | overrides


def settings_form(**overrides: str) -> dict:
    return {
        "site_name": "Newsroom",
        "posts_per_page": "10",
        "comment_policy": "open",
        "social_links": "",
    } | overrides


def test_a_page_stored_by_one_server_is_a_hit_in_the_other(client, other_client, article):
    stored = client.get(f"/article/{article.slug}")

    served = other_client.get(f"/article/{article.slug}")

    assert stored.headers["X-Cache"] == "MISS"
    assert served.headers["X-Cache"] == "HIT"
    assert served.get_data() == stored.get_data()
    assert served.headers["ETag"] == stored.headers["ETag"]
    conditional = other_client.get("/", headers={"If-None-Match": client.get("/").headers["ETag"]})
    assert conditional.status_code == 304
    assert conditional.headers["X-Cache"] == "HIT"


@pytest.mark.parametrize("shared_cache", ["simple"], indirect=True)
def test_the_in_process_cache_is_not_shared(client, other_client, article):
    client.get(f"/article/{article.slug}")

    assert other_client.get(f"/article/{article.slug}").headers["X-Cache"] == "MISS"


def edit_title(admin_client, article: Article, _draft: Article, _comment) -> str:
    data = article_form(article, title="Ferry timetable cancelled")
    assert admin_client.post(f"/admin/articles/{article.id}/edit", data=data).status_code == 303
    return "Ferry timetable cancelled"


def publish_draft(admin_client, _article: Article, draft: Article, _comment) -> str:
    data = article_form(draft, status="published")
    assert admin_client.post(f"/admin/articles/{draft.id}/edit", data=data).status_code == 303
    return "Harbour strike ends"


def approve_comment(admin_client, _article: Article, _draft: Article, comment) -> str:
    assert admin_client.post(f"/admin/comments/{comment.id}/approve").status_code == 303
    return "Fresh comment text"


def rename_site(admin_client, _article: Article, _draft: Article, _comment) -> str:
    response = admin_client.post("/admin/settings", data=settings_form(site_name="Harbour Herald"))
    assert response.status_code == 303
    return "Harbour Herald"


@pytest.mark.parametrize(
    ("path", "change"),
    [
        pytest.param("/article/the-harbour-reopens", edit_title, id="edit"),
        pytest.param("/", publish_draft, id="publish"),
        pytest.param("/article/the-harbour-reopens", approve_comment, id="comment"),
        pytest.param("/", rename_site, id="settings"),
    ],
)
def test_a_change_made_through_one_server_is_fresh_in_the_other(
    client, other_client, admin_client, reader, article, path, change
):
    draft = factories.make_article("Harbour strike ends", status=ArticleStatus.DRAFT)
    comment = factories.make_comment(
        article, reader, body="Fresh comment text", status=CommentStatus.PENDING
    )
    db.session.commit()
    client.get(path)
    assert other_client.get(path).headers["X-Cache"] == "HIT"

    expected = change(admin_client, article, draft, comment)

    fresh = other_client.get(path)
    assert fresh.headers["X-Cache"] == "MISS"
    assert expected in fresh.get_data(as_text=True)
    again = client.get(path)  # the fresh page the other server stored
    assert again.headers["X-Cache"] == "HIT"
    assert again.get_data() == fresh.get_data()


def test_logged_in_readers_are_never_served_or_stored(client, other_client, reader, article):
    reader_client = client.application.test_client()
    AuthActions(reader_client).login(reader)
    own_page = reader_client.get(f"/article/{article.slug}")
    assert client.get(f"/article/{article.slug}").headers["X-Cache"] == "MISS"  # not stored
    AuthActions(other_client).login(reader)

    response = other_client.get(f"/article/{article.slug}")

    for page in (own_page, response):
        assert "X-Cache" not in page.headers
        assert "private" in page.headers["Cache-Control"]
        assert reader.name in page.get_data(as_text=True)
    anonymous = client.application.test_client().get(f"/article/{article.slug}")
    assert anonymous.headers["X-Cache"] == "HIT"
    assert reader.name not in anonymous.get_data(as_text=True)


@pytest.mark.parametrize(
    "app_config",
    [{"PAGE_CACHE": True, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": "redis://127.0.0.1:1/0"}],
)
@pytest.mark.skipif(importlib.util.find_spec("redis") is None, reason="redis-py is not installed")
def test_a_redis_outage_costs_the_cache_not_the_site(app, client, article, caplog):
    # Unreachable Redis must fail fast: every anonymous request would wait for it.
    assert app.config["CACHE_OPTIONS"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}

    response = client.get(f"/article/{article.slug}")
    again = client.get("/")

    assert response.status_code == 200 and again.status_code == 200
    assert article.title in response.get_data(as_text=True)
    assert "X-Cache" not in response.headers  # neither served from nor stored in it
    client.get("/")
    warnings = [r for r in caplog.records if "page cache unavailable" in r.getMessage()]
    assert len(warnings) == 1  # once, when the breaker opens, not once per request
