"""What a request carries beyond Flask's own."""

from collections.abc import Mapping
from typing import Any


def has_login_cookie(config: Mapping[str, Any], cookies: Mapping[str, str]) -> bool:
    """A session or remember cookie: the response may be the reader's own."""
    return (
        config["SESSION_COOKIE_NAME"] in cookies
        or config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies
    )
