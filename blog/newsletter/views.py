"""Views of the newsletter blueprint: subscribe, confirm, preferences, one-click unsubscribe.

Every answer to a subscribe request is the same, whatever the address's state, so the
form reveals nothing about who is subscribed; a confirmation mail goes out at most once
an hour per address. Unsubscribing is a POST without CSRF token (RFC 8058 one-click:
mail clients POST `List-Unsubscribe=One-Click` to the link); the signed token in the URL
is the authorisation. Nothing is sent from here: mails are queued (blog/core/jobs.py).

The subscribe boxes of the footer and of the end of articles (newsletter/_box.html)
post to `subscribe` too. On a page from the page cache they carry no CSRF token, so
Flask-WTF refuses them; `stale_form` answers with this page, the address kept and a
real token, and the reader presses once more. A logged-in reader's subscription is
also shown and changed on the account page (`account_save`, `account_unsubscribe`;
blog/newsletter/subscriptions.py holds what both share).
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from blog.core import throttle
from blog.core.database import writing
from blog.core.errors import render_error
from blog.core.jobs import committed_write
from blog.core.mail import queue_mail
from blog.core.templating import absolute_url
from blog.core.types import utcnow
from blog.extensions import csrf, db
from blog.models import Subscriber, SubscriberState
from blog.newsletter import subscriptions
from blog.newsletter.forms import SubscribeForm
from blog.newsletter.tokens import (
    confirm_token,
    manage_token,
    subscriber_to_confirm,
    subscriber_to_manage,
)

bp = Blueprint("newsletter", __name__)

RESEND_AFTER = timedelta(hours=1)
SAME_ANSWER = (
    "Thank you. If that address is not subscribed yet, a message with a confirmation "
    "link is on its way; nothing else is sent until you open it."
)
CONFIRM_BODY = """Hello,

Someone (hopefully you) asked to receive the newsletter of {site} at this address.
To confirm, open this link within two days:

{link}

If you did not ask for it, ignore this message: you will get nothing more from us.
"""


def _site() -> str:
    from blog.core.cache.site import get_settings

    return get_settings().get("site_name", "the newsroom")


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
        recent = subscriber.confirm_sent_at and now - subscriber.confirm_sent_at < RESEND_AFTER
        if subscriber.state != SubscriberState.ACTIVE and not recent:
            subscriber.state = SubscriberState.WAITING
            subscriber.confirm_sent_at = now.replace(microsecond=0)
            link = absolute_url("newsletter.confirm", token=confirm_token(subscriber))
            queue_mail(
                address, f"Confirm your subscription to {_site()}",
                CONFIRM_BODY.format(site=_site(), link=link),
                # not "confirm:": that prefix is an account's (blog/mail.ACCOUNT_MAIL_KEYS)
                key=f"subscribe-confirm:{subscriber.id}:{int(now.timestamp())}",
            )  # fmt: skip
    flash(SAME_ANSWER, "info")
    return redirect(url_for("newsletter.index"), code=303)


def _subscribe_account():
    """A logged-in reader subscribes their account's address with one click."""
    user = current_user._get_current_object()
    with committed_write():
        token = manage_token(subscriptions.subscribe_account(user))
    flash("You are subscribed. You can change what you get at any time.", "success")
    return redirect(url_for("newsletter.preferences", token=token), code=303)


@bp.route("/newsletter/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    subscriber, why = subscriber_to_confirm(token)
    if subscriber is None or subscriber.state != SubscriberState.WAITING:
        status = "expired" if why == "expired" else "invalid"
        return render_template("newsletter/link_invalid.html", why=status), 400
    if request.method == "GET":  # a link preview must not confirm: the page has a button
        return render_template("newsletter/confirm.html", token=token)
    with committed_write():
        subscriber.state = SubscriberState.ACTIVE
        subscriber.confirmed_at = utcnow()
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
        "newsletter/account.html", **subscriptions.account_newsletter(current_user)
    )


@bp.post("/newsletter/account")
@login_required
def account_save():
    """Save the account's choices; subscribes it at once if it was not (one click)."""
    user = current_user._get_current_object()
    subscription = subscriptions.account_subscription(user)
    form = subscriptions.preferences_form(subscription, request.form, prefix="newsletter")
    if not form.validate():
        return render_template("newsletter/account.html", subscription=subscription,
                               newsletter_form=form), 422  # fmt: skip
    was_active = subscription is not None and subscription.state == SubscriberState.ACTIVE
    with writing():
        subscriptions.save_choices(subscriptions.subscribe_account(user), form)
        db.session.commit()
    flash("Your newsletter choices are saved." if was_active
          else f"You are subscribed: the newsletter goes to {user.email}.", "success")  # fmt: skip
    return redirect(url_for("auth.account", _anchor="newsletter-heading"), code=303)


@bp.post("/newsletter/account/unsubscribe")
@login_required
def account_unsubscribe():
    subscription = subscriptions.account_subscription(current_user._get_current_object())
    if subscription is not None and subscription.state in (
        SubscriberState.ACTIVE, SubscriberState.WAITING,
    ):  # fmt: skip
        with writing():
            subscriptions.stop(subscription)
            db.session.commit()
    flash("You are unsubscribed: we send you no more newsletters.", "success")
    return redirect(url_for("auth.account", _anchor="newsletter-heading"), code=303)
