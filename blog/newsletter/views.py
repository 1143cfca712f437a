"""Views of the newsletter blueprint: subscribe, confirm, preferences, one-click unsubscribe.

Every answer to a subscribe request is the same, whatever the address's state, so the
form reveals nothing about who is subscribed; a confirmation mail goes out at most once
per CONFIRM_RESEND_WINDOW (a day) per address, and nothing but the link's confirmation
puts an address on the list (blog/subscriptions.py). Unsubscribing is a POST without
CSRF token (RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` to the
link); the signed token in the URL is the authorisation. Nothing is sent from here:
mails are queued (blog/jobs.py).

The subscribe boxes of the footer and of the end of articles (newsletter/_box.html)
post to `subscribe` too. On a page from the page cache they carry no CSRF token, so
Flask-WTF refuses them; `stale_form` answers with this page, the address kept and a
real token, and the reader presses once more. A logged-in reader's subscription is
also shown and changed on the account page (`account_save`, `account_unsubscribe`;
blog/subscriptions.py holds what both share).
"""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from blog.auth.api import signed_in_user
from blog.core import throttle
from blog.core.database import writing
from blog.core.errors import render_error
from blog.core.jobs import committed_write
from blog.core.types import utcnow
from blog.extensions import csrf, db
from blog.models import Subscriber, SubscriberState
from blog.newsletter import subscriptions
from blog.newsletter.forms import SubscribeForm
from blog.newsletter.tokens import manage_token, subscriber_to_confirm, subscriber_to_manage

bp = Blueprint("newsletter", __name__)

SAME_ANSWER = (
    "Thank you. If that address is not subscribed yet, a message with a confirmation "
    "link is on its way; nothing else is sent until you open it."
)
CHECK_MAIL = (
    "To start the newsletter, open the confirmation link we mailed to {address} "
    "(we send at most one a day); nothing is sent before that."
)


def _throttled() -> bool:
    ip = f"ip:{request.remote_addr or '-'}"
    return bool(throttle.retry_after("newsletter", ip, 3600, 20))


@bp.get("/newsletter")
def index():
    return render_template("newsletter/index.html", form=SubscribeForm(formdata=None))


@bp.errorhandler(CSRFError)
def stale_form(error: CSRFError):
    """A subscribe box on a cached page carries no CSRF token (newsletter/_box.html):
    answer with the newsletter page, the address kept and a real token, so one more
    press sends the confirmation. Nothing is written without a valid token."""
    if request.endpoint != "newsletter.subscribe":
        return render_error(error)
    typed = (request.form.get("email") or "")[:254]
    source = (request.form.get("from_article") or "")[:12]
    form = SubscribeForm(formdata=None, data={"email": typed, "from_article": source})
    # 400 like any refused token (tests/security/test_csrf.py); browsers show the page.
    return render_template("newsletter/index.html", form=form, one_more_step=True), 400


@bp.post("/newsletter")
def subscribe():
    form = SubscribeForm()
    if not form.validate_on_submit():
        return render_template("newsletter/index.html", form=form), 422
    # One click subscribes an account only from the newsletter page, never from a box.
    if current_user.is_authenticated and not form.email.data and not form.box.data:
        return _subscribe_account()
    if not form.normalized_email:
        form.email.errors.append("Please enter your email address.")
        return render_template("newsletter/index.html", form=form), 422
    if _throttled():
        abort(429, description="Too many subscribe requests from here; please try again later.")
    if form.website.data:  # the honeypot: answer as usual, do nothing
        flash(SAME_ANSWER, "info")
        return redirect(url_for("newsletter.index"), code=303)
    address = form.normalized_email
    article_id = int(form.from_article.data) if (form.from_article.data or "").isdigit() else None
    now = utcnow()
    with committed_write():
        throttle.hit("newsletter", f"ip:{request.remote_addr or '-'}")
        subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.email == address))
        if subscriber is None:
            subscriber = Subscriber(email=address, state=SubscriberState.WAITING,
                                    from_article_id=article_id)  # fmt: skip
            db.session.add(subscriber)
            try:
                db.session.flush()
            except sa.exc.IntegrityError:  # a simultaneous request added it first
                db.session.rollback()
                flash(SAME_ANSWER, "info")
                return redirect(url_for("newsletter.index"), code=303)
        subscriptions.ask_confirmation(subscriber, now)
    flash(SAME_ANSWER, "info")
    return redirect(url_for("newsletter.index"), code=303)


