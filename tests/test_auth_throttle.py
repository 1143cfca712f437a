"""Login and reset throttling, kept in the database, and the shared throttle module."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core import throttle
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import ThrottleEvent
from tests import factories


@pytest.fixture
def app_config():
    # Small per-IP limit so the IP test needs few (slow, scrypt) unknown-account attempts.
    return {"LOGIN_MAX_FAILURES_PER_IP": 8, "RESET_MAX_PER_IP": 8}


@pytest.fixture(autouse=True)
def cheap_dummy_hash(monkeypatch):
    # Unknown accounts are checked against a scrypt hash (test_auth_login proves it);
    # here many unknown-account attempts only need to fail, so skip the 0.1 s each.
    monkeypatch.setattr("blog.auth.credentials.dummy_hash", lambda: factories.PASSWORD_HASH)


def login(client, name, password=factories.PASSWORD, ip="198.51.100.7"):
    return client.post(
        "/auth/login",
        data={"login": name, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def fail(client, name, times, ip="198.51.100.7"):
    for _ in range(times):
        assert login(client, name, "wrong password!", ip=ip).status_code == 422


def test_five_failures_lock_the_account_even_with_the_right_password(client, reader):
    fail(client, "rita", 5)

    response = login(client, "rita")

    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many failed login attempts" in html
    assert "about 15 minutes" in html and "UTC" in html
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert client.get("/auth/account").status_code == 302


def test_the_lock_covers_username_and_email_alike(client, reader):
    fail(client, "rita", 3)
    fail(client, "rita@example.com", 2)

    assert login(client, "RITA@example.com").status_code == 429


def test_the_lock_holds_from_another_ip(client, reader):
    fail(client, "rita", 5, ip="198.51.100.7")

    assert login(client, "rita", ip="203.0.113.50").status_code == 429


def test_four_failures_still_let_the_right_password_in_and_reset_the_count(client, reader):
    fail(client, "rita", 4)

    assert login(client, "rita").status_code == 303
    assert throttle.count("login", f"user:{reader.id}", 900) == 0


def test_failures_older_than_the_window_do_not_count(client, reader):
    old = utcnow() - timedelta(minutes=16)
    for _ in range(5):
        throttle.hit("login", f"user:{reader.id}", at=old)
    db.session.commit()

    assert login(client, "rita").status_code == 303


def test_unknown_accounts_are_locked_the_same_way(client):
    fail(client, "ghost", 5)

    response = login(client, "ghost")

    assert response.status_code == 429


def test_many_failures_from_one_ip_lock_that_ip(client, reader):
    for n in range(8):
        assert login(client, f"someone{n}", "wrong password!").status_code == 422

    assert login(client, "rita").status_code == 429
    assert login(client, "rita", ip="203.0.113.50").status_code == 303


def test_throttle_state_is_in_the_database(client, reader):
    fail(client, "rita", 2)

    kinds = db.session.execute(sa.select(ThrottleEvent.kind, ThrottleEvent.key)).all()
    assert sorted(kinds) == [
        ("login", "ip:198.51.100.7"),
        ("login", "ip:198.51.100.7"),
        ("login", f"user:{reader.id}"),
        ("login", f"user:{reader.id}"),
    ]


def test_reset_requests_are_throttled_per_address(client, reader):
    for _ in range(5):
        response = client.post("/auth/reset", data={"email": "rita@example.com"})
        assert response.status_code == 303

    response = client.post("/auth/reset", data={"email": "Rita@Example.com"})

    assert response.status_code == 429
    assert "Too many password reset requests" in response.get_data(as_text=True)


def test_reset_requests_count_against_their_own_limits_not_the_login_ones(app, client, reader):
    app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=1, RESET_MAX_PER_ACCOUNT=3)
    for _ in range(3):
        assert client.post("/auth/reset", data={"email": "rita@example.com"}).status_code == 303

    assert client.post("/auth/reset", data={"email": "rita@example.com"}).status_code == 429
    kinds = db.session.scalars(sa.select(ThrottleEvent.kind).distinct()).all()
    assert kinds == ["reset"]
    # The login budget of the same account is untouched by the resets.
    response = client.post("/auth/login", data={"login": "rita", "password": factories.PASSWORD})
    assert response.status_code == 303


def test_reset_requests_for_unknown_addresses_are_throttled_the_same(client):
    for _ in range(5):
        assert client.post("/auth/reset", data={"email": "nobody@example.com"}).status_code == 303

    assert client.post("/auth/reset", data={"email": "nobody@example.com"}).status_code == 429


def test_reset_requests_are_throttled_per_ip(client):
    for n in range(8):
        assert client.post("/auth/reset", data={"email": f"n{n}@example.com"}).status_code == 303

    assert client.post("/auth/reset", data={"email": "fresh@example.com"}).status_code == 429


# The module other blueprints use ------------------------------------------------------


def test_count_only_sees_its_kind_key_and_window(app):
    now = utcnow()
    throttle.hit("comment", "user:1")
    throttle.hit("comment", "user:1", at=now - timedelta(seconds=30))
    throttle.hit("comment", "user:1", at=now - timedelta(seconds=90))
    throttle.hit("comment", "user:2")
    throttle.hit("login", "user:1")
    db.session.commit()

    assert throttle.count("comment", "user:1", 60) == 2
    assert throttle.count("comment", "user:1", timedelta(minutes=2)) == 3
    assert throttle.count("comment", "user:3", 60) == 0


def test_retry_after_is_zero_under_the_limit_and_counts_down_over_it(app):
    now = utcnow()
    for seconds_ago in (50, 40, 10):
        throttle.hit("comment", "user:1", at=now - timedelta(seconds=seconds_ago))
    db.session.commit()

    assert throttle.retry_after("comment", "user:1", 60, limit=4) == 0
    # Three in the window and a limit of 3: wait until the oldest (50 s ago) leaves it.
    assert 9 <= throttle.retry_after("comment", "user:1", 60, limit=3) <= 11
    # A limit of 2: the second newest (40 s ago) must leave.
    assert 19 <= throttle.retry_after("comment", "user:1", 60, limit=2) <= 21


def test_clear_and_prune(app):
    throttle.hit("login", "user:1")
    throttle.hit("login", "user:2", at=utcnow() - timedelta(days=2))
    throttle.hit("login", "user:3")
    db.session.commit()

    throttle.clear("login", "user:1")
    removed = throttle.prune()
    db.session.commit()

    assert removed == 1
    assert db.session.scalars(sa.select(ThrottleEvent.key)).all() == ["user:3"]


def test_hit_prunes_old_rows_now_and_then(app, monkeypatch):
    throttle.hit("login", "user:2", at=utcnow() - timedelta(days=2))
    db.session.commit()
    monkeypatch.setattr(throttle.random, "randrange", lambda n: 0)

    throttle.hit("login", "user:1")
    db.session.commit()

    assert db.session.scalars(sa.select(ThrottleEvent.key)).all() == ["user:1"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1, "1 second"), (45, "45 seconds"), (60, "about 1 minute"), (61, "about 2 minutes")],
)
def test_describe_wait(seconds, text):
    assert throttle.describe_wait(seconds) == text
