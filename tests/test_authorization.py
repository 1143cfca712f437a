"""Every URL rule of the app against every kind of visitor.

The table below lists each (method, rule) of `app.url_map` with the URL to request
(built from the fixtures in `objects`) and the status each persona must get. A rule
that is not in the table fails `test_every_rule_is_in_the_table`, and a table entry
for a rule that no longer exists fails it too, so nobody can add an unchecked page.

To add a route: add one line to RULES, using a row constant (PUBLIC, WRITERS, OWNER,
EDITORS, ADMINS...) or `row(...)` with one expectation per persona, in the order of
PERSONAS. `LOGIN` means "redirected to the login page". POSTs are sent with an empty
form (CSRF is off here; tests/security/test_csrf.py proves it is enforced), so an allowed
persona usually gets 422 (the form again) or 303 (done); each persona runs against a
fresh database, so one persona's POST never changes what the next one sees.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from blog.extensions import db
from blog.models import (
    ArticleCorrection,
    ArticleNote,
    ArticleVersion,
    CommentReport,
    CommentStatus,
    GuestAuthor,
    MediaFile,
    NewsletterIssue,
    Redirect,
    Subscriber,
    SubscriberState,
    Upload,
)
from tests import factories
from tests.conftest import pg_restore, pg_snapshot

PERSONAS = ("anonymous", "reader", "author", "other_author", "editor", "admin")
LOGIN = "login"


def row(anonymous, reader, author, other_author, editor, admin) -> dict:
    return dict(
        zip(PERSONAS, (anonymous, reader, author, other_author, editor, admin), strict=True)
    )


def same(status) -> dict:
    return row(*[status] * len(PERSONAS))


PUBLIC = same(200)
MEMBERS = row(LOGIN, 200, 200, 200, 200, 200)  # any logged-in user
WRITERS = row(LOGIN, 403, 200, 200, 200, 200)  # author or better
OWNER = row(LOGIN, 403, 200, 403, 200, 200)  # `author` owns `article`; editors manage all
EDITORS = row(LOGIN, 403, 403, 403, 200, 200)
ADMINS = row(LOGIN, 403, 403, 403, 403, 200)
COMMENTER = row(LOGIN, 200, 403, 403, 403, 403)  # `reader` wrote `comment`


def staff(allowed_status: int, base: dict) -> dict:
    """`base` with the 200s replaced by what an allowed persona gets from this POST."""
    return {p: (allowed_status if s == 200 else s) for p, s in base.items()}


# (method, rule) -> (URL built with str.format(**objects), expected status per persona)
RULES: dict[tuple[str, str], tuple[str, dict]] = {
    # ---- static files and the public site
    ("GET", "/static/<path:filename>"): ("/static/style.css", PUBLIC),
    ("GET", "/"): ("/", PUBLIC),
    ("GET", "/category/<slug>"): ("/category/{category.slug}", PUBLIC),
    ("GET", "/tag/<slug>"): ("/tag/{tag.slug}", PUBLIC),
    ("GET", "/author/<username>"): ("/author/{author.username}", PUBLIC),
    ("GET", "/article/<slug>"): ("/article/{article.slug}", PUBLIC),
    ("GET", "/pages/<slug>"): ("/pages/{page.slug}", PUBLIC),
    ("GET", "/search"): ("/search?q=harbour", PUBLIC),
    ("GET", "/feed.xml"): ("/feed.xml", PUBLIC),
    ("GET", "/category/<slug>/feed.xml"): ("/category/{category.slug}/feed.xml", PUBLIC),
    ("GET", "/sitemap.xml"): ("/sitemap.xml", PUBLIC),
    ("GET", "/robots.txt"): ("/robots.txt", PUBLIC),
    ("GET", "/healthz"): ("/healthz", PUBLIC),
    ("GET", "/uploads/<path:filename>"): ("/uploads/{upload.filename}", PUBLIC),
    # ---- accounts
    ("GET", "/auth/login"): ("/auth/login", row(200, 302, 302, 302, 302, 302)),
    ("POST", "/auth/login"): ("/auth/login", same(422)),
    ("POST", "/auth/logout"): ("/auth/logout", same(303)),
    ("GET", "/auth/register"): ("/auth/register", row(200, 302, 302, 302, 302, 302)),
    ("POST", "/auth/register"): ("/auth/register", same(422)),
    ("GET", "/auth/reset"): ("/auth/reset", PUBLIC),
    ("POST", "/auth/reset"): ("/auth/reset", same(422)),
    ("GET", "/auth/reset/<token>"): ("/auth/reset/not-a-real-token", same(400)),
    ("POST", "/auth/reset/<token>"): ("/auth/reset/not-a-real-token", same(400)),
    ("GET", "/auth/unlock/<token>"): ("/auth/unlock/not-a-real-token", same(400)),
    ("POST", "/auth/unlock/<token>"): ("/auth/unlock/not-a-real-token", same(400)),
    ("GET", "/auth/account"): ("/auth/account", MEMBERS),
    ("POST", "/auth/account"): ("/auth/account", staff(303, MEMBERS)),
    ("POST", "/auth/account/password"): ("/auth/account/password", staff(422, MEMBERS)),
    ("POST", "/auth/account/email"): ("/auth/account/email", staff(422, MEMBERS)),
    # Staff accounts are removed by an admin, not by their owner.
    ("POST", "/auth/account/delete"): ("/auth/account/delete", row(LOGIN, 422, 403, 403, 403, 403)),
    # ---- comments (`comment` is by `reader`, approved, on `article`)
    ("POST", "/article/<slug>/comments"): ("/article/{article.slug}/comments", staff(400, MEMBERS)),
    ("GET", "/comments/<int:comment_id>/edit"): ("/comments/{comment.id}/edit", COMMENTER),
    ("POST", "/comments/<int:comment_id>/edit"): (
        "/comments/{comment.id}/edit",
        staff(400, COMMENTER),
    ),
    ("POST", "/comments/<int:comment_id>/delete"): (
        "/comments/{comment.id}/delete",
        staff(302, COMMENTER),
    ),
    # The reader wrote `comment`: reporting it sends them back to it; an empty form is a 400.
    ("GET", "/comments/<int:comment_id>/report"): (
        "/comments/{comment.id}/report",
        row(LOGIN, 302, 200, 200, 200, 200),
    ),
    ("POST", "/comments/<int:comment_id>/report"): (
        "/comments/{comment.id}/report",
        row(LOGIN, 302, 400, 400, 400, 400),
    ),
    ("GET", "/comments/<int:comment_id>/reply"): ("/comments/{comment.id}/reply", MEMBERS),
    ("GET", "/comments/<int:comment_id>"): ("/comments/{comment.id}", same(302)),
    # ---- confirmed addresses and personal data (every persona here is confirmed)
    ("GET", "/auth/confirm/<token>"): ("/auth/confirm/forged", same(400)),
    ("POST", "/auth/confirm/<token>"): ("/auth/confirm/forged", same(400)),
    ("POST", "/auth/confirm/again"): ("/auth/confirm/again", staff(303, MEMBERS)),
    ("GET", "/auth/account/data"): ("/auth/account/data", MEMBERS),
    # ---- staff sign-in (issue 27): the code page needs a password just checked
    ("GET", "/auth/login/code"): ("/auth/login/code", same(LOGIN)),
    ("POST", "/auth/login/code"): ("/auth/login/code", same(LOGIN)),
    ("GET", "/auth/security"): ("/auth/security", MEMBERS),
    ("GET", "/auth/security/totp"): ("/auth/security/totp", MEMBERS),
    ("POST", "/auth/security/totp"): ("/auth/security/totp", staff(422, MEMBERS)),
    # No enrolment started in this browser: no QR code to show.
    ("GET", "/auth/security/totp/qr.svg"): ("/auth/security/totp/qr.svg", staff(404, MEMBERS)),
    ("POST", "/auth/security/totp/remove"): ("/auth/security/totp/remove", staff(303, MEMBERS)),
    ("POST", "/auth/security/recovery"): ("/auth/security/recovery", staff(303, MEMBERS)),
    # Nobody's session: 404, as for another account's session.
    ("POST", "/auth/security/sessions/<int:session_id>/end"): (
        "/auth/security/sessions/999999/end",
        staff(404, MEMBERS),
    ),
    ("POST", "/auth/security/sessions/end-others"): (
        "/auth/security/sessions/end-others",
        staff(303, MEMBERS),
    ),
    # The new-device mail's link to end a session works without a login.
    ("GET", "/auth/security/sessions/end/<token>"): (
        "/auth/security/sessions/end/forged",
        same(400),
    ),
    ("POST", "/auth/security/sessions/end/<token>"): (
        "/auth/security/sessions/end/forged",
        same(400),
    ),
    ("POST", "/auth/security/passkeys/options"): ("/auth/security/passkeys/options", MEMBERS),
    ("POST", "/auth/security/passkeys"): ("/auth/security/passkeys", staff(303, MEMBERS)),
    ("POST", "/auth/security/passkeys/<int:passkey_id>/remove"): (
        "/auth/security/passkeys/999999/remove",
        staff(404, MEMBERS),
    ),
    # Logging in with a passkey: options for anyone; no credential, back to the login.
    ("POST", "/auth/passkeys/login/options"): ("/auth/passkeys/login/options", PUBLIC),
    ("POST", "/auth/passkeys/login"): ("/auth/passkeys/login", same(LOGIN)),
    ("GET", "/auth/sudo"): ("/auth/sudo", MEMBERS),
    ("POST", "/auth/sudo"): ("/auth/sudo", staff(422, MEMBERS)),
    ("POST", "/admin/users/<int:user_id>/second-factor/reset"): (
        "/admin/users/{reader.id}/second-factor/reset",
        staff(303, ADMINS),
    ),
    ("GET", "/admin/users/<int:user_id>/data"): ("/admin/users/{reader.id}/data", ADMINS),
    ("POST", "/admin/users/<int:user_id>/data/export"): (
        "/admin/users/{reader.id}/data/export",
        ADMINS,
    ),
    ("POST", "/admin/users/<int:user_id>/data/erase"): (
        "/admin/users/{reader.id}/data/erase",
        staff(422, ADMINS),
    ),
    # ---- admin: dashboard and articles
    ("GET", "/admin/"): ("/admin/", WRITERS),
    ("GET", "/admin/articles"): ("/admin/articles", WRITERS),
    ("GET", "/admin/articles/new"): ("/admin/articles/new", WRITERS),
    ("POST", "/admin/articles/new"): ("/admin/articles/new", staff(422, WRITERS)),
    ("GET", "/admin/articles/<int:article_id>/edit"): ("/admin/articles/{article.id}/edit", OWNER),
    ("POST", "/admin/articles/<int:article_id>/edit"): (
        "/admin/articles/{article.id}/edit",
        staff(422, OWNER),
    ),
    ("POST", "/admin/articles/preview"): ("/admin/articles/preview", WRITERS),
    ("POST", "/admin/articles/<int:article_id>/preview"): (
        "/admin/articles/{article.id}/preview",
        OWNER,
    ),
    ("GET", "/admin/articles/<int:article_id>/versions"): (
        "/admin/articles/{article.id}/versions",
        OWNER,
    ),
    ("POST", "/admin/articles/<int:article_id>/versions/<int:version_id>/restore"): (
        "/admin/articles/{article.id}/versions/{version.id}/restore",
        staff(303, OWNER),
    ),
    ("GET", "/admin/articles/<int:article_id>/delete"): (
        "/admin/articles/{article.id}/delete",
        OWNER,
    ),
    ("POST", "/admin/articles/<int:article_id>/delete"): (
        "/admin/articles/{article.id}/delete",
        staff(303, OWNER),
    ),
    # ---- admin: the editorial desk around the editor
    ("POST", "/admin/articles/<int:article_id>/heartbeat"): (
        "/admin/articles/{article.id}/heartbeat",
        OWNER,
    ),
    ("POST", "/admin/articles/<int:article_id>/autosave"): (
        "/admin/articles/{article.id}/autosave",
        OWNER,
    ),
    ("POST", "/admin/articles/<int:article_id>/autosave/discard"): (
        "/admin/articles/{article.id}/autosave/discard",
        staff(303, OWNER),
    ),
    ("GET", "/admin/articles/<int:article_id>/compare"): (
        "/admin/articles/{article.id}/compare",
        OWNER,
    ),
    ("GET", "/admin/articles/<int:article_id>/notes"): (
        "/admin/articles/{article.id}/notes",
        OWNER,
    ),
    ("POST", "/admin/articles/<int:article_id>/notes"): (
        "/admin/articles/{article.id}/notes",
        staff(422, OWNER),
    ),
    ("POST", "/admin/articles/<int:article_id>/notes/<int:note_id>/resolve"): (
        "/admin/articles/{article.id}/notes/{note.id}/resolve",
        staff(303, OWNER),
    ),
    ("POST", "/admin/articles/<int:article_id>/assignment"): (
        "/admin/articles/{article.id}/assignment",
        staff(303, OWNER),
    ),
    # Only editors send back; without a note the form comes back (422).
    ("POST", "/admin/articles/<int:article_id>/send-back"): (
        "/admin/articles/{article.id}/send-back",
        staff(422, EDITORS),
    ),
    ("GET", "/admin/calendar"): ("/admin/calendar", WRITERS),
    ("GET", "/admin/calendar/week"): ("/admin/calendar/week", WRITERS),
    ("POST", "/admin/articles/render"): ("/admin/articles/render", WRITERS),
    ("POST", "/admin/articles/images"): ("/admin/articles/images", staff(400, WRITERS)),
    ("GET", "/admin/front-page"): ("/admin/front-page", EDITORS),
    ("POST", "/admin/front-page"): ("/admin/front-page", staff(422, EDITORS)),
    # ---- admin: images
    ("GET", "/admin/images"): ("/admin/images", WRITERS),
    ("POST", "/admin/images"): ("/admin/images", staff(422, WRITERS)),
    ("POST", "/admin/images/<int:upload_id>/delete"): (
        "/admin/images/{upload.id}/delete",
        staff(303, EDITORS),
    ),
    ("POST", "/admin/images/media/<int:media_id>/delete"): (
        "/admin/images/media/{media.id}/delete",
        staff(303, EDITORS),
    ),
    # ---- admin: comments
    ("GET", "/admin/comments"): ("/admin/comments?view=all&q=harbour", EDITORS),
    ("POST", "/admin/comments/<int:comment_id>/<any(approve, spam, remove, restore):action>"): (
        "/admin/comments/{comment.id}/spam",
        staff(303, EDITORS),
    ),
    ("POST", "/admin/comments/bulk"): ("/admin/comments/bulk", staff(303, EDITORS)),
    ("POST", "/admin/comments/block/<int:user_id>"): (
        "/admin/comments/block/{reader.id}",
        staff(303, EDITORS),
    ),
    ("POST", "/admin/comments/unblock/<int:user_id>"): (
        "/admin/comments/unblock/{reader.id}",
        staff(303, EDITORS),
    ),
    # ---- admin: categories, tags, pages
    ("GET", "/admin/categories"): ("/admin/categories", EDITORS),
    ("POST", "/admin/categories"): ("/admin/categories", staff(422, EDITORS)),
    ("GET", "/admin/categories/<int:category_id>/edit"): (
        "/admin/categories/{category.id}/edit",
        EDITORS,
    ),
    ("POST", "/admin/categories/<int:category_id>/edit"): (
        "/admin/categories/{category.id}/edit",
        staff(422, EDITORS),
    ),
    ("POST", "/admin/categories/<int:category_id>/move/<any(up, down):direction>"): (
        "/admin/categories/{category.id}/move/down",
        staff(303, EDITORS),
    ),
    ("GET", "/admin/categories/<int:category_id>/delete"): (
        "/admin/categories/{category.id}/delete",
        EDITORS,
    ),
    # `category` holds `article`, so deleting it without a target is refused with 422.
    ("POST", "/admin/categories/<int:category_id>/delete"): (
        "/admin/categories/{category.id}/delete",
        staff(422, EDITORS),
    ),
    ("GET", "/admin/tags"): ("/admin/tags", EDITORS),
    ("GET", "/admin/tags/<int:tag_id>/edit"): ("/admin/tags/{tag.id}/edit", EDITORS),
    ("POST", "/admin/tags/<int:tag_id>/edit"): ("/admin/tags/{tag.id}/edit", staff(422, EDITORS)),
    ("POST", "/admin/tags/<int:tag_id>/merge"): ("/admin/tags/{tag.id}/merge", staff(422, EDITORS)),
    ("POST", "/admin/tags/<int:tag_id>/delete"): (
        "/admin/tags/{tag.id}/delete",
        staff(303, EDITORS),
    ),
    ("GET", "/admin/pages"): ("/admin/pages", EDITORS),
    ("GET", "/admin/pages/new"): ("/admin/pages/new", EDITORS),
    ("POST", "/admin/pages/new"): ("/admin/pages/new", staff(422, EDITORS)),
    ("GET", "/admin/pages/<int:page_id>/edit"): ("/admin/pages/{page.id}/edit", EDITORS),
    ("POST", "/admin/pages/<int:page_id>/edit"): (
        "/admin/pages/{page.id}/edit",
        staff(422, EDITORS),
    ),
    ("GET", "/admin/pages/<int:page_id>/delete"): ("/admin/pages/{page.id}/delete", EDITORS),
    ("POST", "/admin/pages/<int:page_id>/delete"): (
        "/admin/pages/{page.id}/delete",
        staff(303, EDITORS),
    ),
    # ---- admin: users, settings, audit log
    ("GET", "/admin/users"): ("/admin/users?q=r", ADMINS),
    ("GET", "/admin/users/<int:user_id>"): ("/admin/users/{reader.id}", ADMINS),
    ("POST", "/admin/users/<int:user_id>/role"): (
        "/admin/users/{reader.id}/role",
        staff(422, ADMINS),
    ),
    ("POST", "/admin/users/<int:user_id>/deactivate"): (
        "/admin/users/{reader.id}/deactivate",
        staff(303, ADMINS),
    ),
    ("POST", "/admin/users/<int:user_id>/reactivate"): (
        "/admin/users/{reader.id}/reactivate",
        staff(303, ADMINS),
    ),
    ("GET", "/admin/settings"): ("/admin/settings", ADMINS),
    ("POST", "/admin/settings"): ("/admin/settings", staff(422, ADMINS)),
    ("GET", "/admin/audit"): ("/admin/audit", ADMINS),
    ("GET", "/admin/newsletter"): ("/admin/newsletter", EDITORS),
    ("GET", "/admin/newsletter/export.csv"): ("/admin/newsletter/export.csv", EDITORS),
    ("GET", "/admin/newsletter/preview"): ("/admin/newsletter/preview", EDITORS),
    ("GET", "/admin/newsletter/issues/<int:issue_id>"): (
        "/admin/newsletter/issues/{issue.id}",
        EDITORS,
    ),
    ("POST", "/admin/newsletter/import"): ("/admin/newsletter/import", staff(303, EDITORS)),
    ("POST", "/admin/newsletter/test"): ("/admin/newsletter/test", staff(303, EDITORS)),
    ("POST", "/admin/newsletter/issues/<int:issue_id>/resume"): (
        "/admin/newsletter/issues/{issue.id}/resume",
        staff(303, EDITORS),
    ),
    ("POST", "/admin/newsletter/subscribers/<int:subscriber_id>/restore"): (
        "/admin/newsletter/subscribers/{subscriber.id}/restore",
        staff(303, EDITORS),
    ),
    ("GET", "/admin/donations"): ("/admin/donations", EDITORS),
    ("POST", "/admin/donations"): ("/admin/donations", staff(303, EDITORS)),
    ("GET", "/newsletter"): ("/newsletter", PUBLIC),
    # Empty: the form again for anonymous readers, a one-click subscription for members.
    ("POST", "/newsletter"): ("/newsletter", row(422, 303, 303, 303, 303, 303)),
    # The account's subscription: an empty form subscribes it with the default choices.
    ("GET", "/newsletter/account"): ("/newsletter/account", MEMBERS),
    ("POST", "/newsletter/account"): ("/newsletter/account", row(LOGIN, 303, 303, 303, 303, 303)),
    ("POST", "/newsletter/account/unsubscribe"): (
        "/newsletter/account/unsubscribe",
        row(LOGIN, 303, 303, 303, 303, 303),
    ),
    ("GET", "/newsletter/confirm/<token>"): ("/newsletter/confirm/forged", same(400)),
    ("POST", "/newsletter/confirm/<token>"): ("/newsletter/confirm/forged", same(400)),
    ("GET", "/newsletter/preferences/<token>"): ("/newsletter/preferences/forged", same(400)),
    ("POST", "/newsletter/preferences/<token>"): ("/newsletter/preferences/forged", same(400)),
    ("GET", "/newsletter/unsubscribe/<token>"): ("/newsletter/unsubscribe/forged", same(400)),
    ("POST", "/newsletter/unsubscribe/<token>"): ("/newsletter/unsubscribe/forged", same(400)),
    ("GET", "/donate"): ("/donate", PUBLIC),
    # The counting beacon: answered alike for everyone (staff are just not counted).
    ("GET", "/hit"): ("/hit?p=home", PUBLIC),
    ("POST", "/hit"): ("/hit?p=home", same(204)),
    ("GET", "/admin/audience"): ("/admin/audience?days=7", EDITORS),
    ("GET", "/admin/audience/article/<int:article_id>"): (
        "/admin/audience/article/{article.id}",
        EDITORS,
    ),
    ("GET", "/admin/audience/<name>.csv"): ("/admin/audience/funnel.csv", EDITORS),
    ("GET", "/admin/audience/article/<int:article_id>/<name>.csv"): (
        "/admin/audience/article/{article.id}/referrers.csv",
        EDITORS,
    ),
    ("GET", "/donate/go/<choice>"): ("/donate/go/none-configured", same(404)),
    ("GET", "/admin/tools/import"): ("/admin/tools/import", ADMINS),
    ("POST", "/admin/tools/import"): ("/admin/tools/import", staff(400, ADMINS)),
    # No import job exists here: an admin gets 404 (tests/test_admin_wordpress.py has 200).
    ("GET", "/admin/tools/import/<int:job_id>"): ("/admin/tools/import/9", staff(404, ADMINS)),
    # Ghost and Substack (tests/test_admin_imports.py has the 200s).
    ("GET", "/admin/tools/import/<source>"): ("/admin/tools/import/ghost", ADMINS),
    ("POST", "/admin/tools/import/<source>"): ("/admin/tools/import/substack", staff(400, ADMINS)),
    ("GET", "/admin/tools/import/<source>/<int:job_id>"): (
        "/admin/tools/import/ghost/9",
        staff(404, ADMINS),
    ),
    # ---- admin: redirects of old addresses
    ("GET", "/admin/redirects"): ("/admin/redirects?q=old", EDITORS),
    ("GET", "/admin/redirects/new"): ("/admin/redirects/new", EDITORS),
    ("POST", "/admin/redirects/new"): ("/admin/redirects/new", staff(422, EDITORS)),
    ("GET", "/admin/redirects/<int:redirect_id>"): ("/admin/redirects/{redirect.id}", EDITORS),
    ("POST", "/admin/redirects/<int:redirect_id>"): (
        "/admin/redirects/{redirect.id}",
        staff(422, EDITORS),
    ),
    ("POST", "/admin/redirects/<int:redirect_id>/delete"): (
        "/admin/redirects/{redirect.id}/delete",
        staff(303, EDITORS),
    ),
    # ---- trust (issue 26): guest contributors, correction notes, /corrections
    ("GET", "/contributors/<slug>"): ("/contributors/{guest.slug}", PUBLIC),
    ("GET", "/corrections"): ("/corrections", PUBLIC),
    ("GET", "/sitemap-news.xml"): ("/sitemap-news.xml", PUBLIC),
    ("GET", "/feed.json"): ("/feed.json", PUBLIC),
    ("GET", "/category/<slug>/feed.json"): ("/category/{category.slug}/feed.json", PUBLIC),
    # Anyone may copy an article an editor opened for republishing; this one is not open.
    ("GET", "/article/<slug>/republish"): ("/article/{article.slug}/republish", same(404)),
    ("GET", "/republished/<int:article_id>.gif"): ("/republished/{article.id}.gif", PUBLIC),
    ("GET", "/admin/republishing"): ("/admin/republishing", EDITORS),
    ("GET", "/admin/contributors"): ("/admin/contributors", EDITORS),
    ("GET", "/admin/contributors/new"): ("/admin/contributors/new", EDITORS),
    ("POST", "/admin/contributors/new"): ("/admin/contributors/new", staff(422, EDITORS)),
    ("GET", "/admin/contributors/<int:guest_id>/edit"): (
        "/admin/contributors/{guest.id}/edit",
        EDITORS,
    ),
    ("POST", "/admin/contributors/<int:guest_id>/edit"): (
        "/admin/contributors/{guest.id}/edit",
        staff(422, EDITORS),
    ),
    ("POST", "/admin/contributors/<int:guest_id>/delete"): (
        "/admin/contributors/{guest.id}/delete",
        staff(303, EDITORS),
    ),
    ("GET", "/admin/standards"): ("/admin/standards", ADMINS),
    ("POST", "/admin/standards"): ("/admin/standards", staff(422, ADMINS)),
    ("GET", "/admin/articles/<int:article_id>/corrections"): (
        "/admin/articles/{article.id}/corrections",
        EDITORS,
    ),
    ("POST", "/admin/articles/<int:article_id>/corrections"): (
        "/admin/articles/{article.id}/corrections",
        staff(422, EDITORS),
    ),
    ("POST", "/admin/articles/<int:article_id>/corrections/<int:correction_id>/remove"): (
        "/admin/articles/{article.id}/corrections/{correction.id}/remove",
        staff(422, EDITORS),
    ),
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def app_rules(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - IGNORED_METHODS
    }


def test_every_rule_is_in_the_table(app):
    rules = app_rules(app)

    missing = sorted(rules - RULES.keys())
    stale = sorted(RULES.keys() - rules)

    assert not missing, f"add these routes to RULES in {__file__}: {missing}"
    assert not stale, f"these RULES entries match no route any more: {stale}"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def objects(app, reader, author, other_author, editor, admin) -> dict:
    """Everything the URLs in RULES refer to, owned as the table's comments say."""
    category = factories.make_category("Harbour news")
    tag = factories.make_tag("Ports")
    article = factories.make_article(
        "The harbour reopens", author=author, category=category, tags=[tag]
    )
    version = ArticleVersion(
        article_id=article.id, title="Harbour draft", body_source="old text", editor_id=author.id
    )
    comment = factories.make_comment(article, author=reader, status=CommentStatus.APPROVED)
    db.session.add(CommentReport(comment_id=comment.id, reporter_id=other_author.id))
    page = factories.make_page("Ethics policy")
    folder = app.instance_path + "/uploads"
    import os

    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "0123abcd.png"), "wb") as f:
        f.write(png_bytes())
    upload = Upload(filename="0123abcd.png", content_type="image/png", width=8, height=8)
    redirect = Redirect(source="/2019/05/old-harbour", target=f"/article/{article.slug}")
    issue = NewsletterIssue(kind="weekly", period="weekly:2026-W49", subject="This week")
    guest = GuestAuthor(name="Ines Freelance", slug="ines-freelance")
    correction = ArticleCorrection(
        article_id=article.id, kind="correction", text="The pier is 40 m long."
    )
    subscriber = Subscriber(email="bounced@example.com", state=SubscriberState.BOUNCED)
    media = MediaFile(filename=f"{7:032x}.mp3", content_type="audio/mpeg", sha256="7" * 64)
    db.session.add_all([version, upload, redirect, issue, guest, correction, subscriber, media])
    db.session.flush()
    note = ArticleNote(article_id=article.id, author_id=author.id, body="Check the name.")
    db.session.add(note)
    db.session.commit()
    return {
        "guest": guest,
        "correction": correction,
        "note": note,
        "issue": issue,
        "subscriber": subscriber,
        "redirect": redirect,
        "category": category,
        "tag": tag,
        "article": article,
        "version": version,
        "comment": comment,
        "page": page,
        "upload": upload,
        "media": media,
        "reader": reader,
        "author": author,
        "other_author": other_author,
        "editor": editor,
        "admin": admin,
    }


