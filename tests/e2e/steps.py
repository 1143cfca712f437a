"""Steps several browser journeys take."""

from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/auth/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
