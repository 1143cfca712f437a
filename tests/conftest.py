"""Fixtures: an app on a fresh migrated database, clients, actors, and `auth`.

The database is a SQLite file by default. With BLOG_TEST_DATABASE_URL set to a
postgresql+psycopg URL (a server where that user may CREATE DATABASE), the same
tests run on PostgreSQL: the migrations build a template database once per session
and every test gets its own `CREATE DATABASE t_<hex> TEMPLATE <template>`, dropped
after it. Tests marked `sqlite_only` (PRAGMAs, FTS5 internals, SQLite files) are
skipped there.
"""

import contextlib
import contextvars
import importlib.util
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from blog import create_app
from blog.extensions import db
from blog.models import Role
from tests import factories

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PG_URL = os.environ.get("BLOG_TEST_DATABASE_URL") or None


def on_postgresql() -> bool:
    """Whether this test run uses PostgreSQL (BLOG_TEST_DATABASE_URL is set)."""
    return PG_URL is not None


def pytest_configure(config) -> None:
    if PG_URL and sa.engine.make_url(PG_URL).get_backend_name() != "postgresql":
        raise pytest.UsageError("BLOG_TEST_DATABASE_URL must be a postgresql+psycopg:// URL")


E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items) -> None:
    """How pytest-xdist deals the suite out (`--dist loadgroup`, pyproject.toml): a test
    file stays on one worker, so a module's shared site (the security sweeps) is built
    once, and every browser journey of tests/e2e/ runs on one worker, in order, as in a
    serial run: they share one site and one `blog worker`, and split over two workers a
    journey's digest mail waited over 30 s on a loaded machine."""
    for item in items:
        group = "e2e" if item.path.is_relative_to(E2E) else str(item.path)
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_runtest_setup(item) -> None:
    if PG_URL and item.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite-specific (BLOG_TEST_DATABASE_URL is set)")


def pg_url(name: str) -> str:
    """The test server's URL with another database name."""
    url = sa.engine.make_url(PG_URL).set(database=name)
    return url.render_as_string(hide_password=False)


def _pg_admin(statement: str) -> None:
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def create_pg_database(prefix: str, template: str | None = None) -> str:
    """A new database on the test server (a copy of `template` if given); its name."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    _pg_admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return name


def drop_pg_database(name: str) -> None:
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_pg_snapshots: list[str] = []


def pg_snapshot() -> str:
    """A copy of the current PostgreSQL test database (dropped when the session ends)."""
    name = db.engine.url.database
    db.session.remove()
    db.engine.dispose()
    snapshot = create_pg_database("s", template=name)
    _pg_snapshots.append(snapshot)
    return snapshot


def pg_restore(snapshot: str) -> None:
    """Replace the current PostgreSQL test database with a copy of `snapshot`."""
    name = db.engine.url.database
    db.session.remove()
    db.engine.dispose()
    drop_pg_database(name)
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {snapshot}")


@contextlib.contextmanager
def database_copy(migrated_db, folder: Path) -> Iterator[str]:
    """The URI of a fresh copy of the migrated database, removed afterwards on PG.

    Dispose the engines that use it before leaving the block.
    """
    if not on_postgresql():
        path = folder / "blog.sqlite3"
        shutil.copy(migrated_db, path)
        yield f"sqlite:///{path}"
        return
    name = create_pg_database("t", template=migrated_db)
    try:
        yield pg_url(name)
    finally:
        drop_pg_database(name)


@contextlib.contextmanager
def empty_database(folder: Path) -> Iterator[str]:
    """The URI of an empty database (no tables), removed afterwards on PG."""
    if not on_postgresql():
        yield f"sqlite:///{folder / 'empty.sqlite3'}"
        return
    name = create_pg_database("e")
    try:
        yield pg_url(name)
    finally:
        drop_pg_database(name)


def base_config(db_path: Path, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "WTF_CSRF_ENABLED": False,
        "COMMENT_MIN_SECONDS": 0,
        "SITE_URL": "http://newsroom.test",
        "SERVER_NAME": None,
        "MAIL_SERVER": "",
        # The page cache is on where it is the subject (tests/test_pagecache*.py,
        # tests/test_cache_*.py) and in the end-to-end server; fragments and memos are
        # on everywhere, expired by what the tests' own writes commit.
        "PAGE_CACHE": False,
        # Counted views wait in the buffer until a test flushes it (no writer thread).
        "AUDIENCE_FLUSH_SECONDS": 0,
        # Exact freshness where the page cache is on: versions read on every request
        # (tests/test_page_cache_local.py tests the production reuse of 0.1 s).
        "PAGE_CACHE_VERSIONS_SECONDS": 0,
    }


class IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's app context.

    Flask reuses an already pushed app context for a request, which would share `g`
    and the database session between the test body and every request. Each request
    runs in an empty contextvars context instead, as it would in a real server; then
    the test's own session ends its transaction and forgets what it loaded, so
    assertions read what the request committed.
    """

    def open(self, *args, **kwargs):
        # Buffered: the body is read and the app's iterable closed (no leaked files).
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.commit()
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Iterator[Path | str]:
    """An empty database built once by the real migrations; each test gets a copy.

    A SQLite file's path, or on PostgreSQL the name of a template database.
    """
    folder = tmp_path_factory.mktemp("template")
    if on_postgresql():
        name = create_pg_database("tpl")
        try:
            app = create_app(
                base_config(folder / "unused", folder) | {"SQLALCHEMY_DATABASE_URI": pg_url(name)}
            )
            with app.app_context():
                upgrade()
                db.engine.dispose()
            yield name
        finally:
            for snapshot in _pg_snapshots:
                drop_pg_database(snapshot)
            drop_pg_database(name)
        return
    path = folder / "template.sqlite3"
    app = create_app(base_config(path, folder))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    # Fold the WAL into the main file so a plain copy is complete.
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    yield path


