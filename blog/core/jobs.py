"""The job queue: background work kept in the database, run by `blog worker` or `blog send-due`.

Nothing slow or external (mail above all) runs inside a web request. A request adds a
job in its own write transaction; a worker process runs it later.

Adding work::

    from blog.core import jobs

    with writing():
        ...
        jobs.enqueue("mail", f"reset:{user.id}:{digest}", {"to": ..., "subject": ..., "body": ...})
        db.session.commit()

`enqueue(kind, key, payload, run_after=None, *, batch="", max_attempts=8) -> bool` only
adds an INSERT .. ON CONFLICT DO NOTHING to the session (the caller commits) and returns
whether a new job was added. The key is the idempotency key, unique over the whole table
and kept after the job has run: enqueueing "newsletter:12:345" twice sends one mail, so
a caller that may run twice (a retried scheduler, two servers) picks keys that name the
work, e.g. "<kind>:<what>:<recipient>". `payload` must be JSON. `batch` groups jobs for
counting (`counts(batch)`: state -> number), e.g. every mail of one newsletter issue.

Running work::

    @jobs.handler("mail")
    def send(payload: dict, run: jobs.Run) -> None:
        ...

A handler runs in an app context with no transaction open; it may read, and write with
`with writing():` .. `commit()` like a view. Its outcome:
- it returns: the job is done;
- it raises `jobs.Retry(reason, delay=None)` or any other exception: the job is retried
  after a backoff (JOBS_RETRY_BASE_SECONDS doubled per attempt, at most
  JOBS_RETRY_MAX_SECONDS, +-20 % jitter), until `max_attempts` attempts, then failed;
- it raises `jobs.Fail(reason)`: failed at once (a permanent error, e.g. SMTP 5xx).
`run` carries the job (`run.job_id`, `run.key`, `run.attempt`) and `run.resource(name,
factory)`: one object per batch of claimed jobs (an SMTP connection reused for a whole
batch); `run.discard(name)` drops a broken one. Objects with a `close()` are closed when
the batch ends. Modules with handlers are named by the factory (`init_app`) and imported by
the worker. `@jobs.periodic` registers a function every run calls first (at most once per
JOBS_PERIODIC_SECONDS in `blog worker`): cheap, idempotent work such as "enqueue today's
digest if it is due", made safe by its enqueue keys.

Claiming: a worker takes up to JOBS_BATCH due jobs in one short write transaction
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers and servers take disjoint
jobs; the writer lock, BEGIN IMMEDIATE, on SQLite), marks them running with its id
(host:pid:random) and counts the attempt, commits, and only then runs them, one by one,
each finished in its own write transaction. So a crash loses nothing: a job claimed by
a worker that died is claimed again, at once by the next worker on the same host (its
pid is gone), else when its lease (JOBS_LEASE_SECONDS since the claim) runs out. The
only repeat a crash can cause is a job whose handler finished (an SMTP server said 250)
and whose worker died before the commit that records it, a window of one commit;
mails carry a Message-ID derived from the job, so a duplicate can be recognised.
The loops of `blog send-due` and `blog worker` are in blog/core/worker.py.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import random
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from blog.core.database import writing
from blog.core.outage import OUTAGE_ERRORS
from blog.core.state import end_write, request_state
from blog.core.types import utcnow
from blog.core.upsert import insert
from blog.extensions import db
from blog.models import Job, JobState

logger = logging.getLogger("blog.jobs")


Handler = Callable[[dict[str, Any], "Run"], None]
_handlers: dict[str, Handler] = {}
_periodic: list[Callable[[], None]] = []


class Retry(Exception):
    """A temporary failure: run the job again later (after `delay` seconds if given)."""

    def __init__(self, reason: str, delay: float | None = None):
        super().__init__(reason)
        self.delay = delay


class Fail(Exception):
    """A permanent failure: do not try this job again."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind` (one per kind)."""

    def register(fn: Handler) -> Handler:
        _handlers[kind] = fn
        return fn

    return register


def periodic(fn: Callable[[], None]) -> Callable[[], None]:
    """Register a cheap, idempotent function that every run of the queue calls first."""
    if fn not in _periodic:
        _periodic.append(fn)
    return fn


