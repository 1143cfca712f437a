"""The job queue's table (see blog/core/jobs.py for the API and the guarantees)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.types import UTCDateTime, utcnow
from blog.extensions import db
from blog.models.common import NEVER_REUSE_IDS


class JobState(enum.StrEnum):
    QUEUED = "queued"  # waiting for run_after
    RUNNING = "running"  # claimed by a worker (claimed_by, claimed_at)
    DONE = "done"
    FAILED = "failed"  # gave up: permanent error or out of attempts


class Job(db.Model):
    """One unit of background work, identified by its idempotency key."""

    __table_args__ = (
        sa.Index("ix_job_due", "state", "run_after"),
        sa.Index("ix_job_batch_state", "batch", "state"),
        NEVER_REUSE_IDS,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    # Enqueueing the same key twice adds nothing: "newsletter:<issue>:<subscriber>".
    key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    # Groups jobs for counting ("issue:12"); empty when nobody counts them.
    batch: so.Mapped[str] = so.mapped_column(sa.String(60), default="", server_default="")
    payload: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    state: so.Mapped[str] = so.mapped_column(sa.String(10), default=JobState.QUEUED)
    attempts: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    max_attempts: so.Mapped[int] = so.mapped_column(default=8, server_default="8")
    run_after: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_error: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state}>"
