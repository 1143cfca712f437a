"""Imported comments as prepared from the export, and the recount after an import.

`write_comments` writes them for the import's Store: one level of replies here,
however deep the thread was there.

A WordPress thread can be ten levels deep; here a reply hangs under its top-level
comment, among that comment's replies oldest first (the order they were written in).
A reply that answered a deeper comment keeps that comment as `reply_to_id`, and the
page says "in reply to NAME" with a link to it, so flattening loses no context.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

import sqlalchemy as sa

from blog.core.content import clean_text, render_comment
from blog.core.types import utcnow
from blog.extensions import db
from blog.importers.wordpress.convert import to_markdown
from blog.importers.wordpress.parse import MARKDOWN_META, digest, parse_date
from blog.importers.wordpress.report import Report
from blog.models import Article, Comment, CommentStatus, ImportRecord


@dataclass
class PreparedComment:
    wp_id: str
    parent_wp: str
    user_wp: str
    status: str
    body_source: str
    body_html: str
    created_at: datetime
    guest_name: str
    guest_email: str
    digest: str
    guest_url: str = ""


COMMENT_STATUS = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "approved": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
}


def website(url: str) -> str:
    """A commenter's website as WordPress kept it, if it is an http(s) address that fits."""
    url = clean_text(url).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > 200:
        return ""
    return "" if any(c.isspace() or c in "<>\"'" for c in url) else url


def prepare_comment(fields: dict, report: Report) -> PreparedComment | None:
    """A WordPress comment converted and rendered (no transaction open), or None when
    it is not imported (a pingback, an unknown status), which the report counts and names."""
    kind = (fields.get("wp:comment_type") or "").strip()
    if kind in ("pingback", "trackback"):
        report.add("comments", "skipped", kind)
        name_comment(report, fields, f"a {kind}")
        return None
    approved = (fields.get("wp:comment_approved") or "1").strip()
    status = COMMENT_STATUS.get(approved)
    wp_id = (fields.get("wp:comment_id") or "").strip()
    if status is None or not wp_id:
        why = f"status {approved!r}" if wp_id else "no id"
        report.add("comments", "skipped", why)
        name_comment(report, fields, f"had the {why}" if wp_id else "had no id")
        return None
    meta = fields["commentmeta"]
    source = (
        clean_text(meta[MARKDOWN_META])
        if meta.get(MARKDOWN_META)
        else (to_markdown(fields.get("wp:comment_content") or "", comment=True).markdown)
    )
    created = parse_date(fields.get("wp:comment_date_gmt", ""), fields.get("wp:comment_date", ""))
    return PreparedComment(
        wp_id=wp_id,
        parent_wp=(fields.get("wp:comment_parent") or "0").strip().lstrip("0"),
        user_wp=(fields.get("wp:comment_user_id") or "0").strip(),
        status=status,
        body_source=source,
        body_html=render_comment(source),
        created_at=created or utcnow(),
        guest_name=clean_text(fields.get("wp:comment_author") or "").strip()[:100] or "Anonymous",
        guest_email=(fields.get("wp:comment_author_email") or "").strip()[:254],
        guest_url=website(fields.get("wp:comment_author_url") or ""),
        digest=digest(fields),
    )


def leave_out(report: Report, comments: list[dict], reason: str, why: str) -> None:
    """Count each comment that is not imported under `reason`; name it with `why`."""
    for fields in comments:
        report.add("comments", "skipped", reason)
        name_comment(report, fields, why)


def name_comment(report: Report, fields: dict, why: str) -> None:
    author = clean_text(fields.get("wp:comment_author") or "").strip() or "Anonymous"
    wp_id = (fields.get("wp:comment_id") or "").strip() or "without an id"
    report.name("comment", wp_id, author[:60], f"{why}; not imported")


class CommentStore(Protocol):
    """What writing comments needs of the import's Store (blog/importers/wordpress/store.py),
    named here so this module need not import it (the Store imports this one)."""

    report: Report
    users: dict[str, int]
    user_ids: dict[str, str]

    def records(self, kind: str, ids: Iterable[str]) -> dict[str, ImportRecord]: ...

    def remember(
        self,
        kind: str,
        source_id: str,
        local_id: int | None,
        digest: str = "",
        ref: str = "",
        record: ImportRecord | None = None,
    ) -> None: ...