def init_app(app: Flask, handler_modules: Iterable[str]) -> None:
    """Name the modules whose import registers handlers (the features' tasks)."""
    app.extensions["blog_job_modules"] = tuple(handler_modules)


def load_handlers() -> None:
    """Import the modules `init_app` named, so their handlers are registered."""
    for name in current_app.extensions["blog_job_modules"]:
        importlib.import_module(name)


def enqueue(
    kind: str,
    key: str,
    payload: dict[str, Any],
    run_after: datetime | None = None,
    *,
    batch: str = "",
    max_attempts: int = 8,
) -> bool:
    """Add a job unless one with `key` exists; True when added. The caller commits."""
    if len(key) > 200:
        raise ValueError("job keys are at most 200 characters")
    result = db.session.execute(
        insert(Job)
        .values(
            kind=kind,
            key=key,
            batch=batch,
            payload=payload,
            state=JobState.QUEUED,
            attempts=0,
            max_attempts=max_attempts,
            run_after=run_after or utcnow(),
            last_error="",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Job.id)  # rowcount is not reliable for this on every driver
    )
    return result.scalar() is not None


def counts(batch: str) -> dict[str, int]:
    """How many jobs of `batch` are in each state (states with none are 0)."""
    rows = db.session.execute(
        sa.select(Job.state, sa.func.count()).where(Job.batch == batch).group_by(Job.state)
    )
    found = {state: 0 for state in JobState}
    found.update({state: n for state, n in rows})
    return found


@contextlib.contextmanager
def committed_write() -> Iterator[None]:
    """One write transaction committed when the block ends; rolled back if it raises.

    `blog.core.database.writing()`, whose block commits itself, with the commit done for
    the block: the queue's and the newsletter's writes have no refusal path. Afterwards
    the app context reads in deferred transactions again and forgets the versions it
    read, so a long-lived worker neither takes the writer lock for its reads nor keeps
    stale versions.
    """
    try:
        with writing():
            yield
            db.session.commit()
    finally:
        request_state().versions = None


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.randbytes(2).hex()}"


@dataclass
class Claimed:
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int


@dataclass
class Run:
    """What a handler gets besides its payload (see the module docstring)."""

    job_id: int = 0
    key: str = ""
    attempt: int = 0
    _resources: dict[str, Any] = field(default_factory=dict)

    def resource(self, name: str, factory: Callable[[], Any]) -> Any:
        if name not in self._resources:
            self._resources[name] = factory()
        return self._resources[name]

    def discard(self, name: str) -> None:
        thing = self._resources.pop(name, None)
        if thing is not None and hasattr(thing, "close"):
            with contextlib.suppress(Exception):
                thing.close()

    def close(self) -> None:
        for name in list(self._resources):
            self.discard(name)


@dataclass
class Counts:
    done: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.done + self.retried + self.failed

    def add(self, other: Counts) -> None:
        self.done += other.done
        self.retried += other.retried
        self.failed += other.failed


def recover(me: str) -> int:
    """Put back the running jobs of dead workers on this host; how many."""
    host = socket.gethostname()
    with committed_write():
        rows = db.session.execute(
            sa.select(Job.id, Job.claimed_by).where(
                Job.state == JobState.RUNNING, Job.claimed_by.startswith(f"{host}:")
            )
        ).all()
        dead = [job_id for job_id, owner in rows if owner != me and not _alive(owner)]
        if dead:
            db.session.execute(
                sa.update(Job)
                .where(Job.id.in_(dead), Job.state == JobState.RUNNING)
                .values(state=JobState.QUEUED, claimed_by=None, claimed_at=None)
            )
    if dead:
        logger.warning("Requeued %d jobs of workers that died", len(dead))
    return len(dead)


