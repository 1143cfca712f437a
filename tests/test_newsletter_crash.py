"""A worker SIGKILLed in the middle of a digest: the next one sends the rest, nobody twice."""

import os
import signal
import time
from collections import Counter

import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Job, JobState, Subscriber, SubscriberState
from blog.newsletter.sending import create_issue
from tests import factories
from tests.conftest import TEST_SECRET
from tests.live import Worker
from tests.mailing import Collector, start_smtp

SUBSCRIBERS = 60
KILL_AT = 23


class KillingCollector(Collector):
    """Accepts messages; at the KILL_AT-th one it SIGKILLs the worker before answering."""

    worker: Worker | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.worker is not None and len(self.envelopes) == KILL_AT:
            self.worker.kill()
            self.worker = None
            return "451 Connection lost"
        return await super().handle_DATA(server, session, envelope)


def worker_env(app, smtp) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "BLOG_SECRET_KEY": TEST_SECRET,
        "BLOG_INSTANCE_PATH": app.instance_path,
        "BLOG_SITE_URL": "http://newsroom.test",
        "BLOG_MAIL_SERVER": "127.0.0.1",
        "BLOG_MAIL_PORT": str(smtp.port),
        "BLOG_MAIL_SENDER": "desk@newsroom.test",
        "BLOG_JOBS_BATCH": "10",
    }


def done_jobs(issue_id: int) -> int:
    db.session.commit()  # end the read transaction: see what the worker committed
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Job)
        .where(Job.batch == f"issue:{issue_id}", Job.state == JobState.DONE)
    )  # fmt: skip


def wait_until(predicate, timeout=30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def test_a_killed_worker_neither_repeats_nor_skips_a_subscriber(app, tmp_path):
    handler = KillingCollector()
    smtp = start_smtp(handler)
    try:
        factories.make_article("Storm closes the ferry", published_at=utcnow())
        for n in range(SUBSCRIBERS):
            db.session.add(Subscriber(email=f"s{n}@example.com", state=SubscriberState.ACTIVE,
                                      frequency="daily"))  # fmt: skip
        db.session.commit()
        issue = create_issue("daily")
        db.session.commit()
        env = worker_env(app, smtp)

        first = Worker(env, tmp_path)
        handler.worker = first
        with first:
            wait_until(lambda: first.process.poll() is not None)
        assert first.process.returncode == -signal.SIGKILL
        assert len(handler.envelopes) == KILL_AT
        db.session.commit()  # a fresh snapshot
        running = db.session.scalar(
            sa.select(sa.func.count()).select_from(Job).where(Job.state == JobState.RUNNING)
        )
        assert running > 0  # it died holding claimed jobs

        with Worker(env, tmp_path):
            wait_until(lambda: done_jobs(issue.id) == SUBSCRIBERS)
            time.sleep(0.5)  # anything extra would arrive now

        received = Counter(rcpt for e in handler.envelopes for rcpt in e.rcpt_tos)
        assert sorted(received) == sorted(f"s{n}@example.com" for n in range(SUBSCRIBERS))
        assert set(received.values()) == {1}
        assert done_jobs(issue.id) == SUBSCRIBERS
    finally:
        smtp.stop()
