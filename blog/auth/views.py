"""Views of the auth blueprint: register, log in and out, password reset, own account."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from werkzeug.security import generate_password_hash

from blog.auth import devices
from blog.auth.credentials import (
    GENERIC_LOGIN_ERROR,
    abort_if_throttled,
    check_password,
    find_user,
    ip_key,
    make_reset_token,
    record_failure,
    token_digest,
    user_for_reset_token,
)
from blog.auth.forms import (
    DeleteAccountForm,
    EmailChangeForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
)
from blog.auth.rules import normalize_email
from blog.auth.sessions import signed_in_user
from blog.auth.signin import after_password, end_sessions, open_session
from blog.auth.sudo import mark_checked
from blog.confirm import api as confirm
from blog.core import throttle
from blog.core.cache.site import get_settings
from blog.core.database import writing
from blog.core.mail import account_mail_key, queue_mail
from blog.core.mail_templates import compose
from blog.core.security_log import security_log
from blog.core.templating import absolute_url
from blog.core.types import utcnow
from blog.core.urls import safe_next
from blog.extensions import db
from blog.models import Article, Role, UsedToken, User
from blog.newsletter.api import account_newsletter
from blog.privacy import api as privacy

bp = Blueprint("auth", __name__)


def require_confirmed() -> bool:
    return bool(get_settings().get("require_confirmed_email", True))


def _next_or(default: str) -> str:
    return safe_next(request.args.get("next")) or default


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_next_or(url_for("public.index")))
    form = LoginForm()
    next_target = safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form, next=next_target), status

    typed = form.login.data
    user = find_user(typed)
    device = devices.known_device(user)
    devices.abort_if_locked(user, typed, device)
    if not check_password(user, form.password.data):
        devices.record_failure(user, typed, device)
        security_log("login_failed", login=typed)
        form.form_errors.append(GENERIC_LOGIN_ERROR)
        return render_template("auth/login.html", form=form, next=next_target), 422
    if not user.active:
        security_log("login_refused_inactive", login=typed)
        form.form_errors.append(
            "This account has been deactivated. Please contact the editors if you think "
            "this is a mistake."
        )
        return render_template("auth/login.html", form=form, next=next_target), 403

    with writing():
        devices.clear_failures(user, device)
        db.session.commit()
    # With a second factor, the login completes on the code page (blog/auth/signin.py).
    return after_password(user, remember=bool(form.remember.data), next_target=next_target)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        user = signed_in_user()
        with writing():
            # Every other browser and every remember cookie of this user stops working too.
            user.end_all_sessions()
            end_sessions(user)
            db.session.commit()
        security_log("logout", user=user.username)
    session.clear()
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("public.index"), code=303)


REGISTERED = (
    "Check your mail: we sent a message to {address}. Open the link in it within {hours} "
    "hours to confirm the address; that makes your account and logs you in."
)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """A sign-up: the address is mailed a link that makes the account
    (blog/confirm.register). The answer is the same whether or not the address
    already has an account, whose owner is mailed instead; limited per address and per
    IP, across workers, like password resets."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("auth.account"))
    form = RegisterForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/register.html", form=form), status

    address = form.normalized_email
    abort_if_throttled("register", f"email:{address}", "registrations")
    password_hash = generate_password_hash(form.password.data)  # slow: before the write lock
    with writing():
        throttle.hit("register", f"email:{address}")
        throttle.hit("register", ip_key())
        confirm.register(
            form.normalized_username, address, form.username.data.strip()[:80], password_hash
        )
        db.session.commit()
    security_log("register_requested", email=address)
    flash(REGISTERED.format(address=address, hours=confirm.hours()), "info")
    return redirect(url_for("auth.login"), code=303)


# Password reset ---------------------------------------------------------------------


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    form = ResetRequestForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/reset_request.html", form=form), status
    try:
        address = normalize_email(form.email.data)
    except ValueError:
        address = form.email.data.strip().lower()
    account_key = f"email:{address}"
    abort_if_throttled("reset", account_key, "password reset requests")
    user = db.session.scalar(sa.select(User).where(User.email == address))
    mail = None
    if user is not None and user.active:
        token = make_reset_token(user)
        site = get_settings().get("site_name", "the site")
        link = absolute_url("auth.reset", token=token)
        subject, body, _ = compose("password_reset", name=user.name, site=site, link=link)
        mail = (user.email, subject, body, account_mail_key("reset", user.id, token_digest(token)))
    # Every request counts, whether or not the address has an account; the mail is
    # queued in the same transaction and sent by the worker, never from here.
    with writing():
        throttle.hit("reset", account_key)
        throttle.hit("reset", ip_key())
        if mail is not None:
            queue_mail(*mail)
        db.session.commit()
    security_log("reset_requested", email=address, known=user is not None)
    flash(
        "If an account uses that address, we have sent it a link to reset the password. "
        "The link works for one hour.",
        "info",
    )
    return redirect(url_for("auth.login"), code=303)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/reset.html", form=form, token=token), status

    password_hash = generate_password_hash(form.new_password.data)
    with writing() as write:
        db.session.add(UsedToken(digest=token_digest(token)))
        user.password_hash = password_hash
        user.end_all_sessions()
        end_sessions(user)
        if user.email_confirmed_at is None:  # the link reached this address: it is theirs
            user.email_confirmed_at = utcnow()
        devices.clear_failures(user)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:  # the same link submitted twice at once
            write.refuse()
    if write.refused:
        return render_template("auth/reset_invalid.html"), 400
    session.clear()
    logout_user()
    security_log("reset_completed", user=user.username)
    flash("Your password has been changed. Please log in with the new one.", "success")
    # The link reached the account's address: this browser is the owner's.
    return devices.remember_device(redirect(url_for("auth.login"), code=303), user)


