"""A subscriber's choices and the subscription of an account, shared by the newsletter's
pages (signed links, one-click subscribe) and the reader's account page (auth).

An account's subscription is the subscriber row linked to it (`user_id`), else the row
of the account's address. Stopping a subscription (unsubscribe, a deleted account)
keeps only the address and its state, so no later import or form adds it again; a
deleted account's row loses its link to the account, which the foreign key would
otherwise delete with it. Writers call these inside their write transaction.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Category, Subscriber, SubscriberState, User


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


def account_subscription(user: User) -> Subscriber | None:
    """The subscriber row of `user`'s account (see the module docstring), or None."""
    return db.session.scalar(
        sa.select(Subscriber)
        .where(sa.or_(Subscriber.user_id == user.id, Subscriber.email == user.email))
        # The linked row first (a CASE: PostgreSQL sorts the NULL of "user_id = x" first).
        .order_by(sa.case((Subscriber.user_id == user.id, 0), else_=1), Subscriber.id)
        .limit(1)
    )


def subscribe_account(user: User) -> Subscriber:
    """Make `user`'s subscription active at once (their own click, logged in: no
    confirmation mail) and return it; flushed, so it has an id."""
    subscriber = account_subscription(user)
    if subscriber is None:
        subscriber = Subscriber(email=user.email, source="account")
        db.session.add(subscriber)
    subscriber.user_id = user.id
    if subscriber.state != SubscriberState.ACTIVE:
        subscriber.state = SubscriberState.ACTIVE
        subscriber.confirmed_at = utcnow()
    db.session.flush()
    return subscriber


def stop(subscriber: Subscriber, state: str = SubscriberState.UNSUBSCRIBED) -> None:
    """End the subscription, keeping only what honours it: the address and its state."""
    subscriber.state = state
    subscriber.sections = []
    subscriber.alerts = False
    subscriber.from_article_id = None


def forget_account(user: User) -> None:
    """Before `user` is deleted: every subscription of the account (its linked row and
    its address's) ends and loses its link to them."""
    rows = db.session.scalars(
        sa.select(Subscriber).where(
            sa.or_(Subscriber.user_id == user.id, Subscriber.email == user.email)
        )
    )
    for subscriber in rows:
        if subscriber.state in (SubscriberState.ACTIVE, SubscriberState.WAITING):
            stop(subscriber)
        subscriber.user_id = None
    db.session.flush()


def account_newsletter(user: User) -> dict[str, Any]:
    """What the account page shows of the newsletter: `subscription` and `newsletter_form`."""
    subscription = account_subscription(user)
    return {"subscription": subscription, "newsletter_form": preferences_form(subscription,
            prefix="newsletter")}  # fmt: skip
