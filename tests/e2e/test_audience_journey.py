"""A reader reads three articles (the beacon counts each view, cached or not), then an
editor opens the audience dashboard and finds them counted."""

import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from blog.audience.rollup import roll_up
from blog.extensions import db
from blog.models import Article, PageDay
from tests import factories
from tests.e2e.conftest import Accessibility
from tests.e2e.steps import log_in
from tests.tools import AXE_JS, tool

# Headless Chromium names itself HeadlessChrome, which counting rightly takes for a
# robot; the reader here is a person with an ordinary desktop browser.
DESKTOP = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def reader_page(browser, site):
    context = browser.new_context(base_url=site["url"], user_agent=DESKTOP)
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(tool(AXE_JS)))
    page = context.new_page()
    accessibility = Accessibility(page, site["url"])
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    yield page
    context.close()
    assert errors == []
    assert accessibility.violations == []


def counted(app, ids: list[int], timeout: float = 40.0) -> dict[int, int]:
    """Today's views of `ids` once each has one: the workers flush every 5 s; the
    roll-up that `blog worker` runs every minute is run here at once."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            roll_up()
            found = dict(db.session.execute(
                sa.select(PageDay.page_id, sa.func.sum(PageDay.views))
                .where(PageDay.page == "article", PageDay.page_id.in_(ids))
                .group_by(PageDay.page_id)
            ).all())  # fmt: skip
            db.session.remove()
        if len(found) == len(ids) or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_a_reader_reads_three_articles_and_an_editor_sees_them_counted(reader_page, page, site):
    with site["app"].app_context():
        science = factories.make_category("Harbours")
        factories.make_article("Dredgers clear the channel", category=science)
        db.session.commit()
        titles = ["Tide gauges record a record high", "Lighthouse keepers retire",
                  "Dredgers clear the channel"]  # fmt: skip
        ids = [db.session.scalar(sa.select(Article.id).where(Article.title == t)) for t in titles]
        db.session.remove()

    for title in titles:
        reader_page.goto("/")
        reader_page.get_by_role("link", name=title).first.click()
        expect(reader_page.locator("h1")).to_have_text(title)
        # The page names itself for the beacon, whether it came from a cache or not.
        expect(reader_page.locator("script[data-page^='article:']")).to_have_count(1)

    found = counted(site["app"], ids)
    assert set(found) == set(ids), found

    log_in(page, site["people"]["editor"])
    page.goto("/admin/")
    page.get_by_role("link", name="Audience").click()
    expect(page.get_by_role("heading", name="Audience", level=1)).to_be_visible()
    today = page.get_by_role("table", name="Top articles, today")
    for title in titles:
        expect(today.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_role("img", name="Views and visitors by day, last 30 days")).to_be_visible()

    today.get_by_role("link", name="Dredgers clear the channel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Audience: Dredgers clear the channel"
    )
    # Staff pages carry no beacon: an editor's reading is never counted.
    page.goto("/article/dredgers-clear-the-channel")
    expect(page.locator("script[data-page]")).to_have_count(0)