@pytest.fixture
def app_config(tmp_path) -> dict:
    """Override in a test module to change the config of `app`."""
    return {}


@contextlib.contextmanager
def standalone_app(folder, migrated_db, config=None):
    """A migrated app with its own database copy and instance folder, in an app context.

    The `app` fixture is one per test; security tests hold one for a whole module
    (many vectors share one site, which keeps hundreds of parametrized cases fast).
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BLOG_INSTANCE_PATH", str(folder / "instance"))
        path = folder / "blog.sqlite3"
        with database_copy(migrated_db, folder) as uri:
            app = create_app(
                base_config(path, folder) | {"SQLALCHEMY_DATABASE_URI": uri} | (config or {})
            )
            app.test_client_class = IsolatedClient
            with app.app_context():
                from blog.core.seed import seed_defaults

                seed_defaults()
                factories.set_second_factor_policy(factories.TEST_SECOND_FACTOR_POLICY)
                yield app
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def app(tmp_path, migrated_db, app_config):
    with standalone_app(tmp_path, migrated_db, app_config) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _actor(role: Role, username: str):
    user = factories.make_user(role, username=username)
    db.session.commit()
    return user


@pytest.fixture
def reader(app):
    return _actor(Role.READER, "rita")


@pytest.fixture
def other_reader(app):
    return _actor(Role.READER, "oscar")


@pytest.fixture
def author(app):
    return _actor(Role.AUTHOR, "arthur")


@pytest.fixture
def other_author(app):
    return _actor(Role.AUTHOR, "agnes")


@pytest.fixture
def editor(app):
    return _actor(Role.EDITOR, "edith")


@pytest.fixture
def admin(app):
    return _actor(Role.ADMIN, "adam")


# ---- the shared content fixtures: a section, a published article, the comment policy


@pytest.fixture
def category(app):
    """The first section of the navigation (the seeded defaults)."""
    from blog.models import Category

    return db.session.scalars(Category.ordered()).first()


@pytest.fixture
def article(app, author, category):
    """A published article by `author` in `category`, comments open: "The harbour reopens"."""
    a = factories.make_article("The harbour reopens", author=author, category=category)
    db.session.commit()
    return a


@pytest.fixture
def open_policy(app):
    """Comments by readers appear at once (Admin > Settings: no moderation)."""
    factories.set_comment_policy("open")


CSRF_FIELD = re.compile(r'name="(?:\w+-)?csrf_token"[^>]*value="([^"]+)"')


def page_token(client, path: str) -> str:
    """The CSRF token of the form on `path` ("" when CSRF is off and the form has none)."""
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    return match.group(1) if match else ""


class AuthActions:
    """Logs in and out through the real forms, with their CSRF token when CSRF is on.

    The one login helper of the suite: the `auth` fixture, `logged_in_client()`, and the
    security and browser-free tests all log in through it."""

    def __init__(self, client):
        self._client = client

    def login(self, user, password: str = factories.PASSWORD, **extra):
        token = page_token(self._client, "/auth/login")
        response = self._client.post(
            "/auth/login",
            data={"login": user.username, "password": password, "csrf_token": token, **extra},
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self._client.post(
            "/auth/logout", data={"csrf_token": page_token(self._client, "/auth/account")}
        )


@pytest.fixture
def auth(client):
    return AuthActions(client)


def logged_in_client(app, user):
    """A client of its own, logged in as `user` through the real form."""
    client = app.test_client()
    AuthActions(client).login(user)
    return client


def require_redis() -> None:
    """Skip unless redis-server and redis-py are installed (fail instead in CI)."""
    server = shutil.which("redis-server")
    if server is None or importlib.util.find_spec("redis") is None:
        missing = "redis-server (Debian)" if server is None else "redis-py (pip: the dev extra)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} is not installed; .ci/run installs both")
        pytest.skip(f"{missing} is not installed")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A redis-server of its own (no persistence) for this test run; stopped at the end."""
    require_redis()
    from tests.live import RedisServer

    with RedisServer(tmp_path_factory.mktemp("redis")) as redis_server:
        yield redis_server.url


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for one test; see tests/mailing.py."""
    from tests.mailing import start_smtp

    controller = start_smtp()
    yield controller
    controller.stop()
