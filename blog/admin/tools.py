"""Admin: Tools > Import, a WordPress export uploaded and imported. Admins only.

The upload has its own size limit (IMPORT_MAX_BYTES, above the site's usual
MAX_CONTENT_LENGTH), so this view runs the global CSRF check itself, after raising
the limit; run before the view, it would read the body under the usual limit. Images come
from IMPORT_UPLOADS_DIR, a copy of wp-content/uploads on the server; a site too large
for one request is imported with `blog import-wordpress`.
"""

from __future__ import annotations

import os
import tempfile

from flask import current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from blog.admin.common import area
from blog.admin.forms import ImportForm
from blog.extensions import csrf
from blog.models import Role

bp = area("tools", __name__, Role.ADMIN)


def _limit_mb() -> int:
    return int(current_app.config["IMPORT_MAX_BYTES"]) // (1024 * 1024) or 1


def _page(form: ImportForm, status: int = 200, report=None, error: str = ""):
    return render_template(
        "admin/import.html",
        form=form,
        report=report,
        error=error,
        limit_mb=_limit_mb(),
        uploads_dir=current_app.config.get("IMPORT_UPLOADS_DIR") or "",
    ), status


@bp.get("/tools/import")
def tools_import() -> tuple:
    return _page(ImportForm())


@bp.post("/tools/import")
@csrf.exempt  # checked below, once the size limit of this view is in place
def tools_import_run() -> tuple:
    from blog.importers.api import WXRError, import_wordpress

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
    os.makedirs(current_app.instance_path, exist_ok=True)
    fd, path = tempfile.mkstemp(suffix=".xml", dir=current_app.instance_path)
    try:
        with os.fdopen(fd, "wb") as out:
            upload.save(out)
        report = import_wordpress(path, uploads=folder, dry_run=form.dry_run.data)
    except (WXRError, LookupError) as error:
        return _page(form, 422, error=str(error))
    finally:
        os.unlink(path)
    return _page(ImportForm(formdata=None), 200, report=report)
