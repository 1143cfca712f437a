"""The newsletter against a real SMTP server: double opt-in, digests, unsubscribe, bounces."""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Job, JobState, NewsletterIssue, Subscriber, SubscriberState
from blog.newsletter.sending import create_issue
from blog.newsletter.tokens import manage_token
from tests import factories
from tests.conftest import TEST_SECRET
from tests.mailing import mail_config, run_jobs

SAME = "If that address is not subscribed yet"


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def subscribe(client, email, **extra):
    response = client.post("/newsletter", data={"email": email, **extra})
    run_jobs()
    return response


def subscriber(email) -> Subscriber | None:
    return db.session.scalar(sa.select(Subscriber).where(Subscriber.email == email))


def link_in(message, kind) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(rf"http://newsroom\.test(/newsletter/{kind}/\S+)", body).group(1)


def active(email, **kwargs) -> Subscriber:
    sub = Subscriber(email=email, state=SubscriberState.ACTIVE, confirmed_at=utcnow(), **kwargs)
    db.session.add(sub)
    return sub


def fresh_article(title="Harbour wall repaired", **kwargs):
    return factories.make_article(title, published_at=utcnow() - timedelta(minutes=5), **kwargs)


# --- subscribing -----------------------------------------------------------------------


def test_subscribe_sends_one_confirmation_and_confirming_activates(client, smtp):
    response = subscribe(client, "New.Reader@Example.com")

    assert response.status_code == 303
    assert SAME in client.get("/newsletter").get_data(as_text=True)
    assert subscriber("new.reader@example.com").state == SubscriberState.WAITING
    (message,) = smtp.handler.messages()
    assert message["To"] == "new.reader@example.com"
    path = link_in(message, "confirm")
    assert client.get(path).status_code == 200  # a page with a button: GET changes nothing
    assert subscriber("new.reader@example.com").state == SubscriberState.WAITING

    confirmed = client.post(path)

    assert confirmed.status_code == 303
    assert "/newsletter/preferences/" in confirmed.headers["Location"]
    assert subscriber("new.reader@example.com").state == SubscriberState.ACTIVE
    assert client.post(path).status_code == 400  # replayed: already used


def test_asking_again_reveals_nothing_and_sends_no_second_mail(client, smtp):
    active("known@example.com")
    db.session.commit()

    first = subscribe(client, "waiting@example.com")
    again = subscribe(client, "waiting@example.com")
    known = subscribe(client, "known@example.com")

    assert first.status_code == again.status_code == known.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == known.headers["Location"]
    assert [m["To"] for m in smtp.handler.messages()] == ["waiting@example.com"]


@pytest.mark.parametrize(
    "email",
    ["not an address", "a@b", "x" * 250 + "@example.com", "a@example.com\r\nBcc: v@example.com",
     "a@example.com\nSubject: hi", ""],
)  # fmt: skip
def test_bad_addresses_get_the_form_back(client, smtp, email):
    response = subscribe(client, email)

    assert response.status_code == 422
    assert "form" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0
    assert smtp.handler.envelopes == []


def test_the_honeypot_answers_the_same_and_does_nothing(client, smtp):
    response = subscribe(client, "bot@example.com", website="http://spam.example")

    assert response.status_code == 303
    assert subscriber("bot@example.com") is None


def test_subscribe_requests_are_rate_limited(client, smtp):
    for n in range(20):
        assert client.post("/newsletter", data={"email": f"n{n}@example.com"}).status_code == 303

    assert client.post("/newsletter", data={"email": "more@example.com"}).status_code == 429


def test_a_logged_in_reader_subscribes_with_one_click(client, auth, reader, smtp):
    auth.login(reader)

    response = client.post("/newsletter", data={})

    assert response.status_code == 303
    sub = subscriber(reader.email)
    assert sub.state == SubscriberState.ACTIVE
    assert sub.user_id == reader.id


def test_forged_and_expired_confirmation_links_are_refused(client, smtp):
    subscribe(client, "late@example.com")
    sub = subscriber("late@example.com")

    class TwoDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 49 * 3600

    sent = int(sub.confirm_sent_at.timestamp())
    expired = URLSafeTimedSerializer(TEST_SECRET, salt="newsletter-confirm", signer=TwoDaysAgo)
    forged = URLSafeTimedSerializer("another secret", salt="newsletter-confirm")
    old = client.post(f"/newsletter/confirm/{expired.dumps({'s': sub.id, 't': sent})}")
    fake = client.post(f"/newsletter/confirm/{forged.dumps({'s': sub.id, 't': sent})}")

    assert old.status_code == fake.status_code == 400
    assert "expired" in old.get_data(as_text=True)
    assert subscriber("late@example.com").state == SubscriberState.WAITING