def snapshot_database(app, folder: Path) -> Path:
    """A copy of the test database as it is now (WAL folded in), for `restore_database`."""
    if db.engine.dialect.name == "postgresql":
        return pg_snapshot()
    path = Path(db.engine.url.database)
    db.session.remove()
    db.engine.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    copy = folder / "snapshot.sqlite3"
    shutil.copy(path, copy)
    return copy


def restore_database(copy: Path | str) -> None:
    if db.engine.dialect.name == "postgresql":
        return pg_restore(copy)
    path = Path(db.engine.url.database)
    db.session.remove()
    db.engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.copy(copy, path)


def outcome(response) -> int | str:
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303) and location.startswith("/auth/login"):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize(("method", "rule"), list(RULES), ids=[f"{m} {r}" for m, r in RULES])
def test_rule(app, objects, tmp_path, method, rule):
    """Each persona gets the expected status; POSTs start from the same database each time."""
    template, expected = RULES[(method, rule)]
    url = template.format(**objects)
    users = {p: (objects[p].username if p != "anonymous" else None) for p in PERSONAS}
    snapshot = snapshot_database(app, tmp_path) if method != "GET" else None
    wrong = {}
    for persona in PERSONAS:
        if snapshot is not None:
            restore_database(snapshot)
        client = app.test_client()
        if users[persona]:
            response = client.post(
                "/auth/login", data={"login": users[persona], "password": factories.PASSWORD}
            )
            assert response.status_code == 303, f"could not log in as {persona}"

        response = client.open(url, method=method, data={})
        response.close()  # file responses (static, uploads) hold the file open
        got = outcome(response)

        if got != expected[persona]:
            wrong[persona] = f"expected {expected[persona]}, got {got}"
    assert not wrong, f"{method} {url}: {wrong}"


