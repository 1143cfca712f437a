"""The reader's own account: profile, password, email, deletion."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Comment, Role, SiteState, User
from tests import factories

NEW_PASSWORD = "a brand new passphrase"


def fresh(user) -> User:
    return db.session.get(User, user.id)


def exists(user_id: int) -> bool:
    return db.session.scalar(sa.select(User.id).where(User.id == user_id)) is not None


def test_account_page_shows_every_form(client, auth, reader):
    auth.login(reader)

    html = client.get("/auth/account").get_data(as_text=True)

    for name in (
        "profile-display_name",
        "profile-bio",
        "profile-notify_replies",
        "password-current_password",
        "password-new_password",
        "email-email",
        "email-current_password",
        "delete-current_password",
    ):
        assert f'name="{name}"' in html
    assert 'value="Rita"' in html


def test_account_page_is_private(client, auth, reader):
    auth.login(reader)

    response = client.get("/auth/account")

    assert response.headers["Cache-Control"] == "private, no-store"


def test_profile_saves_display_name_bio_and_reply_opt_in(client, auth, reader):
    auth.login(reader)
    version = db.session.get(SiteState, 1).version

    response = client.post(
        "/auth/account",
        data={
            "profile-display_name": "  Rita R.  ",
            "profile-bio": "Reads everything.\r\nTwice.",
            "profile-notify_replies": "y",
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/account"
    user = fresh(reader)
    assert (user.display_name, user.bio, user.notify_replies) == (
        "Rita R.",
        "Reads everything.\nTwice.",
        True,
    )
    assert db.session.get(SiteState, 1).version == version + 1
    assert "Your profile has been saved" in client.get("/auth/account").get_data(as_text=True)


def test_unticking_reply_notifications_turns_them_off(client, auth, reader):
    reader.notify_replies = True
    db.session.commit()
    auth.login(reader)

    client.post("/auth/account", data={"profile-display_name": "Rita", "profile-bio": ""})

    assert fresh(reader).notify_replies is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"profile-display_name": "x" * 81}, "Field cannot be longer than 80 characters"),
        ({"profile-display_name": "bad\x00name"}, "control characters"),
        ({"profile-bio": "b" * 2001}, "Field cannot be longer than 2000 characters"),
    ],
)
def test_bad_profile_input_re_renders_with_the_text(client, auth, reader, data, message):
    auth.login(reader)

    response = client.post("/auth/account", data=data)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert fresh(reader).display_name == "Rita"


def test_password_change_needs_the_current_password(client, auth, reader):
    auth.login(reader)

    response = client.post(
        "/auth/account/password",
        data={"password-current_password": "not it at all", "password-new_password": NEW_PASSWORD},
    )

    assert response.status_code == 422
    assert "That is not your current password" in response.get_data(as_text=True)
    assert fresh(reader).password_hash == factories.PASSWORD_HASH


def test_password_change_checks_the_new_password(client, auth, reader):
    auth.login(reader)

    response = client.post(
        "/auth/account/password",
        data={"password-current_password": factories.PASSWORD, "password-new_password": "short"},
    )

    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert fresh(reader).password_hash == factories.PASSWORD_HASH


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, auth, reader):
    auth.login(reader, remember="y")
    other = app.test_client()
    auth_other = other.post("/auth/login", data={"login": "rita", "password": factories.PASSWORD})
    assert auth_other.status_code == 303
    stolen = app.test_client()
    stolen.set_cookie("remember_token", client.get_cookie("remember_token").value)

    response = client.post(
        "/auth/account/password",
        data={
            "password-current_password": factories.PASSWORD,
            "password-new_password": NEW_PASSWORD,
        },
    )

    assert response.status_code == 303
    assert client.get("/auth/account").status_code == 200
    assert other.get("/auth/account").status_code == 302
    assert stolen.get("/auth/account").status_code == 302
    # This browser got a fresh remember cookie that works on its own.
    again = app.test_client()
    again.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert again.get("/auth/account").status_code == 200
    assert fresh(reader).password_hash.startswith("scrypt:")


def test_wrong_current_passwords_are_throttled_like_logins(client, auth, reader):
    auth.login(reader)
    for _ in range(5):
        client.post(
            "/auth/account/password",
            data={
                "password-current_password": "wrong wrong",
                "password-new_password": NEW_PASSWORD,
            },
        )

    response = client.post(
        "/auth/account/password",
        data={
            "password-current_password": factories.PASSWORD,
            "password-new_password": NEW_PASSWORD,
        },
    )

    assert response.status_code == 429
    assert fresh(reader).password_hash == factories.PASSWORD_HASH


def test_email_change_needs_the_current_password(client, auth, reader):
    auth.login(reader)

    response = client.post(
        "/auth/account/email",
        data={"email-email": "new@example.com", "email-current_password": "wrong wrong"},
    )

    assert response.status_code == 422
    assert 'value="new@example.com"' in response.get_data(as_text=True)
    assert fresh(reader).email == "rita@example.com"


@pytest.mark.parametrize("taken", ["oscar@example.com", "OSCAR@example.com"])
def test_email_change_refuses_an_address_in_use(client, auth, reader, other_reader, taken):
    auth.login(reader)

    response = client.post(
        "/auth/account/email",
        data={"email-email": taken, "email-current_password": factories.PASSWORD},
    )

    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert fresh(reader).email == "rita@example.com"


def test_email_change_to_an_invalid_address_is_refused(client, auth, reader):
    auth.login(reader)

    response = client.post(
        "/auth/account/email",
        data={"email-email": "not an email", "email-current_password": factories.PASSWORD},
    )

    assert response.status_code == 422
    assert "That email address is not valid" in response.get_data(as_text=True)


def test_deleting_the_account_keeps_comments_as_by_a_deleted_user(app, client, auth, reader):
    article = factories.make_article()
    comment = factories.make_comment(article, author=reader)
    db.session.commit()
    count, reader_id = article.comment_count, reader.id
    auth.login(reader)

    response = client.post(
        "/auth/account/delete",
        data={"delete-current_password": factories.PASSWORD, "delete-confirm": "y"},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert not exists(reader_id)
    kept = db.session.get(Comment, comment.id)
    assert kept is not None and kept.author_id is None
    assert kept.body_source == "A thoughtful comment."
    assert db.session.get(type(article), article.id).comment_count == count
    assert client.get("/auth/account").status_code == 302
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert "A thoughtful comment." in page
    assert "deleted user" in page


def test_deleting_needs_the_current_password_and_the_tick(client, auth, reader):
    auth.login(reader)

    wrong = client.post(
        "/auth/account/delete",
        data={"delete-current_password": "wrong wrong", "delete-confirm": "y"},
    )
    unticked = client.post(
        "/auth/account/delete", data={"delete-current_password": factories.PASSWORD}
    )

    assert wrong.status_code == unticked.status_code == 422
    assert db.session.get(User, reader.id) is not None


def test_deleted_name_can_be_registered_again_only_as_a_new_account(client, auth, reader):
    auth.login(reader)
    client.post(
        "/auth/account/delete",
        data={"delete-current_password": factories.PASSWORD, "delete-confirm": "y"},
    )

    response = client.post("/auth/login", data={"login": "rita", "password": factories.PASSWORD})

    assert response.status_code == 422


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.EDITOR, Role.ADMIN])
def test_staff_cannot_delete_themselves(client, auth, role):
    user = factories.make_user(role, username="staffer")
    db.session.commit()
    auth.login(user)

    page = client.get("/auth/account").get_data(as_text=True)
    response = client.post(
        "/auth/account/delete",
        data={"delete-current_password": factories.PASSWORD, "delete-confirm": "y"},
    )

    assert "ask an admin" in page
    assert 'name="delete-current_password"' not in page
    assert response.status_code == 403
    assert db.session.get(User, user.id) is not None


def test_a_reader_who_wrote_articles_cannot_delete_themselves(client, auth, reader):
    factories.make_article(author=reader)
    db.session.commit()
    auth.login(reader)

    response = client.post(
        "/auth/account/delete",
        data={"delete-current_password": factories.PASSWORD, "delete-confirm": "y"},
    )

    assert response.status_code == 403
    assert db.session.get(User, reader.id) is not None


@pytest.mark.parametrize(
    "path",
    ["/auth/account", "/auth/account/password", "/auth/account/email", "/auth/account/delete"],
)
def test_account_changes_need_login_and_come_back_to_the_account_page(client, path):
    response = client.post(path, data={}, headers={"Referer": "http://localhost/auth/account"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/auth/account"


def test_a_post_without_a_same_site_referer_logs_in_to_the_front_page(client):
    elsewhere = {"Referer": "https://evil.example/auth/account"}

    response = client.post("/auth/account/password", data={}, headers=elsewhere)

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert client.post("/auth/account/delete").headers["Location"] == "/auth/login"


def test_a_page_that_needs_login_comes_back_to_itself(client):
    response = client.get("/auth/account?tab=email")

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/auth/account?tab%3Demail"
    follow = client.get(response.headers["Location"])
    assert "Please log in to see that page." in follow.get_data(as_text=True)
