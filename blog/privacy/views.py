"""Views of the privacy blueprint: "Download my data", and an admin's export or erasure
of one person's data on request (written to the audit log).

What the data is and what erasing keeps: blog/personal_data.py. A reader deletes their
own account from the account page (auth.delete_account), which erases the same way.
"""

import json

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from blog import personal_data
from blog.audit import record
from blog.database import writing
from blog.extensions import db, login_manager
from blog.models import User
from blog.privacy.forms import EraseForm
from blog.security_log import security_log
from blog.types import utcnow

bp = Blueprint("privacy", __name__)


def json_download(data: dict, username: str) -> Response:
    """`data` as a JSON file named after the account and the day; never cached."""
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    name = f"{username}-data-{utcnow():%Y-%m-%d}.json"
    return Response(
        body + "\n",
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/auth/account/data")
@login_required
def download() -> Response:
    """The logged-in reader's own data (reading it changes nothing)."""
    user = current_user._get_current_object()
    security_log("data_downloaded", user=user.username)
    return json_download(personal_data.export(user), user.username)


def admin_target(user_id: int) -> User:
    """The person an admin acts on; the admin pages' guard, for this blueprint's pages."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not current_user.is_admin:
        abort(403)
    return db.get_or_404(User, user_id)


def erase_refusal(user: User) -> str | None:
    if user.id == current_user.id:
        return "You cannot erase your own account here."
    if user.is_admin:
        return "An admin's account cannot be erased: change its role first."
    return None


def _person_page(user: User, form: EraseForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "privacy/person.html",
        user=user,
        form=form,
        found=personal_data.counts(user),
        kept=personal_data.KEPT,
        refusal=erase_refusal(user),
    ), status


@bp.get("/admin/users/<int:user_id>/data")
def person(user_id: int) -> tuple[str, int]:
    return _person_page(admin_target(user_id), EraseForm(formdata=None))


@bp.post("/admin/users/<int:user_id>/data/export")
def export(user_id: int) -> Response:
    user = admin_target(user_id)
    data = personal_data.export(user)  # before the write: it only reads
    with writing():
        record("user.export_data", user, f"{user.username}: data exported on request")
        db.session.commit()
    return json_download(data, user.username)


@bp.post("/admin/users/<int:user_id>/data/erase")
def erase(user_id: int) -> Response | tuple[str, int]:
    user = admin_target(user_id)
    form = EraseForm()
    refusal = erase_refusal(user)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("privacy.person", user_id=user.id), 303)
    if not form.validate_on_submit():
        return _person_page(user, form, 422)
    if form.username.data.strip().casefold() != user.username:
        form.username.errors.append(f"Type {user.username} exactly to erase this account.")
        return _person_page(user, form, 422)
    username, choice = user.username, form.comments.data
    with writing():
        db.session.refresh(user)
        found = personal_data.erase(user, choice)
        record("user.erase", user, f"{username}: erased on request; {found.describe(choice)}")
        db.session.commit()
    security_log("account_erased", target=username, by=current_user.username)
    flash(f"Erased {username}: {found.describe(choice)}.", "success")
    return redirect(url_for("admin.users"), 303)
