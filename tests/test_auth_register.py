"""Registration: username, email and password rules, look-alikes, kept input; the
account made by the mailed link; taken addresses answered like new ones; limits."""

import re

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from blog.models import Job, Registration, Role, User
from tests import factories
from tests.conftest import IsolatedClient
from tests.shared import mask_tokens

GOOD_PASSWORD = "correct horse battery staple"
CHECK_MAIL = "Check your mail: we sent a message to"
LINK = re.compile(r"http://newsroom\.test(/auth/confirm/[\w.\-]+)")


def register(client, username="newreader", email="new@example.com", password=GOOD_PASSWORD):
    return client.post(
        "/auth/register", data={"username": username, "email": email, "password": password}
    )


def users_named(name):
    return db.session.scalars(sa.select(User).where(User.username == name)).all()


def mails_to(address: str) -> list[dict]:
    """The mails queued to `address`, oldest first (payloads: to, subject, body)."""
    jobs = db.session.scalars(sa.select(Job).where(Job.kind == "mail").order_by(Job.id))
    return [job.payload for job in jobs if job.payload.get("to") == address]


def open_link(client, mail: dict):
    return client.post(LINK.search(mail["body"]).group(1))


def test_register_page_renders(client):
    response = client.get("/auth/register")

    assert response.status_code == 200
    assert 'name="username"' in response.get_data(as_text=True)


def test_register_mails_a_link_and_the_link_makes_the_account(client):
    response = register(client, username="New_Reader", email="New@Example.COM")

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert f"{CHECK_MAIL} new@example.com" in client.get("/auth/login").get_data(as_text=True)
    assert users_named("new_reader") == []  # nothing exists before the address confirms
    password_hash = db.session.scalar(sa.select(Registration.password_hash))
    assert password_hash.startswith("scrypt:")
    assert GOOD_PASSWORD not in password_hash
    (mail,) = mails_to("new@example.com")

    made = open_link(client, mail)

    assert made.status_code == 303
    assert made.headers["Location"] == "/auth/account"
    (user,) = users_named("new_reader")
    assert user.email == "new@example.com" and user.email_confirmed_at is not None
    assert user.role == Role.READER and user.active
    assert user.display_name == "New_Reader"
    assert user.password_hash == password_hash
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    assert "new@example.com" in client.get("/auth/account").get_data(as_text=True)  # logged in
    assert open_link(client, mail).status_code == 400  # once only


def test_registered_user_can_log_in_later(app, client):
    register(client)
    open_link(client, mails_to("new@example.com")[0])
    client.post("/auth/logout")

    response = client.post(
        "/auth/login", data={"login": "new@example.com", "password": GOOD_PASSWORD}
    )

    assert response.status_code == 303


def test_the_mail_greets_nobody_by_the_name_the_registrant_chose(client, reader):
    register(client, username="visit_evil_example", email="stranger@example.com")
    register(client, username="call_0800_support", email=reader.email)  # a taken address

    for mail in mails_to("stranger@example.com") + mails_to(reader.email):
        assert mail["body"].startswith("Hello,\n")
        assert "visit_evil_example" not in mail["body"]
        assert "call_0800_support" not in mail["body"]
    page = client.get(LINK.search(mails_to("stranger@example.com")[0]["body"]).group(1))
    assert page.status_code == 200
    assert "visit_evil_example" not in page.get_data(as_text=True)


def test_a_link_whose_name_was_taken_meanwhile_makes_nothing(client):
    register(client, username="harbour", email="first@example.com")
    register(client, username="harbour", email="second@example.com")
    assert open_link(client, mails_to("second@example.com")[0]).status_code == 303
    client.post("/auth/logout")

    response = open_link(client, mails_to("first@example.com")[0])

    assert response.status_code == 409
    assert "Please register again" in response.get_data(as_text=True)
    assert [u.email for u in users_named("harbour")] == ["second@example.com"]


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
def test_a_taken_address_is_answered_like_a_new_one_and_its_owner_is_told(client, reader, email):
    new = register(client, username="someone", email="free@example.com")
    new_page = client.get(new.headers["Location"]).get_data(as_text=True)

    taken = register(client, username="another", email=email)
    taken_page = client.get(taken.headers["Location"]).get_data(as_text=True)

    assert taken.status_code == new.status_code == 303
    assert taken.headers["Location"] == new.headers["Location"]
    assert mask_tokens(taken_page.replace("rita@example.com", "free@example.com")) == (
        mask_tokens(new_page)
    )
    assert "already" not in taken_page
    assert users_named("another") == [] and len(users_named("rita")) == 1
    assert db.session.scalar(sa.select(Registration.email)) == "free@example.com"
    (told,) = mails_to("rita@example.com")  # the owner, instead of a link
    assert told["subject"].startswith("Someone tried to register")
    assert "/auth/confirm/" not in told["body"]
    assert "http://newsroom.test/auth/reset" in told["body"]


def test_registrations_are_limited_per_address(client, reader):
    for n in range(3):
        assert register(client, username=f"try{n}", email=reader.email).status_code == 303

    refused = register(client, username="try9", email=reader.email)

    assert refused.status_code == 429
    assert "Too many registrations" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert len(mails_to(reader.email)) == 3  # the owner is not flooded either


def test_registrations_are_limited_per_ip_across_workers(app, client):
    # A second app on the same database: another gunicorn worker.
    keys = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED", "SITE_URL",
            "SERVER_NAME", "MAIL_SERVER", "PAGE_CACHE")  # fmt: skip
    other = create_app({key: app.config[key] for key in keys})
    other.test_client_class = IsolatedClient
    workers = [client, other.test_client()]

    answers = [
        register(workers[n % 2], username=f"bulk{n}", email=f"bulk{n}@example.com").status_code
        for n in range(11)
    ]

    with other.app_context():
        db.engine.dispose()

    assert answers == [303] * 10 + [429]
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 10
    elsewhere = workers[0].post(
        "/auth/register",
        data={"username": "elsewhere", "email": "elsewhere@example.com", "password": GOOD_PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.50"},
    )
    assert elsewhere.status_code == 303


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
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


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
