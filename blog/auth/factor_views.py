"""Views of staff sign-in (the `factors` blueprint, under /auth): the code page of a
login, the security page (authenticator app, recovery codes, sessions), sudo mode's
confirm page, and the guard that sends a staff member without a required second
factor to enrol before anything else (blog/auth/factors.py has the rules)."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from blog.auth import factors
from blog.auth.credentials import abort_if_throttled, check_password, record_failure
from blog.auth.forms import CODE_HINT, CodeForm, EnrolTotpForm, SudoForm
from blog.auth.sessions import signed_in_user
from blog.auth.signin import (
    PENDING,
    complete_login,
    describe_agent,
    end_sessions,
    pending,
    session_for_end_token,
)
from blog.auth.sudo import mark_checked, sudo_required
from blog.core import audit, throttle
from blog.core.cache.site import get_settings
from blog.core.database import writing
from blog.core.mail import account_mail_key, queue_mail
from blog.core.mail_templates import compose
from blog.core.security_log import security_log
from blog.core.templating import absolute_url
from blog.core.urls import safe_next
from blog.extensions import db
from blog.models import LoginSession, User

bp = Blueprint("factors", __name__)

TOTP_PENDING = "totp_pending"
# What a staff member who must enrol may still reach: enrolment itself, logging out,
# and static files. Everything else redirects to enrolment.
ENROLMENT_ENDPOINTS = frozenset({
    "factors.security", "factors.totp", "factors.totp_qr", "passkeys.options",
    "passkeys.add", "factors.sudo", "auth.logout", "static",
})  # fmt: skip


@bp.before_app_request
def require_enrolment() -> Response | None:
    """A staff member whose role needs a second factor and who has none can do nothing
    but enrol (or log out): every other URL, typed or linked, comes here."""
    if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if not factors.required_for(current_user) or factors.has_factor(current_user):
        return None
    flash("Your role needs a second factor: please set one up to continue.", "info")
    return redirect(url_for("factors.security"), code=303)


# The login's second step ----------------------------------------------------------


def _check_code(user: User, raw: str) -> str | None:
    """'totp' or 'recovery' when `raw` is a valid unused code of `user` (spends it and
    commits), else None. Throttled per account and IP like passwords (aborts 429)."""
    key = f"user:{user.id}"
    abort_if_throttled("second-factor", key, "wrong codes")
    code = factors.clean_code(raw)
    with writing():
        if factors.use_totp(user, code):
            kind = "totp"
        elif factors.use_recovery_code(user, code):
            kind = "recovery"
            audit.record("user.recovery_code_used", user, actor_id=user.id)
        else:
            kind = None
        if kind is not None:
            throttle.clear("second-factor", key)
        db.session.commit()
    if kind is None:
        record_failure("second-factor", key)
        security_log("second_factor_failed", user=user.username)
    elif kind == "recovery":
        _mail_recovery_used(user)
        security_log("recovery_code_used", user=user.username)
    return kind


def _mail_recovery_used(user: User) -> None:
    left = factors.recovery_codes_left(user)
    subject, body, _ = compose("recovery_code_used", name=user.name, left=left,
                               site=get_settings().get("site_name", "the site"),
                               link=absolute_url("factors.security"))  # fmt: skip
    with writing():
        queue_mail(
            user.email,
            subject,
            body,
            account_mail_key("recovery-used", user.id, secrets.token_hex(8)),
        )
        db.session.commit()


@bp.route("/login/code", methods=["GET", "POST"])
def verify():
    found = pending()
    if found is None:
        session.pop(PENDING, None)
        flash("Please log in again: the code page waits five minutes at most.", "info")
        return redirect(url_for("auth.login"), code=303)
    user, data = found
    form = CodeForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/code.html", form=form, hint=CODE_HINT), status
    kind = _check_code(user, form.code.data)
    if kind is None:
        form.code.errors.append("That code is not right, or it was already used.")
        return render_template("auth/code.html", form=form, hint=CODE_HINT), 422
    next_target = safe_next(data.get("n"))
    if kind == "recovery":
        flash("You used a recovery code. Each works once: see how many are left below.", "info")
        next_target = url_for("factors.security")
    return complete_login(user, remember=bool(data.get("r")), next_target=next_target)


# The security page ----------------------------------------------------------------


def _sessions(user: User) -> list[dict]:
    rows = db.session.scalars(
        sa.select(LoginSession)
        .where(LoginSession.user_id == user.id)
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    ).all()
    return [{"row": row, "device": describe_agent(row.user_agent),
             "current": row.key == user.login_key} for row in rows]  # fmt: skip


def _render_security(status: int = 200, **extra) -> tuple[str, int]:
    user = signed_in_user()
    return render_template(
        "auth/security.html",
        required=factors.required_for(user),
        has_factor=factors.has_factor(user),
        codes_left=factors.recovery_codes_left(user),
        sessions=_sessions(user),
        passkeys=factors.passkeys(user),
        **extra,
    ), status


@bp.get("/security")
@login_required
def security():
    return _render_security()


def _pending_secret() -> str:
    secret = session.get(TOTP_PENDING)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = factors.new_totp_secret()
        session[TOTP_PENDING] = secret
    return secret


@bp.route("/security/totp", methods=["GET", "POST"])
@login_required
@sudo_required
def totp():
    """Enrol an authenticator app: a QR code and the secret as text, confirmed by a
    first code. The secret waits in this browser's signed session until then."""
    user = signed_in_user()
    if user.totp_secret:
        flash(
            "Your account already has an authenticator app. Remove it first to change it.", "info"
        )
        return redirect(url_for("factors.security"), code=303)
    secret = _pending_secret()
    form = EnrolTotpForm()
    if form.validate_on_submit():
        abort_if_throttled("second-factor", f"user:{user.id}", "wrong codes")
        step = factors.matching_step(secret, factors.clean_code(form.code.data), 0)
        if step is None:
            record_failure("second-factor", f"user:{user.id}")
            form.code.errors.append(
                "That code does not match. Check the time on your phone and type the code "
                "your app shows now."
            )
        else:
            with writing():
                user.totp_secret, user.totp_last_step = secret, step
                codes = factors.new_recovery_codes(user)
                audit.record("user.totp_enrolled", user)
                db.session.commit()
            session.pop(TOTP_PENDING, None)
            mark_checked()
            security_log("totp_enrolled", user=user.username)
            flash("Your authenticator app is set up.", "success")
            return render_template("auth/recovery_codes.html", codes=codes)
    status = 422 if request.method == "POST" else 200
    spaced = " ".join(secret[i : i + 4] for i in range(0, 32, 4))
    return render_template("auth/totp.html", form=form, secret=secret, spaced=spaced), status


