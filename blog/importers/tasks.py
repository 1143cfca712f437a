"""The admin's Ghost and Substack imports as background jobs, like WordPress's
(blog/importers/wordpress/tasks.py: the same payload, progress and report).

`start(source, path, dry_run, actor_id, members=None)` enqueues the import of an
uploaded export in instance/imports/ (the caller commits); a Ghost import may carry
the members CSV uploaded with it. Images are taken from IMPORT_GHOST_IMAGES_DIR (a
copy of Ghost's content/images), or from IMPORT_GHOST_CONTENT_DIR (of its content/,
which also gives the files of file, audio and video cards); Substack's stay on
Substack's servers.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app

from blog.core import jobs
from blog.extensions import db
from blog.importers.ghost.importer import import_ghost
from blog.importers.ghost.parse import GhostError
from blog.importers.substack.archive import SubstackError
from blog.importers.substack.importer import import_substack
from blog.importers.wordpress.report import Report
from blog.importers.wordpress.tasks import _update
from blog.models import Job

KINDS = {"ghost": "ghost-import", "substack": "substack-import"}


def start(
    source: str,
    path: str,
    dry_run: bool,
    actor_id: int | None,
    members: str | None = None,
    fetch_images: bool = False,
) -> str:
    """Enqueue the import; returns the job's key. The caller commits."""
    kind = KINDS[source]
    key = f"{kind}:{secrets.token_hex(8)}"
    payload = {"path": path, "members": members, "dry_run": dry_run, "by": actor_id}
    payload["fetch_images"] = fetch_images
    jobs.enqueue(kind, key, payload | {"done": 0, "total": 0}, max_attempts=3)
    return key


def find(job_id: int, source: str) -> Job | None:
    """The `source` import job with this id, or None."""
    kind = KINDS[source]
    return db.session.scalar(sa.select(Job).where(Job.id == job_id, Job.kind == kind))


def _run(payload: dict[str, Any], run: jobs.Run, work: Callable[..., Report]) -> None:
    files = [p for p in (payload["path"], payload.get("members")) if p]
    if not all(os.path.exists(p) for p in files):
        raise jobs.Fail("The uploaded export is gone (instance/imports/); upload it again.")
    done = 0

    def progress(items: int) -> None:
        nonlocal done
        done += items
        if not payload.get("dry_run"):  # a dry run is one transaction: no commits
            _update(run.job_id, done=done)

    def remove() -> None:
        for path in files:
            if os.path.exists(path):
                os.unlink(path)

    try:
        report = work(
            progress=progress,
            actor_id=payload.get("by"),
            on_start=lambda total: _update(run.job_id, total=total),
        )
    except (GhostError, SubstackError, LookupError) as error:
        _update(run.job_id, error=str(error))
        remove()
        raise jobs.Fail(str(error)) from None
    _update(run.job_id, done=done, report=report.to_json())
    remove()


@jobs.handler(KINDS["ghost"])
def run_ghost(payload: dict[str, Any], run: jobs.Run) -> None:
    def work(**kwargs: Any) -> Report:
        images = current_app.config.get("IMPORT_GHOST_IMAGES_DIR") or None
        content = current_app.config.get("IMPORT_GHOST_CONTENT_DIR") or None
        return import_ghost(
            payload["path"], images, payload.get("dry_run", False), payload.get("members"),
            content=content, **kwargs,
        )  # fmt: skip

    _run(payload, run, work)


@jobs.handler(KINDS["substack"])
def run_substack(payload: dict[str, Any], run: jobs.Run) -> None:
    def work(**kwargs: Any) -> Report:
        return import_substack(
            payload["path"],
            payload.get("dry_run", False),
            fetch_images=payload.get("fetch_images", False),
            **kwargs,
        )

    _run(payload, run, work)
