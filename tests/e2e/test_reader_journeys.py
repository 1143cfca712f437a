"""A reader browses the site in a real Chromium, with no JavaScript of ours needed."""

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect


def test_reader_browses_home_category_article_tag_and_search(page, site):
    page.goto("/")
    expect(page.get_by_role("navigation", name="Sections")).to_contain_text("Latest News")

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Science").click()
    expect(page.locator("h1")).to_have_text("Science")

    page.get_by_role("link", name="Tide gauges record a record high").first.click()
    expect(page.locator("h1")).to_have_text("Tide gauges record a record high")
    expect(page.locator("article h2", has_text="What the gauges saw")).to_be_visible()
    expect(page.get_by_text("You need to log in to leave a comment.")).to_be_visible()

    page.get_by_role("link", name="#Tides").first.click()
    expect(page.locator("h1")).to_contain_text("Tides")
    expect(page.get_by_role("link", name="Lighthouse keepers retire")).to_be_visible()

    page.get_by_role("searchbox").fill("harbour gauge")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("mark").first).to_be_visible()
    expect(page.get_by_role("link", name="Tide gauges record a record high")).to_be_visible()


def test_share_links_point_at_the_article(page, site):
    page.goto("/")
    page.get_by_role("link", name="Tide gauges record a record high").first.click()
    article_url = page.url

    share = page.locator(".share-facebook")
    href = share.get_attribute("href")
    shared = parse_qs(urlsplit(href).query)["u"][0]
    assert shared == article_url

    page.goto(shared)
    expect(page.locator("h1")).to_have_text("Tide gauges record a record high")


def test_log_in_link_returns_to_the_comment_area(page, site):
    page.goto("/")
    page.get_by_role("link", name="Tide gauges record a record high").first.click()
    article_path = urlsplit(page.url).path

    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Username or email").fill(site["people"]["reader"])
    page.get_by_label("Password").fill("a long test passphrase")
    page.get_by_role("button", name="Log in").click()

    assert urlsplit(page.url).path == article_path
    assert page.url.endswith("#comments")


def test_reader_is_refused_the_admin(page, site):
    page.goto("/auth/login")
    page.get_by_label("Username or email").fill(site["people"]["reader"])
    page.get_by_label("Password").fill("a long test passphrase")
    page.get_by_role("button", name="Log in").click()

    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Forbidden")
