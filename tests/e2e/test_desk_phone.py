"""The admin on a phone: no page an editor uses on the road scrolls sideways at 390 px."""

import pytest

from tests.e2e.steps import log_in

WIDTH = 390
SCREENS = [
    "/admin/",
    "/admin/articles",
    "/admin/articles/new",
    "/admin/newsletter",
    "/admin/calendar",
    "/admin/calendar/week",
    "/admin/front-page",
]


def overflow(page) -> dict:
    """The document's width and the widest elements that stick out of the viewport."""
    return page.evaluate(
        """() => ({
            width: document.documentElement.scrollWidth,
            culprits: [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => {  // not inside a box that scrolls or clips on its own
                    for (let p = e.parentElement; p; p = p.parentElement) {
                        if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)
                            && p !== document.body && p !== document.documentElement) return false;
                    }
                    return true;
                })
                .slice(0, 5).map(e => e.tagName + "." + e.className + " " +
                                      Math.round(e.getBoundingClientRect().right))
        })"""
    )


@pytest.mark.parametrize("url", SCREENS)
def test_no_admin_screen_scrolls_sideways_at_390_px(page, site, url):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, site["people"]["admin"])

    page.goto(url)

    measured = overflow(page)
    assert measured["width"] <= WIDTH, (url, measured)


def test_the_editor_of_an_article_fits_too(page, site):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, site["people"]["editor"])
    page.goto("/admin/articles")
    page.locator("table a[href*='/edit']").first.click()
    page.wait_for_selector(".desk-preview")

    measured = overflow(page)
    assert measured["width"] <= WIDTH, measured
