"""Addresses a request may send the reader on to."""

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
