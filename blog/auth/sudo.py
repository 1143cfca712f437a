"""Sudo mode: sensitive actions ask for the password or a second factor again when the
last check in this browser is older than SUDO_SECONDS.

A view opts in with one decorator, which is all a future endpoint (a Ghost or
Substack import) has to add::

    from blog.auth.api import sudo_required

    @bp.post("/tools/import")
    @sudo_required
    def tools_import_run(): ...

The time of the last check lives in the signed session cookie (`checked_at`): set by a
full login (password, then the second factor if the account has one) and by the
confirm page, never by a remember-me cookie bringing a browser back. A GET that needs
sudo comes back to its own URL after the check; a POST cannot be replayed (its form is
gone), so it comes back to the page the form was on, to be submitted again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import flash, redirect, request, session, url_for

from blog.core.urls import safe_next

SUDO_SECONDS = 10 * 60
KEY = "checked_at"


def mark_checked() -> None:
    """The password or a second factor was just checked in this browser."""
    session[KEY] = int(time.time())


def recently_checked() -> bool:
    checked = session.get(KEY)
    return isinstance(checked, int) and 0 <= time.time() - checked < SUDO_SECONDS


def _back() -> str | None:
    if request.method in ("GET", "HEAD"):
        return safe_next(request.full_path.removesuffix("?"))
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer._replace(scheme="", netloc="").geturl())


def sudo_required(view: Callable) -> Callable:
    """Run `view` only if the password or a second factor was checked within the last
    SUDO_SECONDS; otherwise redirect (303) to the confirm page, changing nothing."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if recently_checked():
            return view(*args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            flash("Please confirm it is you, then submit the form again.", "info")
        return redirect(url_for("factors.sudo", next=_back()), code=303)

    wrapper.sudo = True  # read by tests/security/test_sudo.py
    return wrapper
