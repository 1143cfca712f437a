"""What each write expires, decided from the data a transaction writes.

`EXPIRES` is the one table: for every table, what an INSERT, a DELETE and an UPDATE of
each column expires. Session events read what a transaction writes, whether through
the unit of work (new, dirty and deleted objects, attribute by attribute, collections
included) or through statements (`session.execute(update(...))`, `delete`, `insert`,
upserts), and keep the widest scope seen. Just before the commit, inside the same
transaction, one UPDATE of `site_state` moves the versions that scope calls for, so
the change and the new versions become visible together or not at all. No view,
command or test moves a version itself.

Scopes, narrowest first:
- NONE: no public page shows it (passwords, sessions, throttles, the audit log);
- COMMENTS: only what shows comments or their counts (comment sections, list cards,
  whole cached pages); moves `comments_version`;
- CONTENT: anything else a reader can see; moves `version`, which every cache keys
  on, and recomputes the next publication boundary (blog/core/cache/versions.py).

Primary keys (`id`, `setting.key`) are never updated: a row's identity comes and goes
with its INSERT and DELETE, so their UPDATE rows are NONE.

A DELETE also expires what the database does to the rows that point at it (ON DELETE
CASCADE deletes them, SET NULL updates their column): that is read from the foreign
keys, not written in the table. So a table whose deletes always reach a public row
through its keys (deleting an article cascades to its tag links) says `delete=NONE`:
every entry here is one that some write depends on alone (bench/expires_mutation.py
narrows each in turn and the coherence test fails). A table or column missing from `EXPIRES` expires
everything (and tests/test_cache_invalidation.py fails); raw SQL text is not read, so
writes to mapped tables go through SQLAlchemy constructs.

Two internals: SQLAlchemy has no public way to read what an UPDATE or an upsert sets,
so `statement_scope` reads `Update._values` and `Insert._post_values_clause` (with its
`update_values_to_set`). Expiring by table instead would move the content version on
every comment (an `article.comment_count` UPDATE) and empty the page cache. They are
read as plain attributes, never through a default, so an upgrade that renames them
fails every write loudly, and `tests/test_cache_invalidation.py`
(`test_the_sqlalchemy_internals_statement_scope_reads_are_there`) names them.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.cache.versions import next_publication_query
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import SiteState


class Scope(enum.IntEnum):
    NONE = 0
    COMMENTS = 1
    CONTENT = 2


NONE, COMMENTS, CONTENT = Scope.NONE, Scope.COMMENTS, Scope.CONTENT


@dataclass(frozen=True)
class Expiry:
    """What writing one table expires: a new row, a deleted row, each column changed."""

    insert: Scope
    delete: Scope
    update: dict[str, Scope] = field(default_factory=dict)


def _all(scope: Scope, *columns: str) -> dict[str, Scope]:
    return dict.fromkeys(columns, scope)


# fmt: off
EXPIRES: dict[str, Expiry] = {
    # delete=NONE: what deleting an author does is what their rows' foreign keys do
    # (article.author_id and comment.author_id SET NULL: a byline becomes "deleted user").
    "user": Expiry(insert=NONE, delete=NONE, update={
        # Bylines, author pages and comment names; readers have no public page, so a
        # new account shows nowhere until it writes something.
        "username": CONTENT, "display_name": CONTENT, "bio": CONTENT, "role": CONTENT,
        "fediverse": CONTENT,
        # A deactivated writer can no longer log in; their byline and page stay.
        "active": NONE,
        # Private, or only in the reader's own (never cached) part of a page. Logins
        # and logouts rotate session_token and touch updated_at: they must stay NONE.
        "id": NONE, "email": NONE, "email_confirmed_at": NONE, "password_hash": NONE,
        "can_comment": NONE,
        "notify_replies": NONE, "session_token": NONE, "created_at": NONE,
        "updated_at": NONE, "totp_secret": NONE, "totp_last_step": NONE,
    }),
    # Staff sign-in (blog/models/signin.py): private to the account, never on a page.
    "recovery_code": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "user_id", "digest", "used_at", "created_at",
    )),
    "passkey": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "user_id", "name", "credential_id", "public_key", "sign_count",
        "created_at", "last_used_at",
    )),
    "login_session": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "user_id", "key", "user_agent", "created_at", "last_seen_at",
    )),
    "category": Expiry(insert=CONTENT, delete=CONTENT, update={
        **_all(CONTENT, "name", "slug", "description", "position"), "id": NONE,
    }),
    # A new tag shows nowhere until an article_tag row links it; a delete cascades to those.
    "tag": Expiry(insert=NONE, delete=NONE, update={
        **_all(CONTENT, "name", "slug", "description"), "id": NONE,
    }),
    "article_tag": Expiry(insert=CONTENT, delete=CONTENT, update=_all(
        CONTENT, "article_id", "tag_id",
    )),
    "upload": Expiry(insert=NONE, delete=NONE, update={  # delete: article.image_id SET NULL
        "filename": CONTENT, "thumb_filename": CONTENT, "width": CONTENT, "height": CONTENT,
        "variant_widths": CONTENT, "ready": CONTENT,
        # Only the admin's library shows why an image was refused.
        "problem": NONE,
        # Served from the file's own extension; no page names the type.
        "content_type": NONE, "id": NONE, "uploader_id": NONE, "created_at": NONE,
    }),
    # A body names a media file by its address; no page lists the rows themselves.
    "media_file": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "filename", "content_type", "byte_size", "original_name", "sha256",
        "uploader_id", "created_at",
    )),
    # delete: article_tag and article_version CASCADE, comments CASCADE.
    "article": Expiry(insert=CONTENT, delete=NONE, update={
        **_all(
            CONTENT, "title", "slug", "summary", "body_source", "body_html", "status",
            "published_at", "updated_at", "author_id", "category_id", "image_id",
            "image_path", "image_alt", "comments_open", "reading_time", "donation_appeal",
            "label", "dateline", "image_focus_x", "image_focus_y", "republishable",
        ),
        # Counted by the comments themselves; list cards and headings show it.
        "comment_count": COMMENTS,
        "created_at": NONE,  # shown nowhere public: readers see published_at
        "id": NONE,
    }),
    # A guest has a profile page from the start (a reader may have asked for it
    # before: a 404 to expire), and loses it with the row.
    "guest_author": Expiry(insert=CONTENT, delete=CONTENT, update={
        **_all(CONTENT, "slug", "name", "bio", "photo_id", "links", "fediverse"),
        "id": NONE, "created_at": NONE,
    }),
    # Bylines, author pages, feeds and JSON-LD credit these rows.
    "article_byline": Expiry(insert=CONTENT, delete=CONTENT, update=_all(
        CONTENT, "article_id", "position", "user_id", "guest_id", "id",
    )),
    # Shown on the article, its feed entry and /corrections (editor_id only in the admin).
    "article_correction": Expiry(insert=CONTENT, delete=CONTENT, update={
        **_all(CONTENT, "article_id", "kind", "text", "created_at"),
        "editor_id": NONE, "id": NONE,
    }),
    # Counted by the republishing pixel; only the admin shows the counts.
    "republish_count": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "article_id", "site", "views", "first_seen", "last_seen",
    )),
    "article_version": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "article_id", "title", "summary", "body_source", "editor_id", "created_at",
    )),
    # Followed live on every miss (a 301 is never cached), so nothing to expire.
    "slug_redirect": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "old_slug", "article_id",
    )),
    "comment": Expiry(insert=COMMENTS, delete=COMMENTS, update={
        **_all(
            COMMENTS, "article_id", "author_id", "parent_id", "body_html", "status",
            "deleted", "created_at", "edited_at", "guest_name",
            # An imported commenter's link on their name; "in reply to NAME" on a reply.
            "guest_url", "reply_to_id",
        ),
        # Readers see body_html; the source only in its author's edit form (never
        # cached). Reports hide a comment by its status, not by their count.
        "body_source": NONE, "report_count": NONE,
        "guest_email": NONE,  # moderation only, never shown
        "idempotency_key": NONE,  # set once with the comment; a replay's look-up only
        "id": NONE,
    }),
    # Followed live on every 404 and /?p= (a 301 is never cached): nothing to expire.
    "redirect": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "source", "target", "origin", "created_at",
    )),
    "import_record": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "source", "kind", "source_id", "local_id", "local_ref", "digest",
        "imported_at",
    )),
    "comment_report": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "comment_id", "reporter_id", "kind", "reason", "created_at", "resolved",
    )),
    "page": Expiry(insert=CONTENT, delete=CONTENT, update={
        **_all(
            CONTENT, "title", "slug", "body_html", "in_footer", "position", "published",
            "updated_at",
        ),
        # Readers see body_html; the Markdown only in the admin (pages are not searched).
        "body_source": NONE, "id": NONE,
    }),
    "setting": Expiry(insert=CONTENT, delete=CONTENT, update={"value": CONTENT, "key": NONE}),
    # The versions themselves: writing them is what expiring means.
    "site_state": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "version", "comments_version", "next_publication_at",
    )),
    "throttle_event": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "kind", "key", "created_at",
    )),
    # Sign-ups waiting for their link: private until the link makes the account.
    "registration": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "username", "email", "display_name", "password_hash", "created_at",
    )),
    "used_token": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "digest", "created_at",
    )),
    # The editorial desk (blog/models/desk.py): staff-only, shown on no public page.
    "editor_presence": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "article_id", "user_id", "since", "seen_at",
    )),
    "article_autosave": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "article_id", "user_id", "title", "summary", "body_source", "base_version",
        "saved_at",
    )),
    "article_note": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "article_id", "parent_id", "author_id", "body", "created_at", "resolved_at",
        "resolved_by_id",
    )),
    "article_assignment": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "article_id", "assignee_id", "due_at", "assigned_by_id", "updated_at",
    )),
    "audit_log": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "actor_id", "action", "object_type", "object_id", "detail", "created_at",
    )),
    # The job queue, the newsletter and donation counts: no public page shows them
    # (the donation choices are a setting; counts and subscribers are admin-only).
    "job": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "kind", "key", "batch", "payload", "state", "attempts", "max_attempts",
        "run_after", "claimed_by", "claimed_at", "last_error", "created_at", "finished_at",
    )),
    "subscriber": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "email", "state", "frequency", "alerts", "sections", "source", "user_id",
        "from_article_id", "confirm_sent_at", "confirmed_at", "created_at", "updated_at",
    )),
    "newsletter_issue": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "kind", "period", "subject", "article_ids", "recipients", "created_at",
        # A paused issue shows only in the admin (never cached).
        "paused_at", "pause_reason",
    )),
    "donation_click": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "day", "choice", "article_id", "count",
    )),
    # Reader counting (blog/audience/): only the admin dashboard shows it, so counting
    # a view, rolling views up or rotating the salt expires no cached page.
    "page_view": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "day", "page", "page_id", "visitor", "source", "referrer", "utm_source",
        "utm_campaign", "country",
    )),
    "view_day": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "day", "page", "page_id", "source", "referrer", "utm_source",
        "utm_campaign", "country", "views",
    )),
    "page_day": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "day", "page", "page_id", "views",
    )),
    "source_day": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "id", "day", "source", "referrer", "utm_source", "utm_campaign", "views",
    )),
    "audience_day": Expiry(insert=NONE, delete=NONE, update=_all(
        NONE, "day", "views", "visitors",
    )),
    "visitor_salt": Expiry(insert=NONE, delete=NONE, update=_all(NONE, "day", "salt")),
    "rollup_mark": Expiry(insert=NONE, delete=NONE, update=_all(NONE, "id", "last_view_id")),
}
# fmt: on

_PENDING = "blog_expires"  # the widest scope written so far, in session.info


def column_scope(table: str, column: str) -> Scope:
    rule = EXPIRES.get(table)
    return CONTENT if rule is None else rule.update.get(column, CONTENT)


def insert_scope(table: str) -> Scope:
    rule = EXPIRES.get(table)
    return CONTENT if rule is None else rule.insert


@functools.cache
def delete_scope(table: str) -> Scope:
    """A deleted row's own scope, widened by what its foreign keys make the database do."""
    rule = EXPIRES.get(table)
    scope = CONTENT if rule is None else rule.delete
    for other in db.metadata.tables.values():
        for fk in other.foreign_keys:
            if fk.column.table.name != table or other.name == table:
                continue
            action = (fk.ondelete or "").upper()
            if action == "CASCADE":
                scope = max(scope, delete_scope(other.name))
            elif action == "SET NULL":
                scope = max(scope, column_scope(other.name, fk.parent.name))
    return scope


