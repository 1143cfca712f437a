"""Consent: no address is active on the list unless its owner confirmed it (issue 23).

The one-click subscription of an account holds only for an address the account has
confirmed and that never left the list; everything else goes through the link mailed to
the address, at most one such mail per CONFIRM_RESEND_WINDOW whoever asks.
"""

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Subscriber, SubscriberState, User
from blog.newsletter.subscriptions import CONFIRM_RESEND_WINDOW
from tests import factories
from tests.mailing import mail_config, run_jobs

SAME = "If that address is not subscribed yet"
CHECK_MAIL = "open the confirmation link we mailed to"
# The two ways a logged-in reader asks: the newsletter page with the box left empty,
# and the account page's form.
ACCOUNT_ASKS = {
    "newsletter-page": ("/newsletter", {}),
    "account-page": ("/newsletter/account", {"newsletter-frequency": "daily"}),
}


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


@pytest.fixture
def unconfirmed(app) -> User:
    user = factories.make_user(username="fresh", email="victim@example.com",
                               email_confirmed_at=None)  # fmt: skip
    db.session.commit()
    return user


def subscriber(email: str) -> Subscriber | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Subscriber).where(Subscriber.email == email))


def add_subscriber(email: str, state: SubscriberState, **kwargs) -> Subscriber:
    sub = Subscriber(email=email, state=state, confirmed_at=utcnow() - timedelta(days=90),
                     **kwargs)  # fmt: skip
    db.session.add(sub)
    db.session.commit()
    return sub


def mails_to(smtp, address: str) -> list:
    run_jobs()
    return [m for m in smtp.handler.messages() if m["To"] == address]


def confirm_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://newsroom\.test(/newsletter/confirm/\S+)", body).group(1)


def follow(client, response) -> str:
    return client.get(response.headers["Location"]).get_data(as_text=True)


# --- an account whose address is not confirmed ------------------------------------------


@pytest.mark.parametrize("asked", ACCOUNT_ASKS.values(), ids=ACCOUNT_ASKS.keys())
def test_an_unconfirmed_account_address_gets_a_confirmation_mail_not_the_list(
    client, auth, unconfirmed, smtp, asked
):
    auth.login(unconfirmed)
    path, data = asked

    response = client.post(path, data=data)

    assert response.status_code == 303
    assert SAME in follow(client, response)
    sub = subscriber("victim@example.com")
    assert sub.state == SubscriberState.WAITING
    assert sub.user_id is None  # the account has not proved the address: no hold on it
    (message,) = mails_to(smtp, "victim@example.com")
    assert "Confirm your subscription" in message["Subject"]
    assert "You are subscribed" not in client.get("/auth/account").get_data(as_text=True)

    confirmed = client.post(confirm_link(message))  # the owner of the address opens it

    assert confirmed.status_code == 303
    assert subscriber("victim@example.com").state == SubscriberState.ACTIVE


@pytest.mark.parametrize("asked", ACCOUNT_ASKS.values(), ids=ACCOUNT_ASKS.keys())
@pytest.mark.parametrize("state", [SubscriberState.UNSUBSCRIBED, SubscriberState.BOUNCED])
def test_registering_with_a_stopped_address_cannot_put_it_back(
    client, auth, unconfirmed, smtp, asked, state
):
    add_subscriber("victim@example.com", state)
    auth.login(unconfirmed)
    path, data = asked

    for _ in range(3):
        response = client.post(path, data=data)
        assert response.status_code == 303

    sub = subscriber("victim@example.com")
    assert (sub.state, sub.user_id, sub.frequency) == (state, None, "weekly")
    assert len(mails_to(smtp, "victim@example.com")) == 1  # one link, however often asked


def test_an_unconfirmed_account_learns_and_changes_nothing_of_its_address_subscription(
    client, auth, unconfirmed, smtp
):
    add_subscriber("victim@example.com", SubscriberState.ACTIVE, frequency="weekly")
    auth.login(unconfirmed)

    page = client.get("/auth/account").get_data(as_text=True)
    asked = client.post("/newsletter/account", data={"newsletter-frequency": "daily",
                                                     "newsletter-alerts": "y"})  # fmt: skip
    answer = follow(client, asked)
    client.post("/newsletter/account/unsubscribe")
    export = json.loads(client.get("/auth/account/data").get_data(as_text=True))

    assert "You are subscribed" not in page and "You are subscribed" not in answer
    assert SAME in answer
    sub = subscriber("victim@example.com")
    assert (sub.state, sub.frequency, sub.alerts, sub.user_id) == (
        SubscriberState.ACTIVE, "weekly", False, None,
    )  # fmt: skip
    assert export["subscriptions"] == []
    assert mails_to(smtp, "victim@example.com") == []  # active already: nothing to confirm


def test_deleting_an_unconfirmed_account_leaves_its_address_subscription(client, auth, unconfirmed):
    add_subscriber("victim@example.com", SubscriberState.ACTIVE)
    auth.login(unconfirmed)

    response = client.post("/auth/account/delete", data={
        "delete-current_password": factories.PASSWORD, "delete-confirm": "y",
    })  # fmt: skip

    assert response.status_code == 303
    assert subscriber("victim@example.com").state == SubscriberState.ACTIVE


