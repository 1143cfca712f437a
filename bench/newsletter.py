"""Bench row: one digest to N subscribers through a local SMTP server (aiosmtpd).

    .venv/bin/python bench/newsletter.py --subscribers 10000

Builds a SQLite site by the real migrations, adds N active daily subscribers and one
fresh article, makes the day's issue (N jobs), then runs `blog send-due` in its own
process against an aiosmtpd server in another process that counts what it accepts.
Prints messages/s of the sending process, its peak RSS, and the count the server saw.
"""

import argparse
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
    from blog.extensions import db
    from blog.models import Subscriber, SubscriberState
    from blog.newsletter.sending import create_issue
    from blog.seed import seed_defaults
    from blog.types import utcnow
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
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
        started = time.perf_counter()
        command = [sys.executable, "-c", "from blog.cli import main; main()", "send-due"]
        sent = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        server.stdin.write("\n")
        server.stdin.flush()
        received = int(server.stdout.readline())
        server.wait(timeout=10)
        print(sent.stdout.strip() or sent.stderr[-2000:])
        rate = received / seconds
        print(f"| digest to {recipients:,} subscribers | {received:,} received | "
              f"{rate:.0f} messages/s | {seconds:.1f} s | peak RSS {peak_mb:.0f} MB |")  # fmt: skip


if __name__ == "__main__":
    main()
