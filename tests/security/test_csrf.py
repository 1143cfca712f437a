"""CSRF, all of it: every POST route of the url_map, what a refused form keeps, and no
state change on any GET route.

With CSRF on, as in production: for each POST rule (enumerated, so a new route is
included automatically), a request that would otherwise succeed is refused with 400
when the token is missing or belongs to another session, and the database is
byte-for-byte the same afterwards. The same request with the session's own token is
not refused by CSRF, which proves the 400s came from the CSRF check.
"""

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from blog.extensions import csrf, db
from blog.models import Comment, Role, ThrottleEvent, User
from tests import factories
from tests.security.helpers import (
    build,
    csrf_token,
    db_digest,
    login,
    rules,
)
from tests.security.routes import endpoints

NEW_PASSWORD = "another long passphrase"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def csrf_refusals(monkeypatch) -> list[str]:
    """The reasons Flask-WTF gave for every CSRF refusal during the test."""
    reasons: list[str] = []
    original = csrf._error_response

    def record(reason: str):
        reasons.append(reason)
        return original(reason)

    monkeypatch.setattr(csrf, "_error_response", record)
    return reasons


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def article_form(world, **extra) -> dict:
    return {
        "title": "Forged headline",
        "summary": "Forged summary",
        "body": "Forged body.",
        "category_id": str(world.category.id),
        "tags": "forged",
        "image_id": "0",
        "status": "published",
        "comments_open": "y",
        **extra,
    }


def payload(endpoint: str, world) -> dict:
    """Form data that makes the request succeed when it carries a valid token."""
    data = {
        "admin.comments.bulk_comments": {"action": "spam", "ids": [str(world.reader_comment.id)]},
        "admin.people.change_role": {"role": str(int(Role.EDITOR))},
        "admin.taxonomy.create_category": {"name": "Forged desk"},
        "admin.taxonomy.delete_category": {"move_to": str(world.other_category.id)},
        "admin.articles.edit_article": article_form(world),
        "admin.taxonomy.edit_category": {"name": "Forged name"},
        "admin.pages.edit_page": {"title": "Forged page", "body": "forged", "position": "0"},
        "admin.taxonomy.edit_tag": {"name": "forgedtag"},
        "admin.taxonomy.merge_tag": {"into": str(world.other_tag.id)},
        "admin.articles.new_article": article_form(world),
        "admin.pages.new_page": {"title": "Forged page", "body": "forged", "position": "0"},
        "admin.articles.preview_existing_article": article_form(world),
        "admin.articles.preview_new_article": article_form(world),
        "admin.site.settings": {
            "site_name": "Forged Times",
            "tagline": "t",
            "about": "a",
            "donate_url": "",
            "donate_text": "d",
            "social_links": "",
            "posts_per_page": "10",
            "comment_policy": "open",
        },
        "admin.images.upload_image": {"image": (io.BytesIO(png_bytes()), "forged.png")},
        "auth.change_email": {
            "email-email": "forged@example.com",
            "email-current_password": factories.PASSWORD,
        },
        "auth.change_password": {
            "password-current_password": factories.PASSWORD,
            "password-new_password": NEW_PASSWORD,
        },
        "auth.delete_account": {
            "delete-current_password": factories.PASSWORD,
            "delete-confirm": "y",
        },
        "auth.login": {"login": world.reader.username, "password": factories.PASSWORD},
        "auth.profile": {"profile-display_name": "Forged Name", "profile-bio": "forged"},
        "factors.totp": {"code": "123456"},
        "factors.verify": {"code": "123456"},
        "factors.sudo": {"password": factories.PASSWORD},
        "passkeys.add": {"name": "Forged key", "credential": "{}"},
        "auth.register": {
            "username": "forged_user",
            "email": "forged-user@example.com",
            "password": NEW_PASSWORD,
        },
        "auth.reset": {"new_password": NEW_PASSWORD},
        "auth.reset_request": {"email": world.reader.email},
        "comments.create": {"body": "A forged comment."},
        "comments.edit": {"body": "A forged edit."},
        "comments.report": {"kind": "other", "reason": "forged"},
        "newsletter.account_save": {"newsletter-frequency": "daily"},
        "newsletter.subscribe": {"email": "forged-subscriber@example.com"},
    }
    return data.get(endpoint, {})


