"""The comment-post row: logged-in readers post comments, and the copy is checked.

Not a wrk run. `measure_posting` serves a private copy of the database
(`posting_database`: comment policy "open") from its own gunicorn; --writers readers,
each logged in through the real form (tests/live.py's `Browser`) and in its own thread,
load an article (the comment form) and post a comment, again and again
(`post_comments`). `verify_comments` then checks the copy: the new rows are exactly the
acknowledged ids and every comment_count matches its rows.
"""

from __future__ import annotations

import argparse
import http.client
import re
import sqlite3
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from load import percentiles, wait_for_idle
from rows import Result, Row
from servers import gunicorn

from tests.live import Browser

FORM_FIELD = r'name="{}"[^>]*value="([^"]*)"'


# Two short paragraphs, no links (more than COMMENT_MAX_LINKS would hold the comment).
COMMENT_TEXT = (
    "Thanks for this report. The numbers in the second section match what we saw in "
    "our own town last winter, and the council still has not said what comes next.\n\n"
    "I would like a follow-up on the *budget* side: who pays, and when?"
)
POSTING_ENV = {
    # The signed form-time field is still checked (signature and user), but a form
    # may come back at once; the per-reader rate limit still counts every post.
    "BLOG_COMMENT_MIN_SECONDS": "0.000001",
    "BLOG_COMMENT_MAX_PER_MINUTE": "1000000",
}


@dataclass
class Posting:
    """What the writers saw: every acknowledged comment id, and the measured window."""

    acknowledged: list[int] = field(default_factory=list)  # warm-up included
    measured: int = 0
    post_ms: list[float] = field(default_factory=list)  # POSTs that ended in the window
    form_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def error(self, what: str, n: int = 1) -> None:
        self.errors[what] = self.errors.get(what, 0) + n

    def add(self, other: Posting) -> None:
        """Count in what one writer saw."""
        self.acknowledged += other.acknowledged
        self.measured += other.measured
        self.post_ms += other.post_ms
        self.form_ms += other.form_ms
        for what, n in other.errors.items():
            self.error(what, n)


def form_field(page: str, name: str) -> str | None:
    found = re.search(FORM_FIELD.format(name), page)
    return found.group(1) if found else None


def log_in(port: int, username: str) -> Browser:
    """A browser logged in as `username` through the login form (CSRF included)."""
    from generate import PASSWORD

    browser = Browser(port)
    browser.log_in(username, PASSWORD)
    return browser


def posting_database(source: Path, workdir: Path) -> Path:
    """A private copy of `source` whose comment policy publishes comments at once.

    The posting run writes only to this copy, so bench/data/<N>.sqlite3 keeps giving
    the same page figures.
    """
    copy = workdir / "posting.sqlite3"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)
        with dst:
            dst.execute(
                "INSERT INTO setting (key, value) VALUES ('comment_policy', '\"open\"') "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            )
            dst.execute("UPDATE site_state SET version = version + 1")
    finally:
        src.close()
        dst.close()
    return copy


def posting_targets(db: Path, articles: int, writers: int) -> tuple[list[str], list[str]]:
    """Slugs of the `articles` newest public articles open for comments, and the
    usernames of `writers` readers allowed to comment."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        slugs = [
            row[0]
            for row in con.execute(
                "SELECT slug FROM article WHERE status = 'published' AND published_at <= ? "
                "AND comments_open ORDER BY published_at DESC, id DESC LIMIT ?",
                (now, articles),
            )
        ]
        readers = [
            row[0]
            for row in con.execute(
                "SELECT username FROM user WHERE role = 1 AND active AND can_comment "
                "ORDER BY id LIMIT ?",
                (writers,),
            )
        ]
    finally:
        con.close()
    if not slugs or len(readers) < writers:
        raise RuntimeError(
            f"{db} has {len(slugs)} open articles and {len(readers)} readers; "
            f"the comment row needs {writers} readers"
        )
    return slugs, readers


def load_form(client: Browser, slug: str, mine: Posting) -> dict[str, str] | None:
    """GET the article and return its comment form's hidden fields (None: an error)."""
    began = time.perf_counter()
    status, _, page = client.request("GET", f"/article/{slug}")
    mine.form_ms.append((time.perf_counter() - began) * 1000)
    csrf, started = form_field(page, "csrf_token"), form_field(page, "started")
    if status != 200 or not csrf or not started:
        mine.error(f"form GET {status}" + ("" if csrf else " without a form"))
        return None
    return {"csrf_token": csrf, "started": started}


