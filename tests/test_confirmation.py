"""Confirmed addresses: the link a new account gets, commenting that waits for it, email
changes that apply only once the new address confirms, and the clean-up of accounts
never confirmed. Mail goes through the queue to a real SMTP server (aiosmtpd)."""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from blog.core.settings import save_settings
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Comment, Role, User
from tests import factories
from tests.conftest import TEST_SECRET
from tests.mailing import mail_config, run_jobs

LINK = re.compile(r"http://newsroom\.test(/auth/confirm/[\w.\-]+)")


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def user_named(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username))


def mails_to(smtp, address: str) -> list:
    return [m for m in smtp.handler.messages() if m["To"] == address]


def link_in(message) -> str:
    return LINK.search(message.get_content()).group(1)


def register(client, username="newbie", email="newbie@example.com"):
    return client.post(
        "/auth/register",
        data={"username": username, "email": email, "password": "the tide comes in twice"},
    )


def comment(client, article, body="First words."):
    return client.post(f"/article/{article.slug}/comments", data={"body": body})


def test_registration_mails_a_link_that_confirms_the_address_once(client, smtp):
    response = register(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/account"
    assert user_named("newbie").email_confirmed_at is None
    assert smtp.handler.envelopes == []  # the worker sends it, not the request
    account = client.get("/auth/account").get_data(as_text=True)
    assert "newbie@example.com is not confirmed yet" in account
    run_jobs()
    [message] = mails_to(smtp, "newbie@example.com")
    assert message["Subject"].startswith("Confirm your email address")
    path = link_in(message)

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm newbie@example.com" in page.get_data(as_text=True)
    assert user_named("newbie").email_confirmed_at is None  # GET changes nothing

    done = client.post(path)
    assert done.status_code == 303
    assert done.headers["Location"] == "/auth/account"
    assert user_named("newbie").email_confirmed_at is not None
    assert "is not confirmed yet" not in client.get("/auth/account").get_data(as_text=True)

    again = client.post(path)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_commenting_waits_for_confirmation_while_the_setting_is_on(client, article, smtp):
    save_settings({"comment_policy": "open"})
    db.session.commit()
    register(client)

    refused = comment(client, article, "Before confirming.")
    assert refused.status_code == 403
    assert "Please confirm your email address before commenting" in refused.get_data(as_text=True)
    assert "Before confirming." in refused.get_data(as_text=True)  # the text is kept
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert "To comment, please confirm your email address first" in page
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0

    run_jobs()
    client.post(link_in(mails_to(smtp, "newbie@example.com")[0]))

    assert comment(client, article, "After confirming.").status_code == 302
    assert db.session.scalar(sa.select(Comment.body_source)) == "After confirming."


def test_with_the_setting_off_an_unconfirmed_reader_may_comment(client, article):
    save_settings({"comment_policy": "open", "require_confirmed_email": False})
    db.session.commit()
    register(client)

    assert comment(client, article, "No check here.").status_code == 302
    assert db.session.scalar(sa.select(Comment.body_source)) == "No check here."


def test_an_expired_or_forged_link_confirms_nothing(client, smtp):
    register(client)
    user = user_named("newbie")

    class TwoDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 48 * 3600 - 1

    old = URLSafeTimedSerializer(TEST_SECRET, salt="email-confirmation", signer=TwoDaysAgo)
    expired = old.dumps({"uid": user.id, "to": user.email, "from": user.email, "p": "register"})
    forged = URLSafeTimedSerializer("another key", salt="email-confirmation").dumps(
        {"uid": user.id, "to": user.email, "from": user.email, "p": "register"}
    )

    for token, why in ((expired, "expired"), (forged, "not valid")):
        response = client.post(f"/auth/confirm/{token}")
        assert response.status_code == 400
        assert why in response.get_data(as_text=True)
    assert client.get(f"/auth/confirm/{expired}").status_code == 400
    assert user_named("newbie").email_confirmed_at is None


def test_an_email_change_applies_when_the_new_address_confirms_and_the_old_is_told(
    client, auth, reader, smtp
):
    auth.login(reader)

    response = client.post(
        "/auth/account/email",
        data={"email-email": "Rita.New@Example.COM", "email-current_password": factories.PASSWORD},
    )

    assert response.status_code == 303
    assert db.session.get(User, reader.id).email == "rita@example.com"
    run_jobs()
    [link_mail] = mails_to(smtp, "rita.new@example.com")
    assert "keeps its old address until you open this link" in link_mail.get_content()
    assert mails_to(smtp, "rita@example.com") == []

    done = client.post(link_in(link_mail))

    assert done.status_code == 303
    assert db.session.get(User, reader.id).email == "rita.new@example.com"
    run_jobs()
    [told] = mails_to(smtp, "rita@example.com")
    assert "changed from rita@example.com to rita.new@example.com" in told.get_content()
    assert client.post(link_in(link_mail)).status_code == 400


def test_an_older_change_link_dies_once_another_change_applied(client, auth, reader, smtp):
    auth.login(reader)
    for address in ("first@example.com", "second@example.com"):
        client.post(
            "/auth/account/email",
            data={"email-email": address, "email-current_password": factories.PASSWORD},
        )
    run_jobs()
    first = link_in(mails_to(smtp, "first@example.com")[0])
    second = link_in(mails_to(smtp, "second@example.com")[0])

    assert client.post(second).status_code == 303
    late = client.post(first)

    assert late.status_code == 400
    assert "has changed since this link was sent" in late.get_data(as_text=True)
    assert db.session.get(User, reader.id).email == "second@example.com"


def test_a_new_address_taken_meanwhile_is_not_applied(client, auth, reader, smtp):
    auth.login(reader)
    client.post(
        "/auth/account/email",
        data={"email-email": "wanted@example.com", "email-current_password": factories.PASSWORD},
    )
    run_jobs()
    factories.make_user(username="quick", email="wanted@example.com")
    db.session.commit()

    response = client.post(link_in(mails_to(smtp, "wanted@example.com")[0]))

    assert response.status_code == 409
    assert "Another account started using that address" in response.get_data(as_text=True)
    assert db.session.get(User, reader.id).email == "rita@example.com"


def test_a_reader_can_ask_for_the_link_again_a_few_times(client, smtp):
    register(client)

    for _ in range(5):
        response = client.post("/auth/confirm/again")
        assert response.status_code == 303
        assert response.headers["Location"] == "/auth/account#confirm"
    assert client.post("/auth/confirm/again").status_code == 303
    refused = client.get("/auth/account")

    assert "We have sent several links already" in refused.get_data(as_text=True)
    run_jobs()
    assert len(mails_to(smtp, "newbie@example.com")) == 6  # at registration, then 5


def test_the_worker_removes_accounts_never_confirmed_within_the_set_days(app, article):
    long_ago = utcnow() - timedelta(days=8)

    def person(name, **kwargs):
        kwargs.setdefault("email_confirmed_at", None)
        kwargs.setdefault("created_at", long_ago)
        return factories.make_user(kwargs.pop("role", Role.READER), username=name, **kwargs).id

    gone = person("neverconfirmed")
    young = person("justjoined", created_at=utcnow() - timedelta(days=6))
    confirmed = person("confirmed", email_confirmed_at=long_ago)
    staff = person("imported", role=Role.AUTHOR)
    talker = person("talker")
    factories.make_comment(article, db.session.get(User, talker))
    db.session.commit()

    run_jobs()

    left = set(db.session.scalars(sa.select(User.id)))
    assert gone not in left
    assert {young, confirmed, staff, talker} <= left


def test_demo_and_command_line_accounts_are_confirmed(app, runner):
    result = runner.invoke(
        args=["create-user", "cli_person", "cli@example.com", "--role", "editor",
              "--password", "a long enough passphrase"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert user_named("cli_person").email_confirmed_at is not None
