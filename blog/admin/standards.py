"""Admin: the newsroom's standards. Its published policies (linked from the
NewsMediaOrganization data on every page), the article labels, the sponsored
disclosure, the publisher's logo and the republishing license. Admins only."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from blog.admin.common import area
from blog.admin.trust_forms import StandardsForm
from blog.core import uploads
from blog.core.audit import record
from blog.core.cache.site import get_settings
from blog.core.content import clean_text
from blog.core.database import writing
from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Role, Upload
from blog.trust.api import POLICIES, labels

bp = area("standards", __name__, Role.ADMIN)

MAX_LABELS = 20


def render(form: StandardsForm, status: int = 200):
    return render_template(
        "admin/standards.html", form=form, logo=get_settings().get("logo")
    ), status


@bp.route("/standards", methods=["GET", "POST"])
def standards() -> Response | tuple:
    current = get_settings()
    if request.method == "GET":
        data = {key: current.get(key, "") for key, _, _ in POLICIES}
        data["article_labels"] = "\n".join(labels())
        data["sponsored_disclosure"] = current.get("sponsored_disclosure", "")
        data["republish_license"] = current.get("republish_license")
        return render(StandardsForm(data=data))
    form = StandardsForm()
    if not form.validate():
        return render(form, 422)
    names = list(dict.fromkeys(
        " ".join(line.split())[:40] for line in (form.article_labels.data or "").splitlines()
        if line.strip()
    ))  # fmt: skip
    if len(names) > MAX_LABELS:
        form.article_labels.errors = [f"Use at most {MAX_LABELS} labels."]
        return render(form, 422)
    values = {key: getattr(form, key).data or "" for key, _, _ in POLICIES}
    values["article_labels"] = names
    values["sponsored_disclosure"] = clean_text(form.sponsored_disclosure.data or "").strip()
    values["republish_license"] = form.republish_license.data
    chosen = request.files.get("logo_file")
    stored = None
    if chosen is not None and chosen.filename:
        try:
            stored = uploads.save_upload(chosen.stream, chosen.filename)
        except uploads.UploadError as exc:
            form.logo_file.errors = [str(exc)]
            return render(form, 422)
        values["logo"] = {
            "filename": stored.filename,
            "width": stored.width,
            "height": stored.height,
        }
    elif form.remove_logo.data:
        values["logo"] = {}
    changed = {k: v for k, v in values.items() if current.get(k) != v}
    if changed:
        with writing():
            if stored is not None:
                db.session.add(Upload(**asdict(stored)))
            save_settings(changed)
            record("settings.update", None, ", ".join(sorted(changed)))
            db.session.commit()
        flash("Standards saved; every page shows them from now on.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("admin.standards.standards"), 303)
