"""The loops that run the queue: `blog send-due` (once) and `blog worker` (until stopped).

What a job, a handler and a claim are is in blog/core/jobs.py.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app

from blog.core.jobs import Counts, load_handlers, recover, run_batch, run_periodic, worker_id
from blog.core.outage import OUTAGE_ERRORS, Outage
from blog.extensions import db

logger = logging.getLogger("blog.jobs")


def run_due(limit: int | None = None, me: str | None = None) -> Counts:
    """Run everything due now, batch after batch (`blog send-due`); the counts.

    Stops when nothing is due or after about `limit` jobs. Jobs that a retry puts
    back in the future are not due, so this always ends.
    """
    load_handlers()
    me = me or worker_id()
    recover(me)
    run_periodic()
    total = Counts()
    while limit is None or total.total < limit:
        counts_ = run_batch(me)
        if counts_.total == 0:
            break
        total.add(counts_)
    return total


def work(stop: threading.Event, poll: float = 5.0) -> Counts:
    """The loop of `blog worker`: run due jobs until `stop` is set; the counts."""
    load_handlers()
    me = worker_id()
    total = Counts()
    every = float(current_app.config["JOBS_PERIODIC_SECONDS"])
    last_periodic = 0.0
    recovered = False
    outage = Outage(logger, base=float(current_app.config["JOBS_OUTAGE_RETRY_SECONDS"]))
    logger.info("Worker %s started", me)
    while not stop.is_set():
        try:  # a database outage is waited out, however long, and logged once
            if not recovered:
                recover(me)
                recovered = True
            if time.monotonic() - last_periodic >= every:
                run_periodic()
                last_periodic = time.monotonic()
            counts_ = run_batch(me, stop)
        except OUTAGE_ERRORS as error:
            stop.wait(outage.failed(error))
            continue
        outage.succeeded()
        total.add(counts_)
        if counts_.total == 0:
            db.session.remove()  # no connection held while idle
            stop.wait(poll)
    logger.info("Worker %s stopped: %s", me, total)
    return total
