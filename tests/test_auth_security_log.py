"""The security log: one clean line per event, with who, from where, and no secrets."""

import logging

import pytest

from blog.auth.credentials import make_reset_token
from blog.core.security_log import clean, security_log
from blog.extensions import db
from tests import factories

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def seclog(caplog):
    caplog.set_level(logging.INFO, logger="blog.security")

    def lines():
        return [r.getMessage() for r in caplog.records if r.name == "blog.security"]

    return lines


def post_login(client, name, password, ip="192.0.2.10"):
    return client.post(
        "/auth/login",
        data={"login": name, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_login_success_and_failure_are_logged_with_user_and_ip(client, reader, seclog):
    post_login(client, "rita", "wrong password!")
    post_login(client, "rita", factories.PASSWORD)

    failed, success = seclog()
    assert "event=login_failed" in failed and "login=rita" in failed
    assert "ip=192.0.2.10" in failed and "time=" in failed
    assert "event=login " in success and "user=rita" in success and "ip=192.0.2.10" in success
    for line in seclog():
        assert "wrong password!" not in line and factories.PASSWORD not in line


def test_logout_and_password_change_are_logged(client, auth, reader, seclog):
    auth.login(reader)
    client.post(
        "/auth/account/password",
        data={
            "password-current_password": factories.PASSWORD,
            "password-new_password": NEW_PASSWORD,
        },
    )
    auth.logout()

    events = [line.split("event=")[1].split()[0] for line in seclog()]
    assert events == ["login", "password_changed", "logout"]
    assert all("user=rita" in line for line in seclog())
    assert not any(NEW_PASSWORD in line for line in seclog())


def test_reset_request_and_completion_are_logged_without_the_token(app, client, reader, seclog):
    app.config["MAIL_SERVER"] = ""
    client.post("/auth/reset", data={"email": "rita@example.com"})
    token = make_reset_token(reader)
    db.session.commit()
    client.post(f"/auth/reset/{token}", data={"new_password": NEW_PASSWORD})

    requested, completed = seclog()
    assert "event=reset_requested" in requested and "email=rita@example.com" in requested
    assert "event=reset_completed" in completed and "user=rita" in completed
    assert not any(token in line or NEW_PASSWORD in line for line in seclog())


def test_throttled_attempts_are_logged(client, reader, seclog):
    for _ in range(6):
        post_login(client, "rita", "wrong password!")

    assert "event=login_throttled" in seclog()[-1]
    assert "retry_after=" in seclog()[-1]


def test_user_typed_text_cannot_forge_a_log_line(client, seclog):
    post_login(client, "x\r\ntime=2020 event=login user=admin", "wrong password!")

    (line,) = seclog()
    assert "\n" not in line and "\r" not in line
    assert 'login="x??time=2020 event=login user=admin"' in line


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("rita", "rita"),
        ("two words", '"two words"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("a\nb\rc\x00d\u2028e", "a?b?c?d?e"),
        ("", '""'),
        (None, "None"),
        ("z" * 500, "z" * 200),
    ],
)
def test_clean(value, expected):
    assert clean(value) == expected


def test_security_log_outside_a_request(app, seclog):
    security_log("cli_user_created", user="someone")

    (line,) = seclog()
    assert "event=cli_user_created" in line and "user=someone" in line and "ip=-" in line
