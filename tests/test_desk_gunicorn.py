"""Two editors, two gunicorn workers, one article: a save from an older version never
overwrites (issue 25, lost-update protection), on SQLite and, with
BLOG_TEST_DATABASE_URL set, on PostgreSQL.

Each round both editors open the editor (each request may land on either worker), then
both save at the same instant. Exactly one save wins; the other gets the 409 page with
both texts, and the stored body is the winner's. A last round saves one after the other,
the way two people at two desks do.
"""

import html
import re
import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from blog.models import Article, Role
from tests import factories
from tests.live import Browser, Gunicorn, prepare_site

ROUNDS = 4
BASE_VERSION = re.compile(r'name="base_version" type="hidden" value="([^"]*)"')


@pytest.fixture
def site(tmp_path):
    live = prepare_site(tmp_path, readers=0)
    app = create_app({"SQLALCHEMY_DATABASE_URI": live.uri, "SECRET_KEY": live.secret})
    with app.app_context():
        editors = [factories.make_user(Role.EDITOR, username=n) for n in ("erin", "ezra")]
        article = db.session.get(Article, live.article_id)
        category_id = article.category_id
        db.session.commit()
        names = [e.username for e in editors]
        db.session.remove()
        db.engine.dispose()
    try:
        with Gunicorn(live.env, live.folder, workers=2) as server:
            yield {
                "port": server.port,
                "uri": live.uri,
                "editors": names,
                "article_id": live.article_id,
                "category_id": category_id,
            }
    finally:
        live.drop()


class Editor:
    """One editor's browser: logged in through the real form, CSRF on."""

    def __init__(self, site: dict, username: str):
        self.site = site
        self.browser = Browser(site["port"])
        _, _, page = self.browser.request("GET", "/auth/login")
        status, _, _ = self.browser.request(
            "POST",
            "/auth/login",
            {
                "login": username,
                "password": factories.PASSWORD,
                "csrf_token": self.browser.csrf_token(page),
            },
        )
        assert status in (302, 303), f"login of {username} answered {status}"
        self.form: dict[str, str] = {}

    @property
    def path(self) -> str:
        return f"/admin/articles/{self.site['article_id']}/edit"

    def open(self) -> None:
        status, _, page = self.browser.request("GET", self.path)
        assert status == 200, status
        self.form = {
            "csrf_token": self.browser.csrf_token(page),
            "base_version": html.unescape(BASE_VERSION.search(page).group(1)),
        }

    def save(self, body: str) -> tuple[int, str]:
        data = factories.article_form(
            SimpleNamespace(id=self.site["category_id"]),
            title="Under load",
            slug="under-load",
            status="published",
            body=body,
        )
        status, _, page = self.browser.request("POST", self.path, data | self.form)
        return status, page


def stored_body(uri: str, article_id: int) -> str:
    engine = sa.create_engine(uri, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as con:
            return con.scalar(
                sa.text("SELECT body_source FROM article WHERE id = :id"), {"id": article_id}
            )
    finally:
        engine.dispose()


def save_at_once(editor: Editor, body: str, barrier: threading.Barrier, results: dict) -> None:
    barrier.wait(timeout=30)
    results[editor] = editor.save(body)


def test_simultaneous_saves_through_two_workers_never_overwrite(site):
    first, second = (Editor(site, name) for name in site["editors"])
    for n in range(ROUNDS):
        first.open()
        second.open()
        bodies = {first: f"Round {n}: words of the first editor.", second: f"Round {n}: others."}
        results: dict[Editor, tuple[int, str]] = {}
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=save_at_once, args=(e, bodies[e], barrier, results))
            for e in (first, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        statuses = sorted(status for status, _ in results.values())
        assert statuses == [303, 409], f"round {n}: {statuses}"
        winner = next(e for e, (status, _) in results.items() if status == 303)
        loser = next(e for e in (first, second) if e is not winner)
        assert stored_body(site["uri"], site["article_id"]) == bodies[winner]
        conflict_page = results[loser][1]
        assert "Saved by someone else while you were editing" in conflict_page
        assert bodies[loser] in conflict_page  # the losing text is kept in the form


def test_a_save_after_a_colleagues_save_gets_the_conflict_page(site):
    first, second = (Editor(site, name) for name in site["editors"])
    first.open()
    second.open()
    assert second.save("The fix of a colleague.")[0] == 303

    status, page = first.save("The older text of the first editor.")

    assert status == 409
    assert stored_body(site["uri"], site["article_id"]) == "The fix of a colleague."
    assert "The older text of the first editor." in page
    assert "ezra" in page  # who saved in between
