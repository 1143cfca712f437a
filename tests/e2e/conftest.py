"""End-to-end fixtures: the app under real gunicorn on 127.0.0.1, driven by Chromium.

The database is built by the real migrations, then gunicorn (2 workers) serves it; a
test SMTP server (aiosmtpd) on 127.0.0.1 receives the site's mail. Chromium is
Debian's package, driven through Playwright; `playwright install` is never needed.
In CI a missing Chromium fails the run instead of skipping.
"""

import contextlib
import os
import secrets
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from blog import create_app
from blog.core.seed import seed_defaults
from blog.extensions import db
from blog.models import Category, Role
from tests import factories
from tests.conftest import create_pg_database, drop_pg_database, on_postgresql, pg_url
from tests.live import Gunicorn, Worker, free_port
from tests.shared import wordpress_uploads
from tests.tools import AXE_JS, tool

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


class Mailbox:
    """Messages received by the test SMTP server."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if to in message["To"]:
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} within {timeout}s")


@pytest.fixture(scope="session")
def mailbox():
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def site(tmp_path_factory, mailbox):
    """A running site, shared by the journeys: base URL, database path, seeded people."""
    with running_site(tmp_path_factory, mailbox) as running:
        yield running


@contextlib.contextmanager
def running_site(tmp_path_factory, mailbox):
    """A migrated, seeded site served by gunicorn with a `blog worker`. A journey whose
    imports would take the slugs other journeys look up gets one of its own by
    overriding `site` with this (tests/e2e/test_ghost_real_journey.py)."""
    folder = tmp_path_factory.mktemp("e2e")
    db_path = folder / "blog.sqlite3"
    pg_database = create_pg_database("e2e") if on_postgresql() else None
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    secret = secrets.token_urlsafe(48)
    env = {
        **os.environ,
        "BLOG_INSTANCE_PATH": str(folder / "instance"),
        "BLOG_SECRET_KEY": secret,
        # A fresh PostgreSQL database in the PostgreSQL pass (BLOG_TEST_DATABASE_URL).
        "DATABASE_URL": pg_url(pg_database) if pg_database else f"sqlite:///{db_path}",
        "BLOG_SITE_URL": base_url,
        "BLOG_MAIL_SERVER": "127.0.0.1",
        "BLOG_MAIL_PORT": str(mailbox.port),
        "BLOG_COMMENT_MIN_SECONDS": "0",
        # Admin > Tools > Import takes the old site's images from here (test_import_journey).
        "BLOG_IMPORT_UPLOADS_DIR": str(wordpress_uploads(folder / "wp-uploads")),
        # Browsers refuse an IP address as a passkey's relying party: the passkey
        # journey visits the same server as localhost (tests/e2e/test_signin_journeys.py).
        "BLOG_PASSKEY_RP_ID": "localhost",
        "BLOG_PASSKEY_ORIGIN": f"http://localhost:{port}",
    }
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": secret, "TESTING": True}
    )
    with app.app_context():
        upgrade()
        seed_defaults()
        factories.set_second_factor_policy(factories.TEST_SECOND_FACTOR_POLICY)
        people = {
            "reader": factories.make_user(Role.READER, username="rita"),
            "editor": factories.make_user(Role.EDITOR, username="edith"),
            "forgetful": factories.make_user(Role.READER, username="pat", email="pat@example.com"),
            "admin": factories.make_user(Role.ADMIN, username="ada"),
            # Staff sign-in journeys (issue 27): each enrols its own factors.
            "totp_editor": factories.make_user(Role.EDITOR, username="tess"),
            "passkey_editor": factories.make_user(Role.EDITOR, username="paula"),
        }
        science = db.session.scalar(sa.select(Category).where(Category.slug == "science"))
        tide = factories.make_tag("Tides")
        factories.make_article(
            "Tide gauges record a record high",
            category=science,
            author=people["editor"],
            tags=[tide],
            body=(
                "## What the gauges saw\n\nThe harbour gauge read 4.2 metres.\n\n"
                "- north pier\n- south pier\n"
            ),
        )
        lighthouse = factories.make_article(
            "Lighthouse keepers retire", category=science, tags=[tide]
        )
        # Rita has an approved comment, so the default policy lets her post at once.
        factories.make_comment(lighthouse, people["reader"], "A fine service, long missed.")
        db.session.commit()
        people = {k: v.username for k, v in people.items()}
        db.engine.dispose()
    try:
        with Gunicorn(env, folder, workers=2, port=port), Worker(env, folder):
            yield {"url": base_url, "db": db_path, "people": people, "app": app,
                   "localhost_url": f"http://localhost:{port}"}  # fmt: skip
    finally:
        if pg_database:
            drop_pg_database(pg_database)


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run should have installed it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# axe-core impacts that fail a journey: everything but "minor".
AXE_FAILING = ("critical", "serious", "moderate")
AXE_RUN = """() => axe.run(document, {resultTypes: ["violations"]}).then(r =>
    r.violations.map(v => ({
        id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
    })))"""


class Accessibility:
    """axe-core on every document a journey loads (injected before the page's own code
    runs, like an extension, so the Content-Security-Policy stays on)."""

    def __init__(self, page, origin: str):
        self.page = page
        self.origin = origin.rstrip("/") + "/"
        self.checked: list[str] = []
        self.violations: list[str] = []
        page.on("load", lambda _: self.check())

    def check(self) -> None:
        url = self.page.url
        if not url.startswith(self.origin):
            return  # a provider's page (a donation link) or the browser's own error page
        try:
            found = self.page.evaluate(AXE_RUN)
        except Exception as error:
            # The journey moved on (a click, a redirect) before axe finished: the next
            # document is checked instead. Anything else is a real failure.
            if "context was destroyed" in str(error) or "navigation" in str(error):
                return
            raise
        self.checked.append(url)
        self.violations += [
            f"{url}: {v['id']} ({v['impact']}) at {v['nodes']}"
            for v in found
            if v["impact"] in AXE_FAILING
        ]


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site["url"])
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(tool(AXE_JS)))
    page = context.new_page()
    accessibility = Accessibility(page, site["url"])
    errors: list[str] = []

    def on_console(message):
        # Failed documents are what some tests expect (403, 404); subresources are
        # checked below by status.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response):
        if response.request.resource_type != "document" and response.status >= 400:
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", on_response)
    yield page
    context.close()
    # CSP violations, script errors and broken stylesheets or images: none allowed.
    assert errors == []
    assert accessibility.violations == []
    assert accessibility.checked, "axe-core checked no page of this journey"
