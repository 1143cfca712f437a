"""Logging in and out: credentials, next=, remember me, sessions, CSRF."""

import pytest

from blog.extensions import db
from blog.models import User
from tests import factories


def test_login_page_renders(client):
    response = client.get("/auth/login")

    assert response.status_code == 200
    assert 'name="login"' in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["username", "email", "EMAIL", "USERNAME"])
def test_login_with_username_or_email(client, reader, field):
    login = getattr(reader, field.lower())
    login = login.upper() if field.isupper() else login

    response = client.post("/auth/login", data={"login": login, "password": factories.PASSWORD})

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "Rita" in client.get("/auth/account").get_data(as_text=True)
