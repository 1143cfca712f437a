"""What other features use of accounts: the rules for usernames, emails and passwords;
sudo mode (`sudo_required`, blog/auth/sudo.py) for sensitive views; and the admin's
reset of a staff member's second factors (`reset_second_factors`); `open_session`,
which logs a user in on a new login session (blog/auth/signin.py); `signed_in_user`, the
`User` behind `current_user` (a frozen `Viewer` on a GET, blog/auth/sessions.py)."""

from blog.auth.rules import normalize_email, normalize_username
from blog.auth.sessions import signed_in_user
from blog.auth.signin import open_session, reset_second_factors
from blog.auth.sudo import sudo_required

__all__ = [
    "normalize_email", "normalize_username", "open_session", "reset_second_factors",
    "signed_in_user", "sudo_required",
]  # fmt: skip
