"""Who the session cookie belongs to: Flask-Login's user loader."""

import hmac

from blog.extensions import db
from blog.models import User


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
