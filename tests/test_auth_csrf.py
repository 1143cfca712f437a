"""With CSRF on, as in production: forms without the token change nothing."""

import re

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import ThrottleEvent, User
from tests import factories


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def csrf_token(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="(?:\w+-)?csrf_token"[^>]*value="([^"]+)"', html).group(1)


def log_in(client, user):
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login",
        data={"login": user.username, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303


def test_login_without_token_is_refused_and_logs_nobody_in(client, reader):
    response = client.post("/auth/login", data={"login": "rita", "password": factories.PASSWORD})

    assert response.status_code == 400
    assert client.get("/auth/account").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThrottleEvent)) == 0


def test_login_with_a_wrong_token_is_refused(client, reader):
    response = client.post(
        "/auth/login",
        data={"login": "rita", "password": factories.PASSWORD, "csrf_token": "forged"},
    )

    assert response.status_code == 400
    assert client.get("/auth/account").status_code == 302


def test_login_with_the_token_works(client, reader):
    log_in(client, reader)

    assert client.get("/auth/account").status_code == 200


def test_logout_without_token_is_refused_and_keeps_the_session(client, reader):
    log_in(client, reader)
    session_token = reader.session_token

    response = client.post("/auth/logout")

    assert response.status_code == 400
    assert client.get("/auth/account").status_code == 200
    assert db.session.get(User, reader.id).session_token == session_token


def test_logout_with_the_token_works(client, reader):
    log_in(client, reader)
    token = csrf_token(client, "/auth/account")

    response = client.post("/auth/logout", data={"csrf_token": token})

    assert response.status_code == 303
    assert client.get("/auth/account").status_code == 302


def test_register_without_token_is_refused_and_creates_nobody(client):
    response = client.post(
        "/auth/register",
        data={"username": "newbie", "email": "n@example.com", "password": "a fine passphrase"},
    )

    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/auth/account", {"profile-display_name": "Hacked"}),
        ("/auth/account/password", {"password-current_password": factories.PASSWORD,
                                    "password-new_password": "another long passphrase"}),
        ("/auth/account/email", {"email-email": "evil@example.com",
                                 "email-current_password": factories.PASSWORD}),
        ("/auth/account/delete", {"delete-current_password": factories.PASSWORD,
                                  "delete-confirm": "y"}),
    ],
)  # fmt: skip
def test_account_changes_without_token_change_nothing(client, reader, path, data):
    log_in(client, reader)
    before = (reader.display_name, reader.password_hash, reader.email, reader.session_token)

    response = client.post(path, data=data)

    assert response.status_code == 400
    user = db.session.get(User, reader.id)
    assert (user.display_name, user.password_hash, user.email, user.session_token) == before


def test_reset_request_without_token_is_refused(client, reader, app):
    response = client.post("/auth/reset", data={"email": "rita@example.com"})

    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThrottleEvent)) == 0
