"""Helpers more than one test module uses (a test module never imports another)."""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from blog.extensions import db

TOKEN = re.compile(r'(name="(?:csrf_token|started|[a-z]+-csrf_token)"[^>]*value=")[^"]*(")')

WORDPRESS = Path(__file__).parent / "wordpress"
SELFHOSTED = WORDPRESS / "selfhosted-1.2.xml"


def mask_tokens(html: str) -> str:
    """`html` with its per-request form tokens (CSRF, the comment form's signed start
    time) replaced by "…": they carry a timestamp, so two renders a second apart differ."""
    return TOKEN.sub(r"\1…\2", html)


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block, as a list filled while it runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def image_bytes(fmt: str, size=(1200, 800), **save) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else ("P" if fmt == "GIF" else "RGB")
    Image.new(mode, size, "teal" if mode != "P" else 3).save(out, fmt, **save)
    return out.getvalue()


def upload(client, data: bytes, name: str = "photo.jpg"):
    """POST one image to the admin's image library."""
    return client.post(
        "/admin/images",
        data={"image": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def wordpress_uploads(folder: Path) -> Path:
    """A copy of wp-content/uploads for tests/wordpress/selfhosted-1.2.xml (one file of
    the export is missing from it on purpose)."""
    (folder / "2025/01").mkdir(parents=True)
    (folder / "2024/12").mkdir(parents=True)
    Image.new("RGB", (800, 600), "navy").save(folder / "2025/01/harbour.jpg")
    Image.new("RGB", (300, 200), "teal").save(folder / "2024/12/quay-300x200.png")
    return folder