def test_the_account_page_of_an_unconfirmed_address_promises_no_one_click(
    client, auth, unconfirmed
):
    auth.login(unconfirmed)

    page = client.get("/auth/account").get_data(as_text=True)

    assert "we mail a confirmation link to victim@example.com" in page
    assert "with one click" not in page


# --- an account whose address is confirmed ------------------------------------------------


@pytest.mark.parametrize("asked", ACCOUNT_ASKS.values(), ids=ACCOUNT_ASKS.keys())
@pytest.mark.parametrize("state", [SubscriberState.UNSUBSCRIBED, SubscriberState.BOUNCED])
def test_a_stopped_address_comes_back_only_through_the_mailed_link(
    client, auth, reader, smtp, asked, state
):
    add_subscriber(reader.email, state)
    auth.login(reader)
    path, data = asked

    response = client.post(path, data=data)

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/account#newsletter-heading"
    assert CHECK_MAIL in follow(client, response)
    assert subscriber(reader.email).state == state  # still off the list
    assert "A confirmation mail went to" in client.get("/auth/account").get_data(as_text=True)
    (message,) = mails_to(smtp, reader.email)

    confirmed = client.post(confirm_link(message))

    assert confirmed.status_code == 303
    sub = subscriber(reader.email)
    assert (sub.state, sub.user_id) == (SubscriberState.ACTIVE, reader.id)
    assert client.post(confirm_link(message)).status_code == 400  # once only


def test_a_confirmed_account_subscribes_a_new_address_with_one_click(client, auth, reader, smtp):
    auth.login(reader)

    response = client.post("/newsletter/account", data={"newsletter-frequency": "daily"})

    assert response.status_code == 303
    assert "You are subscribed: the newsletter goes to" in follow(client, response)
    sub = subscriber(reader.email)
    assert (sub.state, sub.user_id, sub.frequency) == (SubscriberState.ACTIVE, reader.id, "daily")
    assert mails_to(smtp, reader.email) == []


def test_a_confirmed_account_completes_a_waiting_subscription_of_its_address(
    client, auth, reader, smtp
):
    client.post("/newsletter", data={"email": reader.email})  # before logging in
    assert len(mails_to(smtp, reader.email)) == 1
    auth.login(reader)

    response = client.post("/newsletter", data={})

    assert response.status_code == 303
    assert "/newsletter/preferences/" in response.headers["Location"]
    assert subscriber(reader.email).state == SubscriberState.ACTIVE
    assert len(mails_to(smtp, reader.email)) == 1


# --- strangers re-submitting an address ------------------------------------------------


def later(monkeypatch, delay: timedelta) -> None:
    """Requests to the newsletter form from now on happen `delay` later."""
    monkeypatch.setattr("blog.newsletter.views.utcnow", lambda: utcnow() + delay)


@pytest.mark.parametrize("state", [SubscriberState.UNSUBSCRIBED, SubscriberState.BOUNCED])
def test_a_stranger_resubmitting_a_stopped_address_sends_one_mail_a_day(
    client, smtp, monkeypatch, state
):
    add_subscriber("left@example.com", state, frequency="daily")

    for _ in range(3):
        assert client.post("/newsletter", data={"email": "left@example.com"}).status_code == 303
    assert subscriber("left@example.com").state == state  # the owner's choice stands
    assert len(mails_to(smtp, "left@example.com")) == 1

    later(monkeypatch, timedelta(hours=2))  # a second mail went out after an hour before
    client.post("/newsletter", data={"email": "left@example.com"})
    assert len(mails_to(smtp, "left@example.com")) == 1

    later(monkeypatch, CONFIRM_RESEND_WINDOW + timedelta(minutes=1))
    client.post("/newsletter", data={"email": "left@example.com"})
    assert len(mails_to(smtp, "left@example.com")) == 2
    assert subscriber("left@example.com").state == state


def test_an_older_link_dies_when_a_newer_one_is_sent(client, smtp, monkeypatch):
    add_subscriber("left@example.com", SubscriberState.UNSUBSCRIBED)
    client.post("/newsletter", data={"email": "left@example.com"})
    later(monkeypatch, CONFIRM_RESEND_WINDOW + timedelta(minutes=1))
    client.post("/newsletter", data={"email": "left@example.com"})
    first, second = mails_to(smtp, "left@example.com")

    assert client.post(confirm_link(first)).status_code == 400
    assert subscriber("left@example.com").state == SubscriberState.UNSUBSCRIBED
    assert client.post(confirm_link(second)).status_code == 303
    assert subscriber("left@example.com").state == SubscriberState.ACTIVE


def test_an_earlier_address_off_the_list_is_let_go_for_the_present_one(client, auth, reader):
    add_subscriber("old-address@example.com", SubscriberState.UNSUBSCRIBED, user_id=reader.id)
    auth.login(reader)

    response = client.post("/newsletter/account", data={"newsletter-frequency": "daily"})

    assert response.status_code == 303
    assert subscriber("old-address@example.com").user_id is None
    present = subscriber(reader.email)
    assert (present.state, present.user_id) == (SubscriberState.ACTIVE, reader.id)
