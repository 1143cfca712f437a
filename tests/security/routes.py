"""The app's route table at collection time, so every rule gets its own test id.

A new route is picked up automatically: tests parametrized from here fail for it until
tests/security/helpers.url_values() knows how to build its URL.
"""

from functools import cache

from blog import create_app

_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "collection-only-secret-key-0123456789abcdef",
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
}


@cache
def endpoints(method: str) -> tuple[str, ...]:
    """Endpoints with a rule answering `method` (static files aside for POST)."""
    app = create_app(_CONFIG)
    return tuple(
        sorted({r.endpoint for r in app.url_map.iter_rules() if method in (r.methods or ())})
    )