def write_comments(
    number: int, client: Browser, slugs: list[str], fresh_form: bool, start: float, stop: float
) -> Posting:
    """Writer `number`: form and post, again and again, until `stop` (see post_comments)."""
    mine = Posting()
    form: dict[str, str] | None = None
    turn = number
    while time.monotonic() < stop:
        slug = urllib.parse.quote(slugs[turn % len(slugs)])
        turn += 1
        try:
            if fresh_form or form is None:
                form = load_form(client, slug, mine)
                if form is None:
                    continue
            body = f"{COMMENT_TEXT}\n\n(writer {number}, comment {turn})"
            began = time.perf_counter()
            status, headers, _ = client.request(
                "POST",
                f"/article/{slug}/comments",
                {**form, "parent_id": "", "website": "", "body": body},
            )
            ended = time.monotonic()
        except (OSError, http.client.HTTPException) as error:
            mine.error(type(error).__name__)
            continue
        anchor = re.fullmatch(
            rf"(?:https?://[^/]+)?/article/{re.escape(slug)}#comment-(\d+)",
            headers.get("Location", ""),
        )
        if status != 302 or not anchor:
            mine.error(f"POST {status}")
            continue
        mine.acknowledged.append(int(anchor.group(1)))
        if start <= ended < stop:
            mine.measured += 1
            mine.post_ms.append((time.perf_counter() - began) * 1000)
    return mine


