"""Nothing lost under load: real gunicorn, 4 worker processes, one SQLite file.

8 clients log in through the real login form (CSRF on) and post 50 comments each at
the same time. Every post must succeed, every comment must be stored exactly once,
Article.comment_count must equal the approved rows, and the file must be intact.
This fails if writes start deferred (workers then get "database is locked") or if a
counter is read and rewritten in Python (increments are then lost).
"""

import http.client
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask_migrate import upgrade

from blog import create_app
from blog.extensions import db
from blog.models import Role
from blog.settings import save_settings
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 4
CLIENTS = 8
COMMENTS_EACH = 50
REQUEST_TIMEOUT = 30
RUN_DEADLINE = 180  # seconds for the whole burst; a hang fails instead of blocking CI
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A minimal cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.headers, text
        finally:
            conn.close()

    def csrf_token(self, html: str) -> str:
        match = CSRF.search(html)
        assert match, "no CSRF token on the page"
        return match.group(1) or match.group(2)


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A migrated, seeded SQLite file served by gunicorn with 4 sync workers."""
    db_path = tmp_path / "blog.sqlite3"
    instance = tmp_path / "instance"
    secret = secrets.token_urlsafe(48)
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(instance))
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": secret, "TESTING": True}
    )
    with app.app_context():
        from blog.cli import seed_defaults

        upgrade()
        seed_defaults()
        users = [
            factories.make_user(Role.READER, username=f"loadtester{i}") for i in range(CLIENTS)
        ]
        article = factories.make_article("Under load", slug="under-load")
        save_settings({"comment_policy": "open"})
        db.session.commit()
        usernames = [u.username for u in users]
        article_id = article.id
        db.session.remove()
        db.engine.dispose()

    port = free_port()
    env = {
        **os.environ,
        "BLOG_INSTANCE_PATH": str(instance),
        "BLOG_SECRET_KEY": secret,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "BLOG_COMMENT_MIN_SECONDS": "0",
        "BLOG_COMMENT_MAX_PER_MINUTE": "1000",
    }
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--workers", str(WORKERS),
                "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--chdir", str(ROOT),
                "wsgi:app",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, _ = Browser(port).request("GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.2)
        yield {
            "port": port,
            "db": db_path,
            "usernames": usernames,
            "article_id": article_id,
            "log": log_path,
        }
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def run_client(
    port: int, username: str, barrier: threading.Barrier, results: list, errors: list
) -> None:
    try:
        browser = Browser(port)
        _, _, html = browser.request("GET", "/auth/login")
        status, headers, _ = browser.request(
            "POST",
            "/auth/login",
            {
                "login": username,
                "password": factories.PASSWORD,
                "csrf_token": browser.csrf_token(html),
            },
        )
        assert status in (302, 303), f"login of {username} answered {status}"
        status, _, html = browser.request("GET", "/article/under-load")
        assert status == 200
        assert 'name="body"' in html, "logged-in page has no comment form"
        form = {"csrf_token": browser.csrf_token(html), "started": STARTED.search(html).group(1)}
        # Everyone starts posting at the same moment: the most contention possible.
        barrier.wait(timeout=60)
        for n in range(COMMENTS_EACH):
            body = f"{username} comment {n} {secrets.token_hex(4)}"
            status, headers, _ = browser.request(
                "POST", "/article/under-load/comments", {**form, "body": body, "website": ""}
            )
            results.append((body, status, headers.get("Location", "")))
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
    assert all(loc.startswith("/article/under-load#comment-") for _, _, loc in results)

    with capsys.disabled():
        print(
            f"\n[concurrency] {total} comments posted by {CLIENTS} concurrent clients "
            f"through {WORKERS} gunicorn workers in {elapsed:.2f}s = "
            f"{total / elapsed:.0f} comments/s, mean {1000 * elapsed * CLIENTS / total:.0f} ms "
            f"per post (logins and page loads before that: {posting_started[0] - started:.2f}s)"
        )

    con = sqlite3.connect(site["db"])
    try:
        rows = con.execute(
            "SELECT body_source, status FROM comment WHERE article_id = ?", (site["article_id"],)
        ).fetchall()
        bodies = [body for body, _ in rows]
        assert len(bodies) == total
        assert sorted(bodies) == sorted(body for body, _, _ in results)
        assert len(set(bodies)) == total
        approved = con.execute(
            "SELECT count(*) FROM comment WHERE article_id = ? AND status = 'approved' "
            "AND deleted = 0",
            (site["article_id"],),
        ).fetchone()[0]
        (count,) = con.execute(
            "SELECT comment_count FROM article WHERE id = ?", (site["article_id"],)
        ).fetchone()
        assert approved == total
        assert count == approved
        # Comment ids in the redirects are exactly the stored rows.
        ids = {int(loc.rsplit("-", 1)[1]) for _, _, loc in results}
        stored = {i for (i,) in con.execute("SELECT id FROM comment")}
        assert ids == stored
        (throttled,) = con.execute(
            "SELECT count(*) FROM throttle_event WHERE kind = 'comment'"
        ).fetchone()
        assert throttled == total
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    log = site["log"].read_text()
    assert "database is locked" not in log
    assert "Traceback" not in log