def record(session: so.Session, scope: Scope) -> None:
    if scope > session.info.get(_PENDING, NONE):
        session.info[_PENDING] = scope


def _changed(history: so.attributes.History) -> bool:
    if not history.has_changes():
        return False
    # Setting an attribute to the value it had is no change (the UPDATE skips it too).
    return not (history.added and history.deleted and list(history.added) == list(history.deleted))


def dirty_scope(obj: object) -> Scope:
    """What the changed attributes of a loaded object expire, collections included."""
    state = sa.inspect(obj)
    mapper = state.mapper
    table = mapper.local_table.name
    scope = NONE
    written: set[str] = set()  # the row's own columns the UPDATE sets
    for key in list(state.committed_state):
        if key not in state.attrs or not _changed(state.attrs[key].history):
            continue
        prop = mapper.get_property(key)
        if isinstance(prop, so.ColumnProperty):
            written.update(column.name for column in prop.columns)
        elif isinstance(prop, so.RelationshipProperty):
            scope = max(scope, _relationship_scope(prop, table))
            if prop.direction is so.interfaces.MANYTOONE:
                written.update(column.name for column in prop.local_columns)
    if written:
        # The UPDATE also sets what the table fills in by itself (`onupdate=utcnow`):
        # a comment count changed through the ORM moves `updated_at` with it.
        written.update(c.name for c in mapper.local_table.columns if c.onupdate is not None)
    return max(scope, *(column_scope(table, name) for name in written), NONE)


