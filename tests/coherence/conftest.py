"""The two sites of the coherence tests, on one database: `app` with every cache on
(`app_config`: in-process, one folder, or Redis) and `reference` with every cache off,
and the `site` both show (tests/coherence/sites.py).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from blog.models import Category, CommentStatus, Role
from tests import factories
from tests.coherence.sites import Site
from tests.conftest import IsolatedClient, base_config


@pytest.fixture(params=["simple", "filesystem", "redis"])
def app_config(request, tmp_path) -> dict:
    cache = {"PAGE_CACHE": True, "MEMO_CACHE": True, "PUBLIC_CACHE_SECONDS": 600}
    if request.param == "filesystem":
        return cache | {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path / "pages")}
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        return cache | {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": f"coherence-{id(request)}:",
        }
    return cache | {"CACHE_TYPE": "SimpleCache"}


@pytest.fixture
def reference(app, tmp_path):
    """The same database with every cache off."""
    other = create_app(
        base_config(tmp_path / "unused.sqlite3", tmp_path)
        | {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PAGE_CACHE": False,
            "MEMO_CACHE": False,
        }
    )
    other.test_client_class = IsolatedClient
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def site(app) -> Site:
    admin = factories.make_user(Role.ADMIN, username="adam")
    writer = factories.make_user(Role.AUTHOR, username="wendy", display_name="Wendy Writer")
    reader = factories.make_user(Role.READER, username="rita", display_name="Rita Reader")
    other = factories.make_user(Role.READER, username="oscar")
    harbour = factories.make_tag("harbour")
    ferry = factories.make_tag("ferry")
    sections = db.session.scalars(sa.select(Category).order_by(Category.position)).all()
    articles = [
        factories.make_article(
            f"Harbour story {i}",
            author=writer if i % 2 else admin,
            category=sections[i % 3],
            tags=[harbour] + ([ferry] if i % 3 == 0 else []),
            body=f"The harbour pier, part {i}.\n\n## Tides\n\n- high\n- low\n",
        )
        for i in range(12)
    ]
    lead = articles[0]
    factories.make_comment(lead, reader, body="First thoughts on the pier.")
    pending = factories.make_comment(
        lead, other, body="Waiting for a moderator.", status=CommentStatus.PENDING
    )
    db.session.commit()
    return Site(admin, writer, reader, other, lead, pending)
