"""A web vulnerability scan (wapiti) of a live site, logged in as an admin.

    python3 -m venv /tmp/wapiti && /tmp/wapiti/bin/pip install wapiti3
    .venv/bin/python bench/scan.py --wapiti /tmp/wapiti/bin/wapiti --minutes 15

Builds a throwaway site (real migrations, content in every area: the desk, trust,
audience, newsletter faults, imports), serves it with gunicorn on 127.0.0.1
(tests/live.py), and signs an admin in the real way: the password, then, since the
site's second-factor policy asks admins for one, enrolment of an authenticator app
through the security page's form (codes from pyotp). wapiti scans it only, bounded in
time, through a small relay (`Relay`) that sends every request with the admin's
cookies: first briefly before enrolment (only the enrolment and sudo pages answer
then; wapiti-enrolment.json), then the whole site after it (wapiti.json). wapiti
submits every form it finds, so the site is a copy that is thrown away.
Prints the findings per category, the anomalies, and every 5xx the relay saw, and
writes wapiti's JSON report to bench/results/. The triage of a run is in
docs/security.md; this is not part of the test suite (wapiti is not a dependency).

Sudo mode: the sensitive forms (settings, roles, imports, enrolment) ask for the
password again 10 minutes after the last check, which lives in the signed session
cookie. The relay holds that cookie, not wapiti, and a thread confirms the password on
/auth/sudo every SUDO_SECONDS - 2 minutes and swaps the refreshed cookie in, so scans
longer than 10 minutes keep reaching those views rather than the confirm page.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from blog import create_app  # noqa: E402
from blog.auth.sudo import SUDO_SECONDS  # noqa: E402
from blog.core.settings import save_settings  # noqa: E402
from blog.core.types import utcnow  # noqa: E402
from blog.extensions import db  # noqa: E402
from blog.importers.api import start_other  # noqa: E402
from blog.models import (  # noqa: E402
    ArticleAssignment,
    ArticleAutosave,
    ArticleCorrection,
    ArticleNote,
    ArticleStatus,
    ArticleVersion,
    AudienceDay,
    EditorPresence,
    NewsletterIssue,
    PageDay,
    PageView,
    Redirect,
    RepublishCount,
    Role,
    SourceDay,
    Subscriber,
    ViewDay,
)
from blog.trust.api import set_bylines  # noqa: E402
from tests import factories  # noqa: E402
from tests.live import Browser, Gunicorn, free_port, prepare_site  # noqa: E402

ADMIN = "scanadmin"
SECRET = re.compile(r'data-secret="([A-Z2-7]{32})"')
# The areas added since the previous run, by the paths of their pages and forms: the
# summary counts the crawled requests of each, so a crawl that missed one shows.
AREAS = {
    "desk": r"/admin/articles/\d+/(notes|autosave|heartbeat|compare|assignment|send-back)"
    r"|/admin/calendar|/admin/articles/render",
    "trust": r"/admin/contributors|/contributors/|/corrections|/feed\.json|/sitemap-news"
    r"|/republish|/admin/standards",
    "second factors": r"/auth/security|/auth/sudo|/auth/passkeys",
    "audience": r"/hit|/admin/audience",
    "faults": r"/admin/newsletter/(subscribers/\d+/restore|issues/\d+)",
    "imports": r"/admin/tools/import/(ghost|substack)",
}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
              "transfer-encoding", "upgrade", "cookie", "content-length"}  # fmt: skip


def add_content(site) -> dict:
    """Staff, articles and a row in every area with pages of its own (the desk, trust,
    audience, newsletter faults, imports), so the crawl reaches each of them. The site's
    second-factor policy goes back to its default (editors and admins need one)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": site.uri, "SECRET_KEY": site.secret})
    with app.app_context():
        admin = factories.make_user(Role.ADMIN, username=ADMIN)
        editor = factories.make_user(Role.EDITOR, username="scaneditor")
        tag = factories.make_tag("Harbour")
        section = factories.make_category("Coast")
        article = factories.make_article(
            "Scan target", author=admin, category=section, tags=[tag],
            label="Analysis", republishable=True,
        )  # fmt: skip
        guest = factories.make_guest("Ines Freelance")
        set_bylines(article, [admin, guest])
        sponsored = factories.make_article("Paid harbour tour", category=section, label="Sponsored")
        set_bylines(sponsored, [guest])
        draft = factories.make_article("Embargoed draft", status=ArticleStatus.DRAFT, author=admin)
        factories.make_article("In review", status=ArticleStatus.REVIEW)
        factories.make_article("Tomorrow's piece", published_at=utcnow() + timedelta(days=1))
        factories.make_comment(article, body="A first comment with a [link](https://example.org)")
        page = factories.make_page("About the scan")
        now = utcnow()
        db.session.add_all([
            ArticleCorrection(article_id=article.id, text="An earlier version misspelt the quay.",
                              editor_id=admin.id),
            ArticleCorrection(article_id=article.id, kind="update", text="The ferry resumed.",
                              editor_id=editor.id),
            ArticleVersion(article_id=article.id, title="Scan target (first)", summary="Older",
                           body_source="The first text.", editor_id=editor.id),
            ArticleVersion(article_id=article.id, title="Scan target (second)", summary="Old",
                           body_source="The second text.", editor_id=admin.id),
            ArticleAssignment(article_id=draft.id, assignee_id=editor.id,
                              due_at=now + timedelta(days=2), assigned_by_id=admin.id),
            ArticleAutosave(article_id=draft.id, user_id=admin.id, title="Embargoed draft, typed",
                            body_source="Unsaved words."),
            EditorPresence(article_id=article.id, user_id=editor.id),
            RepublishCount(article_id=article.id, site="partner.example", views=12),
            Redirect(source="/old-scan-target", target=f"/article/{article.slug}"),
            Subscriber(email="reader@example.org", state="active", confirmed_at=now),
            Subscriber(email="bounced@example.org", state="bounced", confirmed_at=now),
            NewsletterIssue(kind="weekly", period="weekly:scan", subject="This week",
                            article_ids=[article.id], recipients=1, paused_at=now,
                            pause_reason="550 the mail server refused the issue"),
        ])  # fmt: skip
        note = ArticleNote(article_id=draft.id, author_id=editor.id, body="Check the quote.")
        db.session.add(note)
        db.session.flush()
        db.session.add(ArticleNote(article_id=draft.id, parent_id=note.id, author_id=admin.id,
                                   body="Checked with the harbour master."))  # fmt: skip
        for days in range(7):
            day = (now - timedelta(days=days)).date()
            for source, views in (("search", 30 + days), ("social", 12), ("direct", 5)):
                db.session.add(ViewDay(day=day, page="article", page_id=article.id,
                                       source=source, referrer=f"{source}.example",
                                       utm_source="scan", views=views))  # fmt: skip
                db.session.add(SourceDay(day=day, source=source, referrer=f"{source}.example",
                                         utm_source="scan", views=views))  # fmt: skip
            db.session.add(PageDay(day=day, page="article", page_id=article.id, views=47))
            db.session.add(AudienceDay(day=day, views=60, visitors=40))
            db.session.add(PageView(day=day, page="article", page_id=article.id,
                                    visitor="0123456789abcdef", source="search"))  # fmt: skip
        start_other("ghost", str(Path(site.folder) / "ghost.json"), True, admin.id)
        start_other("substack", str(Path(site.folder) / "substack.zip"), True, admin.id)
        save_settings({
            "second_factor_from": "editor",
            "publish_checklist": ["summary", "taxonomy"],
            "policy_corrections": f"/pages/{page.slug}",
            "policy_ethics": "https://example.org/ethics",
        })  # fmt: skip
        db.session.commit()
        ids = {"article": article.id, "slug": article.slug, "guest": guest.id}
        db.session.remove()
        db.engine.dispose()
    return ids


