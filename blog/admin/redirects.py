"""Admin: the redirect table (old addresses answered with a 301). Editors and admins."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from blog.admin.common import area, paginate
from blog.admin.forms import RedirectForm
from blog.core.audit import record
from blog.core.database import reread, writing
from blog.extensions import db
from blog.models import Redirect, Role
from blog.public.api import key_of_url

bp = area("redirects", __name__, Role.EDITOR)


@bp.get("/redirects")
def redirects() -> str:
    query = sa.select(Redirect).order_by(Redirect.source)
    q = request.args.get("q", "").strip()[:200]
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                Redirect.source.ilike(pattern, escape="\\"),
                Redirect.target.ilike(pattern, escape="\\"),
            )
        )
    return render_template("admin/redirects.html", pager=paginate(query, 50), q=q)


def _save(form: RedirectForm, row: Redirect | None) -> Response | tuple:
    if not form.validate():
        return render_template("admin/redirect_form.html", form=form, row=row), 422
    source = key_of_url(form.source.data)
    with writing() as write:
        clash = db.session.scalar(sa.select(Redirect).where(Redirect.source == source))
        if clash is not None and (row is None or clash.id != row.id):
            form.source.errors = [f"{source} already redirects to {clash.target}."]
            write.refuse()
        if row is None:
            row = Redirect(origin="admin")
            db.session.add(row)
        else:
            reread(row)
        row.source, row.target = source, form.target.data
        target = row.target
        record("redirect.save", row, f"{source} -> {target}")
        db.session.commit()
    if write.refused:
        return render_template("admin/redirect_form.html", form=form, row=row), 422
    flash(f"{source} now redirects to {target}.", "success")
    return redirect(url_for("admin.redirects.redirects", q=source), 303)


@bp.route("/redirects/new", methods=["GET", "POST"])
def new_redirect() -> Response | tuple | str:
    form = RedirectForm()
    if request.method == "GET":
        return render_template("admin/redirect_form.html", form=form, row=None)
    return _save(form, None)


@bp.route("/redirects/<int:redirect_id>", methods=["GET", "POST"])
def edit_redirect(redirect_id: int) -> Response | tuple | str:
    row = db.get_or_404(Redirect, redirect_id)
    if request.method == "GET":
        return render_template("admin/redirect_form.html", form=RedirectForm(obj=row), row=row)
    return _save(RedirectForm(), row)  # not obj=row: an empty POST is not "unchanged"


@bp.post("/redirects/<int:redirect_id>/delete")
def delete_redirect(redirect_id: int) -> Response:
    with writing():
        row = db.get_or_404(Redirect, redirect_id)
        source = row.source
        record("redirect.delete", row, f"{source} -> {row.target}")
        db.session.delete(row)
        db.session.commit()
    flash(f"{source} no longer redirects.", "success")
    return redirect(url_for("admin.redirects.redirects"), 303)
