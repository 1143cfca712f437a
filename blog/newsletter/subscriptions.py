"""A subscriber's choices, the confirmation that puts an address on the list, and the
subscription of an account, shared by the newsletter's pages (signed links, one-click
subscribe) and the reader's account page (auth).

No address is ever active on the list without a confirmation by its owner: the link
mailed to it (`ask_confirmation`), or, for one click from the account page, the
account's own confirmed address (see `subscribe_account` for when that is enough).
An unsubscribed or bounced address keeps its state until its owner opens a new link,
and whoever asks, a confirmation mail goes to one address at most once per
CONFIRM_RESEND_WINDOW.

An account's subscription is the subscriber row linked to it (`user_id`), else, once
the account has confirmed its address, the row of that address: an account that has
not proved its address sees, changes and ends nothing of that address's row. Stopping
a subscription (unsubscribe, a deleted account) keeps only the address and its state,
so no later import or form adds it again; a deleted account's row loses its link to
the account, which the foreign key would otherwise delete with it. Writers call these
inside their write transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

from blog.core.cache.site import get_settings
from blog.core.mail import queue_mail
from blog.core.mail_templates import compose
from blog.core.templating import absolute_url
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Category, Subscriber, SubscriberState, User
from blog.newsletter.tokens import CONFIRM_MAX_AGE, confirm_token

# However often an address is typed into a form, it gets one confirmation mail a day at
# most: the form cannot be used to flood a stranger, nor to nag someone who left.
CONFIRM_RESEND_WINDOW = timedelta(hours=24)


class PreferencesForm(FlaskForm):
    frequency = RadioField(
        "Digest",
        choices=[SelectChoice("daily", "Daily"), SelectChoice("weekly", "Weekly"),
                 SelectChoice("none", "No digest")],
    )  # fmt: skip
    alerts = BooleanField("Breaking-news alerts")
    sections = SelectMultipleField("Only these sections (none ticked: all)", coerce=int)


def preferences_form(subscriber: Subscriber | None, formdata: Any = None, prefix: str = ""):
    """The choices form filled from `subscriber` (defaults without one), or from
    `formdata` when given; its section choices are the site's categories."""
    data = {"frequency": "weekly", "alerts": False, "sections": []}
    if subscriber is not None:
        data = {"frequency": subscriber.frequency, "alerts": subscriber.alerts,
                "sections": subscriber.sections or []}  # fmt: skip
    form = PreferencesForm(formdata=formdata, data=data, prefix=prefix)
    categories = db.session.scalars(sa.select(Category).order_by(Category.position)).all()
    form.sections.choices = [SelectChoice(c.id, c.name) for c in categories]
    return form


def save_choices(subscriber: Subscriber, form: PreferencesForm) -> None:
    subscriber.frequency = form.frequency.data
    subscriber.alerts = bool(form.alerts.data)
    subscriber.sections = list(form.sections.data or [])


def _site() -> str:
    return get_settings().get("site_name", "the newsroom")


def awaiting_confirmation(subscriber: Subscriber, now: datetime | None = None) -> bool:
    """Whether a confirmation link mailed to `subscriber` can still put it on the list."""
    sent = subscriber.confirm_sent_at
    if subscriber.state == SubscriberState.ACTIVE or sent is None:
        return False
    if subscriber.confirmed_at is not None and subscriber.confirmed_at >= sent:
        return False  # that link was used (or overtaken by a later confirmation)
    return (now or utcnow()) - sent < timedelta(seconds=CONFIRM_MAX_AGE)


def ask_confirmation(subscriber: Subscriber, now: datetime | None = None) -> bool:
    """Queue the confirmation mail to `subscriber`'s address unless it is active or one
    went out within CONFIRM_RESEND_WINDOW; True if queued. `subscriber` must have its id.

    The state is left as it is: a waiting address stays waiting, and an unsubscribed or
    bounced one stays so (and is never mailed anything else) until its owner opens the
    link, so a stranger's request changes nothing the owner chose.
    """
    now = now or utcnow()
    if subscriber.state == SubscriberState.ACTIVE:
        return False
    sent = subscriber.confirm_sent_at
    if sent is not None and now - sent < CONFIRM_RESEND_WINDOW:
        return False

    subscriber.confirm_sent_at = now.replace(microsecond=0)
    link = absolute_url("newsletter.confirm", token=confirm_token(subscriber))
    subject, body, _ = compose("newsletter_confirm", site=_site(), link=link)
    queue_mail(
        subscriber.email, subject, body,
        # not "confirm:": that prefix is an account's (blog/mail.ACCOUNT_MAIL_KEYS)
        key=f"subscribe-confirm:{subscriber.id}:{int(now.timestamp())}",
    )  # fmt: skip
    return True