def log_in(port: int) -> Browser:
    """The admin logs in with the password and is sent to enrol a second factor."""
    browser = Browser(port)
    _, _, html = browser.request("GET", "/auth/login")
    form = {"login": ADMIN, "password": factories.PASSWORD, "csrf_token": browser.csrf_token(html)}
    status, headers, _ = browser.request("POST", "/auth/login", form)
    assert status in (302, 303), f"the admin could not log in ({status})"
    status, headers, _ = browser.request("GET", "/admin/")
    assert headers.get("Location", "").endswith("/auth/security"), "no enrolment asked"
    # The login starts a new session: a page with a form gives it its CSRF secret, else
    # every form wapiti sends would fail on the token (the relay keeps this cookie).
    assert browser.request("GET", "/auth/security")[0] == 200
    return browser


def enrol(browser: Browser) -> None:
    """Enrol an authenticator app through the real form: the page's secret, a code
    from pyotp; the admin then reaches the admin."""
    _, _, html = browser.request("GET", "/auth/security/totp")
    secret = SECRET.search(html).group(1)
    form = {"code": pyotp.TOTP(secret).now(), "csrf_token": browser.csrf_token(html)}
    status, _, html = browser.request("POST", "/auth/security/totp", form)
    assert status == 200 and "recovery" in html.lower(), f"enrolment failed ({status})"
    assert browser.request("GET", "/admin/")[0] == 200, "the admin is still sent to enrol"


