"""The per-worker store of pages in front of a shared page cache (blog/core/cache/local.py).

A page this worker already fetched from Redis, or stored there, is answered from its own
memory: Redis emptied behind its back still gives a HIT. The keys carry the versions,
so a change is fresh at once all the same. SimpleCache (already in the worker) gets no
second copy, and PAGE_CACHE_LOCAL_ENTRIES = 0 turns the store off.
"""

import secrets

import pytest

from blog.core.cache.local import LocalPages, RecentVersions
from blog.core.cache.versions import read_versions
from tests import factories
from tests.conftest import AuthActions


@pytest.fixture
def local_entries() -> int:
    return 200  # the default; a test parametrizes it


@pytest.fixture
def versions_seconds() -> float:
    return 0  # exact, as everywhere in the tests; a test parametrizes it


@pytest.fixture
def app_config(redis_url, local_entries, versions_seconds):
    return {
        "PAGE_CACHE": True,
        "PAGE_CACHE_LOCAL_ENTRIES": local_entries,
        "PAGE_CACHE_VERSIONS_SECONDS": versions_seconds,
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"local-{secrets.token_hex(6)}:",
    }


def empty_redis(app) -> int:
    """Delete this test's pages from the Redis server; how many there were."""
    import redis

    server = redis.Redis.from_url(app.config["CACHE_REDIS_URL"])
    keys = server.keys(app.config["CACHE_KEY_PREFIX"] + "*")
    return server.delete(*keys) if keys else 0


def test_a_page_the_worker_has_is_a_hit_without_redis(app, client, article):
    path = f"/article/{article.slug}"
    stored = client.get(path)
    assert stored.headers["X-Cache"] == "MISS"
    assert empty_redis(app) >= 1

    served = client.get(path)

    assert served.status_code == 200
    assert served.headers["X-Cache"] == "HIT"
    assert served.get_data() == stored.get_data()


def test_a_page_fetched_from_redis_is_kept_by_the_worker(app, client, article):
    path = f"/article/{article.slug}"
    client.get(path)
    app.extensions["blog_page_local"].pages.clear()  # as a worker that did not render it
    assert client.get(path).headers["X-Cache"] == "HIT"  # from Redis, now kept
    empty_redis(app)

    assert client.get(path).headers["X-Cache"] == "HIT"


def edit_title(app, admin, article, title: str) -> None:
    editor = app.test_client()
    AuthActions(editor).login(admin)
    data = factories.article_form(
        article.category, title=title, slug=article.slug, status="published", tags=""
    )
    assert editor.post(f"/admin/articles/{article.id}/edit", data=data).status_code == 303


# 60 s: the worker's own write forgets the versions it was reusing.
@pytest.mark.parametrize("versions_seconds", [0, 60])
def test_a_change_is_fresh_although_the_old_page_is_in_memory(app, client, admin, article):
    path = f"/article/{article.slug}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "HIT"

    edit_title(app, admin, article, "Ferry timetable cancelled")
    fresh = client.get(path)

    assert fresh.headers["X-Cache"] == "MISS"
    assert "Ferry timetable cancelled" in fresh.get_data(as_text=True)
    assert client.get(path).headers["X-Cache"] == "HIT"


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE": True, "CACHE_TYPE": "SimpleCache"}])
def test_the_in_process_cache_gets_no_second_copy(app):
    assert app.extensions["blog_page_local"] is None


def test_the_store_keeps_the_most_recently_used_pages():
    store = LocalPages(2)
    store.put("a", 1)
    store.put("b", 2)
    assert store.get("a") == 1  # "a" is now the most recent

    store.put("c", 3)

    assert store.get("b") is None
    assert (store.get("a"), store.get("c")) == (1, 3)
    assert len(store.pages) == 2


@pytest.mark.parametrize("local_entries", [0])
def test_redis_alone_serves_when_the_store_is_off(client, app, article):
    assert app.extensions["blog_page_local"] is None
    path = f"/article/{article.slug}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "HIT"
    empty_redis(app)

    assert client.get(path).headers["X-Cache"] == "MISS"


@pytest.mark.parametrize("versions_seconds", [60])
def test_another_worker_sees_a_change_once_its_versions_are_due(
    app, client, admin, article, tmp_path, app_config
):
    from blog import create_app
    from tests.conftest import base_config

    path = f"/article/{article.slug}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "HIT"
    # The test's own session commits after each request, which forgets the versions as
    # a write would: read them as this worker's last hit did.
    recent = app.extensions["blog_recent_versions"]
    engine = app.extensions.get("blog_versions_engine", app.extensions["blog_engine"])
    recent.get(lambda: read_versions(engine))
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    other = create_app(  # another worker, through which an editor saves
        base_config(tmp_path / "unused.sqlite3", tmp_path)
        | {"SQLALCHEMY_DATABASE_URI": uri}
        | app_config
    )
    with other.app_context():
        edit_title(other, admin, article, "Ferry timetable cancelled")

    lagging = client.get(path)  # within this worker's reuse of its versions
    recent.read_at -= 60  # the reuse is over
    fresh = client.get(path)

    assert lagging.headers["X-Cache"] == "HIT"
    assert "Ferry timetable cancelled" not in lagging.get_data(as_text=True)
    assert fresh.headers["X-Cache"] == "MISS"
    assert "Ferry timetable cancelled" in fresh.get_data(as_text=True)


def test_versions_are_read_again_only_when_due(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("blog.core.cache.local.time.monotonic", lambda: clock[0])
    reads = []
    recent = RecentVersions(0.1)

    def read():
        reads.append(clock[0])
        return (len(reads), 0)

    assert recent.get(read) == (1, 0)
    clock[0] += 0.05
    assert recent.get(read) == (1, 0)
    clock[0] += 0.06
    assert recent.get(read) == (2, 0)
    recent.forget()
    assert recent.get(read) == (3, 0)
    assert RecentVersions(0).get(read) == (4, 0)
