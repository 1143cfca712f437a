"""Admin: Tools > Import from Ghost and from Substack. Admins only.

Like the WordPress import (blog/admin/tools.py): the upload has its own size limit
(IMPORT_MAX_BYTES), so the view runs the CSRF check itself after raising the limit; the
file is checked at once for its kind (a Substack zip fully: bombs and paths climbing out
are refused here), stored in instance/imports/, and imported by the job queue
(blog/importers/tasks.py) while a progress page refreshes itself until the report is there.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import abort, current_app, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import BooleanField

from blog.admin.common import area
from blog.admin.import_pages import job_page, posted_form, save_upload, too_large
from blog.auth.api import sudo_required
from blog.core.database import writing
from blog.extensions import csrf, db
from blog.importers import api as importers
from blog.models import Job, Role

bp = area("imports", __name__, Role.ADMIN)
SOURCES = {
    "ghost": {
        "name": "Ghost",
        "suffix": ".json",
        "accept": ".json,application/json",
        "choose": "Choose the .json file Ghost exported (Settings → Advanced → Export).",
        "command": "blog import-ghost EXPORT.json",
    },
    "substack": {
        "name": "Substack",
        "suffix": ".zip",
        "accept": ".zip,application/zip",
        "choose": "Choose the .zip file Substack exported (Settings → Exports).",
        "command": "blog import-substack EXPORT.zip",
    },
}


class GhostImportForm(FlaskForm):
    export = FileField("Ghost export (.json)")
    members = FileField("Members CSV (optional; Members → Export)")
    dry_run = BooleanField("Dry run: show the report, write nothing")


class SubstackImportForm(FlaskForm):
    export = FileField("Substack export (.zip)")
    fetch_images = BooleanField("Copy the posts' images from Substack's servers")
    dry_run = BooleanField("Dry run: show the report, write nothing")


FORMS = {"ghost": GhostImportForm, "substack": SubstackImportForm}


def _source(source: str) -> dict:
    if source not in SOURCES:
        abort(404)
    return SOURCES[source]


def _page(source: str, form: FlaskForm, status: int = 200, error: str = "", job: Job | None = None):
    return job_page(
        "admin/import_source.html",
        form,
        status,
        error,
        job,
        source=source,
        about=SOURCES[source],
        images_dir=current_app.config.get("IMPORT_GHOST_IMAGES_DIR") or "",
        content_dir=current_app.config.get("IMPORT_GHOST_CONTENT_DIR") or "",
    )


def _refusal(source: str, path: str) -> str:
    """Why the saved file is no export of `source` ("" if it may be one): a quick look
    here, the whole check in the job."""
    if source == "substack":
        try:
            importers.open_substack(path).zip.close()
        except importers.SubstackError as error:
            return f"Nothing imported: {error}."
        return ""
    with open(path, "rb") as saved:
        head = saved.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        return (
            "Nothing imported: this is not a Ghost export (a JSON file). In Ghost, choose "
            "Settings → Advanced → Import/Export → Export your content."
        )
    return ""


@bp.get("/tools/import/<source>")
def import_form(source: str) -> tuple:
    _source(source)
    return _page(source, FORMS[source]())


@bp.post("/tools/import/<source>")
@csrf.exempt  # checked below, once the size limit of this view is in place
@sudo_required
def import_run(source: str) -> tuple | Response:
    about = _source(source)
    posted = posted_form(FORMS[source])
    if posted is None:
        return _page(source, FORMS[source](formdata=None), 413, error=too_large(about["command"]))
    form, valid = posted
    upload = form.export.data
    if not valid or not upload or not upload.filename:
        return _page(source, form, 400, error=about["choose"])
    path = save_upload(upload, about["suffix"])
    refusal = _refusal(source, path)
    if refusal:
        os.unlink(path)
        return _page(source, form, 422, error=refusal)
    members = getattr(form, "members", None)
    members_path = save_upload(members.data, ".csv") if members and members.data else None
    with writing():
        fetch = getattr(form, "fetch_images", None)
        key = importers.start_other(
            source,
            path,
            form.dry_run.data,
            current_user.id,
            members=members_path,
            fetch_images=bool(fetch and fetch.data),
        )
        db.session.commit()
    job_id = db.session.scalar(sa.select(Job.id).where(Job.key == key))
    return redirect(url_for(".import_progress", source=source, job_id=job_id), 303)


@bp.get("/tools/import/<source>/<int:job_id>")
def import_progress(source: str, job_id: int) -> tuple:
    _source(source)
    job = importers.find_other(job_id, source)
    if job is None:
        abort(404)
    return _page(source, FORMS[source](formdata=None), 200, job=job)
