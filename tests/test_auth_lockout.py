"""Lockout cannot be used as a weapon (issue 23): a browser that logged in before gets in
with the right password whatever strangers did; failures count per account and IP; a
refused account is mailed a link that lets the browser it is opened in log in."""

import re

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Job
from tests import factories

OFFICE = "198.51.100.7"  # a newsroom behind one NAT
ELSEWHERE = "203.0.113.50"
LINK = re.compile(r"http://newsroom\.test(/auth/unlock/[\w.\-]+)")


@pytest.fixture
def app_config():
    return {"LOGIN_MAX_FAILURES_PER_IP": 8, "LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_IP": 8}


@pytest.fixture(autouse=True)
def cheap_dummy_hash(monkeypatch):
    # Unknown names are checked against a scrypt hash (tests/test_auth_login.py); here
    # they only need to fail.
    monkeypatch.setattr("blog.auth.credentials.dummy_hash", lambda: factories.PASSWORD_HASH)


def login(client, name, password=factories.PASSWORD, ip=OFFICE):
    return client.post(
        "/auth/login", data={"login": name, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def fail(client, name, times, ip=OFFICE):
    for _ in range(times):
        assert login(client, name, "wrong password!", ip=ip).status_code in (422, 429)


def unlock_mails(address: str) -> list[dict]:
    jobs = db.session.scalars(sa.select(Job).where(Job.kind == "mail").order_by(Job.id))
    return [
        j.payload
        for j in jobs
        if j.payload.get("to") == address and j.payload["subject"].startswith("Failed logins")
    ]


@pytest.fixture
def known_browser(app, reader):
    """The owner's own browser: it logged in before (and logged out)."""
    browser = app.test_client()
    assert login(browser, "rita").status_code == 303
    assert browser.get_cookie("device", path="/auth/") is not None
    browser.post("/auth/logout")
    return browser


def test_a_browser_that_logged_in_before_gets_in_while_strangers_are_locked_out(
    app, reader, known_browser
):
    stranger = app.test_client()
    fail(stranger, "rita", 5)  # the account and this address: locked
    fail(stranger, "rita", 8, ip="192.0.2.99")  # and from everywhere (any-IP limit)
    for n in range(8):  # and this whole address, for everyone behind it
        login(stranger, f"someone{n}", "wrong password!")

    assert login(stranger, "rita").status_code == 429  # the right password, unknown browser
    assert login(known_browser, "rita").status_code == 303


def test_a_colleague_behind_the_same_address_is_not_locked_out_by_strangers(app, reader):
    colleague = factories.make_user(username="colleague")
    db.session.commit()
    their_browser = app.test_client()
    assert login(their_browser, "colleague").status_code == 303
    their_browser.post("/auth/logout")

    stranger = app.test_client()
    for n in range(8):
        login(stranger, f"someone{n}", "wrong password!")

    assert login(stranger, "rita").status_code == 429
    assert login(their_browser, colleague.username).status_code == 303


def test_failures_count_per_account_and_ip(app, client, reader):
    fail(client, "rita", 5, ip=OFFICE)

    assert login(client, "rita", ip=OFFICE).status_code == 429
    assert login(client, "rita", ip=ELSEWHERE).status_code == 303


def test_a_refused_account_is_mailed_one_unlock_link_and_it_lets_this_browser_in(
    app, client, reader
):
    fail(client, "rita", 5)
    for _ in range(3):
        refused = login(client, "rita")
        assert refused.status_code == 429
    assert "we have mailed its address a link" in refused.get_data(as_text=True)
    (mail,) = unlock_mails(reader.email)  # one per window, however many refusals
    assert mail["body"].startswith("Hello,\n")
    path = LINK.search(mail["body"]).group(1)

    owner = app.test_client()  # the owner opens the link in their browser
    page = owner.get(path)
    assert page.status_code == 200
    assert "Let this browser log in" in page.get_data(as_text=True)
    assert login(owner, "rita").status_code == 429  # the GET changed nothing
    unlocked = owner.post(path)

    assert unlocked.status_code == 303
    assert unlocked.headers["Location"] == "/auth/login"
    assert login(owner, "rita").status_code == 303
    assert login(client, "rita", "wrong password!").status_code == 429  # still locked for others
    assert owner.post(path).status_code == 400  # once only


def test_unknown_names_are_refused_with_the_same_words_and_mail_nobody(client, reader):
    fail(client, "rita", 5)
    fail(client, "ghost", 5)

    known = login(client, "rita")
    unknown = login(client, "ghost")

    assert known.status_code == unknown.status_code == 429
    words = [re.sub(r"\d+", "N", r.get_data(as_text=True)) for r in (known, unknown)]
    assert words[0] == words[1]
    assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 1  # rita's unlock link


def test_a_device_cookie_of_another_account_or_forged_gives_nothing(app, reader):
    factories.make_user(username="other")
    db.session.commit()
    browser = app.test_client()
    assert login(browser, "other").status_code == 303
    browser.post("/auth/logout")
    fail(browser, "rita", 5)
    assert login(browser, "rita").status_code == 429  # other's cookie is no pass for rita

    forged = app.test_client()
    forged.set_cookie("device", "eyJ1IjoxLCJkIjoieCJ9.forged.sig", path="/auth/")
    fail(forged, "rita", 1)
    assert login(forged, "rita").status_code == 429


def test_a_known_browser_that_keeps_failing_loses_its_pass(app, reader, known_browser):
    fail(known_browser, "rita", 5)  # its own count; the account's is untouched
    stranger = app.test_client()
    fail(stranger, "rita", 5)

    assert login(known_browser, "rita").status_code == 429


def test_strangers_failing_do_not_lock_the_owner_out_of_their_account_page(client, auth, reader):
    auth.login(reader)
    stranger_attempts = [
        login(client.application.test_client(), "rita", "nope!!") for _ in range(8)
    ]
    assert stranger_attempts[-1].status_code == 429

    response = client.post("/auth/account/email", data={
        "email-email": "rita.new@example.com", "email-current_password": factories.PASSWORD,
    })  # fmt: skip

    assert response.status_code == 303


def test_a_new_password_voids_every_earlier_pass(app, reader, known_browser):
    reader.password_hash = factories.PASSWORD_HASH.replace("1000", "1001", 1)
    db.session.commit()
    stranger = app.test_client()
    fail(stranger, "rita", 5)

    assert login(known_browser, "rita", "wrong password!").status_code == 429
