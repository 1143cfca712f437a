"""Logging in and out: credentials, next=, remember me, sessions ending everywhere."""

from dataclasses import FrozenInstanceError, fields

import pytest
import sqlalchemy as sa
from flask_login import login_user
from werkzeug import security
from werkzeug.exceptions import HTTPException

from blog.auth.credentials import GENERIC_LOGIN_ERROR
from blog.auth.sessions import load_user, signed_in_user
from blog.core.database import writing
from blog.core.urls import safe_next
from blog.extensions import db
from blog.models import LoginSession, User, Viewer
from tests import factories
from tests.shared import counting_statements


def login(client, login, password=factories.PASSWORD, **extra):
    return client.post("/auth/login", data={"login": login, "password": password, **extra})


def copy_cookies(source, target, names=("session", "remember_token")) -> None:
    """Give `target` the very cookies `source` holds, as a thief copying them would."""
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def test_login_page_renders(client):
    response = client.get("/auth/login")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="login"' in html and 'name="password"' in html and 'name="remember"' in html


@pytest.mark.parametrize("how", ["username", "email", "EMAIL", "USERNAME", " username "])
def test_login_with_username_or_email_any_case(client, reader, how):
    value = reader.email if "mail" in how.lower() else reader.username
    value = value.upper() if how.strip().isupper() else value
    value = f" {value} " if how.startswith(" ") else value

    response = login(client, value)

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    account = client.get("/auth/account")
    assert account.status_code == 200
    assert "rita@example.com" in account.get_data(as_text=True)


