"""A logged-in reader's newsletter on their account page: see it, subscribe with one
click, change frequency, alerts and sections, unsubscribe; deleting the account ends it."""

import pytest
import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Job, Subscriber, SubscriberState, User
from blog.newsletter.sending import create_issue
from tests import factories
from tests.mailing import mail_config, run_jobs


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


@pytest.fixture
def desk(app):
    category = factories.make_category("Harbour desk")
    db.session.commit()
    return category


def subscription(email: str) -> Subscriber | None:
    return db.session.scalar(sa.select(Subscriber).where(Subscriber.email == email))


def account_page(client) -> str:
    return client.get("/auth/account").get_data(as_text=True)


def test_a_reader_subscribes_and_chooses_on_the_account_page(client, auth, reader, desk, smtp):
    auth.login(reader)
    assert "You do not get our newsletter" in account_page(client)

    response = client.post("/newsletter/account", data={
        "newsletter-frequency": "daily", "newsletter-alerts": "y",
        "newsletter-sections": [str(desk.id)],
    })  # fmt: skip
    run_jobs()

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/account#newsletter-heading"
    sub = subscription(reader.email)
    assert (sub.state, sub.user_id, sub.source) == (SubscriberState.ACTIVE, reader.id, "account")
    assert (sub.frequency, sub.alerts, sub.sections) == ("daily", True, [desk.id])
    assert smtp.handler.messages() == []  # their own click, logged in: no confirmation mail
    page = account_page(client)
    assert f"You are subscribed: it goes to <strong>{reader.email}</strong>" in page
    assert (
        'id="newsletter-frequency-0" name="newsletter-frequency" type="radio" value="daily"' in page
    )
    assert f'<option selected value="{desk.id}">Harbour desk</option>' in page


def test_changing_choices_and_unsubscribing_from_the_account_page(client, auth, reader, desk):
    db.session.add(Subscriber(email=reader.email, state=SubscriberState.ACTIVE, alerts=True,
                              sections=[desk.id], confirmed_at=utcnow()))  # fmt: skip
    db.session.commit()
    auth.login(reader)

    client.post("/newsletter/account", data={"newsletter-frequency": "none"})
    sub = subscription(reader.email)
    assert (sub.frequency, sub.alerts, sub.sections, sub.user_id) == ("none", False, [], reader.id)

    response = client.post("/newsletter/account/unsubscribe")

    assert response.status_code == 303
    sub = subscription(reader.email)
    assert (sub.state, sub.alerts, sub.sections) == (SubscriberState.UNSUBSCRIBED, False, [])
    assert "You are unsubscribed" in account_page(client)
    assert "You do not get our newsletter" in account_page(client)


def test_bad_choices_get_the_form_back_and_change_nothing(client, auth, reader, desk):
    auth.login(reader)

    response = client.post("/newsletter/account", data={
        "newsletter-frequency": "hourly", "newsletter-sections": ["999999"],
    })  # fmt: skip

    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert subscription(reader.email) is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post("/newsletter/account", data={"newsletter-frequency": "daily"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert db.session.scalar(sa.select(sa.func.count(Subscriber.id))) == 0


@pytest.mark.parametrize("linked", [True, False], ids=["linked", "same-address"])
def test_deleting_the_account_ends_its_subscription(client, auth, smtp, linked):
    reader = factories.make_user(username="leaving", email="leaving@example.com")
    db.session.add(Subscriber(email=reader.email, state=SubscriberState.ACTIVE, alerts=True,
                              frequency="daily", confirmed_at=utcnow()))  # fmt: skip
    factories.make_article("Quay lights restored", published_at=utcnow())
    db.session.commit()
    reader_id = reader.id
    auth.login(reader)
    if linked:  # else subscribed through the form, before having an account
        client.post("/newsletter/account", data={"newsletter-frequency": "daily"})
        assert subscription("leaving@example.com").user_id == reader_id
    assert "your newsletter subscription ends" in account_page(client)

    response = client.post("/auth/account/delete", data={
        "delete-current_password": factories.PASSWORD, "delete-confirm": "y",
    })  # fmt: skip

    assert response.status_code == 303
    assert db.session.get(User, reader_id) is None
    sub = subscription("leaving@example.com")  # kept, only so nothing adds it again
    assert (sub.state, sub.user_id, sub.alerts) == (SubscriberState.UNSUBSCRIBED, None, False)
    create_issue("daily")
    run_jobs()
    assert smtp.handler.messages() == []
    assert db.session.scalar(sa.select(sa.func.count(Job.id)).where(Job.kind == "newsletter")) == 0


def test_the_account_shows_its_linked_subscription_before_one_of_its_address(client, auth, reader):
    # Linked when the account had another address; its current one subscribed by form.
    db.session.add_all([
        Subscriber(email="old-address@example.com", user_id=reader.id,
                   state=SubscriberState.ACTIVE, frequency="daily"),
        Subscriber(email=reader.email, state=SubscriberState.ACTIVE, frequency="weekly"),
    ])  # fmt: skip
    db.session.commit()
    auth.login(reader)

    page = account_page(client)
    client.post("/newsletter/account/unsubscribe")

    assert "it goes to <strong>old-address@example.com</strong>" in page
    assert subscription("old-address@example.com").state == SubscriberState.UNSUBSCRIBED
    assert subscription(reader.email).state == SubscriberState.ACTIVE