def _subscribe_account():
    """A logged-in reader asks for the newsletter at their account's address; one click
    is enough only when blog/subscriptions.subscribe_account says so."""
    user = signed_in_user()
    with committed_write():
        subscriber = subscriptions.subscribe_account(user)
        token = manage_token(subscriber) if subscriber is not None else None
    if subscriber is None:  # an address the account has not proved: the form's answer
        flash(SAME_ANSWER, "info")
        return redirect(url_for("newsletter.index"), code=303)
    if subscriber.state != SubscriberState.ACTIVE:
        flash(CHECK_MAIL.format(address=subscriber.email), "info")
        return redirect(url_for("auth.account", _anchor="newsletter-heading"), code=303)
    flash("You are subscribed. You can change what you get at any time.", "success")
    return redirect(url_for("newsletter.preferences", token=token), code=303)


@bp.route("/newsletter/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    subscriber, why = subscriber_to_confirm(token)
    if subscriber is None or not subscriptions.awaiting_confirmation(subscriber):
        status = "expired" if why == "expired" else "invalid"
        return render_template("newsletter/link_invalid.html", why=status), 400
    if request.method == "GET":  # a link preview must not confirm: the page has a button
        return render_template("newsletter/confirm.html", token=token)
    with committed_write():
        subscriptions.confirm(subscriber)
        manage = manage_token(subscriber)
    flash("Your subscription is confirmed. Welcome!", "success")
    return redirect(url_for("newsletter.preferences", token=manage), code=303)


@bp.route("/newsletter/preferences/<token>", methods=["GET", "POST"])
def preferences(token: str):
    subscriber = subscriber_to_manage(token)
    if subscriber is None:
        return render_template("newsletter/link_invalid.html", why="invalid"), 400
    posted = request.form if request.method == "POST" else None
    form = subscriptions.preferences_form(subscriber, formdata=posted)
    if request.method == "POST":
        if not form.validate():
            return render_template("newsletter/preferences.html", form=form, token=token,
                                   subscriber=subscriber), 422  # fmt: skip
        with committed_write():
            subscriptions.save_choices(subscriber, form)
        flash("Your choices are saved.", "success")
        return redirect(url_for("newsletter.preferences", token=token), code=303)
    return render_template("newsletter/preferences.html", form=form, token=token,
                           subscriber=subscriber)  # fmt: skip


@bp.route("/newsletter/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    subscriber = subscriber_to_manage(token)
    if subscriber is None:
        return render_template("newsletter/link_invalid.html", why="invalid"), 400
    if request.method == "GET":
        return render_template("newsletter/unsubscribe.html", token=token, subscriber=subscriber)
    with committed_write():
        subscriptions.stop(subscriber)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "Unsubscribed.", 200, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("newsletter/unsubscribed.html"), 200


# The logged-in reader's subscription, shown and changed on their account page ----------


@bp.get("/newsletter/account")
@login_required
def account():
    return render_template(
        "newsletter/account.html", **subscriptions.account_newsletter(signed_in_user())
    )


@bp.post("/newsletter/account")
@login_required
def account_save():
    """Save the account's choices; subscribes it if it was not: at once or by the
    mailed confirmation (blog/subscriptions.subscribe_account decides)."""
    user = signed_in_user()
    subscription = subscriptions.account_subscription(user)
    form = subscriptions.preferences_form(subscription, request.form, prefix="newsletter")
    if not form.validate():
        shown = subscriptions.account_newsletter(user, form)
        return render_template("newsletter/account.html", **shown), 422
    was_active = subscription is not None and subscription.state == SubscriberState.ACTIVE
    with writing():
        subscriber = subscriptions.subscribe_account(user)
        if subscriber is not None:  # only the account's own row takes its choices
            subscriptions.save_choices(subscriber, form)
        db.session.commit()
    if subscriber is None:
        flash(SAME_ANSWER, "info")
    elif subscriber.state != SubscriberState.ACTIVE:
        flash(CHECK_MAIL.format(address=subscriber.email), "info")
    elif was_active:
        flash("Your newsletter choices are saved.", "success")
    else:
        flash(f"You are subscribed: the newsletter goes to {user.email}.", "success")
    return redirect(url_for("auth.account", _anchor="newsletter-heading"), code=303)


@bp.post("/newsletter/account/unsubscribe")
@login_required
def account_unsubscribe():
    subscription = subscriptions.account_subscription(signed_in_user())
    if subscription is not None and subscription.state in (
        SubscriberState.ACTIVE, SubscriberState.WAITING,
    ):  # fmt: skip
        with writing():
            subscriptions.stop(subscription)
            db.session.commit()
    flash("You are unsubscribed: we send you no more newsletters.", "success")
    return redirect(url_for("auth.account", _anchor="newsletter-heading"), code=303)