# Endpoints whose valid-token request must change the database (the rest may not:
# previews, a login that only changes the cookie, reactivating an active user).
CHANGES_STATE = {
    "admin.articles.delete_article", "admin.articles.edit_article", "admin.articles.new_article",
    "admin.articles.restore_version", "admin.comments.block_commenter",
    "admin.comments.bulk_comments", "admin.comments.moderate_comment", "admin.images.delete_image",
    "admin.images.delete_media", "admin.images.upload_image", "admin.pages.delete_page",
    "admin.pages.edit_page",
    "admin.pages.new_page", "admin.people.change_role", "admin.people.deactivate_user",
    "admin.site.settings", "admin.taxonomy.create_category", "admin.taxonomy.delete_category",
    "admin.taxonomy.delete_tag", "admin.taxonomy.edit_category", "admin.taxonomy.edit_tag",
    "admin.taxonomy.merge_tag", "admin.taxonomy.move_category", "auth.change_email",
    "auth.change_password", "auth.delete_account", "auth.logout", "auth.profile", "auth.register",
    "auth.reset", "auth.reset_request", "comments.create", "comments.delete", "comments.edit",
    "comments.report",
    "newsletter.account_save", "newsletter.subscribe", "admin.newsletter.newsletter_restore",
    "admin.people.reset_second_factor", "factors.end_session", "factors.end_other_sessions",
}  # fmt: skip

# RFC 8058 one-click unsubscribe: mail clients POST without any session or token; the
# signed token in the URL is the authorisation (a forged one is a 400 that changes
# nothing: tests/test_authorization.py, tests/test_newsletter.py).
# The audience beacon (issue 28): sent by cached pages that carry no token, it changes
# nothing a reader owns; blog/audience/beacon.py refuses other sites' requests instead
# (Sec-Fetch-Site / Origin: tests/test_audience_counting.py).
CSRF_EXEMPT = {"newsletter.unsubscribe", "audience.hit"}
POST_ENDPOINTS = [e for e in endpoints("POST") if e not in CSRF_EXEMPT]
CASES = [("admin", e) for e in POST_ENDPOINTS] + [
    ("reader", e) for e in POST_ENDPOINTS if e.startswith(("comments.", "auth."))
]


def post_rule(app, endpoint: str):
    (rule,) = [r for r in rules(app, "POST") if r.endpoint == endpoint]
    return rule


def fresh_payload(endpoint, world) -> dict:
    data = payload(endpoint, world)
    # File objects are consumed by a request; give each request its own.
    return {
        k: (io.BytesIO(png_bytes()), v[1]) if isinstance(v, tuple) else v for k, v in data.items()
    }


@pytest.mark.parametrize(("who", "endpoint"), CASES, ids=[f"{w}-{e}" for w, e in CASES])
def test_post_without_a_valid_token_is_refused_and_changes_nothing(
    app, client, world, csrf_refusals, who, endpoint
):
    actor = world.admin if who == "admin" else world.reader
    login(client, actor)
    url = build(app, post_rule(app, endpoint), world, actor)
    foreign = csrf_token(app.test_client(), "/auth/login")  # another browser's session
    before = db_digest()

    missing = client.post(url, data=fresh_payload(endpoint, world))
    forged = client.post(url, data=fresh_payload(endpoint, world) | {"csrf_token": foreign})

    assert missing.status_code == 400
    assert forged.status_code == 400
    assert len(csrf_refusals) == 2, csrf_refusals
    assert "missing" in csrf_refusals[0].lower()
    assert "match" in csrf_refusals[1].lower()
    assert db_digest() == before

    # Control: the same request with this session's token passes the CSRF check.
    token = csrf_token(client, "/")
    response = client.post(url, data=fresh_payload(endpoint, world) | {"csrf_token": token})

    assert len(csrf_refusals) == 2, f"valid token refused: {csrf_refusals[2:]}"
    assert response.status_code < 500
    if endpoint in CHANGES_STATE and not (who == "admin" and endpoint == "auth.delete_account"):
        assert db_digest() != before, f"control request changed nothing ({response.status_code})"