def test_an_old_confirmation_link_cannot_resubscribe_after_unsubscribing(client, smtp):
    subscribe(client, "gone@example.com")
    path = link_in(smtp.handler.messages()[0], "confirm")
    client.post(path)
    client.post(f"/newsletter/unsubscribe/{manage_token(subscriber('gone@example.com'))}")

    assert client.post(path).status_code == 400
    assert subscriber("gone@example.com").state == SubscriberState.UNSUBSCRIBED


def test_preferences_are_saved_through_the_signed_link(client, app):
    sub = active("prefs@example.com")
    science = factories.make_category("Oceans")
    db.session.commit()
    token = manage_token(sub)

    choices = {"frequency": "daily", "alerts": "y", "sections": [science.id]}
    response = client.post(f"/newsletter/preferences/{token}", data=choices)

    assert response.status_code == 303
    sub = subscriber("prefs@example.com")
    assert (sub.frequency, sub.alerts, sub.sections) == ("daily", True, [science.id])
    assert client.get("/newsletter/preferences/forged-token").status_code == 400


# --- digests ---------------------------------------------------------------------------


def test_a_digest_reaches_matching_subscribers_as_multipart_with_list_headers(client, smtp):
    science = factories.make_category("Oceans")
    sport = factories.make_category("Rowing")
    fresh_article("Tide gauges record a high", category=science)
    active("all@example.com", frequency="daily")
    active("sport@example.com", frequency="daily", sections=[sport.id])
    active("weekly@example.com", frequency="weekly")
    db.session.add(Subscriber(email="waiting@example.com", frequency="daily"))
    db.session.commit()

    issue = create_issue("daily")
    run_jobs()

    assert issue.recipients == 1
    # The worker's periodic run made the weekly issue too; nothing for other sections.
    by_to = {m["To"]: m for m in smtp.handler.messages()}
    assert sorted(by_to) == ["all@example.com", "weekly@example.com"]
    message = by_to["all@example.com"]
    assert message["List-Id"].endswith("<newsletter.newsroom.test>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.match(r"<(http://newsroom\.test/newsletter/unsubscribe/\S+)>",
                           message["List-Unsubscribe"]).group(1)  # fmt: skip
    assert message["Message-ID"].startswith("<job-")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Tide gauges record a high" in text and "http://newsroom.test/article/" in text
    assert 'href="http://newsroom.test/article/' in html
    assert "Donate" in html
    # One click, as a mail client does it (RFC 8058): no cookie, no CSRF token.
    one_click = client.post(unsubscribe.removeprefix("http://newsroom.test"),
                            data={"List-Unsubscribe": "One-Click"})  # fmt: skip
    assert one_click.status_code == 200
    assert subscriber("all@example.com").state == SubscriberState.UNSUBSCRIBED


def test_no_digest_when_nothing_was_published_and_one_per_period(app, smtp):
    active("all@example.com", frequency="daily")
    db.session.commit()
    assert create_issue("daily") is None

    fresh_article()
    db.session.commit()
    assert create_issue("daily") is not None
    assert create_issue("daily") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NewsletterIssue)) == 1


def test_a_5xx_answer_marks_the_subscriber_bounced_and_stops_mail(app, smtp):
    fresh_article()
    active("bad@example.com", frequency="daily")
    active("good@example.com", frequency="daily")
    db.session.commit()
    smtp.handler.answers = {"bad@example.com": "550 No such mailbox"}

    issue = create_issue("daily")
    run_jobs()

    assert subscriber("bad@example.com").state == SubscriberState.BOUNCED
    assert [m["To"] for m in smtp.handler.messages()] == ["good@example.com"]
    states = dict(db.session.execute(
        sa.select(Job.state, sa.func.count()).where(Job.batch == f"issue:{issue.id}")
        .group_by(Job.state)).all())  # fmt: skip
    assert states == {JobState.DONE: 1, JobState.FAILED: 1}