@bp.get("/security/totp/qr.svg")
@login_required
def totp_qr() -> Response:
    """The pending secret as a QR code (an SVG image; the page shows it with <img>)."""
    secret = session.get(TOTP_PENDING)
    if not isinstance(secret, str) or current_user.totp_secret:
        abort(404)
    site = get_settings().get("site_name", "Blog")
    uri = factors.provisioning_uri(secret, current_user, site)
    response = Response(factors.qr_svg(uri), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _refuse_last_factor(user: User, removing: str) -> bool:
    """Whether removing this factor would leave a required account without any."""
    return factors.required_for(user) and not factors.has_factor_besides(user, removing)


@bp.post("/security/totp/remove")
@login_required
@sudo_required
def totp_remove() -> Response:
    user = signed_in_user()
    if _refuse_last_factor(user, "totp"):
        flash("Your role needs a second factor: add a passkey before removing the app.", "error")
        return redirect(url_for("factors.security"), code=303)
    with writing():
        user.totp_secret = ""
        audit.record("user.totp_removed", user)
        db.session.commit()
    security_log("totp_removed", user=user.username)
    flash("The authenticator app is removed from your account.", "info")
    return redirect(url_for("factors.security"), code=303)


@bp.post("/security/recovery")
@login_required
@sudo_required
def recovery_codes() -> tuple[str, int] | Response:
    """New recovery codes, shown once on this page; the old ones stop working."""
    user = signed_in_user()
    if not factors.has_factor(user):
        flash("Set up an authenticator app or a passkey first.", "info")
        return redirect(url_for("factors.security"), code=303)
    with writing():
        codes = factors.new_recovery_codes(user)
        audit.record("user.recovery_codes_renewed", user)
        db.session.commit()
    security_log("recovery_codes_renewed", user=user.username)
    return render_template("auth/recovery_codes.html", codes=codes), 200


# Sessions -------------------------------------------------------------------------


@bp.post("/security/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int) -> Response:
    user = signed_in_user()
    with writing():
        row = db.session.get(LoginSession, session_id)
        if row is None or row.user_id != user.id:  # someone else's: as if it did not exist
            abort(404)
        db.session.delete(row)
        db.session.commit()
    security_log("session_ended", user=user.username)
    flash("That session has ended: the browser is logged out.", "success")
    return redirect(url_for("factors.security"), code=303)


@bp.post("/security/sessions/end-others")
@login_required
def end_other_sessions() -> Response:
    user = signed_in_user()
    with writing():
        ended = end_sessions(user, keep=user.login_key)
        db.session.commit()
    security_log("sessions_ended", user=user.username, count=ended)
    flash(f"Every other session has ended ({ended}).", "success")
    return redirect(url_for("factors.security"), code=303)


@bp.route("/security/sessions/end/<token>", methods=["GET", "POST"])
def end_by_link(token: str):
    """The new-device mail's link: its button ends that one session, from any browser
    (the owner may read the mail on their phone). A GET changes nothing."""
    row = session_for_end_token(token)
    if row is None:
        return render_template("auth/end_session.html", invalid=True), 400
    if request.method == "GET":
        return render_template("auth/end_session.html", token=token, row=row,
                               device=describe_agent(row.user_agent))  # fmt: skip
    with writing():
        db.session.execute(sa.delete(LoginSession).where(LoginSession.id == row.id))
        db.session.commit()
    security_log("session_ended_by_link", user_id=row.user_id)
    flash("That session has ended. If it was not you, change your password now.", "success")
    return redirect(url_for("auth.login"), code=303)


# Sudo mode --------------------------------------------------------------------------


@bp.route("/sudo", methods=["GET", "POST"])
@login_required
def sudo():
    """Confirm it is you: the password, or a code (app or recovery) for accounts with a
    second factor; then back to where the sensitive action was."""
    user = signed_in_user()
    next_target = safe_next(request.args.get("next"))
    form = SudoForm()
    with_factor = factors.has_factor(user)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/sudo.html", form=form, next=next_target,
                               with_factor=with_factor), status  # fmt: skip
    ok = False
    if form.password.data:
        abort_if_throttled("password-check", f"user:{user.id}", "wrong password attempts")
        ok = check_password(user, form.password.data)
        if not ok:
            record_failure("password-check", f"user:{user.id}")
            form.password.errors.append("That is not your password.")
    elif form.code.data and with_factor:
        ok = _check_code(user, form.code.data) is not None
        if not ok:
            form.code.errors.append("That code is not right, or it was already used.")
    else:
        form.password.errors.append("Please type your password.")
    if not ok:
        return render_template("auth/sudo.html", form=form, next=next_target,
                               with_factor=with_factor), 422  # fmt: skip
    mark_checked()
    security_log("sudo", user=user.username)
    return redirect(next_target or url_for("factors.security"), code=303)
