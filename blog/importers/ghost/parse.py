"""Reading a Ghost JSON export (Ghost 4, 5 and 6; Settings → Advanced → Export).

The file is `{"db": [{"meta": {...}, "data": {table: [rows]}}]}` (a bare
`{"meta", "data"}` from older tools is taken too). `read_export` checks the shape and
returns the tables an import uses, indexed; any other file is refused with a
`GhostError` that says why, before anything is written.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MAX_BYTES = 1024 * 1024 * 1024  # 1 GB: far above a large magazine's export
GHOST_URL = "__GHOST_URL__"  # Ghost 4+ writes its own address as this placeholder


class GhostError(ValueError):
    """The file cannot be imported; the message says why."""


@dataclass
class Export:
    version: str
    title: str
    posts: list[dict]
    tags: dict[str, dict]
    users: dict[str, dict]
    meta: dict[str, dict]  # post id -> its posts_meta row
    post_tags: dict[str, list[str]] = field(default_factory=dict)  # post id -> tag ids
    post_authors: dict[str, list[str]] = field(default_factory=dict)  # post id -> user ids
    url: str = ""
    private: bool = False  # the whole site was behind Ghost's site password
    site_code: bool = False  # the site had code injection (Settings → Code injection)


def _rows(data: dict, table: str) -> list[dict]:
    rows = data.get(table) or []
    if not isinstance(rows, list):
        raise GhostError(f"“{table}” in the export is not a list of rows")
    return [row for row in rows if isinstance(row, dict) and row.get("id") not in (None, "")]


def _ordered(links: list[dict], left: str, right: str) -> dict[str, list[str]]:
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in links:
        order = row.get("sort_order") if isinstance(row.get("sort_order"), int) else 0
        if row.get(left) is not None and row.get(right) is not None:
            found[str(row[left])].append((order, str(row[right])))
    return {key: [v for _, v in sorted(pairs)] for key, pairs in found.items()}


def read_export(path: str) -> Export:
    """The export at `path`, checked; raises GhostError."""
    if os.path.getsize(path) > MAX_BYTES:
        raise GhostError("the file is larger than 1 GB; this is not a Ghost export")
    try:
        with open(path, "rb") as stream:
            document = json.loads(stream.read().decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise GhostError("this is not a Ghost export: the file is not UTF-8 text") from error
    except json.JSONDecodeError as error:
        raise GhostError(
            f"this is not a Ghost export: not JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from error
    except RecursionError as error:
        raise GhostError("this is not a Ghost export: JSON nested too deeply") from error
    if isinstance(document, dict) and isinstance(document.get("db"), list) and document["db"]:
        document = document["db"][0]
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise GhostError(
            'this is not a Ghost export: no "db[0].data" (in Ghost, choose Settings → '
            "Advanced → Import/Export → Export your content, and upload the .json file)"
        )
    data, meta = document["data"], document.get("meta") or {}
    if "posts" not in data:
        raise GhostError('this is not a Ghost export: its data has no "posts" table')
    settings = {
        str(row.get("key")): row.get("value")
        for row in data.get("settings") or []
        if isinstance(row, dict)
    }
    posts = _rows(data, "posts")
    for post in posts:
        post["id"] = str(post["id"])
    return Export(
        version=str(meta.get("version") or "") if isinstance(meta, dict) else "",
        title=str(settings.get("title") or "")[:150],
        posts=posts,
        tags={str(t["id"]): t for t in _rows(data, "tags")},
        users={str(u["id"]): u for u in _rows(data, "users")},
        meta={str(m.get("post_id")): m for m in _rows(data, "posts_meta")},
        post_tags=_ordered(_rows(data, "posts_tags"), "post_id", "tag_id"),
        post_authors=_ordered(_rows(data, "posts_authors"), "post_id", "author_id"),
        private=str(settings.get("is_private")).lower() in ("true", "1"),
        site_code=any(settings.get(k) for k in ("codeinjection_head", "codeinjection_foot")),
    )


def parse_time(value: Any) -> datetime | None:
    """A Ghost date ("2024-03-01T10:00:00.000Z", or milliseconds in old exports)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
