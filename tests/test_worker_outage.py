"""`blog worker` waits out a database outage, logs it once, and runs jobs when it is back."""

import logging
import threading
import time

import pytest
import sqlalchemy as sa

from blog.core import jobs
from blog.core.worker import work
from blog.extensions import db
from blog.models import Job, JobState

ran: list[str] = []


@jobs.handler("outage-test")
def record_run(payload: dict, run: jobs.Run) -> None:
    ran.append(payload["name"])


class Switch:
    """Every statement on the app's engine fails as a lost server would, while `down`."""

    def __init__(self, engine):
        self.down = False
        self.tries = 0
        self.engine = engine
        sa.event.listen(engine, "before_cursor_execute", self.check)

    def check(self, *args, **kwargs):
        if self.down:
            self.tries += 1
            raise sa.exc.OperationalError(
                "SELECT 1", {}, ConnectionRefusedError("server closed the connection")
            )

    def remove(self):
        sa.event.remove(self.engine, "before_cursor_execute", self.check)


@pytest.fixture
def outage(app):
    switch = Switch(db.engine)
    yield switch
    switch.remove()


def wait_for(condition, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_the_worker_survives_a_database_outage_and_logs_it_once(app, outage, caplog):
    app.config.update(JOBS_OUTAGE_RETRY_SECONDS=0.02)
    ran.clear()
    jobs.enqueue("outage-test", "outage:1", {"name": "before"})
    db.session.commit()
    outage.down = True
    stop = threading.Event()

    def run():
        with app.app_context():
            work(stop, poll=0.02)

    worker = threading.Thread(target=run, daemon=True)
    with caplog.at_level(logging.INFO, logger="blog.jobs"):
        worker.start()
        assert wait_for(lambda: outage.tries >= 5), "the worker did not retry"
        assert worker.is_alive() and ran == []

        outage.down = False
        assert wait_for(lambda: ran == ["before"])
        stop.set()
        worker.join(5)

    assert not worker.is_alive()
    messages = [r.getMessage() for r in caplog.records if r.name == "blog.jobs"]
    assert sum(m.startswith("Database unavailable") for m in messages) == 1
    assert sum(m.startswith("Database back after") for m in messages) == 1
    assert db.session.scalar(sa.select(Job.state).where(Job.key == "outage:1")) == JobState.DONE


def test_the_wait_doubles_up_to_a_ceiling(app):
    from blog.core.outage import Outage

    outage = Outage(logging.getLogger("test"), base=1.0, maximum=8.0)
    waits = [outage.failed(sa.exc.OperationalError("x", {}, Exception("down"))) for _ in range(6)]

    assert [round(w) for w in waits[:3]] == pytest.approx([1, 2, 4], abs=1)
    assert all(6.4 <= w <= 9.6 for w in waits[3:])
