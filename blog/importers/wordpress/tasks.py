"""The admin's WordPress import as a background job, with the progress it reports.

`start(path, uploads, dry_run, actor_id)` enqueues a job (the caller commits) for an
export the admin uploaded into instance/imports/; `blog worker` (or `blog send-due`)
runs it with `import_wordpress`, which writes in batches. After every batch the job's
payload gets the items done and the total, and the job's lease is renewed, so a long
import is never taken for a dead one. The finished job's payload holds the report
(`Report.to_json`), a refused file's its message. A dry run, one transaction rolled
back at its end, reports no progress until it is over. A worker killed mid-import leaves
its job to be claimed again, and the import, keyed by the export's own ids, goes on
where it stopped: what the batches wrote stays, and the report says what each run did.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from blog.core import jobs
from blog.core.database import writing
from blog.core.types import utcnow
from blog.extensions import db
from blog.importers.wordpress.importer import import_wordpress
from blog.importers.wordpress.parse import WXRError
from blog.models import Job

KIND = "wordpress-import"


def imports_folder() -> Path:
    """instance/imports/: uploaded exports waiting for, or in, their import job."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start(path: str, uploads: str | None, dry_run: bool, actor_id: int | None) -> str:
    """Enqueue the import of the export at `path` (inside `imports_folder()`); returns
    the job's key. The caller commits, in a write transaction."""
    key = f"{KIND}:{secrets.token_hex(8)}"
    payload = {"path": path, "uploads": uploads, "dry_run": dry_run, "by": actor_id}
    # A killed worker's import is resumed twice at most; each run is idempotent.
    jobs.enqueue(KIND, key, payload | {"done": 0, "total": 0}, max_attempts=3)
    return key


def _update(job_id: int, **values: Any) -> None:
    """Merge `values` into the job's payload in its own short write, renewing the lease."""
    with writing():
        job = db.session.get(Job, job_id)
        job.payload = {**job.payload, **values}
        job.claimed_at = utcnow()
        db.session.commit()


@jobs.handler(KIND)
def run_import(payload: dict[str, Any], run: jobs.Run) -> None:
    path = payload["path"]
    if not os.path.exists(path):
        raise jobs.Fail("The uploaded export is gone (instance/imports/); upload it again.")
    done = 0

    def progress(items: int) -> None:
        nonlocal done
        done += items
        # A dry run is one transaction, rolled back at its end: a progress write
        # would commit it, so it reports only when it is over.
        if not payload.get("dry_run"):
            _update(run.job_id, done=done)

    try:
        report = import_wordpress(
            path,
            uploads=payload.get("uploads"),
            dry_run=payload.get("dry_run", False),
            progress=progress,
            actor_id=payload.get("by"),
            on_start=lambda total: _update(run.job_id, total=total),  # before any write
        )
    except (WXRError, LookupError) as error:
        _update(run.job_id, error=str(error))
        os.unlink(path)
        raise jobs.Fail(str(error)) from None
    _update(run.job_id, done=done, report=report.to_json())
    os.unlink(path)


def find(job_id: int) -> Job | None:
    """The import job with this id, or None (another kind of job is None too)."""
    return db.session.scalar(sa.select(Job).where(Job.id == job_id, Job.kind == KIND))