def confirm_sudo(browser: Browser) -> None:
    """Sudo mode's confirm page, with the password: the session's check is now."""
    _, _, html = browser.request("GET", "/auth/sudo")
    form = {"password": factories.PASSWORD, "code": "", "csrf_token": browser.csrf_token(html)}
    status, _, _ = browser.request("POST", "/auth/sudo", form)
    assert status == 303, f"sudo mode was not confirmed ({status})"


class Relay:
    """An HTTP relay from 127.0.0.1:<port> to the site that replaces each request's
    cookies with the admin browser's current ones and notes every 5xx; a thread keeps
    sudo mode fresh. Use as a context manager."""

    def __init__(self, browser: Browser, refresh: float = SUDO_SECONDS - 120):
        self.browser, self.refresh = browser, refresh
        self.port = free_port()
        self.errors: list[str] = []
        self.confirmed = 0
        self._cookie = self._jar()
        self._stop = threading.Event()

    def _jar(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.browser.cookies.items())

    def swap(self) -> None:
        """Send the browser's current cookies from now on."""
        self._cookie = self._jar()

    def _keep_sudo(self) -> None:
        while not self._stop.wait(self.refresh):
            confirm_sudo(self.browser)
            self.swap()
            self.confirmed += 1

    def __enter__(self) -> Relay:
        relay, upstream = self, self.browser.port

        class Handler(BaseHTTPRequestHandler):
            def relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["Cookie"] = relay._cookie
                # The workers queue requests on 2 cores: wait as long as wapiti does.
                conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=900)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                finally:
                    conn.close()
                if response.status >= 500:
                    relay.errors.append(f"{response.status} {self.command} {self.path}")
                with contextlib.suppress(ConnectionError):  # wapiti gave up waiting
                    self.answer(response, data)

            def answer(self, response: http.client.HTTPResponse, data: bytes) -> None:
                self.send_response_only(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                if self.command != "HEAD":
                    self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = relay

            def log_message(self, *args) -> None:
                pass

            def log_error(self, format: str, *args) -> None:
                relay.errors.append("relay: " + format % args)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.threads = [threading.Thread(target=self.server.serve_forever, daemon=True),
                        threading.Thread(target=self._keep_sudo, daemon=True)]  # fmt: skip
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


def coverage(report: dict) -> list[str]:
    """Crawled requests per new area, with their status codes."""
    lines = []
    pages = [page["request"] for page in report["infos"].get("crawled_pages", [])]
    for area, pattern in AREAS.items():
        found = [p for p in pages if re.search(pattern, urlsplit(p["url"]).path)]
        codes = Counter(str(p.get("status_code")) for p in found)
        paths = sorted({f"{p['method']} {urlsplit(p['url']).path}" for p in found})
        lines.append(f"  {area}: {len(found)} requests {dict(codes)}")
        lines += [f"    {path}" for path in paths[:40]]
    return lines


def summary(report: dict) -> list[str]:
    lines = [f"pages crawled: {report['infos'].get('crawled_pages_nbr')}", *coverage(report)]
    for kind in ("vulnerabilities", "anomalies", "additionals"):
        found = {name: items for name, items in report.get(kind, {}).items() if items}
        lines.append(f"{kind}: {sum(len(v) for v in found.values())}")
        for name, items in sorted(found.items()):
            lines.append(f"  {name}: {len(items)}")
            for item in items[:5]:
                lines.append(f"    {item.get('method')} {item.get('path')}: {item.get('info')}")
    return lines


def wapiti(args, base: str, out: Path, seconds: float, ids: dict) -> list[str]:
    """The wapiti command: `base` only, bounded to `seconds` in all."""
    keep = [
        "auth/logout",  # logging out would end the scan's session,
        "auth/security/sessions/*",  # and so would ending it from the list.
        # The article and the contributor that carry the desk's and trust's pages:
        # deleting them early would leave the later modules 404s.
        f"admin/articles/{ids['article']}/delete",
        f"admin/contributors/{ids['guest']}/delete",
    ]
    # No link leads to these: sudo mode's confirm page (redirects, once it lapses), the
    # beacon (count.js), the news sitemap (robots.txt), republishing (its button's JS).
    start = ["auth/sudo", f"hit?p=article:{ids['article']}&r=&q=", "sitemap-news.xml",
             f"article/{ids['slug']}/republish"]  # fmt: skip
    command = [
        args.wapiti, "-u", base, "--scope", "folder",
        *[arg for path in start for arg in ("-s", base + path)],
        *[arg for path in keep for arg in ("-x", base + path)],
        # The whole scan, and each attack module (else one module runs on).
        "--max-scan-time", str(int(seconds)), "--max-attack-time", str(int(seconds / 8)),
        # 8 requests at a time (its default is 32) for 3 workers on 2 cores;
        # -dr 1 lists the crawled requests in the report (see `coverage`).
        "--tasks", "8", "-t", "60", "-dr", "1",
        "--flush-session", "-f", "json", "-o", str(out), "--no-bugreport",
    ]  # fmt: skip
    return command + (["-m", args.modules] if args.modules else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wapiti", default="wapiti", help="the wapiti executable")
    parser.add_argument("--minutes", type=float, default=15, help="scan time limit")
    parser.add_argument(
        "--enrolment-minutes", type=float, default=1.5,
        help="time for the first scan, before enrolment (only its pages answer then)",
    )  # fmt: skip
    parser.add_argument("--modules", default="", help="wapiti -m (default: its own set)")
    args = parser.parse_args()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    first, out = results / "wapiti-enrolment.json", results / "wapiti.json"
    with tempfile.TemporaryDirectory() as tmp:
        site = prepare_site(Path(tmp) / "site")
        ids = add_content(site)
        # wapiti types wrong passwords and codes into every password form (the sudo
        # page's included): with the real limits the admin's account would be throttled
        # within seconds, the attacks would meet 429 pages and the relay could not
        # confirm sudo mode. The throttles have tests of their own.
        env = site.env | {"BLOG_LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000000",
                          "BLOG_LOGIN_MAX_FAILURES_PER_IP": "1000000"}  # fmt: skip
        with Gunicorn(env, Path(tmp), workers=3) as server, Relay(log_in(server.port)) as relay:
            base = f"http://127.0.0.1:{relay.port}/"
            started = time.monotonic()
            # First the admin who must enrol: every URL sends it to the security page,
            # so wapiti scans enrolment (the app, passkeys, recovery codes) and sudo.
            seconds = args.enrolment_minutes * 60
            subprocess.run(wapiti(args, base, first, seconds, ids), check=False,
                           timeout=seconds * 3)  # fmt: skip
            enrol(relay.browser)
            relay.swap()
            seconds = args.minutes * 60
            subprocess.run(wapiti(args, base, out, seconds, ids), check=False,
                           timeout=seconds * 2)  # fmt: skip
            minutes = (time.monotonic() - started) / 60
            log = server.log.read_text(errors="replace")
        site.drop()
    for path in (first, out):
        print(f"== {path.name}")
        print("\n".join(summary(json.loads(path.read_text()))))
    print(f"{minutes:.1f} minutes; sudo mode confirmed again {relay.confirmed} times")
    print(f"5xx answers the relay saw: {len(relay.errors)}")
    for line in relay.errors:
        print(f"  {line}")
    tracebacks = log.count("Traceback (most recent call last)")
    print(f"tracebacks in gunicorn's log: {tracebacks}")
    if tracebacks:
        (results / "wapiti-gunicorn.log").write_text(log)
    print(f"wapiti's reports: {first}, {out}")


if __name__ == "__main__":
    main()
