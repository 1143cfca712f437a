"""Rules for usernames, emails and passwords, shared by forms, the CLI and the admin."""

import re
import unicodedata
from functools import cache
from importlib.resources import files

from email_validator import EmailNotValidError, validate_email

USERNAME_RE = re.compile(r"^[a-z0-9_]{3,30}$")
RESERVED_USERNAMES = frozenset(
    {
        "admin", "administrator", "root", "staff", "editor", "editors", "support", "api",
        "static", "system", "moderator", "mod", "webmaster", "postmaster", "hostmaster",
        "security", "abuse", "info", "help", "news", "newsroom", "official", "auth",
        "login", "logout", "register", "account", "null", "none", "undefined",
        "anonymous", "deleted", "deleted_user", "owner", "team", "sysadmin",
    }
)  # fmt: skip
MIN_PASSWORD = 10
MAX_PASSWORD = 1000


def normalize_username(raw: str) -> str:
    """NFKC-normalised and case-folded: `Admin` and full-width `ａｄｍｉｎ` become `admin`."""
    return unicodedata.normalize("NFKC", raw).casefold().strip()


def username_problem(raw: str, *, allow_reserved: bool = False) -> str | None:
    """Why this username cannot be registered, or None if it can."""
    name = normalize_username(raw)
    if not USERNAME_RE.match(name):
        return "Usernames are 3 to 30 characters: letters a-z, digits and underscores."
    if not allow_reserved and name in RESERVED_USERNAMES:
        return "That username is reserved. Please choose another."
    return None


def normalize_email(raw: str) -> str:
    """The address as stored: validated form with the whole address lower-cased.

    Raises ValueError with a readable message when the address is not valid.
    """
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error
    return result.normalized.lower()


@cache
def common_passwords() -> frozenset[str]:
    text = files("blog").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str) -> str | None:
    """Why this password is refused, or None. Length and common-password checks only."""
    if len(password) < MIN_PASSWORD:
        return f"Passwords must be at least {MIN_PASSWORD} characters long."
    if len(password) > MAX_PASSWORD:
        return f"Passwords can be at most {MAX_PASSWORD} characters long."
    if password.casefold() in common_passwords():
        return "That password is too common and easy to guess. Please choose another."
    return None