def _relationship_scope(prop: so.RelationshipProperty, table: str) -> Scope:
    if prop.secondary is not None:
        name = prop.secondary.name
        return max(insert_scope(name), delete_scope(name))
    if prop.direction is so.interfaces.MANYTOONE:
        return max((column_scope(table, c.name) for c in prop.local_columns), default=CONTENT)
    target = prop.mapper.local_table.name
    return max(
        insert_scope(target),
        *(column_scope(target, c.name) for c in prop.remote_side),
    )


def statement_scope(statement: sa.Executable) -> Scope:
    """What an INSERT, UPDATE or DELETE statement expires; NONE for anything else."""
    if isinstance(statement, sa.Delete):
        return delete_scope(statement.table.name)
    if isinstance(statement, sa.Insert):
        table = statement.table.name
        scope = insert_scope(table)
        upsert = statement._post_values_clause  # see "Two internals" above
        # DO UPDATE has what it sets; DO NOTHING (and a plain INSERT) sets nothing.
        to_set = getattr(upsert, "update_values_to_set", ())
        # A dict in SQLAlchemy 2.1 (set_={...}), a list of pairs before: iterating the
        # dict gave its keys, and "count"[0] == "c", an unknown column, expired everything.
        pairs = to_set.items() if isinstance(to_set, dict) else to_set
        for key, _value in pairs:
            name = key if isinstance(key, str) else getattr(key, "key", key)
            scope = max(scope, column_scope(table, str(name)))
        return scope
    if isinstance(statement, sa.Update):
        table = statement.table.name
        values = list((statement._values or {}).items())  # ordered_values() fills it too
        if not values:
            rule = EXPIRES.get(table)
            return CONTENT if rule is None else max(rule.update.values(), default=CONTENT)
        scope = NONE
        for key, value in values:
            name = key if isinstance(key, str) else getattr(key, "name", str(key))
            # `SET updated_at = updated_at` keeps the column as it is (a counter update).
            if isinstance(value, sa.Column) and value.name == name:
                continue
            scope = max(scope, column_scope(table, name))
        return scope
    return NONE


