"""Staff sign-in in Chromium (issue 27): enrol an authenticator app (codes computed here
with pyotp), log in with a code, use a recovery code; add a passkey with Chromium's
virtual WebAuthn authenticator (DevTools protocol), log out, log in with it."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.steps import log_in
from tests.factories import PASSWORD


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def password_only(page, username: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_staff_enrol_an_app_log_in_with_a_code_and_use_a_recovery_code(page, site):
    username = site["people"]["totp_editor"]
    log_in(page, username)
    page.goto("/auth/account")
    page.get_by_role("link", name="Sign-in and security").click()
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from your app").fill(totp.now())
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved them: continue").click()
    log_out(page)

    # The password alone is not enough now; the next step's code is (the enrolment's
    # own code was spent, and a code works once).
    password_only(page, username)
    expect(page.locator("h1")).to_have_text("Your second factor")
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    log_out(page)

    password_only(page, username)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("body")).to_contain_text("9 unused recovery codes left")
    log_out(page)

    password_only(page, username)
    page.get_by_label("Code").fill(codes[0])  # spent
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("body")).to_contain_text("That code is not right, or it was already used")


@pytest.fixture
def localhost_page(browser, site):
    """A page on the site as http://localhost (a passkey needs a host name), with a
    virtual authenticator that verifies its user, as a phone's fingerprint would."""
    context = browser.new_context(base_url=site["localhost_url"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
    }})  # fmt: skip
    yield page
    context.close()
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []


def test_staff_add_a_passkey_log_out_and_log_in_with_it(localhost_page, site):
    page = localhost_page
    username = site["people"]["passkey_editor"]
    log_in(page, username)
    page.goto("/auth/security")
    page.get_by_label("Name of this passkey").fill("Office laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("body")).to_contain_text("The passkey “Office laptop” is added.")
    expect(page.get_by_role("button", name="Remove Office laptop")).to_be_visible()
    log_out(page)

    # Instead of the password: the passkey alone (it verified its user).
    page.goto("/auth/login")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    log_out(page)

    # After the password, as the second factor.
    password_only(page, username)
    expect(page.locator("h1")).to_have_text("Your second factor")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
