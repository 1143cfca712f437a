"""Admin: Tools > Import, a WordPress export uploaded and imported. Admins only.

The upload has its own size limit (IMPORT_MAX_BYTES, above the site's usual
MAX_CONTENT_LENGTH), so this view runs the global CSRF check itself, after raising
the limit; run before the view, it would read the body under the usual limit. The
import itself runs in the job queue (blog/importers/wordpress/tasks.py), never in the request:
the view stores the file and answers with a progress page that refreshes itself until
the report is there. Images come from IMPORT_UPLOADS_DIR, a copy of wp-content/uploads
on the server.
"""

from __future__ import annotations

import os
import tempfile

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from blog.admin.common import area
from blog.admin.forms import ImportForm
from blog.auth.api import sudo_required
from blog.core.assets import static_version
from blog.core.database import writing
from blog.extensions import csrf, db
from blog.importers import api as importers
from blog.models import Job, JobState, Role

bp = area("tools", __name__, Role.ADMIN)
NOT_AN_EXPORT = (
    "This is not a WordPress export: a WXR file is an <rss> feed. In WordPress, choose "
    "Tools > Export > All content and upload the .xml file it gives."
)


def _limit_mb() -> int:
    return int(current_app.config["IMPORT_MAX_BYTES"]) // (1024 * 1024) or 1


def _page(form: ImportForm, status: int = 200, error: str = "", job: Job | None = None):
    report = job.payload.get("report") if job is not None else None
    return render_template(
        "admin/import.html",
        form=form,
        job=job,
        running=job is not None and job.state in (JobState.QUEUED, JobState.RUNNING),
        report=importers.Report.from_json(report) if report else None,
        error=error or (job.payload.get("error", "") if job is not None else ""),
        limit_mb=_limit_mb(),
        progress_script=url_for("static", filename="progress.js", v=static_version("progress.js")),
        uploads_dir=current_app.config.get("IMPORT_UPLOADS_DIR") or "",
    ), status


@bp.get("/tools/import")
def tools_import() -> tuple:
    return _page(ImportForm())


@bp.post("/tools/import")
@csrf.exempt  # checked below, once the size limit of this view is in place
@sudo_required
def tools_import_run() -> tuple | Response:
    request.max_content_length = int(current_app.config["IMPORT_MAX_BYTES"])
    try:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()  # the global check, run here under this view's limit
        form = ImportForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        return _page(
            ImportForm(formdata=None),
            413,
            error=(
                f"That file is larger than the {_limit_mb()} MB this page accepts. "
                "Import it on the server with `blog import-wordpress EXPORT.xml` instead."
            ),
        )
    upload = form.export.data
    if not valid or not upload or not upload.filename:
        return _page(form, 400, error="Choose the .xml file WordPress exported (Tools > Export).")
    folder = current_app.config.get("IMPORT_UPLOADS_DIR") or None
    fd, path = tempfile.mkstemp(suffix=".xml", dir=importers.imports_folder())
    with os.fdopen(fd, "wb") as out:
        upload.save(out)
    upload.close()  # a large upload is spooled to a temporary file: let it go now
    with open(path, "rb") as saved:
        head = saved.read(4096).lower()
    if b"<rss" not in head:
        # The whole file is checked in the job; this catches a wrong file at once.
        os.unlink(path)
        return _page(form, 422, error=NOT_AN_EXPORT)
    with writing():
        key = importers.start_import(path, folder, form.dry_run.data, current_user.id)
        db.session.commit()
    job_id = db.session.scalar(sa.select(Job.id).where(Job.key == key))
    return redirect(url_for(".tools_import_progress", job_id=job_id), 303)


@bp.get("/tools/import/<int:job_id>")
def tools_import_progress(job_id: int) -> tuple:
    """How far the import job has got; refreshes itself until the report is there."""
    job = importers.find_import(job_id)
    if job is None:
        abort(404)
    return _page(ImportForm(formdata=None), 200, job=job)
