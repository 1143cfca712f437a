"""Fixtures of the security tests: `world` (one of everything). Module-wide apps:
`tests.conftest.standalone_app`."""

import pytest

from blog.extensions import db
from tests.security.helpers import World, make_world


@pytest.fixture
def world(app, admin, reader, author) -> World:
    w = make_world(admin, reader, author)
    db.session.commit()
    return w
