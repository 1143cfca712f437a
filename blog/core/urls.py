"""Addresses: where a request may send the reader on to, and fediverse handles."""

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """The ?next= target if it is a path on this site, else None (no open redirects).

    Refuses `//host`, `/\\host` (browsers read a backslash as a slash), schemes and
    control characters.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def is_fediverse_handle(value: str) -> bool:
    """Whether `value` reads as @name@server.example (a Mastodon-style handle)."""
    parts = value.split("@")
    return (
        len(parts) == 3
        and not parts[0]
        and bool(parts[1])
        and "." in parts[2]
        and not any(c.isspace() or ord(c) < 32 or c in "<>\"'" for c in value)
    )
