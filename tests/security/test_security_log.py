"""The security log records role changes and 403s, and never a secret or a forged line."""

import logging

import pytest

from blog.auth.credentials import make_reset_token
from blog.models import Role
from tests import factories
from tests.security.helpers import login

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture
def records(caplog):
    caplog.set_level(logging.DEBUG)

    def get(name: str | None = "blog.security") -> list[str]:
        return [r.getMessage() for r in caplog.records if name is None or r.name == name]

    return get


def test_a_role_change_is_logged_with_who_whom_and_what(client, world, records):
    login(client, world.admin)

    client.post(f"/admin/users/{world.reader.id}/role", data={"role": str(int(Role.EDITOR))})

    (line,) = [m for m in records() if "event=role_changed" in m]
    assert "user=adam" in line and "target=rita" in line
    assert "old=reader" in line and "new=editor" in line and "ip=" in line and "time=" in line


def test_an_unchanged_role_is_not_logged_as_a_change(client, world, records):
    login(client, world.admin)

    client.post(f"/admin/users/{world.reader.id}/role", data={"role": str(int(Role.READER))})

    assert not [m for m in records() if "event=role_changed" in m]


@pytest.mark.parametrize(
    ("who", "url"), [("reader", "/admin/"), ("reader", "/admin/users"), ("author", "/admin/users")]
)
def test_a_403_is_logged(client, world, records, who, url):
    login(client, getattr(world, who))

    response = client.get(url, environ_base={"REMOTE_ADDR": "198.51.100.7"})

    assert response.status_code == 403
    (line,) = [m for m in records() if "event=forbidden" in m]
    assert f"user={getattr(world, who).username}" in line
    assert f"path={url}" in line and "ip=198.51.100.7" in line and "method=GET" in line


def test_user_text_in_a_403_cannot_forge_a_line(client, world, records):
    login(client, world.reader)

    client.get("/admin/?x=%0D%0Atime=2000-01-01 event=login user=admin%0Aevil=1\u2028x")

    lines = [m for m in records() if "forbidden" in m]
    assert len(lines) == 1
    assert "\n" not in lines[0] and "\r" not in lines[0] and "\u2028" not in lines[0]
    assert lines[0].startswith("time=")


def test_a_crlf_login_name_cannot_forge_a_line(client, records):
    client.post(
        "/auth/login",
        data={"login": "bob\r\ntime=2000 event=login user=admin", "password": "nope nope nope"},
    )

    (line,) = [m for m in records() if "login_failed" in m]
    assert "\n" not in line and "\r" not in line


def test_no_log_line_carries_a_password_token_or_cookie(app, client, world, records):
    """A whole session's worth of security events, every logger captured."""
    secrets = [factories.PASSWORD, NEW_PASSWORD]
    login(client, world.reader)
    secrets.append(client.get_cookie("session").value)
    client.post("/auth/login", data={"login": "rita", "password": "a wrong passphrase!!"})
    client.post(
        "/auth/account/password",
        data={
            "password-current_password": factories.PASSWORD,
            "password-new_password": NEW_PASSWORD,
        },
    )
    client.post("/auth/logout")
    client.post("/auth/reset", data={"email": world.reader.email})
    token = make_reset_token(world.reader)
    secrets.append(token)
    client.post(f"/auth/reset/{token}", data={"new_password": factories.PASSWORD + "!"})
    secrets.append(factories.PASSWORD + "!")
    login(client, world.admin)
    secrets.append(client.get_cookie("session").value)
    client.post(f"/admin/users/{world.reader.id}/role", data={"role": str(int(Role.AUTHOR))})
    login(app.test_client(), world.author)
    client.get("/admin/users", headers={"Cookie": "session=stolen-cookie-value"})

    everything = "\n".join(records(None))
    events = records()
    assert len(events) >= 6
    for secret in secrets:
        assert secret not in everything
    assert "stolen-cookie-value" not in everything
    assert world.reader.password_hash not in everything
