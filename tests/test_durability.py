"""Durability under real load: online backups, and workers killed mid-write.

Both run real gunicorn on a temporary SQLite file with readers posting comments
through the real forms. A comment counts as acknowledged when its POST was answered
with the redirect to it; those must never be lost.
"""

import http.client
import os
import signal
import sqlite3
import tarfile
import threading
import time

import pytest

from blog.ops.backup import backup, restore
from tests.live import ARTICLE_SLUG, Browser, Gunicorn, prepare_site

# Online SQLite backups and WAL durability; on PostgreSQL both are the server's job.
pytestmark = pytest.mark.sqlite_only

WRITERS = 4


class Writers:
    """Reader threads posting comments until stopped; records what was acknowledged."""

    def __init__(self, server: Gunicorn, usernames: list[str]):
        self.server = server
        self.usernames = usernames
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: list[str] = []
        self.failed = 0
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self.run, args=(u,)) for u in usernames]

    def run(self, username: str) -> None:
        browser = Browser(self.server.port, timeout=20)
        try:
            browser.login_for_comments(username)
        except Exception as error:  # reported by the test
            self.errors.append(f"{username}: {error!r}")
            return
        n = 0
        while not self.stop.is_set():
            body = f"{username} durable comment {n}"
            n += 1
            try:
                status, location = browser.post_comment(body)
            except (OSError, http.client.HTTPException):
                # The connection died (a killed worker may cut a response short,
                # IncompleteRead): not acknowledged.
                status, location = 0, ""
            with self.lock:
                if status == 302 and "#comment-" in location:
                    self.acknowledged.append(body)
                else:
                    self.failed += 1

    def snapshot(self) -> set[str]:
        with self.lock:
            return set(self.acknowledged)

    def __enter__(self) -> "Writers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def wait_for(condition, timeout: float = 90, what: str = "") -> None:
    # Generous: the suite shares two cores with other work; a hang still ends.
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def stored_bodies(db_path) -> list[str]:
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [b for (b,) in con.execute("SELECT body_source FROM comment ORDER BY id")]
    finally:
        con.close()


def test_backup_while_comments_are_written_is_complete_and_restores(tmp_path):
    site = prepare_site(tmp_path / "live", readers=WRITERS)
    with (
        Gunicorn(site.env, site.folder, workers=2) as server,
        Writers(server, site.usernames) as writers,
    ):
        wait_for(lambda: len(writers.snapshot()) >= 40)
        acknowledged_before = writers.snapshot()
        archive = backup(f"sqlite:///{site.db}", str(site.instance), tmp_path / "backups")
        wait_for(lambda: len(writers.snapshot()) >= len(acknowledged_before) + 20)
    assert writers.errors == []

    with tarfile.open(archive) as tar:
        tar.extract("blog.sqlite3", tmp_path / "extracted", filter="data")
    in_backup = set(stored_bodies(tmp_path / "extracted" / "blog.sqlite3"))
    assert acknowledged_before <= in_backup
    # Writing went on during the backup, and everything acknowledged is live.
    assert set(writers.acknowledged) <= set(stored_bodies(site.db))

    restored = prepare_site(tmp_path / "restored", readers=0)
    restore(archive, f"sqlite:///{restored.db}", str(restored.instance))
    with Gunicorn(restored.env, restored.folder, workers=1) as server:
        path = f"/article/{ARTICLE_SLUG}?order=newest"  # page 1 holds 50 of them
        status, _, html = Browser(server.port).request("GET", path)
    assert status == 200
    # The newest comment in the backup is the first the restored site shows.
    newest = stored_bodies(tmp_path / "extracted" / "blog.sqlite3")[-1]
    assert newest in html
    assert f"Comments ({len(in_backup)})" in html


def test_killing_a_worker_mid_write_loses_no_acknowledged_comment(tmp_path):
    site = prepare_site(tmp_path / "live", readers=WRITERS)
    with (
        Gunicorn(site.env, site.folder, workers=2) as server,
        Writers(server, site.usernames) as writers,
    ):
        for round_ in range(3):
            wait_for(lambda r=round_: len(writers.snapshot()) >= 30 * (r + 1))
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            # gunicorn's master replaces the worker; writing carries on.
            wait_for(
                lambda v=victim: v not in server.worker_pids() and len(server.worker_pids()) == 2
            )
        wait_for(lambda: len(writers.snapshot()) >= 120)
    assert writers.errors == []

    stored = stored_bodies(site.db)
    assert set(writers.acknowledged) <= set(stored)
    assert len(stored) == len(set(stored))  # nothing stored twice
    con = sqlite3.connect(site.db)
    (count,) = con.execute(
        "SELECT comment_count FROM article WHERE id = ?", (site.article_id,)
    ).fetchone()
    (rows,) = con.execute(
        "SELECT count(*) FROM comment WHERE article_id = ? AND status = 'approved' AND deleted = 0",
        (site.article_id,),
    ).fetchone()
    con.close()
    assert count == rows
