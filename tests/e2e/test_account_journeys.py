"""Readers register, comment, reply, edit and delete, and reset a password, in Chromium."""

import re

from playwright.sync_api import expect

from tests.e2e.steps import log_in


def test_new_reader_registers_confirms_and_first_comment_is_held_until_an_editor_approves(
    browser, page, site, mailbox
):
    page.goto("/auth/register")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email", exact=True).fill("newcomer@example.com")
    page.get_by_label("Password").fill("the tide comes in twice")
    page.get_by_role("button", name="Create account").click()
    # Nothing exists before the address confirms: the same answer as for a taken address.
    expect(page.locator("body")).to_contain_text(
        "Check your mail: we sent a message to newcomer@example.com"
    )
    expect(page.get_by_role("link", name="newcomer")).to_have_count(0)

    message = mailbox.wait_for("newcomer@example.com", timeout=30)
    assert message.get_content().startswith("Hello,")  # no greeting by the chosen name
    link = re.search(r"https?://\S+/auth/confirm/\S+", message.get_content()).group(0)
    assert link.startswith(site["url"])
    page.goto(link)
    page.get_by_role("button", name="Confirm newcomer@example.com").click()
    expect(page.locator("body")).to_contain_text("newcomer@example.com is confirmed")
    expect(page.get_by_role("link", name="newcomer")).to_be_visible()  # logged in
    page.goto(link)  # single use
    expect(page.locator("h1")).to_have_text("This confirmation link cannot be used")

    page.goto("/")
    page.get_by_role("link", name="Lighthouse keepers retire").first.click()
    page.get_by_label("Your comment").first.fill("My first words on this site.")
    page.get_by_role("button", name="Post comment").click()
    held = page.locator(".comment", has_text="My first words on this site.")
    expect(held).to_contain_text("awaiting moderation")

    editor = browser.new_context(base_url=site["url"]).new_page()
    log_in(editor, site["people"]["editor"])
    editor.goto("/admin/comments")
    row = editor.locator("tr", has_text="My first words on this site.")
    row.get_by_role("button", name="Approve").click()
    expect(editor.locator("tr", has_text="My first words on this site.")).to_have_count(0)
    editor.context.close()

    page.reload()
    approved = page.locator(".comment", has_text="My first words on this site.")
    expect(approved).to_be_visible()
    expect(approved).not_to_contain_text("awaiting moderation")


def test_reader_comments_replies_edits_and_deletes(page, site):
    log_in(page, site["people"]["reader"])
    page.goto("/")
    page.get_by_role("link", name="Lighthouse keepers retire").first.click()

    page.get_by_label("Your comment").first.fill("The *keepers* deserve a plaque.")
    page.get_by_role("button", name="Post comment").click()
    mine = page.locator("article.comment", has_text="deserve a plaque").first
    expect(mine.locator("em")).to_have_text("keepers")
    assert re.search(r"#comment-\d+$", page.url)

    thread = page.locator("article.comment", has_text="A fine service, long missed.").first
    thread.get_by_role("link", name="Reply").click()
    expect(page.locator("blockquote.comment-quote")).to_contain_text("A fine service")
    page.get_by_label("Your reply").fill("Replying to myself, it seems.")
    page.get_by_role("button", name="Post reply").click()
    reply = page.locator("article.comment.reply", has_text="Replying to myself")
    expect(reply).to_be_visible()

    reply.get_by_role("link", name="Edit").click()
    page.get_by_label("Your comment").fill("Replying, edited for clarity.")
    page.get_by_role("button", name="Save changes").click()
    edited = page.locator("article.comment.reply", has_text="edited for clarity")
    expect(edited).to_contain_text("edited")

    edited.get_by_role("button", name="Delete").click()
    expect(page.locator("article.comment", has_text="edited for clarity")).to_have_count(0)
    expect(page.locator("article.comment", has_text="deserve a plaque")).to_be_visible()


def test_password_reset_mail_arrives_and_its_link_works(page, site, mailbox):
    page.goto("/auth/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email", exact=True).fill("pat@example.com")
    page.get_by_role("button", name="Send the link").click()

    message = mailbox.wait_for("pat@example.com")
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/auth/reset/\S+", body).group(0)
    assert link.startswith(site["url"])

    page.goto(link)
    page.get_by_label("New password").fill("a brand new passphrase")
    page.get_by_role("button", name="Set the new password").click()
    log_in(page, "pat", "a brand new passphrase")

    page.goto(link)  # single use
    expect(page.locator("h1")).not_to_have_text("Choose a new password")
