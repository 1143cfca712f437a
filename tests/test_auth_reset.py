"""Password reset by email, through a real SMTP server on 127.0.0.1, and the outbox."""

import re
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from blog.auth.credentials import make_reset_token, password_fingerprint
from blog.core.mail import queue_mail
from blog.extensions import db
from blog.models import UsedToken, User
from tests import factories
from tests.conftest import TEST_SECRET
from tests.live import free_port
from tests.mailing import mail_config, run_jobs
from tests.shared import mask_tokens

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def received(smtp):
    return [message_from_bytes(e.content, policy=policy.default) for e in smtp.handler.envelopes]


def reset_link(message) -> str:
    body = message.get_content()
    return re.search(r"http://newsroom\.test/auth/reset/\S+", body).group(0)


def request_reset(client, email="rita@example.com", **kwargs):
    """Ask for a reset link, then let the queue's worker send what the request queued."""
    response = client.post("/auth/reset", data={"email": email}, **kwargs)
    run_jobs()
    return response


def test_reset_request_sends_a_link_by_smtp(client, reader, smtp):
    response = request_reset(client, email="Rita@Example.com")

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    (envelope,) = smtp.handler.envelopes
    assert envelope.mail_from == "desk@newsroom.test"
    assert envelope.rcpt_tos == ["rita@example.com"]
    (message,) = received(smtp)
    assert message["To"] == "rita@example.com"
    assert "Reset your password" in message["Subject"]
    assert reset_link(message).startswith("http://newsroom.test/auth/reset/")


def test_link_uses_site_url_not_the_host_header(client, reader, smtp):
    request_reset(client, headers={"Host": "evil.example"})

    (message,) = received(smtp)
    assert "evil.example" not in message.get_content()
    assert reset_link(message).startswith("http://newsroom.test/")


def test_unknown_address_gets_the_same_answer_and_no_mail(client, reader, smtp):
    known = request_reset(client, email="rita@example.com")
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    unknown = request_reset(client, email="nobody@example.com")
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)

    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert mask_tokens(known_page) == mask_tokens(unknown_page)
    assert "If an account uses that address" in known_page
    assert len(smtp.handler.envelopes) == 1


def test_same_answer_when_the_mail_server_is_down(app, client, reader):
    app.config["MAIL_PORT"] = free_port()  # nothing listens there

    response = request_reset(client)

    assert response.status_code == 303


def test_invalid_email_re_renders_the_form(client, smtp):
    response = request_reset(client, email="")

    assert response.status_code == 422


def test_the_link_sets_a_new_password_and_ends_sessions(app, client, auth, reader, smtp):
    other_browser = app.test_client()
    other_browser.post("/auth/login", data={"login": "rita", "password": factories.PASSWORD})
    assert other_browser.get("/auth/account").status_code == 200
    request_reset(client)
    path = reset_link(received(smtp)[0]).removeprefix("http://newsroom.test")

    form = client.get(path)
    response = client.post(path, data={"new_password": NEW_PASSWORD})

    assert form.status_code == 200
    assert 'name="new_password"' in form.get_data(as_text=True)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert other_browser.get("/auth/account").status_code == 302
    user = db.session.get(User, reader.id)
    assert user.password_hash.startswith("scrypt:")
    assert (
        client.post(
            "/auth/login", data={"login": "rita", "password": factories.PASSWORD}
        ).status_code
        == 422
    )
    assert (
        client.post("/auth/login", data={"login": "rita", "password": NEW_PASSWORD}).status_code
        == 303
    )


def test_the_link_works_only_once(client, reader):
    token = make_reset_token(reader)
    db.session.commit()
    assert (
        client.post(f"/auth/reset/{token}", data={"new_password": NEW_PASSWORD}).status_code == 303
    )

    again = client.post(f"/auth/reset/{token}", data={"new_password": "yet another passphrase"})

    assert again.status_code == 400
    assert "not valid" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UsedToken)) == 1


def test_a_used_token_is_refused_even_if_the_password_were_the_same(client, reader):
    token = make_reset_token(reader)
    db.session.commit()
    client.post(f"/auth/reset/{token}", data={"new_password": NEW_PASSWORD})
    # Put back the old hash: only the UsedToken row now stands in the way.
    db.session.execute(
        sa.update(User).where(User.id == reader.id).values(password_hash=factories.PASSWORD_HASH)
    )
    db.session.commit()

    assert client.get(f"/auth/reset/{token}").status_code == 400


def test_the_link_dies_when_the_password_changes(client, reader):
    token = make_reset_token(reader)
    db.session.commit()
    assert client.get(f"/auth/reset/{token}").status_code == 200

    db.session.execute(
        sa.update(User).where(User.id == reader.id).values(password_hash="pbkdf2:sha256:1$x$y")
    )
    db.session.commit()

    assert client.get(f"/auth/reset/{token}").status_code == 400


def test_the_link_expires_after_an_hour(client, reader):
    class HourAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 3601

    serializer = URLSafeTimedSerializer(TEST_SECRET, salt="password-reset", signer=HourAgo)
    token = serializer.dumps({"uid": reader.id, "pw": password_fingerprint(reader)})

    response = client.post(f"/auth/reset/{token}", data={"new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert db.session.get(User, reader.id).password_hash == factories.PASSWORD_HASH


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        URLSafeTimedSerializer("another secret key", salt="password-reset").dumps(
            {"uid": 1, "pw": "x"}
        ),
        URLSafeTimedSerializer(TEST_SECRET, salt="other-salt").dumps({"uid": 1, "pw": "x"}),
    ],
    ids=["garbage", "another-key", "another-salt"],  # signed tokens hold the time
)
def test_forged_tokens_are_refused(client, reader, token):
    assert client.get(f"/auth/reset/{token}").status_code == 400


def test_a_weak_new_password_re_renders_and_keeps_the_link_usable(client, reader):
    token = make_reset_token(reader)
    db.session.commit()

    response = client.post(f"/auth/reset/{token}", data={"new_password": "short"})

    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert client.get(f"/auth/reset/{token}").status_code == 200


def test_deactivated_users_get_no_reset_link(client, reader, smtp):
    reader.active = False
    db.session.commit()

    assert request_reset(client).status_code == 303
    assert smtp.handler.envelopes == []


def test_reset_also_lifts_the_login_lock(client, reader):
    for _ in range(5):
        client.post("/auth/login", data={"login": "rita", "password": "wrong password!"})
    token = make_reset_token(reader)
    db.session.commit()

    client.post(f"/auth/reset/{token}", data={"new_password": NEW_PASSWORD})

    response = client.post("/auth/login", data={"login": "rita", "password": NEW_PASSWORD})
    assert response.status_code == 303


# Mail without SMTP ---------------------------------------------------------------------


def test_without_mail_server_mail_goes_to_the_outbox(app, client, reader, caplog):
    app.config["MAIL_SERVER"] = ""
    caplog.set_level("INFO", logger="blog.mail")

    request_reset(client)

    outbox = list((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(outbox) == 1
    message = message_from_bytes(outbox[0].read_bytes(), policy=policy.default)
    assert message["To"] == "rita@example.com"
    assert reset_link(message)
    assert str(outbox[0]) in caplog.text


def test_a_queued_mail_goes_over_smtp_from_the_sender(app, smtp):
    queue_mail("someone@example.com", "Hello", "Body text\nline two", key="hello:1")
    db.session.commit()

    assert run_jobs().done == 1

    (message,) = received(smtp)
    assert message["To"] == "someone@example.com" and message["Subject"] == "Hello"
    assert message["From"] == "desk@newsroom.test"
    assert "line two" in message.get_content()