def test_every_post_endpoint_of_the_running_app_has_a_case(app):
    """The cases above are computed when this module is imported; the running app's own
    url_map is read here, so a route added later, or one the case list dropped, fails."""
    posting = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
    covered = {endpoint for who, endpoint in CASES if who == "admin"}

    assert posting - CSRF_EXEMPT - covered == set(), "POST routes without a CSRF case"
    assert covered <= posting, "CSRF cases for routes that no longer exist"
    assert {
        "auth.logout",
        "comments.create",
        "comments.report",
        "admin.people.change_role",
    } <= covered
    # Only these skip Flask-WTF's automatic check: the unsubscribe and the beacon
    # (CSRF_EXEMPT), and the WordPress, Ghost and Substack imports, which raise their
    # upload limit first and then run the same check themselves (their cases above prove
    # they refuse a missing or forged token).
    from blog.extensions import csrf

    exempt = {view.rsplit(".", 1)[-1] for view in csrf._exempt_views}
    assert exempt == {"unsubscribe", "tools_import_run", "import_run", "hit"}


GET_ENDPOINTS = endpoints("GET")


@pytest.mark.parametrize("who", ["admin", "reader", "anonymous"])
def test_no_get_route_changes_state(app, client, world, who):
    if who != "anonymous":
        login(client, world.admin if who == "admin" else world.reader)
    actor = world.reader if who == "reader" else world.admin
    before = db_digest()
    visited = []

    for rule in rules(app, "GET"):
        url = build(app, rule, world, actor)
        response = client.get(url)
        visited.append((url, response.status_code))
        assert response.status_code < 500, url

    assert db_digest() == before, visited
    # Every GET route of the running app was requested, whatever rules() returned.
    every_get = {r.rule for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    assert {rule.rule for rule in rules(app, "GET")} == every_get
    assert len(visited) == len(every_get) > 40


# ---------------------------------------------------------------- what the session keeps
# The digest above proves the database unchanged; these prove what the browser's session
# and the reader's text become when a token is missing.


def test_login_without_a_token_logs_nobody_in_and_counts_no_failure(client, world):
    no_token = client.post(
        "/auth/login", data={"login": world.reader.username, "password": factories.PASSWORD}
    )
    forged = client.post(
        "/auth/login",
        data={
            "login": world.reader.username,
            "password": factories.PASSWORD,
            "csrf_token": "forged",
        },
    )

    assert (no_token.status_code, forged.status_code) == (400, 400)
    assert client.get("/auth/account").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThrottleEvent)) == 0
    login(client, world.reader)  # with the page's token it works
    assert client.get("/auth/account").status_code == 200


def test_logout_without_a_token_keeps_the_session(client, world):
    login(client, world.reader)
    session_token = world.reader.session_token

    response = client.post("/auth/logout")

    assert response.status_code == 400
    assert client.get("/auth/account").status_code == 200
    assert db.session.get(User, world.reader.id).session_token == session_token
    token = csrf_token(client, "/auth/account")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/auth/account").status_code == 302


def test_a_comment_refused_for_its_token_comes_back_with_its_text(client, world):
    login(client, world.reader)
    article = world.article
    before = db.session.scalar(sa.select(sa.func.count(Comment.id)))

    response = client.post(f"/article/{article.slug}/comments", data={"body": "No token here"})

    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "No token here" in text
    assert "Your session expired or the form was out of date" in text
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == before
