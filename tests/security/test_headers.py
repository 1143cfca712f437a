"""Security headers on every kind of response: pages, error pages, static files, feeds."""

import pytest

import blog
from blog.extensions import csrf
from tests.security.helpers import build, login, rules

DIRECTIVES = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    # Not https: an image on another host (an imported body's intranet server) is
    # never fetched; IMAGE_HOSTS adds a CDN.
    "img-src": "'self'",
    # Players in bodies play this site's stored files only (blog/core/media.py).
    "media-src": "'self'",
}


def csp_directives(value: str) -> dict[str, str]:
    pairs = (part.strip().split(None, 1) for part in value.split(";") if part.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in pairs}


def assert_security_headers(response, *, https: bool = False) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp == blog.content_security_policy()
    directives = csp_directives(csp)
    for name, value in DIRECTIVES.items():
        assert directives.get(name) == value, (name, csp)
    assert "unsafe-" not in csp and "*" not in csp.replace("https:", "")
    assert "script-src" not in directives or "'unsafe-inline'" not in directives["script-src"]
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert "X-Powered-By" not in headers
    assert "Server" not in headers or not any(c.isdigit() for c in headers["Server"])
    if https:
        hsts = headers.get("Strict-Transport-Security", "")
        assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 15552000
    else:
        assert "Strict-Transport-Security" not in headers


@pytest.fixture
def boom(app):
    """A route that raises, registered before the app's first request."""

    def explode():
        raise RuntimeError("kaboom with a secret path /etc/shadow")

    app.add_url_rule("/__boom", "boom", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return "/__boom"


ANONYMOUS_URLS = [
    ("home", "/", 200),
    ("static css", "/static/style.css", 200),
    ("static svg", "/static/favicon.svg", 200),
    ("feed", "/feed.xml", 200),
    ("robots", "/robots.txt", 200),
    ("sitemap", "/sitemap.xml", 200),
    ("news sitemap", "/sitemap-news.xml", 200),
    ("json feed", "/feed.json", 200),
    ("healthz", "/healthz", 200),
    ("search", "/search?q=x", 200),
    ("login", "/auth/login", 200),
    ("404", "/article/no-such-article", 404),
    ("404 static", "/static/nope.css", 404),
    ("405", "/auth/logout", 405),
    ("redirect", "/auth/account", 302),
]


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
@pytest.mark.parametrize(
    ("name", "url", "status"), ANONYMOUS_URLS, ids=[u[0] for u in ANONYMOUS_URLS]
)
def test_anonymous_responses_carry_the_headers(app, client, boom, name, url, status, https):
    base = "https://newsroom.test" if https else "http://newsroom.test"

    response = client.get(url, base_url=base)

    assert response.status_code == status
    assert_security_headers(response, https=https)


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_a_500_page_has_the_headers_and_no_traceback(app, client, boom, https):
    response = client.get(boom, base_url="https://newsroom.test" if https else "http://x.test")

    assert response.status_code == 500
    assert_security_headers(response, https=https)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "kaboom" not in body and "/etc/shadow" not in body
    assert "no-store" in response.headers["Cache-Control"]


def test_a_400_csrf_refusal_has_the_headers(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/auth/login", data={"login": "x", "password": "y"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert csrf is not None
    assert response.status_code == 400
    assert_security_headers(response)


def test_a_403_page_has_the_headers(app, client, reader):
    login(client, reader)

    response = client.get("/admin/")

    assert response.status_code == 403
    assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_a_413_page_has_the_headers(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000

    response = client.post("/auth/login", data={"login": "x" * 5000, "password": "y"})

    assert response.status_code == 413
    assert_security_headers(response)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "Strict-Transport-Security" in client.get("/", base_url="https://newsroom.test").headers


def test_no_version_banner_even_on_errors(client):
    for url in ("/", "/nope", "/static/style.css"):
        headers = client.get(url).headers
        assert "X-Powered-By" not in headers
        for value in headers.values():
            assert "Werkzeug" not in value and "Python/" not in value and "Flask" not in value


@pytest.mark.parametrize("who", ["reader", "author", "admin"])
def test_every_logged_in_page_is_private_no_store(app, client, world, who):
    actor = {"reader": world.reader, "author": world.author, "admin": world.admin}[who]
    login(client, actor)
    checked = 0

    for rule in rules(app, "GET"):
        url = build(app, rule, world, actor)
        response = client.get(url)
        assert_security_headers(response)
        checked += 1
        if rule.endpoint in ("static", "public.upload"):
            continue  # the same file for everyone; nothing personal to leak
        cache_control = response.headers.get("Cache-Control", "")
        assert "no-store" in cache_control, (url, cache_control)
        assert "public" not in cache_control, url
        if response.mimetype == "text/html":
            assert "private" in cache_control, (url, cache_control)

    assert checked == len(rules(app, "GET"))


def test_admin_and_auth_pages_are_no_store_even_for_anonymous_visitors(client):
    for url in ("/auth/login", "/auth/register", "/auth/reset", "/admin/"):
        cache_control = client.get(url).headers.get("Cache-Control", "")
        assert "no-store" in cache_control and "public" not in cache_control, url


def test_session_cookie_flags(app, client, reader):
    login(client, reader)

    cookie = client.get_cookie("session")

    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_images_from_other_hosts_are_not_fetched_unless_listed(app):
    from blog import content_security_policy
    from blog.core.keyfile import ConfigError

    assert "img-src 'self';" in content_security_policy()
    listed = content_security_policy("https://cdn.example.org https://img.example.net:8443")
    assert "img-src 'self' https://cdn.example.org https://img.example.net:8443;" in listed
    for wrong in ("http://cdn.example.org", "https:", "*", "https://x.org; script-src *"):
        with pytest.raises(ConfigError, match="IMAGE_HOSTS"):
            content_security_policy(wrong)


def test_an_image_host_setting_reaches_every_answer(tmp_path, migrated_db):
    from tests.conftest import standalone_app

    with standalone_app(tmp_path, migrated_db, {"IMAGE_HOSTS": "https://cdn.example.org"}) as app:
        csp = app.test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' https://cdn.example.org;" in csp
