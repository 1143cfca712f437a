"""What the import pages share (Tools > Import: WordPress in blog/admin/tools.py, Ghost
and Substack in blog/admin/imports.py): the page with its job's progress and report,
the upload read under its own size limit (IMPORT_MAX_BYTES) with the CSRF check run
after raising it, and the file saved for the job in instance/imports/.
"""

from __future__ import annotations

import os
import tempfile

from flask import current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge

from blog.core.assets import static_version
from blog.extensions import csrf
from blog.importers import api as importers
from blog.models import Job, JobState


def limit_mb() -> int:
    return int(current_app.config["IMPORT_MAX_BYTES"]) // (1024 * 1024) or 1


def job_page(template: str, form: FlaskForm, status: int, error: str, job: Job | None, **values):
    """Import page `template`: the form, and the job's progress and report when there
    is one (admin/_import_progress.html, admin/_import_report.html)."""
    report = job.payload.get("report") if job is not None else None
    return render_template(
        template,
        form=form,
        job=job,
        running=job is not None and job.state in (JobState.QUEUED, JobState.RUNNING),
        report=importers.Report.from_json(report) if report else None,
        error=error or (job.payload.get("error", "") if job is not None else ""),
        limit_mb=limit_mb(),
        progress_script=url_for("static", filename="progress.js", v=static_version("progress.js")),
        **values,
    ), status


def posted_form(form_class: type[FlaskForm]) -> tuple[FlaskForm, bool] | None:
    """The posted import form and whether it is valid, read under IMPORT_MAX_BYTES
    instead of the site's usual limit (so the global CSRF check runs here, after
    raising it); None when the upload is larger than that."""
    request.max_content_length = int(current_app.config["IMPORT_MAX_BYTES"])
    try:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        form = form_class()
        return form, form.validate_on_submit()
    except RequestEntityTooLarge:
        return None


def too_large(command: str) -> str:
    return (
        f"That file is larger than the {limit_mb()} MB this page accepts. "
        f"Import it on the server with `{command}` instead."
    )


def save_upload(upload, suffix: str) -> str:
    """The uploaded file saved in instance/imports/ for the job; its path."""
    fd, path = tempfile.mkstemp(suffix=suffix, dir=importers.imports_folder())
    with os.fdopen(fd, "wb") as out:
        upload.save(out)
    upload.close()  # a large upload is spooled to a temporary file: let it go now
    return path
