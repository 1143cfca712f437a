"""Attacks on second factors (issue 27): brute force of codes meets the login throttle,
hostile input on the code page never yields a 5xx, and nobody can enrol a factor on, or
end a session of, someone else's account."""

import time

import pyotp
import pytest
import sqlalchemy as sa

from blog.auth import factors
from blog.extensions import db
from blog.models import LoginSession, RecoveryCode, User
from tests import factories

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
HOSTILE = ["x" * 100_000, "a\x00b", "\u202e123456", "１２３４５６", "' OR 1=1 --", "-1",
           "<script>alert(1)</script>", "\ud7ff" * 6, ""]  # fmt: skip


@pytest.fixture
def app_config():
    return {"LOGIN_MAX_FAILURES_PER_ACCOUNT": 5, "LOGIN_MAX_FAILURES_PER_IP": 20}


def enrolled(user: User) -> User:
    user = db.session.get(User, user.id)
    user.totp_secret = SECRET
    factors.new_recovery_codes(user)
    db.session.commit()
    return user


def password_step(client, user: User, ip: str = "192.0.2.10"):
    return client.post(
        "/auth/login",
        data={"login": user.username, "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_guessing_codes_hits_the_throttle_and_the_right_code_waits_too(app, client, editor):
    enrolled(editor)
    password_step(client, editor)
    statuses = [
        client.post("/auth/login/code", data={"code": f"{n:06d}"}).status_code
        for n in range(7)
        if f"{n:06d}" != pyotp.TOTP(SECRET).now()
    ]

    assert statuses[:5] == [422] * 5
    assert set(statuses[5:]) == {429}
    refused = client.post("/auth/login/code", data={"code": pyotp.TOTP(SECRET).now()})
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert client.get("/auth/account").status_code == 302


def test_the_throttle_holds_across_browsers_and_addresses_of_one_account(app, editor):
    enrolled(editor)
    for n in range(5):
        browser = app.test_client()
        password_step(browser, editor, ip=f"198.51.100.{n}")
        browser.post("/auth/login/code", data={"code": "000000"},
                     environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})  # fmt: skip

    last = app.test_client()
    password_step(last, editor, ip="203.0.113.9")
    response = last.post(
        "/auth/login/code",
        data={"code": pyotp.TOTP(SECRET).now()},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )

    assert response.status_code == 429


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_on_the_code_page(client, editor, value):
    enrolled(editor)
    password_step(client, editor)

    response = client.post("/auth/login/code", data={"code": value})

    assert response.status_code in (422, 429)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert client.get("/auth/account").status_code == 302


def test_recovery_codes_brute_force_shares_the_throttle(client, editor):
    enrolled(editor)
    password_step(client, editor)
    for _ in range(5):
        client.post("/auth/login/code", data={"code": "aaaaa-aaaaa"})

    assert client.post("/auth/login/code", data={"code": "bbbbb-bbbbb"}).status_code == 429
    assert (
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(RecoveryCode.used_at.is_not(None))
        )
        == 0
    )


def test_nobody_enrols_an_app_on_someone_elses_account(app, client, auth, reader, editor):
    """The enrolment pages act on the logged-in account only: no form field or URL
    names another one, and a forged field is ignored."""
    auth.login(reader)
    page = client.get("/auth/security/totp").get_data(as_text=True)
    secret = page.split('data-secret="', 1)[1][:32]

    client.post(
        f"/auth/security/totp?user_id={editor.id}",
        data={"code": pyotp.TOTP(secret).now(), "user_id": str(editor.id),
              "username": editor.username},
    )  # fmt: skip

    assert db.session.get(User, editor.id).totp_secret == ""
    assert db.session.get(User, reader.id).totp_secret == secret


def test_a_secret_planted_in_the_session_cannot_enrol_without_the_owners_code(client, auth, reader):
    auth.login(reader)
    with client.session_transaction() as sess:
        sess["totp_pending"] = SECRET  # an attacker's known secret, were it planted

    response = client.post("/auth/security/totp", data={"code": "123456"})

    assert response.status_code == 422 or pyotp.TOTP(SECRET).now() == "123456"
    assert db.session.get(User, reader.id).totp_secret == ""


def test_the_qr_code_is_only_for_its_own_browser(app, client, auth, reader):
    auth.login(reader)
    client.get("/auth/security/totp")
    stranger = app.test_client()

    assert stranger.get("/auth/security/totp/qr.svg").status_code == 302  # log in first
    assert client.get("/auth/security/totp/qr.svg").status_code == 200


def test_a_code_after_the_password_of_another_account_is_refused(app, client, editor, admin):
    """The code page checks the code of the account whose password was typed."""
    enrolled(editor)
    admin_user = db.session.get(User, admin.id)
    admin_user.totp_secret = pyotp.random_base32()
    db.session.commit()
    password_step(client, admin_user)

    response = client.post("/auth/login/code", data={"code": pyotp.TOTP(SECRET).now()})

    assert response.status_code == 422
    assert client.get("/auth/account").status_code == 302


def test_ending_sessions_never_reaches_another_account(app, client, auth, reader, editor):
    editors = app.test_client()
    password_step(editors, editor)
    auth.login(reader)

    client.post("/auth/security/sessions/end-others")

    assert editors.get("/auth/account").status_code == 200
    assert (
        db.session.scalar(
            sa.select(sa.func.count(LoginSession.id)).where(LoginSession.user_id == editor.id)
        )
        == 1
    )


def test_a_stale_time_in_the_pending_step_is_refused(client, editor):
    enrolled(editor)
    password_step(client, editor)
    with client.session_transaction() as sess:
        step = sess["second_step"]
        step["at"] = int(time.time()) + 10_000  # from the future: nonsense
        sess["second_step"] = step

    client.post("/auth/login/code", data={"code": pyotp.TOTP(SECRET).now()})

    assert client.get("/auth/account").status_code == 302
