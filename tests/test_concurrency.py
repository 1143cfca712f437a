"""Nothing lost under load: real gunicorn, 4 worker processes, one database.

8 clients log in through the real login form (CSRF on) and post 50 comments each at
the same time. Every post must succeed, every comment must be stored exactly once,
Article.comment_count must equal the approved rows, and the file must be intact.
This fails if writes start deferred (workers then get "database is locked") or if a
counter is read and rewritten in Python (increments are then lost). It runs on SQLite
and, with BLOG_TEST_DATABASE_URL set, on PostgreSQL (read committed, SQL increments).
"""

import re
import secrets
import threading
import time

import pytest
import sqlalchemy as sa

from tests.live import Browser, Gunicorn, prepare_site

WORKERS = 4
CLIENTS = 8
COMMENTS_EACH = 50
REQUEST_TIMEOUT = 30
RUN_DEADLINE = 180  # seconds for the whole burst; a hang fails instead of blocking CI


@pytest.fixture
def site(tmp_path):
    """A migrated, seeded database served by gunicorn with 4 sync workers."""
    live = prepare_site(tmp_path, readers=CLIENTS)
    try:
        with Gunicorn(live.env, live.folder, workers=WORKERS) as server:
            yield {
                "port": server.port,
                "uri": live.uri,
                "usernames": live.usernames,
                "article_id": live.article_id,
                "log": server.log,
            }
    finally:
        live.drop()


def engine_name(uri: str) -> str:
    return sa.engine.make_url(uri).get_backend_name()


def run_client(
    port: int, username: str, barrier: threading.Barrier, results: list, errors: list
) -> None:
    try:
        browser = Browser(port, timeout=REQUEST_TIMEOUT)
        browser.login_for_comments(username)
        # Everyone starts posting at the same moment: the most contention possible.
        barrier.wait(timeout=60)
        for n in range(COMMENTS_EACH):
            body = f"{username} comment {n} {secrets.token_hex(4)}"
            status, location = browser.post_comment(body)
            results.append((body, status, location))
    except Exception as error:  # reported by the main thread
        barrier.abort()
        errors.append(f"{username}: {error!r}")


def test_concurrent_comments_from_several_workers_are_all_stored_once(site, capsys):
    results: list[tuple[str, int, str]] = []
    errors: list[str] = []
    posting_started: list[float] = []
    barrier = threading.Barrier(CLIENTS + 1)
    threads = [
        threading.Thread(target=run_client, args=(site["port"], name, barrier, results, errors))
        for name in site["usernames"]
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=90)  # every client logged in and holds its tokens
        posting_started.append(time.monotonic())
    except threading.BrokenBarrierError:
        pass
    for thread in threads:
        thread.join(timeout=max(0.1, RUN_DEADLINE - (time.monotonic() - started)))
    finished = time.monotonic()
    elapsed = finished - (posting_started[0] if posting_started else started)
    assert not any(t.is_alive() for t in threads), f"clients still running after {elapsed:.0f}s"
    assert errors == []
    assert posting_started, "the clients never all got ready"
    total = CLIENTS * COMMENTS_EACH
    assert len(results) == total
    failures = [(status, location) for _, status, location in results if status != 302]
    assert failures == [], f"{len(failures)} posts failed, e.g. {failures[:3]}"
    # 400 top-level comments fill several pages of the thread: each lands on its own page.
    landing = re.compile(r"/article/under-load(\?comments=\d+)?#comment-\d+")
    assert all(landing.fullmatch(loc) for _, _, loc in results), results[-1]

    with capsys.disabled():
        print(
            f"\n[concurrency/{engine_name(site['uri'])}] {total} comments posted by "
            f"{CLIENTS} concurrent clients "
            f"through {WORKERS} gunicorn workers in {elapsed:.2f}s = "
            f"{total / elapsed:.0f} comments/s, mean {1000 * elapsed * CLIENTS / total:.0f} ms "
            f"per post (logins and page loads before that: {posting_started[0] - started:.2f}s)"
        )

    engine = sa.create_engine(site["uri"], poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as con:
            article = {"article": site["article_id"]}
            rows = con.execute(
                sa.text("SELECT body_source, status FROM comment WHERE article_id = :article"),
                article,
            ).all()
            bodies = [body for body, _ in rows]
            assert len(bodies) == total
            assert sorted(bodies) == sorted(body for body, _, _ in results)
            assert len(set(bodies)) == total
            approved = con.scalar(
                sa.text(
                    "SELECT count(*) FROM comment WHERE article_id = :article "
                    "AND status = 'approved' AND NOT deleted"
                ),
                article,
            )
            count = con.scalar(
                sa.text("SELECT comment_count FROM article WHERE id = :article"), article
            )
            assert approved == total
            assert count == approved
            # Comment ids in the redirects are exactly the stored rows.
            ids = {int(loc.rsplit("-", 1)[1]) for _, _, loc in results}
            stored = set(con.scalars(sa.text("SELECT id FROM comment")))
            assert ids == stored
            throttled = con.scalar(
                sa.text("SELECT count(*) FROM throttle_event WHERE kind = 'comment'")
            )
            assert throttled == total
            if con.dialect.name == "sqlite":
                assert con.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        engine.dispose()
    log = site["log"].read_text()
    assert "database is locked" not in log
    assert "Traceback" not in log
