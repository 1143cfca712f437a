"""Version tokens for files under blog/static/, so their URLs change when they do.

`static_version("style.css")` is the first 10 hex digits of the file's SHA-256, read
once per process. The stylesheet and icon links carry it as `?v=`, which lets nginx
(and browsers) keep /static/ files for a year: a new deploy is a new URL.
"""

import hashlib
from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"


@cache
def static_version(filename: str) -> str:
    """Hash token of blog/static/<filename>; empty when the file is missing."""
    try:
        return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:10]
    except OSError:
        return ""
