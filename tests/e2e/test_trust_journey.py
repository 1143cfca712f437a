"""An editor credits a guest contributor beside herself and corrects a published story;
a reader sees both bylines and the correction at the top, and on /corrections (issue 26)."""

from playwright.sync_api import expect

from tests.e2e.steps import log_in

STORY = "Tide gauges record a record high"


def test_editor_adds_a_co_author_and_a_correction_a_reader_sees_both(page, browser, site):
    log_in(page, site["people"]["editor"])
    page.goto("/admin/")
    page.get_by_role("link", name="Contributors").click()
    page.get_by_role("link", name="New contributor").click()
    page.get_by_label("Name").fill("Marta Coastline")
    page.get_by_label("Bio").fill("Freelance reporter on the estuary.")
    page.get_by_label("Fediverse handle").fill("@marta@coast.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the contributor")

    page.goto("/admin/articles")
    page.get_by_role("link", name=STORY).first.click()
    page.get_by_label("Byline 1").select_option(label="Edith (edith)")
    page.get_by_label("Byline 2").select_option(label="Marta Coastline (guest)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".meta").first).to_contain_text("published")

    page.get_by_role("link", name="Corrections and updates").click()
    page.get_by_label("Kind").select_option(label="Correction")
    page.get_by_label("Note").fill("An earlier version gave the gauge reading as 4.4 metres.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".notes-admin")).to_contain_text("4.4 metres")

    reader = browser.new_context(base_url=site["url"]).new_page()
    reader.goto("/")
    reader.get_by_role("link", name=STORY).first.click()
    byline = reader.locator(".article-header .byline")
    expect(byline).to_contain_text("By Edith and Marta Coastline")
    corrections = reader.get_by_role("complementary", name="Corrections")
    expect(corrections).to_contain_text("An earlier version gave the gauge reading as 4.4 metres.")

    reader.get_by_role("link", name="Marta Coastline").first.click()
    expect(reader.locator("h1")).to_have_text("Marta Coastline")
    expect(reader.get_by_role("link", name=STORY)).to_be_visible()

    reader.goto("/corrections")
    reader.get_by_role("link", name=STORY).first.click()
    expect(reader.locator("h1")).to_have_text(STORY)
    reader.context.close()
