"""Sudo mode over the url_map (issue 27): every sensitive action asks for the password
or a second factor again when the last check is older than ten minutes, and changes
nothing until then.

The table is read from the running app: a view carries `sudo` when it is wrapped by
`blog.auth.api.sudo_required`, so a new sensitive endpoint (a Ghost import) that adds
the decorator is tested here at once, and one that drops it fails
`test_the_sensitive_endpoints_are_exactly_these`.
"""

import time

import pyotp
import pytest

from blog.auth import factors
from blog.auth.sudo import SUDO_SECONDS
from blog.extensions import db
from blog.models import User
from tests import factories
from tests.security.helpers import build, db_digest, login, rules

# The list: role changes; user export and erasure; subscriber export; settings
# (the site's, whose form also holds the second-factor policy); WordPress imports;
# deleting articles; and the security page's own dangerous buttons. DKIM and the mail
# server are set in the server's configuration, not in the admin (docs/operators.md);
# a Ghost or Substack import adds its endpoint here with the decorator.
SENSITIVE = {
    ("POST", "admin.people.change_role"),
    ("POST", "admin.people.export_data"),
    ("POST", "admin.people.erase_user"),
    ("POST", "admin.people.reset_second_factor"),
    ("GET", "admin.newsletter.newsletter_export"),
    ("GET", "admin.site.settings"),
    ("POST", "admin.site.settings"),
    ("POST", "admin.tools.tools_import_run"),
    ("POST", "admin.imports.import_run"),  # Ghost and Substack
    ("GET", "admin.articles.delete_article"),
    ("POST", "admin.articles.delete_article"),
    ("POST", "factors.totp_remove"),
    ("POST", "factors.recovery_codes"),
    ("POST", "passkeys.remove"),
    # Adding a factor: a stolen session must not tie the account to the thief's phone.
    ("GET", "factors.totp"),
    ("POST", "factors.totp"),
    ("POST", "passkeys.add"),
}


IDS = [f"{method}-{endpoint}" for method, endpoint in sorted(SENSITIVE)]


def guarded(app) -> set[tuple[str, str]]:
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "sudo", False)
        for method in (rule.methods or ()) - {"HEAD", "OPTIONS"}
    }


def test_the_sensitive_endpoints_are_exactly_these(app):
    assert guarded(app) == SENSITIVE


def form_for(endpoint: str, world) -> dict:
    """A form the action would accept, so only sudo mode can stop it."""
    return {
        "admin.people.change_role": {"role": "3"},
        "admin.people.erase_user": {"comments": "anonymise", "confirm": world.reader.username},
        "admin.site.settings": {"site_name": "Forged", "posts_per_page": "10",
                                "comment_policy": "open", "second_factor_from": "nobody"},
    }.get(endpoint, {})  # fmt: skip


def age_the_check(client, seconds: int = SUDO_SECONDS + 1) -> None:
    with client.session_transaction() as sess:
        sess["checked_at"] = int(time.time()) - seconds


@pytest.mark.parametrize(("method", "endpoint"), sorted(SENSITIVE), ids=IDS)
def test_a_stale_check_asks_again_and_changes_nothing(app, client, world, method, endpoint):
    login(client, world.admin)
    age_the_check(client)
    (rule,) = [r for r in rules(app, method) if r.endpoint == endpoint]
    url = build(app, rule, world, world.admin)
    before = db_digest()

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(
            url, data=form_for(endpoint, world), headers={"Referer": f"http://localhost{url}"}
        )

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/sudo?next=")
    assert db_digest() == before


@pytest.mark.parametrize(("method", "endpoint"), sorted(SENSITIVE), ids=IDS)
def test_a_recent_check_lets_the_action_through(app, client, world, method, endpoint):
    login(client, world.admin)
    age_the_check(client, SUDO_SECONDS - 60)
    (rule,) = [r for r in rules(app, method) if r.endpoint == endpoint]
    url = build(app, rule, world, world.admin)

    response = client.open(url, method=method, data=form_for(endpoint, world))

    assert not response.headers.get("Location", "").startswith("/auth/sudo")


def test_the_password_reopens_sudo_mode_and_comes_back(client, world):
    login(client, world.admin)
    age_the_check(client)
    asked = client.get("/admin/settings")
    target = asked.headers["Location"]

    wrong = client.post(target, data={"password": "not the password"})
    right = client.post(target, data={"password": factories.PASSWORD})

    assert wrong.status_code == 422
    assert "That is not your password" in wrong.get_data(as_text=True)
    assert right.status_code == 303
    assert right.headers["Location"] == "/admin/settings"
    assert client.get("/admin/settings").status_code == 200


def test_a_code_from_the_app_reopens_sudo_mode(client, world):
    secret = pyotp.random_base32()
    admin = db.session.get(User, world.admin.id)
    client.post("/auth/login", data={"login": admin.username, "password": factories.PASSWORD})
    admin.totp_secret = secret
    db.session.commit()
    client.post("/auth/login", data={"login": admin.username, "password": factories.PASSWORD})
    client.post("/auth/login/code", data={"code": pyotp.TOTP(secret).now()})
    age_the_check(client)

    response = client.post(
        "/auth/sudo?next=/admin/settings",
        data={"code": pyotp.TOTP(secret).at(time.time() + factors.STEP)},
    )

    assert response.status_code == 303
    assert client.get("/admin/settings").status_code == 200


def test_a_post_sent_back_to_sudo_returns_to_its_form_page(client, world):
    login(client, world.admin)
    age_the_check(client)

    response = client.post(
        f"/admin/users/{world.reader.id}/role",
        data={"role": "3"},
        headers={"Referer": f"http://localhost/admin/users/{world.reader.id}"},
    )

    assert response.headers["Location"] == (f"/auth/sudo?next=/admin/users/{world.reader.id}")


def test_a_remember_cookie_alone_never_counts_as_a_check(app, world):
    browser = app.test_client()
    browser.post(
        "/auth/login",
        data={"login": world.admin.username, "password": factories.PASSWORD, "remember": "y"},
    )
    remembered = app.test_client()
    remembered.set_cookie("remember_token", browser.get_cookie("remember_token").value)

    assert remembered.get("/admin/").status_code == 200  # logged in by the cookie
    assert remembered.get("/admin/settings").headers["Location"].startswith("/auth/sudo")