def _after_flush(session: so.Session, _context: object) -> None:
    scope = NONE
    for obj in session.new:
        scope = max(scope, insert_scope(sa.inspect(obj).mapper.local_table.name))
    for obj in session.deleted:
        scope = max(scope, delete_scope(sa.inspect(obj).mapper.local_table.name))
    for obj in session.dirty:
        scope = max(scope, dirty_scope(obj))
    record(session, scope)


def _on_execute(state: so.ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        record(state.session, statement_scope(state.statement))


def _before_commit(session: so.Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # now, so that what it writes is counted below
    scope = session.info.pop(_PENDING, NONE)
    if scope == CONTENT:
        session.execute(
            sa.update(SiteState)
            .where(SiteState.id == 1)
            .values(
                version=SiteState.version + 1,
                next_publication_at=next_publication_query(utcnow()),
            )
        )
    elif scope == COMMENTS:
        session.execute(
            sa.update(SiteState)
            .where(SiteState.id == 1)
            .values(comments_version=SiteState.comments_version + 1)
        )


def _after_rollback(session: so.Session) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Listen on every session (idempotent); `create_app` calls it."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
        ("after_rollback", _after_rollback),
    ):
        if not sa.event.contains(so.Session, name, listener):
            sa.event.listen(so.Session, name, listener)
