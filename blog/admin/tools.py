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

import sqlalchemy as sa
from flask import abort, current_app, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.admin.common import area
from blog.admin.forms import ImportForm
from blog.admin.import_pages import job_page, posted_form, save_upload, too_large
from blog.auth.api import sudo_required
from blog.core.database import writing
from blog.extensions import csrf, db
from blog.importers import api as importers
from blog.models import Job, Role

bp = area("tools", __name__, Role.ADMIN)
NOT_AN_EXPORT = (
    "This is not a WordPress export: a WXR file is an <rss> feed. In WordPress, choose "
    "Tools > Export > All content and upload the .xml file it gives."
)


def _page(form: ImportForm, status: int = 200, error: str = "", job: Job | None = None):
    uploads_dir = current_app.config.get("IMPORT_UPLOADS_DIR") or ""
    return job_page("admin/import.html", form, status, error, job, uploads_dir=uploads_dir)


@bp.get("/tools/import")
def tools_import() -> tuple:
    return _page(ImportForm())


@bp.post("/tools/import")
@csrf.exempt  # checked below, once the size limit of this view is in place
@sudo_required
def tools_import_run() -> tuple | Response:
    posted = posted_form(ImportForm)
    if posted is None:
        error = too_large("blog import-wordpress EXPORT.xml")
        return _page(ImportForm(formdata=None), 413, error=error)
    form, valid = posted
    upload = form.export.data
    if not valid or not upload or not upload.filename:
        return _page(form, 400, error="Choose the .xml file WordPress exported (Tools > Export).")
    folder = current_app.config.get("IMPORT_UPLOADS_DIR") or None
    path = save_upload(upload, ".xml")
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
