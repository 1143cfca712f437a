"""With the database gone, readers get the site's own 503 page with Retry-After.

Two ways down: an app that never reached its database (an unreachable URL, on SQLite and
on PostgreSQL), and one whose database goes away after it served pages (its chrome then
comes from the worker's last copy of the site).
"""

import sqlite3

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from tests import factories
from tests.conftest import base_config

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-folder/for/sure/blog.sqlite3",
    "postgresql": "postgresql+psycopg://blog@127.0.0.1:9/blog?connect_timeout=2",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def down_app(request, tmp_path, monkeypatch):
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    config = base_config(tmp_path / "unused.sqlite3", tmp_path)
    app = create_app(config | {"SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param]})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/article/some-story", "/category/news", "/auth/login",
                                  "/search?q=harbour", "/pages/about"])  # fmt: skip
def test_an_unreachable_database_gives_the_sites_own_503(down_app, path):
    response = down_app.test_client().get(path)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Back in a moment" in page and "cannot reach its database" in page
    assert "The Newsroom" in page  # the default chrome: no setting could be read
    assert 'rel="stylesheet" href="/static/style.css?v=' in page
    assert "Internal Server Error" not in page


def test_a_form_post_while_down_gets_the_503_too(down_app):
    response = down_app.test_client().post("/auth/login", data={"username": "a", "password": "b"})

    assert response.status_code == 503
    assert "it was not saved" in response.get_data(as_text=True)


def test_healthz_still_answers_503_in_json(down_app):
    response = down_app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def refuse_connections(*args, **kwargs):
    raise sqlite3.OperationalError("unable to open database file")


def test_a_database_lost_after_serving_keeps_the_last_known_chrome(app, client, category):
    from blog.core.database import writing
    from blog.core.settings import save_settings

    with writing():
        save_settings({"site_name": "Harbour Gazette"})
        db.session.commit()
    factories.make_article("Wall repaired", category=category)
    db.session.commit()
    assert client.get("/").status_code == 200
    section = category.name
    db.session.remove()
    db.engine.dispose()  # every connection is new from here: the database is gone
    # PostgreSQL reads the versions on a pool of its own (blog/core/driver.py).
    engines = {db.engine, app.extensions.get("blog_versions_engine", db.engine)}
    for engine in engines:
        sa.event.listen(engine, "do_connect", refuse_connections)
    try:
        response = client.get("/")
    finally:
        for engine in engines:
            sa.event.remove(engine, "do_connect", refuse_connections)
        db.engine.dispose()

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Harbour Gazette" in page and section in page
    assert client.get("/").status_code == 200


def test_a_connection_lost_under_a_request_still_gives_the_page(app, client, article, monkeypatch):
    """The database drops the connection while the page is made: the ROLLBACK that closes
    the session then fails after the response exists, and must not become a bare 500."""
    dialect = db.engine.dialect
    rollback = dialect.do_rollback
    gone: list[bool] = []

    @app.teardown_appcontext
    def connection_dropped(_exc):  # registered last, so it runs first: the link breaks now
        gone.append(True)

    def lost_rollback(dbapi_connection):
        if gone:
            raise dialect.loaded_dbapi.OperationalError("server closed the connection")
        rollback(dbapi_connection)

    monkeypatch.setattr(dialect, "do_rollback", lost_rollback)
    # As psycopg's errors on a dropped connection are: SQLAlchemy invalidates it.
    monkeypatch.setattr(dialect, "is_disconnect", lambda *args: bool(gone))
    response = client.get(f"/article/{article.slug}")

    assert gone and response.status_code == 200
    assert article.title in response.get_data(as_text=True)
    gone.clear()
    assert client.get("/").status_code == 200  # a new connection from the pool
    db.session.close()  # this test's own session, which read the article
    assert db.engine.pool.checkedout() == 0  # the broken request left none behind
