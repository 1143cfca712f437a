"""Helpers more than one test module uses (a test module never imports another)."""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from PIL import Image

from blog.extensions import db
from tests.mailing import run_jobs

TOKEN = re.compile(r'(name="(?:csrf_token|started|[a-z]+-csrf_token)"[^>]*value=")[^"]*(")')

WORDPRESS = Path(__file__).parent / "wordpress"
SELFHOSTED = WORDPRESS / "selfhosted-1.2.xml"
GHOST = Path(__file__).parent / "ghost"  # Ghost 4, 5, 6 exports and a members CSV
SUBSTACK_EXPORT = Path(__file__).parent / "substack" / "export"  # a Substack zip, unpacked


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


@contextmanager
def lookups_miss_once(*columns: so.InstrumentedAttribute) -> Iterator[None]:
    """Every distinct ORM SELECT filtering on one of `columns` finds nothing the first time.

    Other reads (get_or_404 by id, lists) are untouched; the same look-up run again,
    as a view does after an IntegrityError, finds the row.
    """
    wanted = {(c.class_.__table__.name, c.key) for c in columns}
    seen: set[str] = set()

    def filters_on_wanted(statement: sa.Select) -> bool:
        where = statement.whereclause
        return where is not None and any(
            isinstance(element, sa.Column) and (element.table.name, element.key) in wanted
            for element in sa.sql.visitors.iterate(where)
        )

    def miss_once(state: so.ORMExecuteState):
        if not state.is_select or state.is_relationship_load:
            return None
        if not filters_on_wanted(state.statement):
            return None
        compiled = state.statement.compile()
        params = compiled.params | dict(state.parameters or {})  # a get() passes its own
        key = f"{compiled}|{sorted(params.items())!r}"
        if key in seen:
            return None
        seen.add(key)
        return state.invoke_statement(statement=state.statement.where(sa.false()))

    sa.event.listen(so.Session, "do_orm_execute", miss_once)
    try:
        yield
    finally:
        sa.event.remove(so.Session, "do_orm_execute", miss_once)


def write_wxr(path: Path, site: str, body: str, title: str = "Test site") -> str:
    """A small WordPress export at `path`: the channel of `site` with one author,
    `editor` (editor@<site host>), then `body` (terms and items); returns the path."""
    host = site.split("://", 1)[-1]
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>{title}</title><link>{site}</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{site}</wp:base_site_url>
<wp:base_blog_url>{site}</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>editor</wp:author_login>
<wp:author_email>editor@{host}</wp:author_email></wp:author>
{body}
</channel></rss>""",
        encoding="utf-8",
    )
    return str(path)


def ghost_images(folder: Path) -> Path:
    """A copy of Ghost's content/images for the tests/ghost exports."""
    (folder / "2024/03").mkdir(parents=True)
    Image.new("RGB", (800, 600), "navy").save(folder / "2024/03/harbour.jpg")
    Image.new("RGB", (300, 200), "teal").save(folder / "2024/03/quay.png")
    return folder


def substack_zip(path: Path, extra: dict[str, bytes] | None = None, skip: tuple = ()) -> Path:
    """tests/substack/export zipped as Substack gives it, with `extra` members added
    and the `skip` ones left out."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for file in sorted(SUBSTACK_EXPORT.rglob("*")):
            name = file.relative_to(SUBSTACK_EXPORT).as_posix()
            if file.is_file() and name not in skip:
                out.write(file, name)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


def imported(client, response):
    """Run the import job the upload queued (as `blog worker` would); its page after."""
    assert response.status_code == 303, response.text
    progress = response.headers["Location"]
    waiting = client.get(progress)
    assert "Waiting to start" in waiting.text and "data-refresh-seconds" in waiting.text
    assert "/static/progress.js?v=" in waiting.text
    run_jobs()
    return client.get(progress)
