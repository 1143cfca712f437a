"""Who the session cookie belongs to (Flask-Login's user loader), and what an anonymous
visitor on a `login_required` view is told."""

import hmac
from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from blog.extensions import db
from blog.models import User
from blog.urls import safe_next


def load_user(user_id: str) -> User | None:
    """The active user of a cookie "id:session_token", or None."""
    id_part, _, token = user_id.partition(":")
    if not id_part.isdigit() or not token:
        return None
    user = db.session.get(User, int(id_part))
    if user is None or not user.active:
        return None
    # Logout, a password change or deactivation rotate the token: old cookies die.
    if not hmac.compare_digest(user.session_token, token):
        return None
    return user


def ask_to_log_in() -> Response:
    """Send an anonymous visitor to the login form, to come back where they were.

    A GET comes back to its own URL. A form POSTed with an expired session (the account
    page's forms) comes back to the page the form was on, read from a same-site Referer:
    the POST URL has no page of its own. Without one, login leads to the front page.
    """
    flash("Please log in to see that page.", "info")
    if request.method in ("GET", "HEAD"):
        back = safe_next(request.full_path.removesuffix("?"))
    else:
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host
        back = safe_next(referrer._replace(scheme="", netloc="").geturl()) if same_site else None
    return redirect(url_for("auth.login", next=back))
