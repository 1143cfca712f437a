"""Admin: user accounts (list, search, role, deactivate, reactivate), and one person's
data exported or erased on their request (blog/privacy/personal_data.py). Admins only.

The site always keeps at least one active admin: the last one cannot be demoted or
deactivated, so nobody can lock the newsroom out of its own admin.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.admin.common import area, paginate
from blog.admin.forms import EraseForm, RoleForm
from blog.auth.api import reset_second_factors, sudo_required
from blog.core.audit import record
from blog.core.content import clean_text
from blog.core.database import reread, writing
from blog.core.security_log import security_log
from blog.extensions import db
from blog.models import Role, User
from blog.privacy import api as privacy

bp = area("people", __name__, Role.ADMIN)


def other_active_admins(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.role >= Role.ADMIN, User.active, User.id != user.id
        )
    )


def is_last_admin(user: User) -> bool:
    return user.is_admin and user.active and other_active_admins(user) == 0


@bp.get("/users")
def users() -> str:
    q = clean_text(request.args.get("q", "")).strip()[:100]
    role = request.args.get("role", type=int)
    query = sa.select(User).order_by(User.username)
    if q:
        query = query.where(
            sa.or_(
                User.username.contains(q.lower(), autoescape=True),
                User.email.contains(q.lower(), autoescape=True),
                User.display_name.icontains(q, autoescape=True),
            )
        )
    if role in set(Role):
        query = query.where(User.role == role)
    state = request.args.get("state", "")
    if state == "inactive":
        query = query.where(sa.not_(User.active))
    elif state == "blocked":
        query = query.where(sa.not_(User.can_comment))
    pager = paginate(query)
    return render_template(
        "admin/users.html", pager=pager, q=q, role=role, state=state, roles=list(Role)
    )


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int) -> str:
    user = db.get_or_404(User, user_id)
    form = RoleForm(data={"role": user.role})
    return render_template("admin/user.html", user=user, form=form)


@bp.post("/users/<int:user_id>/role")
@sudo_required
def change_role(user_id: int) -> Response | tuple:
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate():
        return render_template("admin/user.html", user=user, form=form), 422
    with writing() as write:
        reread(user)
        new_role = Role(form.role.data)
        if new_role < Role.ADMIN and is_last_admin(user):
            form.role.errors = ["This is the last active admin; make someone else an admin first."]
            write.refuse()
        old = Role(user.role)
        if old != new_role:
            user.role = new_role
            record("user.role", user, f"{user.username}: {old.label} → {new_role.label}")
            security_log("role_changed", target=user.username, old=old.label, new=new_role.label)
        db.session.commit()
    if write.refused:
        return render_template("admin/user.html", user=user, form=form), 422
    flash(f"{user.username} is now {new_role.label}.", "success")
    return redirect(url_for("admin.people.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id: int) -> Response | tuple:
    user = db.get_or_404(User, user_id)
    with writing() as write:
        reread(user)
        if is_last_admin(user):
            flash("This is the last active admin and cannot be deactivated.", "error")
            write.refuse()
        if user.id == current_user.id:
            flash("You cannot deactivate your own account here.", "error")
            write.refuse()
        if user.active:
            user.active = False
            user.end_all_sessions()
            record("user.deactivate", user, user.username)
        db.session.commit()
    if write.refused:
        return redirect(url_for("admin.people.user_detail", user_id=user.id), 303)
    flash(f"Deactivated {user.username}; they have been logged out everywhere.", "success")
    return redirect(url_for("admin.people.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int) -> Response:
    user = db.get_or_404(User, user_id)
    with writing():
        reread(user)
        if not user.active:
            user.active = True
            record("user.reactivate", user, user.username)
        db.session.commit()
    flash(f"Reactivated {user.username}.", "success")
    return redirect(url_for("admin.people.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/second-factor/reset")
@sudo_required
def reset_second_factor(user_id: int) -> Response:
    """Remove another staff member's second factors (a lost phone): audited, mailed to
    them, and every session of theirs ended (blog/auth/signin.reset_second_factors)."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash("Manage your own second factors on your Sign-in and security page.", "error")
        return redirect(url_for("admin.people.user_detail", user_id=user.id), 303)
    reset_second_factors(user)
    security_log("admin_reset_second_factor", user=user.username, by=current_user.username)
    flash(
        f"Removed {user.username}'s second factors and logged them out; we mailed them. "
        "They set up a new one at their next login.",
        "success",
    )
    return redirect(url_for("admin.people.user_detail", user_id=user.id), 303)


# Personal data requests --------------------------------------------------------------


def erase_refusal(user: User) -> str | None:
    if user.id == current_user.id:
        return "You cannot erase your own account here."
    if user.is_admin:
        return "An admin's account cannot be erased: change its role first."
    return None


def _data_page(user: User, form: EraseForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/user_data.html",
        user=user,
        form=form,
        found=privacy.counts(user),
        kept=privacy.KEPT,
        refusal=erase_refusal(user),
    ), status


@bp.get("/users/<int:user_id>/data")
def user_data(user_id: int) -> tuple[str, int]:
    return _data_page(db.get_or_404(User, user_id), EraseForm(formdata=None))


@bp.post("/users/<int:user_id>/data/export")
@sudo_required
def export_data(user_id: int) -> Response:
    user = db.get_or_404(User, user_id)
    data = privacy.export(user)  # before the write: it only reads
    with writing():
        record("user.export_data", user, f"{user.username}: data exported on request")
        db.session.commit()
    return privacy.json_download(data, user.username)


@bp.post("/users/<int:user_id>/data/erase")
@sudo_required
def erase_user(user_id: int) -> Response | tuple[str, int]:
    user = db.get_or_404(User, user_id)
    form = EraseForm()
    refusal = erase_refusal(user)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("admin.people.user_data", user_id=user.id), 303)
    if not form.validate_on_submit():
        return _data_page(user, form, 422)
    if form.username.data.strip().casefold() != user.username:
        form.username.errors.append(f"Type {user.username} exactly to erase this account.")
        return _data_page(user, form, 422)
    username, choice = user.username, form.comments.data
    with writing():
        reread(user)
        found = privacy.erase(user, choice)
        record("user.erase", user, f"{username}: erased on request; {found.describe(choice)}")
        db.session.commit()
    security_log("account_erased", target=username, by=current_user.username)
    flash(f"Erased {username}: {found.describe(choice)}.", "success")
    return redirect(url_for("admin.people.users"), 303)