def confirm(subscriber: Subscriber) -> None:
    """Its owner opened the link: the address is on the list."""
    subscriber.state = SubscriberState.ACTIVE
    subscriber.confirmed_at = utcnow()


def owned_by(user: User) -> sa.ColumnElement[bool]:
    """The subscriber rows that are `user`'s: linked to the account, and, once the
    account has confirmed its address, the row of that address. Registering with
    someone else's address gives no hold on their subscription."""
    if user.email_confirmed:
        return sa.or_(Subscriber.user_id == user.id, Subscriber.email == user.email)
    return Subscriber.user_id == user.id


def account_subscription(user: User) -> Subscriber | None:
    """The subscriber row of `user`'s account (see `owned_by`), or None."""
    return db.session.scalar(
        sa.select(Subscriber)
        .where(owned_by(user))
        # The linked row first (a CASE: PostgreSQL sorts the NULL of "user_id = x" first).
        .order_by(sa.case((Subscriber.user_id == user.id, 0), else_=1), Subscriber.id)
        .limit(1)
    )


def subscribe_account(user: User) -> Subscriber | None:
    """`user` asks, logged in, for the newsletter at their address; the account's
    subscription afterwards (flushed), or None when the account has not proved its
    address (then it was treated like the public form: see below).

    One click makes the subscription active at once only when all of this holds:
    - the account's address is confirmed: its owner opened a link mailed to it, which
      proves the same as the newsletter's own link would;
    - the subscription is of that address (a linked row of an earlier address that is
      off the list is let go, and the present address asked for instead);
    - the address never left the list: it is new to it, or waiting for a confirmation.
      An unsubscribed or bounced address was taken off by its owner or its mail server,
      perhaps long after the account confirmed; it may no longer be this person's or
      may no longer work, so only a fresh link mailed to it brings it back.
    Otherwise the confirmation mail goes to the address (once per CONFIRM_RESEND_WINDOW).

    An account with an unconfirmed address is a stranger to that address's row: the
    row is neither linked nor changed, only asked to confirm, exactly as the public
    form would, and the caller answers as the form does (nothing about the address's
    state may show).
    """
    subscriber = account_subscription(user)
    if (
        subscriber is not None
        and subscriber.email != user.email
        and subscriber.state != SubscriberState.ACTIVE
    ):
        # An earlier address of the account, off the list: the present one is asked for.
        subscriber.user_id = None
        subscriber = None
    if subscriber is None:
        subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.email == user.email))
    if subscriber is None:
        subscriber = Subscriber(email=user.email, source="account", state=SubscriberState.WAITING)
        db.session.add(subscriber)
        db.session.flush()
    if not user.email_confirmed and subscriber.user_id != user.id:
        ask_confirmation(subscriber)
        db.session.flush()
        return None
    proved = user.email_confirmed and subscriber.email == user.email
    if proved:
        subscriber.user_id = user.id
    if proved and subscriber.state == SubscriberState.WAITING:
        confirm(subscriber)
    else:
        ask_confirmation(subscriber)
    db.session.flush()
    return subscriber


def stop(subscriber: Subscriber, state: str = SubscriberState.UNSUBSCRIBED) -> None:
    """End the subscription, keeping only what honours it: the address and its state."""
    subscriber.state = state
    subscriber.sections = []
    subscriber.alerts = False
    subscriber.from_article_id = None


def forget_account(user: User) -> None:
    """Before `user` is deleted: every subscription of the account (`owned_by`) ends
    and loses its link to them."""
    rows = db.session.scalars(sa.select(Subscriber).where(owned_by(user)))
    for subscriber in rows:
        if subscriber.state in (SubscriberState.ACTIVE, SubscriberState.WAITING):
            stop(subscriber)
        subscriber.user_id = None
    db.session.flush()


def account_newsletter(user: User, form: PreferencesForm | None = None) -> dict[str, Any]:
    """What the account page shows of the newsletter: `subscription`, `newsletter_form`
    (`form` when given: a refused one), `awaiting` (a confirmation link is out) and
    `one_click` (whether Subscribe applies at once: see `subscribe_account`)."""
    subscription = account_subscription(user)
    one_click = user.email_confirmed and (
        subscription is None
        or (subscription.email == user.email and subscription.state == SubscriberState.WAITING)
    )
    return {
        "subscription": subscription,
        "newsletter_form": form or preferences_form(subscription, prefix="newsletter"),
        "awaiting": subscription is not None and awaiting_confirmation(subscription),
        "one_click": one_click,
    }
