"""Sessions you can see (issue 27): each login is a row the security page lists and
ends, at once and in every worker; a new browser is told by mail with a link that
ends that session."""

import re
from datetime import timedelta

import sqlalchemy as sa

from blog import create_app
from blog.auth.sessions import SEEN_EVERY
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Job, LoginSession
from tests import factories
from tests.conftest import IsolatedClient

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
END_LINK = re.compile(r"http://newsroom\.test(/auth/security/sessions/end/[\w.\-]+)")


def log_in(client, user, agent: str = FIREFOX):
    response = client.post(
        "/auth/login",
        data={"login": user.username, "password": factories.PASSWORD},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 303
    return response


def sessions_of(user) -> list[LoginSession]:
    return list(
        db.session.scalars(
            sa.select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
        )
    )


def new_device_mails(address: str) -> list[dict]:
    jobs = db.session.scalars(sa.select(Job).where(Job.kind == "mail").order_by(Job.id))
    return [
        j.payload
        for j in jobs
        if j.payload["to"] == address and j.payload["subject"].startswith("New login")
    ]


def test_the_security_page_lists_each_browser(app, client, editor):
    phone = app.test_client()
    log_in(client, editor, FIREFOX)
    log_in(phone, editor, IPHONE)

    page = client.get("/auth/security").get_data(as_text=True)

    assert "Firefox on Linux <strong>(this browser)</strong>" in page
    assert "Safari on iPhone" in page
    assert page.count("End this session") == 1  # not for this browser
    assert len(sessions_of(editor)) == 2


def test_ending_a_session_logs_that_browser_out_at_once(app, client, editor):
    phone = app.test_client()
    log_in(client, editor)
    log_in(phone, editor, IPHONE)
    phones = sessions_of(editor)[1]

    response = client.post(f"/auth/security/sessions/{phones.id}/end")

    assert response.status_code == 303
    assert phone.get("/auth/account").status_code == 302
    assert client.get("/auth/account").status_code == 200
    assert [s.user_agent for s in sessions_of(editor)] == [FIREFOX]


def test_an_ended_session_is_refused_by_another_worker_too(app, client, editor, tmp_path):
    """A second app on the same database stands for another gunicorn worker."""
    other_worker = create_app(app.config | {"SQLALCHEMY_DATABASE_URI": app.config[
        "SQLALCHEMY_DATABASE_URI"]})  # fmt: skip
    other_worker.test_client_class = IsolatedClient
    laptop = other_worker.test_client()
    with other_worker.app_context():
        log_in(laptop, editor)
        assert laptop.get("/auth/account").status_code == 200
    log_in(client, editor, IPHONE)

    assert client.post("/auth/security/sessions/end-others").status_code == 303

    with other_worker.app_context():
        assert laptop.get("/auth/account").status_code == 302
        db.engine.dispose()
    assert len(sessions_of(editor)) == 1


def test_the_remember_cookie_dies_with_its_session(app, client, editor):
    log_in(client, editor)
    remembered = app.test_client()
    remembered.post(
        "/auth/login",
        data={"login": editor.username, "password": factories.PASSWORD, "remember": "y"},
    )
    cookie = remembered.get_cookie("remember_token")
    assert cookie is not None
    client.post("/auth/security/sessions/end-others")

    fresh_browser = app.test_client()  # only the remember cookie, no session
    fresh_browser.set_cookie("remember_token", cookie.value)

    assert fresh_browser.get("/auth/account").status_code == 302


def test_nobody_ends_someone_elses_session(app, client, editor, reader):
    readers = app.test_client()
    log_in(readers, reader)
    log_in(client, editor)
    theirs = sessions_of(reader)[0]

    response = client.post(f"/auth/security/sessions/{theirs.id}/end")

    assert response.status_code == 404
    assert readers.get("/auth/account").status_code == 200


def test_logout_removes_the_session_row(client, editor):
    log_in(client, editor)
    token = client.get("/auth/account")  # any page; CSRF is off here
    assert token.status_code == 200

    client.post("/auth/logout")

    assert sessions_of(editor) == []


def test_last_seen_moves_at_most_every_few_minutes(client, editor):
    log_in(client, editor)
    row = sessions_of(editor)[0]
    row.last_seen_at = utcnow() - SEEN_EVERY - timedelta(seconds=5)
    db.session.commit()
    stale = row.last_seen_at

    client.get("/auth/account")

    assert sessions_of(editor)[0].last_seen_at > stale


def test_a_new_browser_is_mailed_with_a_link_that_ends_it(app, client, editor):
    log_in(client, editor)
    (mail,) = new_device_mails(editor.email)
    assert "Firefox on Linux" in mail["body"]
    link = END_LINK.search(mail["body"]).group(1)

    # The owner opens the link on another device: a GET changes nothing ...
    phone = app.test_client()
    page = phone.get(link)
    assert page.status_code == 200 and "End this session?" in page.get_data(as_text=True)
    assert client.get("/auth/account").status_code == 200
    # ... the button ends that session.
    assert phone.post(link).status_code == 303
    assert client.get("/auth/account").status_code == 302
    assert phone.post(link).status_code == 400  # already ended


def test_a_browser_that_logged_in_before_is_not_mailed_again(client, editor):
    log_in(client, editor)
    client.post("/auth/logout")
    log_in(client, editor)  # the device cookie is still there

    assert len(new_device_mails(editor.email)) == 1


def test_readers_get_no_new_device_mail(client, reader):
    log_in(client, reader)

    assert new_device_mails(reader.email) == []


def test_a_forged_end_link_changes_nothing(client, editor):
    log_in(client, editor)

    response = client.post("/auth/security/sessions/end/not-a-real-token")

    assert response.status_code == 400
    assert len(sessions_of(editor)) == 1