def write_comments(store: CommentStore, article_id: int, items: list[PreparedComment]) -> None:
    """Comments of one article, parents first; replies hang under their top-level ancestor."""
    records = store.records("comment", [c.wp_id for c in items])
    by_id = {c.wp_id: c for c in items}
    local: dict[str, int] = {k: r.local_id for k, r in records.items() if r.local_id}

    def top(comment: PreparedComment) -> str:
        seen, current = set(), comment
        while current.parent_wp and current.parent_wp not in seen:
            seen.add(current.parent_wp)
            parent = by_id.get(current.parent_wp)
            if parent is None:
                return current.parent_wp if current.parent_wp in local else ""
            current = parent
        return current.wp_id if current is not comment else ""

    # Depth first, as WordPress reads a thread: every parent is written before its
    # replies, whatever order the file lists them in.
    children: dict[str, list[PreparedComment]] = {}
    for c in items:
        if top(c):
            children.setdefault(c.parent_wp, []).append(c)
    ordered: list[PreparedComment] = []
    stack = [c for c in reversed(items) if not top(c)]
    while stack:
        current = stack.pop()
        ordered.append(current)
        stack.extend(reversed(children.pop(current.wp_id, [])))
    ordered += [c for rest in children.values() for c in rest]  # parents in a cycle
    done: set[str] = set()
    for comment in ordered:
        if comment.wp_id in done:  # the same id twice in a broken export
            store.report.add("comments", "skipped", "duplicate comment id")
            continue
        done.add(comment.wp_id)
        parent_wp = top(comment)
        parent_id = local.get(parent_wp) if parent_wp else None
        # The comment it answered, when that is deeper than the top of the thread.
        answered = comment.parent_wp if comment.parent_wp != parent_wp else ""
        reply_to_id = local.get(answered) if answered and parent_id else None
        author_id = store.users.get(store.user_ids.get(comment.user_wp, ""))
        record = records.get(comment.wp_id)
        row = db.session.get(Comment, record.local_id) if record and record.local_id else None
        if record is not None and row is None:
            store.report.add("comments", "skipped", "deleted on this site since the import")
            continue
        if row is not None and reply_to_id is not None and reply_to_id > row.id:
            # Only ever an earlier row: a copy of the database (blog/copydata.py) writes
            # rows in id order, and a key to a later row would not exist yet.
            reply_to_id = None
        if row is not None and record.digest == comment.digest:
            if row.reply_to_id is None and reply_to_id is not None:
                row.reply_to_id = reply_to_id  # imported before replies kept their context
                store.report.add("comments", "updated")
            else:
                store.report.add("comments", "unchanged")
            continue
        values = dict(
            article_id=article_id,
            author_id=author_id,
            parent_id=parent_id,
            reply_to_id=reply_to_id,
            body_source=comment.body_source,
            body_html=comment.body_html,
            status=comment.status,
            created_at=comment.created_at,
            guest_name="" if author_id else comment.guest_name,
            guest_email="" if author_id else comment.guest_email,
            guest_url="" if author_id else comment.guest_url,
        )
        if row is None:
            row = Comment(**values)
            db.session.add(row)
            store.report.add("comments", "imported")
        else:
            for key, value in values.items():
                setattr(row, key, value)
            store.report.add("comments", "updated")
        db.session.flush()
        local[comment.wp_id] = row.id
        store.remember("comment", comment.wp_id, row.id, comment.digest, record=record)


def recount(article_ids: Iterable[int]) -> None:
    """comment_count from the rows (an import writes many at once); updated_at kept."""
    visible = (
        sa.select(sa.func.count(Comment.id))
        .where(
            Comment.article_id == Article.id,
            Comment.status == CommentStatus.APPROVED,
            Comment.deleted.is_(False),
        )
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(Article)
        .where(Article.id.in_(list(article_ids)))
        .values(comment_count=visible, updated_at=Article.updated_at)
    )