def _alive(owner: str) -> bool:
    parts = owner.split(":")
    if len(parts) < 3 or not parts[1].isdigit():
        return True  # not ours to judge; the lease decides
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim(me: str, limit: int) -> list[Claimed]:
    """Take up to `limit` due jobs for worker `me` (see the module docstring)."""
    now = utcnow()
    lease = timedelta(seconds=float(current_app.config["JOBS_LEASE_SECONDS"]))
    with committed_write():
        due = (
            sa.select(Job)
            .where(
                sa.or_(
                    sa.and_(Job.state == JobState.QUEUED, Job.run_after <= now),
                    sa.and_(Job.state == JobState.RUNNING, Job.claimed_at < now - lease),
                )
            )
            .order_by(Job.run_after, Job.id)
            .limit(limit)
        )
        if db.session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        jobs = db.session.scalars(due).all()
        claimed = []
        for job in jobs:
            job.state = JobState.RUNNING
            job.claimed_by = me
            job.claimed_at = now
            job.attempts = job.attempts + 1
            claimed.append(
                Claimed(job.id, job.kind, job.key, dict(job.payload or {}),
                        job.attempts, job.max_attempts)
            )  # fmt: skip
    return claimed


def backoff(attempt: int) -> float:
    config = current_app.config
    base = float(config["JOBS_RETRY_BASE_SECONDS"])
    delay = min(base * 2 ** max(attempt - 1, 0), float(config["JOBS_RETRY_MAX_SECONDS"]))
    return delay * random.uniform(0.8, 1.2)


def _run(job: Claimed, run: Run) -> tuple[str, str, float | None]:
    """Run one handler; (state, error, retry delay)."""
    fn = _handlers.get(job.kind)
    run.job_id, run.key, run.attempt = job.id, job.key, job.attempt
    try:
        if fn is None:
            raise Fail(f"no handler for jobs of kind {job.kind!r}")
        fn(job.payload, run)
        db.session.commit()
        return JobState.DONE, "", None
    except Fail as error:
        db.session.rollback()
        return JobState.FAILED, str(error) or type(error).__name__, None
    except Retry as error:
        db.session.rollback()
        return JobState.QUEUED, str(error) or "retry", error.delay
    except Exception as error:  # a bug or an outage: logged, retried, the worker goes on
        db.session.rollback()
        logger.exception("Job %s (%s) raised", job.id, job.kind)
        return JobState.QUEUED, f"{type(error).__name__}: {error}", None
    finally:
        end_write()


def _finish(job: Claimed, me: str, state: str, error: str, delay: float | None) -> str:
    now = utcnow()
    values: dict[str, Any] = {"last_error": error[:2000], "claimed_by": None, "claimed_at": None}
    if state == JobState.QUEUED and job.attempt >= job.max_attempts:
        state = JobState.FAILED
    values["state"] = state
    if state == JobState.QUEUED:
        wait = delay if delay is not None else backoff(job.attempt)
        values["run_after"] = now + timedelta(seconds=wait)
    else:
        values["finished_at"] = now
    with committed_write():
        # Only while still ours: a job whose lease ran out may belong to another worker.
        db.session.execute(
            sa.update(Job).where(Job.id == job.id, Job.claimed_by == me).values(**values)
        )
    if state == JobState.FAILED:
        logger.warning("Job %s (%s) failed: %s", job.id, job.kind, error)
    return state


def run_periodic() -> None:
    for fn in list(_periodic):
        try:
            fn()
        except OUTAGE_ERRORS:
            db.session.rollback()
            raise  # the caller waits the outage out; not a task's failure
        except Exception:
            db.session.rollback()
            logger.exception("Periodic task %s failed", getattr(fn, "__name__", fn))
        finally:
            request_state().writing = False


def run_batch(me: str, stop: threading.Event | None = None) -> Counts:
    """Claim one batch and run it; the counts of what happened (all 0: nothing due)."""
    result = Counts()
    claimed = claim(me, int(current_app.config["JOBS_BATCH"]))
    run = Run()
    try:
        for index, job in enumerate(claimed):
            if stop is not None and stop.is_set():
                _release(claimed[index:], me)
                break
            state = _finish(job, me, *_run(job, run))
            if state == JobState.DONE:
                result.done += 1
            elif state == JobState.FAILED:
                result.failed += 1
            else:
                result.retried += 1
    finally:
        run.close()
    return result


def _release(jobs: list[Claimed], me: str) -> None:
    """Give back claimed jobs not started (a stopping worker); the attempt is not counted."""
    with committed_write():
        for job in jobs:
            db.session.execute(
                sa.update(Job)
                .where(Job.id == job.id, Job.claimed_by == me)
                .values(state=JobState.QUEUED, claimed_by=None, claimed_at=None,
                        attempts=Job.attempts - 1)
            )  # fmt: skip
