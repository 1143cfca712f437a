"""A reader subscribes, confirms from the mail, gets a digest and unsubscribes; a donation
choice leads to its provider. In Chromium, against gunicorn, `blog worker` and aiosmtpd."""

import re
import time
from datetime import timedelta

from playwright.sync_api import expect

from blog.extensions import db
from blog.newsletter.sending import create_issue
from blog.settings import save_settings
from blog.types import utcnow
from tests import factories

PROVIDER = "https://pay.example.test/newsroom/monthly"


def wait_for_mail(mailbox, to: str, subject_part: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(mailbox.messages):
            if to in message["To"] and subject_part in message["Subject"]:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to} about {subject_part!r} within {timeout}s")


def test_subscribe_confirm_receive_a_digest_and_unsubscribe(page, site, mailbox):
    page.goto("/")
    page.get_by_role("link", name="Get our newsletter").click()
    page.get_by_label("Email").fill("Nora@Example.com")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("body")).to_contain_text("If that address is not subscribed yet")

    confirm = wait_for_mail(mailbox, "nora@example.com", "Confirm")
    text = confirm.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/newsletter/confirm/\S+", text).group(0)
    assert link.startswith(site["url"])
    page.goto(link)
    page.get_by_role("button", name="Yes, send me the newsletter").click()
    expect(page.locator("body")).to_contain_text("Your subscription is confirmed")
    page.get_by_label("Daily").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("Your choices are saved")

    with site["app"].app_context():
        factories.make_article("Night ferry returns", published_at=utcnow())
        db.session.commit()
        # Tomorrow's digest: what was published since today's issue, made at start-up.
        create_issue("daily", now=utcnow() + timedelta(days=1))
        db.session.commit()

    digest = wait_for_mail(mailbox, "nora@example.com", "Night ferry returns")
    html = digest.get_body(("html",)).get_content()
    assert f'href="{site["url"]}/article/night-ferry-returns"' in html
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.match(r"<(\S+)>", digest["List-Unsubscribe"]).group(1)

    page.goto(unsubscribe)
    page.get_by_role("button", name="Unsubscribe from the newsletter").click()
    expect(page.locator("h1")).to_have_text("You are unsubscribed")


def test_a_donation_choice_leads_to_its_provider(page, site):
    with site["app"].app_context():
        choice = {"id": "monthly-5", "label": "5 a month", "frequency": "monthly", "url": PROVIDER}
        save_settings({"donate_choices": [choice]})
        db.session.commit()
    page.route("https://pay.example.test/**",
               lambda route: route.fulfill(body="<h1>Provider checkout</h1>",
                                           content_type="text/html"))  # fmt: skip

    page.goto("/")
    page.get_by_role("link", name="Donate").first.click()
    expect(page).to_have_url(re.compile(r"/donate$"))
    page.get_by_role("link", name="5 a month").click()

    expect(page).to_have_url(PROVIDER)
    expect(page.locator("h1")).to_have_text("Provider checkout")
