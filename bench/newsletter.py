"""Bench row: one digest to N subscribers through a local SMTP server (aiosmtpd).

    .venv/bin/python bench/newsletter.py --subscribers 10000

Builds a SQLite site by the real migrations, adds N active daily subscribers and one
fresh article, makes the day's issue (N jobs), then runs `blog send-due` in its own
process against an aiosmtpd server in another process that counts what it accepts.
Prints messages/s of the sending process, its peak RSS, and the count the server saw.

    .venv/bin/python bench/newsletter.py --subscribers 10000 --pages

also serves the same database with gunicorn (2 sync workers, page cache off) beside
bench/constant_app.py, and measures the home page and the article with wrk (`-t2 -c8`,
5 s, each paired with a constant-page run just before it, as bench/run.py does) first
with nothing else running, then while `blog send-due` sends the digest: the pages'
figures during the send against before it.
"""

import argparse
import contextlib
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

SMTP_SERVER = """
import asyncio, sys
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.readline()
print(Count.n, flush=True)
c.stop()
"""


def build(folder: Path, subscribers: int) -> tuple[str, int]:
    from flask_migrate import upgrade

    from blog import create_app
    from blog.core.seed import seed_defaults
    from blog.core.types import utcnow
    from blog.extensions import db
    from blog.models import Subscriber, SubscriberState
    from blog.newsletter.sending import create_issue
    from tests import factories

    uri = f"sqlite:///{folder / 'blog.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": secrets.token_urlsafe(48),
                      "TESTING": True})  # fmt: skip
    with app.app_context():
        upgrade()
        seed_defaults()
        factories.make_article("Bench ferry returns", published_at=utcnow() - timedelta(minutes=1))
        db.session.add_all(
            Subscriber(email=f"s{n}@bench.example", state=SubscriberState.ACTIVE,
                       frequency="daily", confirmed_at=utcnow())
            for n in range(subscribers)
        )  # fmt: skip
        db.session.commit()
        issue = create_issue("daily")
        db.session.commit()
        recipients = issue.recipients
        db.engine.dispose()
    return uri, recipients


PAGES = {"home": "/", "article": "/article/bench-ferry-returns"}


def measure_pages(wrk: str, site: str, constant: str, label: str) -> list[str]:
    """One table row per page: requests/s, p50, p99 and the ratio to the constant page."""
    from load import run_wrk

    rows = []
    for name, path in PAGES.items():
        ceiling = run_wrk(wrk, constant + "/", {}, 5, 2, 8)[0]
        rps, p50, p99, errors = run_wrk(wrk, site + path, {}, 5, 2, 8)
        rows.append(f"| {name}, {label} | {rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms | "
                    f"{rps / ceiling:.2f} ({ceiling:,.0f}) | {errors} |")  # fmt: skip
        print(rows[-1], flush=True)
    return rows


def start_sites(stack: contextlib.ExitStack, env: dict, folder: Path) -> list:
    """The site on the bench database and the constant page (bench/run.py's servers),
    started now and stopped when `stack` closes."""
    from servers import gunicorn

    site_env = env | {"BLOG_PAGE_CACHE": "false"}
    return [stack.enter_context(gunicorn("wsgi:app", site_env, folder, 2)),
            stack.enter_context(gunicorn("bench.constant_app:app", env, folder, 2))]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--pages", action="store_true", help="measure pages while it sends")
    args = parser.parse_args()
    from tests.live import free_port

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        uri, recipients = build(folder, args.subscribers)
        print(f"built site and issue for {recipients} in {time.perf_counter() - started:.1f} s")
        port = free_port()
        pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
        server = subprocess.Popen([sys.executable, "-c", SMTP_SERVER, str(port)], **pipes)
        assert server.stdout.readline().strip() == "ready"
        env = {**os.environ, "DATABASE_URL": uri, "BLOG_SECRET_KEY": secrets.token_urlsafe(48),
               "BLOG_INSTANCE_PATH": str(folder / "instance"), "BLOG_MAIL_SERVER": "127.0.0.1",
               "BLOG_MAIL_PORT": str(port), "BLOG_SITE_URL": "https://news.example"}  # fmt: skip
        servers, rows = [], []
        wrk = shutil.which("wrk") if args.pages else None
        with contextlib.ExitStack() as stack:
            if wrk:
                servers = start_sites(stack, env, folder)
                rows += measure_pages(wrk, servers[0].base, servers[1].base, "before")
            started = time.perf_counter()
            command = [sys.executable, "-c", "from blog.cli import main; main()", "send-due"]
            sending = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)  # fmt: skip
            if wrk:
                time.sleep(1)  # past start-up: the sender is in its batches
                rows += measure_pages(wrk, servers[0].base, servers[1].base, "while sending")
            out, err = sending.communicate()
            seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        server.stdin.write("\n")
        server.stdin.flush()
        received = int(server.stdout.readline())
        server.wait(timeout=10)
        print(out.strip() or err[-2000:])
        rate = received / seconds
        print(f"| digest to {recipients:,} subscribers | {received:,} received | "
              f"{rate:.0f} messages/s | {seconds:.1f} s | peak RSS {peak_mb:.0f} MB |")  # fmt: skip
        if rows:
            print("| page | requests/s | p50 | p99 | ratio (constant req/s) | errors |")
            print("|---|---:|---:|---:|---:|---:|")
            print("\n".join(rows))


if __name__ == "__main__":
    main()
