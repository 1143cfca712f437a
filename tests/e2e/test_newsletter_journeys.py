"""A reader subscribes, confirms from the mail, gets a digest and unsubscribes; a donation
choice leads to its provider; an admin told of a paused issue resumes it and restores a
bounced address. In Chromium, against gunicorn, `blog worker` and aiosmtpd."""

import re
import time
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from blog.core.settings import save_settings
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Job, NewsletterIssue, Subscriber, SubscriberState
from blog.newsletter.pausing import pause
from blog.newsletter.sending import create_issue
from tests import factories
from tests.e2e.steps import log_in

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
    page.get_by_role("link", name="More about the newsletter").click()
    main = page.get_by_role("main")
    main.get_by_label("Email", exact=True).fill("Nora@Example.com")
    main.get_by_role("button", name="Subscribe").click()
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

    try:
        digest = wait_for_mail(mailbox, "nora@example.com", "Night ferry returns")
    except AssertionError as missing:  # say what the queue holds, to tell slow from lost
        with site["app"].app_context():
            issues = db.session.execute(sa.select(NewsletterIssue.period, NewsletterIssue.subject))
            jobs = db.session.execute(sa.select(Job.kind, Job.state, Job.attempts, Job.last_error))
            raise AssertionError(f"{missing}; issues {issues.all()}; jobs {jobs.all()}") from None
    html = digest.get_body(("html",)).get_content()
    assert f'href="{site["url"]}/article/night-ferry-returns"' in html
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.match(r"<(\S+)>", digest["List-Unsubscribe"]).group(1)

    page.goto(unsubscribe)
    page.get_by_role("button", name="Unsubscribe from the newsletter").click()
    expect(page.locator("h1")).to_have_text("You are unsubscribed")


def test_subscribe_from_the_footer_of_a_cached_article_and_confirm_from_the_mail(
    page, site, mailbox
):
    article = "/article/tide-gauges-record-a-record-high"
    # A browser without a session gets the page the cache keeps for every reader (each
    # of the two gunicorn workers keeps its own copy, so a few loads reach one; asked
    # outside Chromium's own HTTP cache, which would replay its first answer).
    caches = [page.request.get(article).headers.get("x-cache") for _ in range(6)]
    assert "HIT" in caches
    page.goto(article)
    footer = page.get_by_role("contentinfo")
    expect(page.locator('input[name="csrf_token"]')).to_have_count(0)
    footer.get_by_label("Your email address").fill("Footer.Reader@Example.com")
    footer.get_by_role("button", name="Subscribe").click()

    # The cached box carried no token: one more press, on a page with a real one.
    expect(page.locator("body")).to_contain_text("One more step: press Subscribe")
    main = page.get_by_role("main")
    expect(main.get_by_label("Email", exact=True)).to_have_value("Footer.Reader@Example.com")
    main.get_by_role("button", name="Subscribe").click()
    expect(page.locator("body")).to_contain_text("If that address is not subscribed yet")

    confirm = wait_for_mail(mailbox, "footer.reader@example.com", "Confirm")
    text = confirm.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/newsletter/confirm/\S+", text).group(0)
    page.goto(link)
    page.get_by_role("button", name="Yes, send me the newsletter").click()
    expect(page.locator("body")).to_contain_text("Your subscription is confirmed")
    expect(page.get_by_role("heading", name="What you get from us")).to_be_visible()


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


def test_an_admin_is_told_of_a_paused_issue_resumes_it_and_restores_a_bounce(page, site, mailbox):
    # The refusal itself is tests/test_mail_faults.py's (a real 554 at DATA); here, what
    # the admin sees and does once an issue is paused.
    reason = "554 5.7.1 Sender address rejected: not verified"
    with site["app"].app_context():
        db.session.add(Subscriber(email="kept@example.com", state=SubscriberState.BOUNCED,
                                  confirmed_at=utcnow(), frequency="daily"))  # fmt: skip
        issue = NewsletterIssue(kind="alert", period="alert:e2e-paused",
                                subject="Storm warning for the coast", recipients=0)  # fmt: skip
        db.session.add(issue)
        db.session.commit()
        assert pause(issue.id, reason)
        db.session.commit()

    alert = wait_for_mail(mailbox, "ada@example.com", "Newsletter paused")
    assert reason in alert.get_body(("plain",)).get_content()
    log_in(page, site["people"]["admin"])
    page.goto("/admin/newsletter")
    notice = page.get_by_role("alert").filter(has_text="Storm warning for the coast")
    expect(notice).to_contain_text("nobody was marked bounced")
    notice.get_by_role("button", name="Resume sending").click()
    expect(page.locator("body")).to_contain_text("Sending of “Storm warning for the coast” resumed")
    expect(page.get_by_role("alert").filter(has_text="is paused since")).to_have_count(0)

    page.goto("/admin/newsletter?state=bounced")
    page.get_by_role("button", name="Restore kept@example.com").click()

    expect(page.locator("body")).to_contain_text("kept@example.com is active again")
    with site["app"].app_context():
        kept = db.session.scalar(
            sa.select(Subscriber).where(Subscriber.email == "kept@example.com")
        )
        assert kept.state == SubscriberState.ACTIVE
