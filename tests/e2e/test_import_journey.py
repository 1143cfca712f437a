"""An admin moves a WordPress site over in Tools > Import; old links land on the new pages."""

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.steps import log_in

EXPORT = Path(__file__).resolve().parents[1] / "wordpress" / "selfhosted-1.2.xml"


def test_admin_imports_an_export_and_old_links_land_on_the_article(page, site):
    log_in(page, site["people"]["admin"])
    page.goto("/admin/")
    page.get_by_role("link", name="Tools: Import").click()

    page.get_by_label("WordPress export (.xml)").set_input_files(str(EXPORT))
    page.get_by_role("button", name="Import").click()

    # The import runs in `blog worker`; the progress page refreshes itself until the
    # report is there. The worker is shared by the whole session, so on a loaded
    # machine the job may wait behind the other journeys' mails for a while.
    expect(page.get_by_role("region", name="Import progress")).to_be_visible()
    report = page.get_by_role("region", name="Import report")
    expect(report).to_contain_text(
        "Imported — https://herald.example.org (WXR 1.2)", timeout=90_000
    )
    expect(report.get_by_role("row", name="posts")).to_contain_text("6")
    expect(report).to_contain_text("missing in the uploads folder: 2024/12/missing.jpg")

    page.goto("/article/storm-closes-the-harbour")
    expect(page.locator("h1")).to_have_text("Storm closes the harbour – again")
    comments = page.locator(".comment")
    expect(comments.filter(has_text="Stay safe out there.")).to_contain_text("Ola Nordmann")
    # Three deep in WordPress: a reply to the top-level comment here.
    deep = page.locator(".comment.reply", has_text="A reply to a reply, three deep.")
    expect(deep).to_have_count(1)
    expect(page.get_by_text("ola@example.net")).to_have_count(0)
    image = page.get_by_role("img", name="Waves over the pier")
    expect(image).to_be_visible()
    # The imported 800 x 600 file, sized in the body; the browser picks a copy that fits.
    expect(image).to_have_attribute("width", "800")
    expect(image).to_have_attribute("height", "600")
    loaded = image.evaluate("img => img.complete && img.naturalWidth > 0 && img.currentSrc")
    assert "/uploads/" in loaded, loaded

    page.goto("/?p=10")
    expect(page).to_have_url(f"{site['url']}/article/storm-closes-the-harbour")
    page.goto("/2025/01/05/storm-closes-the-harbour/")
    expect(page).to_have_url(f"{site['url']}/article/storm-closes-the-harbour")
