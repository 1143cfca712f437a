"""Views of passkeys (the `passkeys` blueprint, under /auth): adding, naming and removing
them on the security page, and logging in with one, after the password or instead of
it (blog/auth/passkeys.py does the WebAuthn checks; static/passkeys.js the browser's
part). Every POST carries the CSRF token: the forms' field, or the X-CSRFToken header
of the two option requests."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from blog.auth import factors, passkeys
from blog.auth.credentials import abort_if_throttled, ip_key, record_failure
from blog.auth.forms import PasskeyNameForm
from blog.auth.sessions import signed_in_user
from blog.auth.signin import PENDING, complete_login, pending
from blog.auth.sudo import sudo_required
from blog.core import audit
from blog.core.cache.site import get_settings
from blog.core.content import clean_text
from blog.core.database import writing
from blog.core.security_log import security_log
from blog.core.urls import safe_next
from blog.extensions import db
from blog.models import Passkey, User

bp = Blueprint("passkeys", __name__)


def _site_name() -> str:
    return get_settings().get("site_name", "Blog")


def _json(text: str) -> Response:
    response = Response(text, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.post("/security/passkeys/options")
@login_required
def options() -> Response:
    return _json(passkeys.registration_options(signed_in_user(), _site_name()))


@bp.post("/security/passkeys")
@login_required
@sudo_required
def add() -> Response:
    user = signed_in_user()
    form = PasskeyNameForm()
    name = " ".join(clean_text(form.name.data or "").split())[:60]
    if not form.validate_on_submit() or not name:
        flash("Please give the passkey a name (say, “Work laptop”), then try again.", "error")
        return redirect(url_for("factors.security"), code=303)
    passkey = passkeys.register(user, name, request.form.get("credential", ""))
    if passkey is None:
        flash("That passkey could not be added. Please try again.", "error")
        return redirect(url_for("factors.security"), code=303)
    with writing():
        db.session.add(passkey)
        audit.record("user.passkey_added", user, name)
        db.session.commit()
    security_log("passkey_added", user=user.username)
    flash(f"The passkey “{name}” is added.", "success")
    return redirect(url_for("factors.security"), code=303)


@bp.post("/security/passkeys/<int:passkey_id>/remove")
@login_required
@sudo_required
def remove(passkey_id: int) -> Response:
    user = signed_in_user()
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != user.id:  # someone else's: as if absent
        abort(404)
    if factors.required_for(user) and not factors.has_factor_besides(user, f"passkey:{passkey.id}"):
        flash("Your role needs a second factor: add another one before removing this.", "error")
        return redirect(url_for("factors.security"), code=303)
    name = passkey.name
    with writing():
        db.session.execute(sa.delete(Passkey).where(Passkey.id == passkey_id))
        audit.record("user.passkey_removed", user, name)
        db.session.commit()
    flash(f"The passkey “{name}” is removed.", "info")
    return redirect(url_for("factors.security"), code=303)


@bp.post("/passkeys/login/options")
def login_options() -> Response:
    found = pending()
    return _json(passkeys.login_options(found[0] if found else None))


@bp.post("/passkeys/login")
def login() -> Response:
    """A passkey after the password (the pending account's own), or instead of it (any
    account's discoverable passkey whose authenticator verified its user)."""
    abort_if_throttled("second-factor", ip_key(), "failed passkey logins")
    found = pending()
    with writing():
        passkey = passkeys.check(request.form.get("credential", ""), need_user_verified=not found)
        user = db.session.get(User, passkey.user_id) if passkey is not None else None
        if user is not None and found is not None and user.id != found[0].id:
            user = None  # another account's passkey after this one's password
        db.session.commit()
    if user is None or not user.active:
        record_failure("second-factor", ip_key())
        security_log("passkey_login_failed")
        flash("That passkey did not log you in. Please try again, or use a code.", "error")
        return redirect(url_for("factors.verify" if found else "auth.login"), code=303)
    data = found[1] if found else {}
    session.pop(PENDING, None)
    return complete_login(user, remember=bool(data.get("r")), next_target=safe_next(data.get("n")))
