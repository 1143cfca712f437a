"""Fixtures of the security tests: `world` (one of everything) and a module-wide app."""

import contextlib

import pytest

from blog import create_app
from blog.extensions import db
from tests.conftest import IsolatedClient, base_config, database_copy
from tests.security.helpers import World, make_world


@pytest.fixture
def world(app, admin, reader, author) -> World:
    w = make_world(admin, reader, author)
    db.session.commit()
    return w


@contextlib.contextmanager
def standalone_app(folder, migrated_db, config=None):
    """An app like conftest's `app`, for fixtures wider than one test (many vectors
    share one site, which keeps hundreds of parametrized cases fast)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BLOG_INSTANCE_PATH", str(folder / "instance"))
        path = folder / "blog.sqlite3"
        with database_copy(migrated_db, folder) as uri:
            app = create_app(
                base_config(path, folder) | {"SQLALCHEMY_DATABASE_URI": uri} | (config or {})
            )
            app.test_client_class = IsolatedClient
            with app.app_context():
                from blog.cli import seed_defaults

                seed_defaults()
                yield app
                db.session.remove()
                db.engine.dispose()
