"""An editor writes, previews, schedules and publishes an article with an image."""

import io
from datetime import datetime, timedelta

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.steps import log_in


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 450), (30, 90, 140)).save(buffer, "PNG")
    return buffer.getvalue()


def test_editor_writes_previews_schedules_and_publishes(page, site):
    log_in(page, site["people"]["editor"])
    page.goto("/admin/")
    page.get_by_role("link", name="Write a new article").click()

    page.get_by_label("Title").fill("Night ferry returns to the estuary")
    page.get_by_label("Summary").fill("The crossing runs again after three winters.")
    page.get_by_label("Body (Markdown)").fill(
        "## Timetable\n\nBoats leave every hour.\n\n- 22:00 from the north quay\n- 23:00 back\n"
    )
    page.get_by_label("Category").select_option(label="World")
    page.get_by_label("Tags").fill("ferries, night life")
    page.get_by_label("…or upload a new image").set_input_files(
        {"name": "ferry.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_label("Image description (alt text)").fill("A ferry at night under the quay lights")

    with page.context.expect_page() as preview_info:
        page.get_by_role("button", name="Preview").click()
    preview = preview_info.value
    expect(preview.locator("h1")).to_have_text("Night ferry returns to the estuary")
    expect(preview.locator("article h2", has_text="Timetable")).to_be_visible()
    preview.close()

    # The preview kept nothing: the form is still here, as typed. Schedule it.
    later = datetime.now() + timedelta(days=2)
    page.get_by_label("Status").select_option(label="Scheduled")
    page.get_by_label("Publish date").fill(later.strftime("%Y-%m-%d"))
    page.get_by_label("Publish time").fill("09:30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".meta")).to_contain_text("scheduled")
    edit_url = page.url

    page.goto("/")
    expect(page.get_by_role("link", name="Night ferry returns to the estuary")).to_have_count(0)

    page.goto(edit_url)
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_label("Publish date").fill("")
    page.get_by_label("Publish time").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".meta")).to_contain_text("published")

    page.goto("/")
    page.get_by_role("link", name="Night ferry returns to the estuary").first.click()
    expect(page.get_by_role("img", name="A ferry at night under the quay lights")).to_be_visible()
    expect(page.get_by_role("link", name="#ferries")).to_be_visible()

    feed = page.request.get(f"{site['url']}/feed.xml")
    assert feed.status == 200
    assert "Night ferry returns to the estuary" in feed.text()
