"""Fixtures of the security tests: `world` (one of everything) and a module-wide app."""

import contextlib
import shutil

import pytest

from blog import create_app
from blog.extensions import db
from tests.conftest import IsolatedClient, base_config
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
        shutil.copy(migrated_db, path)
        app = create_app(base_config(path, folder) | (config or {}))
        app.test_client_class = IsolatedClient
        with app.app_context():
            from blog.cli import seed_defaults

            seed_defaults()
            yield app
            db.session.remove()
            db.engine.dispose()
