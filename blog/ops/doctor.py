"""`blog doctor`: one command an owner runs when something feels wrong.

Each check returns a `Finding`: OK with what it saw, or FAIL with what to do. The
checks only look: the SMTP check connects and logs in but sends nothing, the cache
check writes one short-lived probe key, the folder checks create and delete a file.
`run_checks` runs them all, a crash in one becoming its FAIL line.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app

from blog.core.cache.pages import cache
from blog.core.keyfile import KNOWN_BAD_SECRETS
from blog.core.mail import smtp_session
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Job, JobState

MIN_FREE_BYTES = 1024**3  # 1 GiB: room for a backup, uploads and the database's growth
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def ok(name: str, detail: str) -> Finding:
    return Finding(name, True, detail)


def fail(name: str, detail: str) -> Finding:
    return Finding(name, False, detail)


def check_secret_key(app: Flask) -> Finding:
    key = str(app.config.get("SECRET_KEY") or "")
    if len(key) < 32 or key.lower() in KNOWN_BAD_SECRETS:
        return fail(
            "secret key",
            "missing, short or well known: run `blog setup` (writes instance/secret_key) "
            "or set BLOG_SECRET_KEY to 32+ random characters",
        )
    return ok("secret key", f"{len(key)} characters")


def check_site_url(app: Flask) -> Finding:
    url = str(app.config["SITE_URL"])
    parts = urlsplit(url)
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return fail("site url", f"{url!r} is not an http(s) address: set BLOG_SITE_URL")
    if parts.scheme == "https" and not secure:
        return fail(
            "site url",
            "SITE_URL is https:// but SECURE_COOKIES is off: sessions would also travel "
            "over plain HTTP; remove SECURE_COOKIES (automatic) or set it true",
        )
    if parts.scheme == "http" and secure:
        return fail(
            "site url",
            "SECURE_COOKIES is on but SITE_URL is http://: browsers will never send the "
            "session back; use https:// in SITE_URL or turn SECURE_COOKIES off",
        )
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        return fail(
            "site url",
            f"{url} is plain HTTP on a public name: passwords would cross the network "
            "in clear; put TLS in front (`blog deploy-config`) and use https://",
        )
    return ok("site url", f"{url}, secure cookies {'on' if secure else 'off'}")


def check_database(app: Flask) -> Finding:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return fail("database", f"does not answer ({type(error).__name__}): check DATABASE_URL")
    return ok("database", f"answers ({db.engine.url.get_backend_name()})")


def check_migrations(app: Flask) -> Finding:
    directory = app.extensions["migrate"].directory
    heads = set(ScriptDirectory(directory).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != heads:
        return fail(
            "migrations",
            f"database at {', '.join(sorted(current)) or 'nothing'}, code at "
            f"{', '.join(sorted(heads))}: run `blog db upgrade`",
        )
    return ok("migrations", f"current ({', '.join(sorted(heads))})")


def writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".doctor-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


def check_folders(app: Flask) -> Finding:
    instance = Path(app.instance_path)
    for folder in (instance, instance / "uploads"):
        if not writable(folder):
            return fail(
                "folders",
                f"{folder} is not writable by this user: chown it to the site's account",
            )
    return ok("folders", f"{instance} and its uploads/ are writable")


def check_disk(app: Flask) -> Finding:
    usage = shutil.disk_usage(app.instance_path)
    free_gb = usage.free / 1024**3
    if usage.free < MIN_FREE_BYTES:
        return fail("disk", f"only {free_gb:.1f} GB free under {app.instance_path}: make room")
    return ok("disk", f"{free_gb:.1f} GB free")


def check_mail(app: Flask) -> Finding:
    if not app.config.get("MAIL_SERVER"):
        return ok("mail", "no MAIL_SERVER: messages are written to instance/outbox/")
    where = f"{app.config['MAIL_SERVER']}:{app.config['MAIL_PORT']}"
    try:
        with smtp_session() as smtp:
            smtp.noop()
    except Exception as error:
        return fail("mail", f"{where} refused or unreachable ({error}): check BLOG_MAIL_*")
    return ok("mail", f"{where} accepts a connection (nothing sent)")


def check_cache(app: Flask) -> Finding:
    if not app.config.get("PAGE_CACHE"):
        return ok("cache", "page cache off")
    key = f"doctor-probe-{secrets.token_hex(4)}"
    kind = app.config["CACHE_TYPE"]
    try:
        cache.set(key, "ok", timeout=10)
        seen = cache.get(key)
        cache.delete(key)
    except Exception as error:
        return fail(
            "cache",
            f"{kind} unreachable ({error}): the site is bypassing it, rendering every page "
            f"(each worker skips it for {app.config['CACHE_BREAKER_SECONDS']} s after "
            f"{app.config['CACHE_BREAKER_FAILURES']} failures, then probes it again); "
            "check CACHE_REDIS_URL / CACHE_DIR",
        )
    if seen != "ok":
        return fail("cache", f"{kind} does not keep what is written: check its settings")
    return ok("cache", f"{kind} reachable")


QUEUE_MAX_AGE = timedelta(minutes=15)  # a due job older than this: no worker is running


def check_queue(app: Flask) -> Finding:
    """The oldest job that is due and not done: a worker that stopped shows up here."""
    oldest = db.session.scalar(
        sa.select(sa.func.min(Job.run_after)).where(
            Job.state == JobState.QUEUED, Job.run_after <= utcnow()
        )
    )
    if oldest is None:
        return ok("queue", "nothing waiting")
    age = utcnow() - oldest
    minutes = age.total_seconds() / 60
    if age > QUEUE_MAX_AGE:
        return fail(
            "queue",
            f"a job has waited {minutes:.0f} minutes: start `blog worker` (its systemd unit) "
            "or a `blog send-due` timer",
        )
    return ok("queue", f"the oldest due job has waited {minutes:.1f} minutes")


def fetch_health(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the site's own URL
        return json.loads(response.read())


def check_proxy(app: Flask, fetch: Callable[[str], dict] | None = None) -> Finding:
    """What reached the app through SITE_URL, against PROXY_COUNT."""
    url = str(app.config["SITE_URL"]).rstrip("/") + "/healthz"
    try:
        health = (fetch or fetch_health)(url)
    except Exception as error:
        return fail("proxy", f"{url} unreachable ({error}): is the site running there?")
    hops, expected = int(health.get("proxy_hops", 0)), int(app.config["PROXY_COUNT"])
    if hops == expected:
        return ok("proxy", f"PROXY_COUNT={expected}, {hops} forwarding hop(s) seen")
    if expected == 0:
        return fail(
            "proxy",
            f"requests arrive through {hops} proxy hop(s) but PROXY_COUNT=0: every reader "
            "looks like the proxy to the login throttle; set BLOG_PROXY_COUNT=1",
        )
    if hops < expected:
        return fail(
            "proxy",
            f"PROXY_COUNT={expected} but requests arrive with {hops} X-Forwarded-For "
            "hop(s): the proxy does not pass it (see deploy/), or clients reach gunicorn "
            "directly and can forge their address",
        )
    return fail(
        "proxy",
        f"requests arrive with {hops} X-Forwarded-For hops, PROXY_COUNT={expected}: the "
        "proxy appends to what clients send; make it replace the header ($remote_addr)",
    )


def check_backup(app: Flask, folder: Path | None = None, days: int = 7) -> Finding:
    folder = folder or Path(app.instance_path) / "backups"
    archives = sorted(folder.glob("backup-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not archives:
        return fail("backup", f"none in {folder}: run `blog backup` from cron (docs/operators.md)")
    age = (time.time() - archives[-1].stat().st_mtime) / 86400
    if age > days:
        return fail(
            "backup", f"the newest is {age:.0f} days old (limit {days}): check the cron job"
        )
    return ok("backup", f"{archives[-1].name}, {age:.1f} days old")


def run_checks(
    backups: Path | None = None, days: int = 7, remote: bool = True
) -> Iterator[Finding]:
    """Every check, in the order an owner would fix things; needs an app context."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    checks: list[tuple[str, Callable[[], Finding]]] = [
        ("secret key", lambda: check_secret_key(app)),
        ("site url", lambda: check_site_url(app)),
        ("database", lambda: check_database(app)),
        ("migrations", lambda: check_migrations(app)),
        ("folders", lambda: check_folders(app)),
        ("disk", lambda: check_disk(app)),
        ("mail", lambda: check_mail(app)),
        ("cache", lambda: check_cache(app)),
        ("queue", lambda: check_queue(app)),
        ("backup", lambda: check_backup(app, backups, days)),
    ]
    if remote:
        checks.append(("proxy", lambda: check_proxy(app)))
    for name, check in checks:
        try:
            yield check()
        except Exception as error:
            yield fail(name, f"the check itself failed: {error!r}")
