"""Signed links of the newsletter: confirmation (expires, single use) and manage (no expiry).

A confirmation token names the subscriber and the moment its confirmation mail was
asked for; it confirms only while that is still the subscriber's latest mail and
nothing confirmed the subscriber since (blog/subscriptions.awaiting_confirmation), so a
replayed or older link (after an unsubscribe, or once a newer mail was sent) does
nothing. The subscriber may be waiting, or unsubscribed or bounced: such an address
keeps its state until its owner opens the link. A manage token names the subscriber and
a digest of its address; it opens the preference page and unsubscribes, without logging
in, for as long as the address is the same.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from blog.extensions import db
from blog.models import Subscriber

CONFIRM_MAX_AGE = 48 * 3600


def _digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def _confirm() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="newsletter-confirm")


def _manage() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="newsletter-manage")


def confirm_token(subscriber: Subscriber) -> str:
    sent = subscriber.confirm_sent_at.timestamp() if subscriber.confirm_sent_at else 0
    return _confirm().dumps({"s": subscriber.id, "t": int(sent)})


def subscriber_to_confirm(token: str) -> tuple[Subscriber | None, str]:
    """(subscriber, "") or (None, why): "expired" or "invalid"."""
    try:
        data = _confirm().loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired:
        return None, "expired"
    except BadSignature:
        return None, "invalid"
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None, "invalid"
    subscriber = db.session.get(Subscriber, data["s"])
    if subscriber is None:
        return None, "invalid"
    sent = subscriber.confirm_sent_at.timestamp() if subscriber.confirm_sent_at else 0
    if int(sent) != data.get("t"):
        return None, "invalid"
    return subscriber, ""


def manage_token(subscriber: Subscriber) -> str:
    return _manage().dumps({"s": subscriber.id, "e": _digest(subscriber.email)})


def subscriber_to_manage(token: str) -> Subscriber | None:
    try:
        data = _manage().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    subscriber = db.session.get(Subscriber, data["s"])
    if subscriber is None or _digest(subscriber.email) != data.get("e"):
        return None
    return subscriber
