"""`blog doctor`: every check passes on a healthy install, and each failure is named
with what to do, with exit status 1."""

import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.ops import doctor
from blog.ops.doctor import fetch_health as real_fetch_health
from tests.live import free_port


@pytest.fixture
def healthy(app, tmp_path, monkeypatch):
    """A backup from an hour ago and a reachable site: nothing to complain about."""
    backups = Path(app.instance_path) / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    (backups / "backup-20261201-000000.tar.gz").write_bytes(b"archive")
    monkeypatch.setattr(doctor, "fetch_health", lambda url: {"status": "ok", "proxy_hops": 1})
    app.config.update(
        SITE_URL="https://news.example", SESSION_COOKIE_SECURE=True, PROXY_COUNT=1, PAGE_CACHE=True
    )
    return app


def findings(**kwargs) -> dict[str, doctor.Finding]:
    return {f.name: f for f in doctor.run_checks(**kwargs)}


def test_a_healthy_install_passes_every_check_and_exits_0(healthy, runner):
    result = runner.invoke(args=["doctor"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 11 and all(line.startswith("OK ") for line in lines)
    for name in ("secret key", "site url", "database", "migrations", "folders", "disk",
                 "mail", "cache", "queue", "backup", "proxy"):  # fmt: skip
        assert any(line.split(":")[0].endswith(name) for line in lines), name


def test_any_failure_exits_1_and_says_what_to_do(healthy, runner):
    healthy.config["SECRET_KEY"] = "changeme"

    result = runner.invoke(args=["doctor"])

    assert result.exit_code == 1
    assert "FAIL  secret key: missing, short or well known: run `blog setup`" in result.output
    assert "OK    database" in result.output  # the other checks still ran


@pytest.mark.parametrize(
    ("site_url", "secure", "says"),
    [
        ("https://news.example", False, "SITE_URL is https:// but SECURE_COOKIES is off"),
        ("http://127.0.0.1:5000", True, "browsers will never send the session back"),
        ("http://news.example", False, "plain HTTP on a public name"),
        ("news.example", False, "is not an http(s) address"),
    ],
)
def test_site_url_against_secure_cookies(healthy, site_url, secure, says):
    healthy.config.update(SITE_URL=site_url, SESSION_COOKIE_SECURE=secure)

    finding = doctor.check_site_url(healthy)

    assert not finding.ok and says in finding.detail


def test_database_that_does_not_answer(healthy, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("gone"))

    monkeypatch.setattr(db.session, "execute", broken)

    finding = findings()["database"]

    assert not finding.ok and "check DATABASE_URL" in finding.detail


def test_migrations_behind_the_code(healthy):
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '92eec78d7de9'"))

    finding = findings()["migrations"]

    assert not finding.ok and "run `blog db upgrade`" in finding.detail


def test_uploads_folder_not_writable(healthy):
    uploads = Path(healthy.instance_path) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    uploads.rmdir()
    uploads.write_text("a file where the folder should be")

    finding = findings()["folders"]

    assert not finding.ok and f"{uploads} is not writable" in finding.detail


def test_disk_nearly_full(healthy, monkeypatch):
    monkeypatch.setattr(doctor, "MIN_FREE_BYTES", 2**62)

    finding = findings()["disk"]

    assert not finding.ok and "make room" in finding.detail


def test_mail_server_is_reached_without_sending(healthy):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        healthy.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
        finding = findings()["mail"]
    finally:
        controller.stop()

    assert finding.ok and "nothing sent" in finding.detail
    assert received == []


def test_mail_server_unreachable(healthy):
    healthy.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())

    finding = findings()["mail"]

    assert not finding.ok and "check BLOG_MAIL_" in finding.detail


def test_cache_backend_unreachable(healthy, monkeypatch):
    from blog.core.cache.pages import cache

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "set", down)

    finding = findings()["cache"]

    assert not finding.ok and "Redis is down" in finding.detail


def test_backup_missing_or_too_old(healthy):
    archive = Path(healthy.instance_path) / "backups" / "backup-20261201-000000.tar.gz"
    old = time.time() - 9 * 86400
    os.utime(archive, (old, old))

    too_old = findings(days=7)["backup"]
    archive.unlink()
    missing = findings()["backup"]

    assert not too_old.ok and "9 days old (limit 7)" in too_old.detail
    assert not missing.ok and "run `blog backup`" in missing.detail


@pytest.mark.parametrize(
    ("proxy_count", "forwarded", "says"),
    [
        (0, "203.0.113.7", "set BLOG_PROXY_COUNT=1"),
        (1, None, "the proxy does not pass it"),
        (1, "198.51.100.1, 203.0.113.7", "make it replace the header"),
    ],
)
def test_proxy_settings_against_the_headers_the_app_sees(
    healthy, client, proxy_count, forwarded, says
):
    healthy.config["PROXY_COUNT"] = proxy_count
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}

    finding = doctor.check_proxy(
        healthy, lambda url: client.get("/healthz", headers=headers).get_json()
    )

    assert not finding.ok and says in finding.detail


def test_proxy_matches_when_one_proxy_forwards(healthy, client):
    healthy.config["PROXY_COUNT"] = 1
    seen = client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"}).get_json()

    finding = doctor.check_proxy(healthy, lambda url: seen)

    assert finding.ok, finding.detail


def test_site_unreachable_is_a_failure(healthy):
    healthy.config["SITE_URL"] = f"http://127.0.0.1:{free_port()}"

    finding = doctor.check_proxy(healthy, real_fetch_health)

    assert not finding.ok and "is the site running there?" in finding.detail


def test_a_queue_nobody_works_on(healthy):
    from datetime import timedelta

    from blog.core import jobs
    from blog.core.types import utcnow
    from blog.extensions import db

    assert findings()["queue"].ok
    jobs.enqueue("mail", "doctor-probe", {}, run_after=utcnow() - timedelta(hours=1))
    db.session.commit()

    finding = findings()["queue"]

    assert not finding.ok
    assert "60 minutes" in finding.detail and "blog worker" in finding.detail