@pytest.mark.parametrize(
    ("next_", "expected"),
    [
        ("/article/some-slug#comments", "/article/some-slug#comments"),
        ("/search?q=x", "/search?q=x"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_login_follows_only_local_next(client, reader, next_, expected):
    response = client.post(
        "/auth/login",
        query_string={"next": next_},
        data={"login": "rita", "password": factories.PASSWORD},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == expected


@pytest.mark.parametrize(
    "target", ["http://x.test/", "//x.test", "/\\x.test", "x", "/a\r\nb", "\\\\x.test", None]
)
def test_safe_next_refuses_other_sites(target):
    assert safe_next(target) is None


def test_login_form_keeps_next_in_its_action(client):
    html = client.get("/auth/login?next=/category/world").get_data(as_text=True)

    assert 'action="/auth/login?next=/category/world"' in html


def test_wrong_password_and_unknown_account_get_the_same_answer(client, reader, monkeypatch):
    checks = []
    real_check = security.check_password_hash

    def spy(pwhash, password):
        checks.append(pwhash)
        return real_check(pwhash, password)

    monkeypatch.setattr("blog.auth.credentials.check_password_hash", spy)

    wrong = login(client, "rita", "not the right password")
    unknown = login(client, "nobody_here", "not the right password")

    assert wrong.status_code == unknown.status_code == 422
    for response in (wrong, unknown):
        assert GENERIC_LOGIN_ERROR in response.get_data(as_text=True)
    # The unknown account still costs a password hash check, so timing tells nothing.
    assert len(checks) == 2
    assert checks[1].startswith("scrypt:")


def test_failed_login_keeps_the_typed_name_but_not_the_password(client, reader):
    response = login(client, "rita", "secret typed password")

    html = response.get_data(as_text=True)
    assert 'value="rita"' in html
    assert "secret typed password" not in html
    assert client.get("/auth/account").status_code == 302


@pytest.mark.parametrize(
    "data", [{}, {"login": "rita"}, {"password": "x"}, {"login": "x" * 300, "password": "y"}]
)
def test_incomplete_login_form_is_a_4xx_not_a_500(client, reader, data):
    response = client.post("/auth/login", data=data)

    assert response.status_code == 422


def test_deactivated_user_cannot_log_in(client, reader):
    reader.active = False
    db.session.commit()

    response = login(client, "rita")

    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)
    assert client.get("/auth/account").status_code == 302


def test_deactivating_ends_existing_sessions(client, auth, reader):
    auth.login(reader)
    assert client.get("/auth/account").status_code == 200

    reader.active = False
    reader.end_all_sessions()
    db.session.commit()

    assert client.get("/auth/account").status_code == 302


def test_deactivated_flag_alone_ends_sessions(client, auth, reader):
    auth.login(reader, remember="y")

    db.session.execute(sa.update(User).where(User.id == reader.id).values(active=False))
    db.session.commit()

    assert client.get("/auth/account").status_code == 302


def test_login_starts_a_new_session(client, reader):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"

    login(client, "rita")

    with client.session_transaction() as sess:
        assert "planted" not in sess
        user_id, token, key = sess["_user_id"].split(":")
    assert (user_id, token) == (str(reader.id), reader.session_token)
    assert (
        db.session.scalar(sa.select(LoginSession.key).where(LoginSession.user_id == reader.id))
        == key
    )


def test_account_page_needs_login_and_comes_back_after(client, reader):
    response = client.get("/auth/account")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")

    response = client.post(
        response.headers["Location"], data={"login": "rita", "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/auth/account"


def test_logout_is_post_only(client, auth, reader):
    auth.login(reader)

    assert client.get("/auth/logout").status_code == 405
    assert client.get("/auth/account").status_code == 200


def test_logout_logs_out_and_rotates_the_token(client, auth, reader):
    auth.login(reader)
    token = reader.session_token

    response = auth.logout()

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/auth/account").status_code == 302
    assert db.session.get(User, reader.id).session_token != token


def test_logout_ends_a_copied_session_cookie(app, client, auth, reader):
    auth.login(reader)
    thief = app.test_client()
    copy_cookies(client, thief, names=("session",))
    assert thief.get("/auth/account").status_code == 200

    auth.logout()

    assert thief.get("/auth/account").status_code == 302


def test_remember_me_sets_a_cookie_that_logs_in_without_a_session(app, client, auth, reader):
    auth.login(reader, remember="y")
    assert client.get_cookie("remember_token") is not None
    other = app.test_client()
    copy_cookies(client, other, names=("remember_token",))

    assert other.get("/auth/account").status_code == 200


def test_without_remember_me_there_is_no_remember_cookie(client, auth, reader):
    auth.login(reader)

    assert client.get_cookie("remember_token") is None


def test_logout_ends_a_copied_remember_cookie(app, client, auth, reader):
    auth.login(reader, remember="y")
    thief = app.test_client()
    copy_cookies(client, thief, names=("remember_token",))
    assert thief.get("/auth/account").status_code == 200
    thief_fresh = app.test_client()
    copy_cookies(client, thief_fresh, names=("remember_token",))

    auth.logout()

    # Both the session the remember cookie already restored and the cookie itself die.
    assert thief.get("/auth/account").status_code == 302
    assert thief_fresh.get("/auth/account").status_code == 302


def test_logged_in_user_visiting_login_is_sent_on(client, auth, reader):
    auth.login(reader)

    response = client.get("/auth/login?next=/category/world")

    assert response.status_code == 302
    assert response.headers["Location"] == "/category/world"


def session_cookie(user: User) -> str:
    """The "id:session_token:login_key" a login gives, for a new LoginSession row."""
    row = LoginSession(user_id=user.id, key=f"key-{user.id}-{user.session_token[:8]}")
    db.session.add(row)
    db.session.commit()
    return f"{user.id}:{user.session_token}:{row.key}"


def test_on_a_get_the_user_loader_reads_a_frozen_viewer_on_the_driver(app, reader):
    reader_id, cookie = reader.id, session_cookie(reader)
    with app.test_request_context("/"):
        db.session.close()  # a request starts with nothing loaded
        with counting_statements() as seen:
            viewer = load_user(cookie)
        assert seen == []  # no statement through the engine: the driver read it
        assert isinstance(viewer, Viewer) and not db.session.identity_map  # nothing loaded
        assert viewer.id == reader_id and viewer.username == "rita" and viewer.active is True
        assert viewer.created_at.tzinfo is not None  # converted as a query would
        assert viewer.name == "Rita" and not viewer.is_editor and viewer.get_id() == cookie
        with pytest.raises(FrozenInstanceError):
            viewer.bio = "Writes about ferries."  # a GET that writes says so, loudly


def test_signed_in_user_is_the_mapped_user_behind_the_viewer(app, reader):
    reader_id, cookie = reader.id, session_cookie(reader)
    with app.test_request_context("/"):
        db.session.close()
        viewer = load_user(cookie)
        login_user(viewer)
        user = signed_in_user()
        assert isinstance(user, User) and user in db.session
        assert user == viewer and user.login_key == viewer.login_key
        user.bio = "Writes about ferries."
        db.session.commit()
    db.session.close()
    assert db.session.get(User, reader_id).bio == "Writes about ferries."


def test_signed_in_user_sends_a_reader_whose_sessions_ended_meanwhile_to_log_in(app, reader):
    cookie = session_cookie(reader)
    with app.test_request_context("/auth/account"):
        db.session.close()
        login_user(load_user(cookie))
        db.session.get(User, reader.id).end_all_sessions()  # another tab logged out
        db.session.commit()
        with pytest.raises(HTTPException) as sent:
            signed_in_user()
    assert sent.value.response.status_code == 302
    assert sent.value.response.headers["Location"].startswith("/auth/login")


def test_on_a_post_current_user_is_the_user_loaded_by_the_session(app, reader):
    reader_id, cookie = reader.id, session_cookie(reader)
    with app.test_request_context("/", method="POST"):
        db.session.close()
        with counting_statements() as seen:
            user = load_user(cookie)
        assert any('FROM "user"' in s or "FROM user" in s for s in seen)
        assert isinstance(user, User) and user in db.session and not db.session.dirty
        user.bio = "Writes about ferries."
        db.session.commit()
    db.session.close()
    assert db.session.get(User, reader_id).bio == "Writes about ferries."


def test_a_viewer_holds_every_column_of_a_user_but_the_password_hash():
    # A column added to User is read on every page only if it is added here too.
    columns = {c.key for c in User.__table__.columns}
    assert {f.name for f in fields(Viewer)} == columns - {"password_hash"} | {"login_key"}


def test_inside_a_write_the_user_loader_asks_the_session(app, reader):
    cookie = session_cookie(reader)
    with app.test_request_context("/"):
        db.session.close()
        with writing(), counting_statements() as seen:
            user = load_user(cookie)
        assert any('FROM "user"' in s or "FROM user" in s for s in seen)
        assert user.username == "rita"


@pytest.mark.parametrize(
    "cookie",
    [
        "{id}:wrong-token:{key}", "x{id}:{token}:{key}", "{id}:", "",
        # before login sessions (issue 27), or a session ended on the account page
        "{id}:{token}", "{id}:{token}:ended-session",
    ],
)  # fmt: skip
def test_the_user_loader_refuses_a_stale_or_malformed_cookie(app, reader, cookie):
    key = session_cookie(reader).rsplit(":", 1)[1]
    value = cookie.format(id=reader.id, token=reader.session_token, key=key)
    with app.test_request_context("/"):
        db.session.close()
        assert load_user(value) is None
