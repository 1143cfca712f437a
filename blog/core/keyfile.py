"""The secret key: instance/secret_key, written once by `blog setup`, and the check that
refuses to start with a weak one."""

import os
import secrets
from pathlib import Path

from flask import Flask

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
KNOWN_BAD_SECRETS = {"dev", "secret", "changeme", "change-me", "development", "test"}


class ConfigError(RuntimeError):
    pass


def read_secret_key(instance_path: str) -> str | None:
    path = Path(instance_path) / SECRET_KEY_FILE
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def write_secret_key(instance_path: str) -> bool:
    """Create instance/secret_key (owner-only) once; False if it already existed."""
    path = Path(instance_path) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(48))
    return True


def check_secret_key(app: Flask) -> None:
    """Refuse to start without a real secret key, except in debug or testing."""
    key = app.config.get("SECRET_KEY")
    weak = not key or len(str(key)) < 32 or str(key).lower() in KNOWN_BAD_SECRETS
    if not weak:
        return
    if app.debug or app.testing:
        if not key:
            # A throwaway key: sessions end when the process does, which is fine here.
            app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
        return
    raise ConfigError(
        "No usable secret key (it must be at least 32 characters and not a well-known "
        "value). Run `blog setup` to write one to instance/secret_key, or set the "
        "BLOG_SECRET_KEY environment variable."
    )
