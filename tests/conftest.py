"""Fixtures: an app on a fresh migrated SQLite file, clients, actors, and `auth`."""

import contextvars
import shutil
import sqlite3
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade

from blog import create_app
from blog.extensions import db
from blog.models import Role
from tests import factories

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


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
        # Factories write without bumping the content version, as views do; the page
        # cache is on in tests/test_pagecache.py and in the end-to-end server.
        "PAGE_CACHE": False,
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
def migrated_db(tmp_path_factory) -> Path:
    """An empty database built once by the real migrations; each test gets a copy."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    app = create_app(base_config(path, folder))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    # Fold the WAL into the main file so a plain copy is complete.
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


@pytest.fixture
def app_config(tmp_path) -> dict:
    """Override in a test module to change the config of `app`."""
    return {}


@pytest.fixture
def app(tmp_path, migrated_db, app_config, monkeypatch):
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    db_path = tmp_path / "blog.sqlite3"
    shutil.copy(migrated_db, db_path)
    app = create_app(base_config(db_path, tmp_path) | app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        from blog.cli import seed_defaults

        seed_defaults()
        yield app
        db.session.remove()
        db.engine.dispose()


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


class AuthActions:
    """Logs in and out through the real forms."""

    def __init__(self, client):
        self._client = client

    def login(self, user, password: str = factories.PASSWORD, **extra):
        response = self._client.post(
            "/auth/login", data={"login": user.username, "password": password, **extra}
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
