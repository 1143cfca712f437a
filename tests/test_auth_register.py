"""Registration: username, email and password rules, look-alikes, kept input."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Role, User
from tests import factories

GOOD_PASSWORD = "correct horse battery staple"


def register(client, username="newreader", email="new@example.com", password=GOOD_PASSWORD):
    return client.post(
        "/auth/register", data={"username": username, "email": email, "password": password}
    )


def users_named(name):
    return db.session.scalars(sa.select(User).where(User.username == name)).all()


def test_register_page_renders(client):
    response = client.get("/auth/register")

    assert response.status_code == 200
    assert 'name="username"' in response.get_data(as_text=True)


def test_register_creates_a_reader_logs_in_and_hashes_with_scrypt(client):
    response = register(client, username="New_Reader", email="New@Example.COM")

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/account"
    user = db.session.scalar(sa.select(User).where(User.username == "new_reader"))
    assert user.email == "new@example.com"
    assert user.role == Role.READER and user.active
    assert user.display_name == "New_Reader"
    assert user.password_hash.startswith("scrypt:")
    assert GOOD_PASSWORD not in user.password_hash
    assert "new@example.com" in client.get("/auth/account").get_data(as_text=True)


def test_registered_user_can_log_in_later(app, client):
    register(client)
    client.post("/auth/logout")

    response = client.post(
        "/auth/login", data={"login": "new@example.com", "password": GOOD_PASSWORD}
    )

    assert response.status_code == 303


@pytest.mark.parametrize("lookalike", ["Admin", "ADMIN", "ａｄｍｉｎ", "Ａｄｍｉｎ", " admin "])
def test_reserved_name_lookalikes_are_refused(client, lookalike):
    response = register(client, username=lookalike)

    assert response.status_code == 422
    assert "reserved" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.parametrize("lookalike", ["Rita", "RITA", "ｒｉｔａ", "Ｒｉｔａ"])
def test_lookalikes_of_an_existing_user_are_refused(client, reader, lookalike):
    response = register(client, username=lookalike)

    assert response.status_code == 422
    assert "That username is taken" in response.get_data(as_text=True)
    assert len(users_named("rita")) == 1


def test_lookalike_of_an_existing_admin_named_admin_is_refused(client):
    factories.make_user(Role.ADMIN, username="admin")
    db.session.commit()

    response = register(client, username="ａｄｍｉｎ")

    assert response.status_code == 422
    assert len(users_named("admin")) == 1


@pytest.mark.parametrize("email", ["RITA@example.com", "rita@EXAMPLE.com", " rita@example.com "])
def test_emails_are_unique_whatever_the_case(client, reader, email):
    response = register(client, email=email)

    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "ab", "3 to 30 characters"),
        ("username", "a" * 31, "3 to 30 characters"),
        ("username", "bad name", "3 to 30 characters"),
        ("username", "émile", "3 to 30 characters"),
        ("username", "", "This field is required"),
        ("email", "not-an-email", "That email address is not valid"),
        ("email", "a@b", "That email address is not valid"),
        ("password", "short", "at least 10 characters"),
        ("password", "x" * 1001, "at most 1000 characters"),
        ("password", "password123", "too common"),
        ("password", "Qwertyuiop", "too common"),
    ],
)
def test_bad_input_re_renders_with_a_message_and_creates_nothing(client, field, value, message):
    data = {"username": "newreader", "email": "new@example.com", "password": GOOD_PASSWORD}
    data[field] = value

    response = client.post("/auth/register", data=data)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_any_unicode_password_of_ten_characters_is_fine(client):
    response = register(client, password="ключ🔑пароль密码")

    assert response.status_code == 303


def test_failed_registration_keeps_typed_values_but_not_the_password(client):
    response = register(client, username="ok_name", email="typed@example.com", password="short")

    html = response.get_data(as_text=True)
    assert 'value="ok_name"' in html
    assert 'value="typed@example.com"' in html
    assert 'value="short"' not in html


def test_typed_values_are_escaped(client):
    response = register(client, username='"><script>x()</script>', password="short")

    html = response.get_data(as_text=True)
    assert "<script>x()" not in html
    assert "&lt;script&gt;" in html or "&#34;&gt;&lt;script&gt;" in html


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "x"},
        {"username": "a\x00b", "email": "e\x00@x.com", "password": "p\x00" * 6},
    ],
)
def test_garbage_is_a_4xx_never_a_500(client, data):
    response = client.post("/auth/register", data=data)

    assert response.status_code == 422
