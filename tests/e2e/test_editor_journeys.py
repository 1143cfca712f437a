"""An editor writes, previews, schedules and publishes an article with an image,
puts an uploaded image into an article's text, and describes a tag."""

import io
from datetime import datetime, timedelta

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.steps import log_in


def png_bytes(size=(800, 450)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 140)).save(buffer, "PNG")
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


# The page's cumulative layout shift so far (every shift is one without user input here).
LAYOUT_SHIFT = """() => new Promise(resolve => {
    let total = 0;
    new PerformanceObserver(list => list.getEntries().forEach(e => total += e.value))
        .observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve(total), 300);
})"""


def test_an_image_written_into_the_body_loads_a_small_webp_at_its_own_shape(page, site):
    page.set_viewport_size({"width": 400, "height": 800})
    log_in(page, site["people"]["editor"])
    page.goto("/admin/images")
    page.get_by_label("Image (JPEG, PNG, WebP or GIF)").set_input_files(
        {"name": "quay.png", "mimeType": "image/png", "buffer": png_bytes((1800, 1200))}
    )
    page.get_by_role("button", name="Upload").click()
    line = page.locator(".image-grid code").first.inner_text()  # the newest upload
    page.goto("/admin/articles/new")
    page.get_by_label("Title").fill("The quay at low tide")
    page.get_by_label("Summary").fill("Mud, boats and birds.")
    page.get_by_label("Body (Markdown)").fill(
        "The tide went out.\n\n" + line.replace("Description", "Boats on the mud at the quay")
    )
    page.get_by_label("Category").select_option(label="World")
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".meta")).to_contain_text("published")

    page.goto("/")
    page.get_by_role("link", name="The quay at low tide").first.click()
    image = page.get_by_role("img", name="Boats on the mud at the quay")
    image.scroll_into_view_if_needed()
    expect(image).to_have_attribute("loading", "lazy")
    page.wait_for_function(
        "name => [...document.images].some(i => i.alt === name && i.complete && i.naturalWidth)",
        arg="Boats on the mud at the quay",
    )
    loaded = image.evaluate("i => ({src: i.currentSrc, w: i.width, h: i.height})")
    assert loaded["src"].endswith("-480.webp"), loaded  # a phone gets the small WebP
    assert abs(loaded["w"] / loaded["h"] - 1.5) < 0.01
    assert page.evaluate(LAYOUT_SHIFT) == 0  # its box was there before the image came


def test_editor_describes_a_tag_and_readers_see_it_on_its_page(page, site):
    log_in(page, site["people"]["editor"])
    page.goto("/admin/tags")
    page.get_by_role("link", name="Tides", exact=True).click()
    page.get_by_label("Description").fill("High water, low water and the harbour's tables.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the tag “Tides”.")).to_be_visible()

    page.goto("/tag/tides")
    expect(page.locator(".lede").first).to_have_text(
        "High water, low water and the harbour's tables."
    )
