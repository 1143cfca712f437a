"""The editorial desk in a real browser: two editors on one article, autosave offered
after closing the tab, the copy kept for an expired session, a pasted image, and the
live preview against the published page."""

import re

from playwright.sync_api import expect

from tests.e2e.steps import log_in

# A red 40 x 30 PNG made by the page's own canvas, pasted into the body as a file.
PASTE_IMAGE = """async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 40; canvas.height = 30;
    canvas.getContext("2d").fillRect(0, 0, 40, 30);
    const blob = await new Promise(r => canvas.toBlob(r, "image/png"));
    const data = new DataTransfer();
    data.items.add(new File([blob], "pasted.png", {type: "image/png"}));
    const body = document.getElementById("body");
    body.focus();
    body.setSelectionRange(body.value.length, body.value.length);
    body.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                    cancelable: true}));
}"""


def new_draft(page, title: str, body: str) -> str:
    """Save a new draft; returns its editor's URL."""
    page.goto("/admin/articles/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body (Markdown)").fill(body)
    page.get_by_label("Category").select_option(label="World")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".meta")).to_contain_text("draft")
    return page.url


def test_two_editors_on_one_article_see_each_other_and_never_overwrite(page, site, browser):
    log_in(page, site["people"]["editor"])
    url = new_draft(page, "Harbour wall repairs begin", "Work starts on Monday.")
    other = browser.new_context(base_url=site["url"])
    try:
        colleague = other.new_page()
        log_in(colleague, site["people"]["admin"])
        colleague.goto(url)
        page.goto(url)
        expect(page.locator(".desk-presence")).to_contain_text(
            re.compile(r"is editing \(since \d\d:\d\d\)")
        )

        colleague.get_by_label("Body (Markdown)").fill("Work starts on Tuesday.")
        colleague.get_by_role("button", name="Save", exact=True).click()
        expect(colleague.locator(".flash, .messages").first).to_contain_text("saved")
        page.get_by_label("Body (Markdown)").fill("Work starts on Monday at dawn.")
        page.get_by_role("button", name="Save", exact=True).click()

        conflict = page.locator(".conflict")
        expect(conflict).to_contain_text("Saved by someone else")
        expect(conflict.locator("del")).to_contain_text(["Tuesday."])
        expect(conflict.locator("ins")).to_contain_text(["Monday at dawn."])
        expect(page.get_by_label("Body (Markdown)")).to_have_value("Work starts on Monday at dawn.")
    finally:
        other.close()


def test_closing_the_tab_keeps_the_text_and_reopening_offers_it(page, site):
    log_in(page, site["people"]["editor"])
    url = new_draft(page, "Tram line extension approved", "The council voted.")
    tab = page.context.new_page()
    tab.goto(url)
    tab.get_by_label("Body (Markdown)").fill("The council voted nine to two.")
    tab.close(run_before_unload=True)  # pagehide: the last words go by sendBeacon

    # The beacon is sent as the tab goes and may reach the other worker after the next
    # page: reopen until it has arrived (a few seconds at most on a loaded machine).
    offer = page.locator(".desk-autosave")
    for _ in range(10):
        page.goto(url)
        if offer.count():
            break
        page.wait_for_timeout(500)
    expect(offer).to_contain_text(re.compile(r"Restore the autosaved text from \d\d:\d\d\?"))
    offer.get_by_role("link", name="Restore it into the editor").click()
    expect(page.get_by_label("Body (Markdown)")).to_have_value("The council voted nine to two.")


def test_text_typed_into_an_expired_session_is_offered_after_logging_in(page, site):
    log_in(page, site["people"]["editor"])
    url = new_draft(page, "Bridge closed for inspection", "Until Friday.")
    page.goto(url)
    page.get_by_label("Body (Markdown)").fill("Until Friday noon, then one lane.")
    page.wait_for_function(
        "key => (localStorage.getItem(key) || '').includes('one lane')",
        arg="desk:" + url.split(site["url"], 1)[1],
    )
    page.context.clear_cookies()  # the session expires

    log_in(page, site["people"]["editor"])
    page.goto(url)
    copy = page.locator(".desk-browser-copy")
    expect(copy).to_contain_text("Restore the text kept in this browser")
    copy.get_by_role("button", name="Restore it into the editor").click()
    expect(page.get_by_label("Body (Markdown)")).to_have_value("Until Friday noon, then one lane.")


def test_a_pasted_image_is_uploaded_and_inserted_with_its_description(page, site):
    log_in(page, site["people"]["editor"])
    page.goto("/admin/articles/new")
    page.get_by_label("Body (Markdown)").fill("Before the image.\n\n")
    page.once("dialog", lambda dialog: dialog.accept("A red square"))

    page.evaluate(PASTE_IMAGE)

    body = page.get_by_label("Body (Markdown)")
    expect(body).to_have_value(re.compile(r"!\[A red square\]\(/uploads/[0-9a-f]+\.png\)"))
    expect(page.locator(".desk-preview img[alt='A red square']")).to_be_visible()


def test_the_live_preview_matches_the_published_page(page, site):
    log_in(page, site["people"]["editor"])
    page.goto("/admin/articles/new")
    page.get_by_label("Title").fill("Allotment waiting list shrinks")
    text = "## Who gets a plot\n\nThe **oldest** requests first.\n\n- north field\n- river field\n"
    page.get_by_label("Body (Markdown)").fill(text)
    preview = page.locator(".desk-preview .article-body")
    expect(preview.locator("h2")).to_have_text("Who gets a plot")
    expect(page.locator(".desk-counts")).to_contain_text("words · 1 min read")
    shown = preview.inner_html().strip()

    # The toolbar works from the keyboard: one tab stop, arrows move along it.
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Heading").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Bold")).to_be_focused()

    page.get_by_label("Category").select_option(label="World")
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto("/")
    page.get_by_role("link", name="Allotment waiting list shrinks").first.click()
    published = page.locator("article .article-body").inner_html().strip()
    assert shown == published
