"""Views of the confirm blueprint: open a confirmation link, confirm, ask for a new link.

The link's GET only shows what it would confirm and a button; the POST confirms (mail
scanners fetch links, and no state changes on GET). What a link is and why it can
fail is in blog/confirm/confirmation.py.
"""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from blog.auth.api import open_session, signed_in_user
from blog.confirm import confirmation
from blog.core import throttle
from blog.core.database import writing
from blog.core.security_log import security_log
from blog.extensions import db
from blog.models import UsedToken

bp = Blueprint("confirm", __name__)

RESEND_LIMIT = 5  # links an account may ask for in RESEND_WINDOW
RESEND_WINDOW = 3600
TAKEN = "Another account started using that address meanwhile, so it was not changed."


def _invalid(message: str, status: int = 400) -> tuple[str, int]:
    return render_template("confirm/invalid.html", message=message), status


@bp.get("/confirm/<token>")
def show(token: str):
    try:
        found = confirmation.read(token)
    except confirmation.LinkProblem as problem:
        return _invalid(str(problem))
    return render_template("confirm/confirm.html", found=found, token=token)


@bp.post("/confirm/<token>")
def confirm(token: str):
    with writing() as write:
        try:
            found = confirmation.read(token)  # again, under the writer lock
        except confirmation.LinkProblem as problem:
            write.refuse(str(problem), 400)
        try:
            old = confirmation.apply(found)  # its queued mail flushes the new address
            db.session.commit()
        except sa.exc.IntegrityError:  # two clicks at once, or the address taken meanwhile
            db.session.rollback()
            if db.session.scalar(sa.select(UsedToken.id).where(UsedToken.digest == found.digest)):
                write.refuse(confirmation.USED, 400)
            write.refuse(confirmation.TAKEN_MEANWHILE if found.purpose == confirmation.NEW
                         else TAKEN, 409)  # fmt: skip
    if write.refused:
        return _invalid(write.refused.message, write.refused.status)
    user = found.user
    if found.purpose == confirmation.NEW:
        # The link reached the address, and its sign-up chose the password: the person
        # who registered is in. A fresh session, as at any login (no fixation).
        open_session(user, remember=False)
        security_log("register", user=user.username)
        flash(f"Welcome: your account is ready and {user.email} is confirmed.", "success")
        return redirect(url_for("auth.account"), code=303)
    if old is None:
        security_log("email_confirmed", user=user.username)
        flash(f"Thank you: {user.email} is confirmed.", "success")
    else:
        security_log("email_changed", user=user.username)
        flash(f"Your email address is now {user.email}. We told {old} about the change.", "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("auth.account"), code=303)
    return redirect(url_for("auth.login"), code=303)


@bp.post("/confirm/again")
@login_required
def again() -> Response:
    """Mail the logged-in reader a fresh link to their own, not yet confirmed address."""
    user = signed_in_user()
    if user.email_confirmed:
        flash("Your email address is already confirmed.", "info")
        return redirect(url_for("auth.account"), code=303)
    key = f"user:{user.id}"
    wait = throttle.retry_after("confirm", key, window=RESEND_WINDOW, limit=RESEND_LIMIT)
    if wait:
        flash(
            f"We have sent several links already. Please wait {throttle.describe_wait(wait)} "
            "or look for them in your spam folder.",
            "error",
        )
        return redirect(url_for("auth.account", _anchor="confirm"), code=303)
    with writing():
        throttle.hit("confirm", key)
        confirmation.queue_link(user)
        db.session.commit()
    flash(f"We sent a new link to {user.email}. It works for {confirmation.hours()} hours.", "info")
    return redirect(url_for("auth.account", _anchor="confirm"), code=303)
