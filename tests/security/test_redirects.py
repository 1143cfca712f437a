"""Open redirects: no `next` value sends the browser to another site."""

from functools import partial
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.security import generate_password_hash

from tests import factories
from tests.security.helpers import is_local_location, login, parse

HOSTILE_NEXT = [
    "//evil.example",
    "//evil.example/path",
    "https://evil.example",
    "http://evil.example/",
    "HTTPS://EVIL.EXAMPLE",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "///evil.example",
    "////evil.example",
    "http:evil.example",
    "https:/evil.example",
    "http:/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "//evil.example@newsroom.test",
    "https://newsroom.test@evil.example",
    "//%09/evil.example",
    "/.//evil.example",
    "//ｅｖｉｌ.example",
    "/\u3002/evil.example",
    "\x00//evil.example",
    "/\x00/evil.example",
    "mailto:x@evil.example",
    "vbscript:msgbox(1)",
    "ftp://evil.example",
]


def off_site(responses) -> list:
    """The (target, Location) pairs that would take a browser elsewhere."""
    return [
        (target, r.status_code, r.headers.get("Location"))
        for target, r in responses
        if r.status_code not in (302, 303) or not is_local_location(r.headers.get("Location"))
    ]


def test_login_never_redirects_off_site(client, reader):
    responses = []
    for target in HOSTILE_NEXT:
        client._cookies.clear()
        responses.append(
            (
                target,
                client.post(
                    "/auth/login",
                    query_string={"next": target},
                    data={"login": reader.username, "password": factories.PASSWORD},
                ),
            )
        )

    assert off_site(responses) == []


def test_login_page_of_a_logged_in_user_never_redirects_off_site(client, reader):
    login(client, reader)

    responses = [(t, client.get("/auth/login", query_string={"next": t})) for t in HOSTILE_NEXT]

    assert off_site(responses) == []


def test_the_login_form_does_not_carry_a_hostile_next(client):
    for target in HOSTILE_NEXT:
        html = client.get("/auth/login", query_string={"next": target}).get_data(as_text=True)
        # The login form, not the footer's subscribe box.
        (form,) = [
            f
            for f in parse(html).iter("form")
            if f.get("method") == "post" and f.get("action", "").startswith("/auth/login")
        ]

        carried = parse_qs(urlsplit(form.get("action")).query).get("next", [])

        assert all(is_local_location(n) for n in carried), (target, carried)
        assert "javascript:" not in html.lower()


def test_register_never_redirects_off_site(client, monkeypatch):
    # scrypt at ~0.1 s a registration is not what this test is about.
    cheap = partial(generate_password_hash, method="pbkdf2:sha256:1000")
    monkeypatch.setattr("blog.auth.views.generate_password_hash", cheap)
    # Nor is the per-IP limit on registrations (tests/test_auth_register.py).
    monkeypatch.setitem(client.application.config, "REGISTER_MAX_PER_IP", len(HOSTILE_NEXT))
    responses = []
    for n, target in enumerate(HOSTILE_NEXT):
        client._cookies.clear()
        responses.append(
            (
                target,
                client.post(
                    "/auth/register",
                    query_string={"next": target},
                    data={
                        "username": f"newcomer{n}",
                        "email": f"new{n}@example.com",
                        "password": "a fine passphrase",
                    },
                ),
            )
        )

    assert off_site(responses) == []


def test_admin_moderation_never_redirects_off_site(client, world):
    login(client, world.admin)
    url = f"/admin/comments/{world.reader_comment.id}/approve"

    responses = [(t, client.post(url, data={"next": t})) for t in HOSTILE_NEXT]

    assert off_site(responses) == []


@pytest.mark.parametrize(
    "good", ["/article/some-slug", "/search?q=a%20b", "/category/x?page=2#top", "/"]
)
def test_local_paths_are_kept(client, reader, good):
    response = client.post(
        "/auth/login",
        query_string={"next": good},
        data={"login": reader.username, "password": factories.PASSWORD},
    )

    assert response.headers["Location"] == good


def test_the_location_checker_sees_what_a_browser_sees():
    assert not is_local_location("/\t/evil.example")
    assert not is_local_location("/\\evil.example")
    assert not is_local_location("https://evil.example/")
    assert is_local_location("/article/x")
    assert is_local_location("http://newsroom.test/")
