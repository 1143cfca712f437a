"""Long threads in pages with permalinks, and a reader downloads their data, in Chromium
against gunicorn. (A new reader confirming the address from the mail before commenting
is in test_account_journeys.py.)"""

import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Category, User
from tests import factories
from tests.e2e.steps import log_in


def test_a_long_thread_pages_and_a_permalink_lands_on_its_page(page, site):
    with site["app"].app_context():
        rita = db.session.scalar(sa.select(User).where(User.username == "rita"))
        science = db.session.scalar(sa.select(Category).where(Category.slug == "science"))
        article = factories.make_article("The long harbour debate", category=science)
        start = utcnow() - timedelta(days=1)
        ids = [
            factories.make_comment(
                article, rita, f"Point number {n} of the debate.",
                created_at=start + timedelta(minutes=n),
            ).id
            for n in range(1, 121)
        ]  # fmt: skip
        db.session.commit()
        slug = article.slug

    page.goto(f"/article/{slug}")
    expect(page.locator("#comments-heading")).to_have_text("Comments (120)")
    pages = page.get_by_role("navigation", name="Comment pages", exact=True)
    expect(pages).to_contain_text("Page 1 of 3")
    expect(page.locator("article.comment", has_text="Point number 1 of")).to_be_visible()
    expect(page.locator("article.comment", has_text="Point number 51 of")).to_have_count(0)

    pages.get_by_role("link", name="More comments").click()
    assert page.url.endswith(f"/article/{slug}?comments=2#comments")
    expect(page.locator("article.comment", has_text="Point number 51 of")).to_be_visible()
    expect(page.locator("article.comment", has_text="Point number 1 of")).to_have_count(0)

    page.get_by_role("link", name="Jump to the newest comment").click()
    assert page.url.endswith(f"?comments=3#comment-{ids[-1]}")
    expect(page.locator(f"#comment-{ids[-1]}")).to_be_in_viewport()

    page.goto(f"/comments/{ids[74]}")  # number 75: the second page
    assert page.url.endswith(f"/article/{slug}?comments=2#comment-{ids[74]}")
    expect(page.locator(f"#comment-{ids[74]}")).to_contain_text("Point number 75 of")
    expect(page.locator(f"#comment-{ids[74]}")).to_be_in_viewport()

    page.get_by_role("link", name="Newest first").click()
    expect(page.locator("article.comment").first).to_contain_text("Point number 120 of")


def test_a_reader_downloads_their_data(page, site):
    log_in(page, site["people"]["reader"])
    page.goto("/auth/account")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()

    assert download.value.suggested_filename.startswith("rita-data-")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["username"] == "rita"
    assert "A fine service, long missed." in [c["text"] for c in data["comments"]]