def post_comments(
    clients: list[Browser], slugs: list[str], warmup: float, seconds: float, fresh_form: bool
) -> Posting:
    """Each client posts comments in its own thread for `warmup` + `seconds` seconds.

    A cycle is what a reader's browser does: GET the article (the redirect of the
    previous post lands there; it carries the comment form with its CSRF token and
    signed form time), then POST the form. A 302 to `/article/<slug>#comment-<id>` is
    an acknowledged comment; anything else (another status, a refused form, a
    connection error) is an error. Writer `w` posts to slugs[w], slugs[w + 1], ...
    in turn, so the comments spread over all `slugs`.
    """
    found = Posting(seconds=seconds)
    lock = threading.Lock()
    start = time.monotonic() + warmup
    stop = start + seconds

    def writer(number: int, client: Browser) -> None:
        mine = write_comments(number, client, slugs, fresh_form, start, stop)
        with lock:
            found.add(mine)

    pool = [threading.Thread(target=writer, args=(n, c)) for n, c in enumerate(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(warmup + seconds + 120)
    if any(thread.is_alive() for thread in pool):
        found.error("writer still running after the run")
    return found


def comment_snapshot(db: Path) -> tuple[int, int]:
    """The highest comment id and the number of recorded comment posts (throttle rows)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        top = con.execute("SELECT coalesce(max(id), 0) FROM comment").fetchone()[0]
        hits = con.execute("SELECT count(*) FROM throttle_event WHERE kind = 'comment'")
        return top, hits.fetchone()[0]
    finally:
        con.close()


def verify_comments(db: Path, before: tuple[int, int], acknowledged: list[int]) -> list[str]:
    """Every acknowledged comment is stored once, published, and counted; else the
    problems found, as sentences."""
    top, hits_before = before
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT id, status, deleted FROM comment WHERE id > ?", (top,)
        ).fetchall()
        hits = con.execute("SELECT count(*) FROM throttle_event WHERE kind = 'comment'")
        hits = hits.fetchone()[0]
        miscounted = con.execute(
            "SELECT count(*) FROM article a WHERE a.comment_count != (SELECT count(*) "
            "FROM comment c WHERE c.article_id = a.id AND c.status = 'approved' "
            "AND NOT c.deleted)"
        ).fetchone()[0]
    finally:
        con.close()
    problems = []
    stored = {row[0] for row in rows}
    acked = set(acknowledged)
    if len(rows) != len(acknowledged) or stored != acked or len(acked) != len(acknowledged):
        problems.append(
            f"{len(acknowledged)} comments acknowledged ({len(acked)} distinct ids) but "
            f"{len(rows)} new rows; {len(acked - stored)} acknowledged ids missing, "
            f"{len(stored - acked)} rows never acknowledged"
        )
    unpublished = sum(1 for _, status, deleted in rows if status != "approved" or deleted)
    if unpublished:
        problems.append(f"{unpublished} new comments are not published (policy not 'open'?)")
    if miscounted:
        problems.append(f"{miscounted} articles have a comment_count that differs from their rows")
    if hits - hits_before != len(acknowledged):
        problems.append(
            f"the rate limit recorded {hits - hits_before} posts for {len(acknowledged)} comments"
        )
    return problems


def measure_posting(
    row: Row,
    args: argparse.Namespace,
    db: Path,
    workdir: Path,
    env: dict[str, str],
    extra_env: dict[str, str],
) -> tuple[Result, list[float], list[str]]:
    """The comment row on its own gunicorn and copy of the database, stopped after it.

    `env` is the site's, `extra_env` the --env settings (they may override POSTING_ENV).
    Returns the result, the other CPU work seen before each run, and the problems the
    check found.
    """
    copy = posting_database(db, workdir)
    slugs, readers = posting_targets(copy, args.post_articles, args.writers)
    env = env | POSTING_ENV | {"DATABASE_URL": f"sqlite:///{copy}"} | extra_env
    env["BLOG_INSTANCE_PATH"] = str(workdir / "instance-posting")
    busy_before, runs = [], []
    with gunicorn("wsgi:app", env, workdir, args.workers) as server:
        clients = [log_in(server.port, name) for name in readers]
        before = comment_snapshot(copy)
        for _ in range(args.repeat):
            busy_before.append(wait_for_idle(args.idle_wait))
            runs.append(post_comments(clients, slugs, 1.0, args.seconds, args.fresh_form))
        best = max(runs, key=lambda run: run.measured)
        found = verify_comments(copy, before, [i for run in runs for i in run.acknowledged])
    form = "a fresh form per comment" if args.fresh_form else "one form per writer"
    result = Result(
        row,
        f"POST /article/<slug>/comments: {len(slugs)} newest articles, "
        f"{len(clients)} writers, {form}",
        status=302,
        rps=best.measured / best.seconds,
        errors=sum(best.errors.values()),
        unit="comments/s",
    )
    result.p50_ms, result.p99_ms = percentiles(best.post_ms)
    acknowledged = sum(len(run.acknowledged) for run in runs)
    result.note = posting_note(args, env, len(clients), best, acknowledged, found)
    for problem in found:
        print(f"\n!!! MISMATCH: {problem}\n", file=sys.stderr, flush=True)
    print(
        f"  {row.name:14} {result.rps:8.0f} comments/s  p50 {result.p50_ms:6.2f} ms  "
        f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}",
        flush=True,
    )
    return result, busy_before, found


def posting_note(
    args: argparse.Namespace,
    env: dict[str, str],
    writers: int,
    best: Posting,
    acknowledged: int,
    found: list[str],
) -> str:
    """The sentence under the table: what was posted, checked and refused."""
    return (
        f"comment-post: {acknowledged:,} comments acknowledged in all (warm-up "
        f"included), "
        + (
            "; ".join(found)
            if found
            else f"{acknowledged:,} new rows with exactly those ids, all published, "
            "every article's comment_count equal to its rows"
        )
        + (
            f"; form GET p50 {percentiles(best.form_ms)[0]:.2f} ms"
            if args.fresh_form
            else "; the form was loaded once per writer"
        )
        + (
            "; errors: " + ", ".join(f"{n} × {what}" for what, n in best.errors.items())
            if best.errors
            else "; no errors"
        )
        + f"; database copy of {writers} logged-in readers' posts, "
        f"COMMENT_MIN_SECONDS={env['BLOG_COMMENT_MIN_SECONDS']}, "
        f"COMMENT_MAX_PER_MINUTE={env['BLOG_COMMENT_MAX_PER_MINUTE']}, policy open."
    )