@bp.route("/unlock/<token>", methods=["GET", "POST"])
def unlock(token: str):
    """The link mailed after failed logins (blog/auth/devices.py): its button gives this
    browser the account's device cookie, so the right password gets in again."""
    user = devices.user_for_unlock(token)
    if user is None:
        return render_template("auth/unlock.html", invalid=True), 400
    if request.method == "GET":  # a mail scanner fetching the link changes nothing
        return render_template("auth/unlock.html", token=token)
    # Nothing is cleared: the cookie lets this browser past the counts, which keep
    # holding for everyone else.
    with writing() as write:
        db.session.add(UsedToken(digest=devices.unlock_digest(token)))
        try:
            db.session.commit()
        except sa.exc.IntegrityError:  # the same link pressed twice at once
            write.refuse()
    if write.refused:
        return render_template("auth/unlock.html", invalid=True), 400
    security_log("login_unlocked", user=user.username)
    flash("This browser can log in to your account now, with your password.", "success")
    return devices.remember_device(redirect(url_for("auth.login"), code=303), user)


# The reader's own account -----------------------------------------------------------


def _account_forms(user: User, **override) -> dict:
    forms = {
        "profile_form": ProfileForm(prefix="profile", obj=user, formdata=None),
        "password_form": PasswordChangeForm(prefix="password", formdata=None),
        "email_form": EmailChangeForm(prefix="email", formdata=None, user_id=user.id),
        "delete_form": DeleteAccountForm(prefix="delete", formdata=None),
    }
    forms.update(override)
    return forms


def _render_account(status: int = 200, **override):
    user = signed_in_user()
    return render_template(
        "auth/account.html",
        can_delete=_can_delete_self(user),
        kept=privacy.KEPT,
        **_account_forms(user, **override),
        **account_newsletter(user),
    ), status


def _can_delete_self(user: User) -> bool:
    """Readers only: staff and anyone with articles are removed by an admin."""
    if user.role >= Role.AUTHOR:
        return False
    return (
        db.session.scalar(sa.select(Article.id).where(Article.author_id == user.id).limit(1))
        is None
    )


def _check_current_password(form, user: User) -> bool:
    """Check the current password, throttled like logins (aborts 429 when over)."""
    key = f"user:{user.id}"
    abort_if_throttled("password-check", key, "wrong password attempts")
    if check_password(user, form.current_password.data):
        return True
    record_failure("password-check", key)
    security_log("password_check_failed", user=user.username)
    form.current_password.errors.append("That is not your current password.")
    return False


def _keep_logged_in(user: User) -> None:
    """After rotating the session token, carry this browser over to the new one."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    open_session(user, remember=remember)
    mark_checked()  # the current password was just checked


@bp.get("/account")
@login_required
def account():
    return _render_account()


@bp.post("/account")
@login_required
def profile():
    form = ProfileForm(prefix="profile")
    if not form.validate_on_submit():
        return _render_account(422, profile_form=form)
    user = signed_in_user()
    with writing():
        user.display_name = form.display_name.data
        user.bio = form.bio.data
        user.fediverse = form.fediverse.data if user.can_write else ""  # shown for writers
        user.notify_replies = bool(form.notify_replies.data)
        db.session.commit()
    flash("Your profile has been saved.", "success")
    return redirect(url_for("auth.account"), code=303)


@bp.post("/account/password")
@login_required
def change_password():
    user = signed_in_user()
    form = PasswordChangeForm(prefix="password")
    if not form.validate_on_submit() or not _check_current_password(form, user):
        return _render_account(422, password_form=form)
    password_hash = generate_password_hash(form.new_password.data)
    with writing():
        user.password_hash = password_hash
        user.end_all_sessions()
        end_sessions(user)
        db.session.commit()
    _keep_logged_in(user)
    security_log("password_changed", user=user.username)
    flash("Your password has been changed. Other browsers have been logged out.", "success")
    return redirect(url_for("auth.account"), code=303)


@bp.post("/account/email")
@login_required
def change_email():
    """Mail a link to the new address; the change applies when it is opened
    (blog/confirm/confirmation.py), and the old address is told then."""
    user = signed_in_user()
    form = EmailChangeForm(prefix="email", user_id=user.id)
    if not form.validate_on_submit() or not _check_current_password(form, user):
        return _render_account(422, email_form=form)
    new = form.normalized_email
    if new == user.email:
        flash(f"{new} is already your address.", "info")
        return redirect(url_for("auth.account"), code=303)
    with writing():
        confirm.queue_link(user, confirm.CHANGE, new)
        db.session.commit()
    security_log("email_change_requested", user=user.username)
    flash(f"We sent a link to {new}. Your address stays {user.email} until you open it.", "info")
    return redirect(url_for("auth.account"), code=303)


@bp.post("/account/delete")
@login_required
def delete_account():
    user = signed_in_user()
    if not _can_delete_self(user):
        abort(403, description="Staff accounts and accounts with articles are removed by an admin.")
    form = DeleteAccountForm(prefix="delete")
    if not form.validate_on_submit() or not _check_current_password(form, user):
        return _render_account(422, delete_form=form)
    username, choice = user.username, form.comments.data
    with writing():
        erased = privacy.erase(user, choice)  # blog/privacy/personal_data.py: what stays
        db.session.commit()
    session.clear()
    logout_user()
    security_log("account_deleted", user=username, comments=choice)
    flash(f"Your account has been deleted: {erased.describe(choice)}.", "info")
    return redirect(url_for("public.index"), code=303)