def test_every_admin_view_sits_in_an_area_that_guards_it(app):
    """A view added to an admin area inherits the area's role guard (blog/admin/common.py)."""
    from blog.admin.views import AREAS
    from blog.models import Role

    expected = {
        "articles": Role.AUTHOR,
        "audience": Role.EDITOR,
        "calendar": Role.AUTHOR,
        "desk": Role.AUTHOR,
        "frontpage": Role.EDITOR,
        "images": Role.AUTHOR,
        "comments": Role.EDITOR,
        "newsletter": Role.EDITOR,
        "pages": Role.EDITOR,
        "redirects": Role.EDITOR,
        "taxonomy": Role.EDITOR,
        "people": Role.ADMIN,
        "site": Role.ADMIN,
        "tools": Role.ADMIN,
        "imports": Role.ADMIN,
        # trust (issue 26)
        "contributors": Role.EDITOR,
        "corrections": Role.EDITOR,
        "republishing": Role.EDITOR,
        "standards": Role.ADMIN,
    }
    assert {area.bp.name: area.bp.area_role for area in AREAS} == expected
    for area in AREAS:
        assert app.before_request_funcs.get(f"admin.{area.bp.name}"), area.bp.name
    admin_endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/admin")}
    outside = {e for e in admin_endpoints if e.count(".") != 2 and e != "admin.dashboard"}
    assert not outside, f"admin views outside an area: {outside}"
    assert {e.split(".")[1] for e in admin_endpoints - {"admin.dashboard"}} == set(expected)


# ---- who may change a publication time (issue 23: an embargo brought forward)


@pytest.mark.parametrize(
    ("persona", "authors_can_publish", "may_move"),
    [("author", False, False), ("author", True, True), ("editor", False, True)],
)
def test_only_those_who_may_publish_move_a_scheduled_time(
    app, client, auth, author, editor, category, persona, authors_can_publish, may_move
):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from blog.core.settings import save_settings
    from blog.core.types import utcnow
    from blog.models import Article

    embargo = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    article = factories.make_article(author=author, category=category, published_at=embargo)
    save_settings({"authors_can_publish": authors_can_publish})
    db.session.commit()
    article_id = article.id
    zone = ZoneInfo(app.config["TIMEZONE"])
    auth.login(author if persona == "author" else editor)

    def save(when) -> object:
        local = when.astimezone(zone)
        return client.post(
            f"/admin/articles/{article_id}/edit",
            data=factories.article_form(
                category,
                title=article.title,
                slug=article.slug,
                status="scheduled",
                publish_date=local.date().isoformat(),
                publish_time=local.strftime("%H:%M"),
            ),
        )

    untouched = save(embargo)
    assert untouched.status_code == 303
    assert db.session.get(Article, article_id).published_at == embargo

    earlier = embargo - timedelta(days=1, hours=23)
    moved = save(earlier)

    stored = db.session.get(Article, article_id).published_at
    if may_move:
        assert moved.status_code == 303 and stored == earlier
    else:
        assert moved.status_code == 422
        assert "Only editors can change when an article is published" in moved.text
        assert stored == embargo and not db.session.get(Article, article_id).is_public
