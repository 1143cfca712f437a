"""The edge: Debian's nginx with the generated site config in front of a real gunicorn.

One site, one gunicorn (PROXY_COUNT=1, anonymous pages `max-age=60, s-maxage=1`, its
access log kept to count what reaches it) and one nginx for the module; the rate-limit
test gets an nginx of its own so its counters start empty.
"""

import re
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from blog import create_app
from blog.extensions import db
from blog.models import Category, Role
from tests import factories
from tests.conftest import AuthActions
from tests.edge import Nginx, require_nginx
from tests.live import ARTICLE_SLUG, ROOT, Browser, Gunicorn, prepare_site

EDGE_SECONDS = 1  # EDGE_CACHE_SECONDS: the s-maxage nginx keeps a page fresh for
FRESH_WITHIN = 2.0  # issue 29: from a save to the fresh page at the edge
ARTICLE = f"/article/{ARTICLE_SLUG}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_nginx()
    site = prepare_site(tmp_path_factory.mktemp("edge"), readers=2)
    access_log = site.folder / "gunicorn-access.log"
    site.env |= {"BLOG_PROXY_COUNT": "1", "GUNICORN_CMD_ARGS": f"--access-logfile {access_log}"}
    site.access_log = access_log
    yield site
    site.drop()


@pytest.fixture(scope="module")
def app_server(site):
    with Gunicorn(site.env, site.folder, workers=2) as server:
        yield server


@pytest.fixture(scope="module")
def edge(site, app_server):
    with Nginx(site.folder / "nginx", app_server.port, site.instance) as nginx:
        yield nginx


@pytest.fixture(scope="module")
def newsroom(site):
    """The same site in this process, for an editor's changes through the real admin."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BLOG_INSTANCE_PATH", str(site.instance))
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": site.uri,
                "SECRET_KEY": site.secret,
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            editor = factories.make_user(Role.EDITOR, username="edgeeditor")
            db.session.commit()
            client = app.test_client()
            AuthActions(client).login(editor)
            yield client
            db.session.remove()
            db.engine.dispose()


def get(port: int, path: str, browser: Browser | None = None):
    return (browser or Browser(port)).request("GET", path)


def wait_for(predicate, seconds: float) -> float:
    """Seconds until predicate() was true; fails after `seconds`."""
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - start


def article_form(title: str, category_id: int, slug: str = "") -> dict:
    return {
        "title": title,
        "slug": slug,
        "summary": "Checked through nginx.",
        "body": "Written while nginx was caching.",
        "category_id": str(category_id),
        "tags": "",
        "image_id": "0",
        "image_alt": "",
        "comments_open": "y",
        "status": "published",
        "publish_date": "",
        "publish_time": "",
    }


def test_generated_config_passes_nginx_t(edge):
    result = edge.check()

    assert result.returncode == 0, result.stderr
    # The app's Cache-Control decides how long a page is kept, nothing overrides it.
    assert not re.search(r"^\s*proxy_cache_valid", edge.site_conf, re.M)


def test_tls_config_passes_nginx_t(tmp_path):
    """The production form (TLS, redirect, HSTS) with a throwaway self-signed certificate."""
    nginx = Nginx(tmp_path, 8000, tmp_path / "instance")
    certs = tmp_path / "certs"
    certs.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=example.org", "-keyout", str(certs / "privkey.pem"),
         "-out", str(certs / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    from blog.ops.deployconfig import DeploySettings, render

    conf = render(
        DeploySettings(
            domain="example.org",
            cert_dir=str(certs),
            cache_dir=str(tmp_path / "cache"),
            log_dir=str(tmp_path / "logs"),
        )
    )["newsroom.nginx.conf"]
    (tmp_path / "site.conf").write_text(conf.replace("listen [::]:", "listen 127.0.0.1:1"))

    result = nginx.check()

    assert result.returncode == 0, result.stderr
    assert "return 301 https://$host$request_uri;" in conf
    assert "Strict-Transport-Security" in conf
    assert "ssl_certificate " + str(certs / "fullchain.pem") in conf


def test_anonymous_page_is_a_hit_the_second_time(edge):
    get(edge.port, "/category/world")

    status, headers, first = get(edge.port, "/category/world")
    _, again_headers, again = get(edge.port, "/category/world")

    assert status == 200
    assert {headers["X-Edge-Cache"], again_headers["X-Edge-Cache"]} == {"HIT"}
    assert again == first
    assert "Log in" in again


def test_logged_in_reader_is_never_cached_nor_served_another_readers_page(site, edge):
    anonymous = get(edge.port, ARTICLE)[2]
    readers = []
    for username in site.usernames:
        browser = Browser(edge.port)
        browser.login_for_comments(username)  # through nginx, the real form
        readers.append((username.title(), browser))

    pages = [(name, get(edge.port, ARTICLE, browser)) for name, browser in readers * 2]

    for name, (status, headers, html) in pages:
        assert status == 200
        assert headers["X-Edge-Cache"] == "BYPASS"
        assert headers["Cache-Control"] == "private, no-store"
        assert name in html and "Log out" in html
        others = [other for other, _ in readers if other != name]
        assert not any(other in html for other in others)
    status, headers, html = get(edge.port, ARTICLE)
    assert headers["X-Edge-Cache"] == "HIT" and html == anonymous
    stored = b"".join(p.read_bytes() for p in edge.cache.rglob("*") if p.is_file())
    assert stored and not any(name.encode() in stored for name, _ in readers)


def test_edit_and_publish_are_fresh_at_the_edge_within_two_seconds(site, edge, newsroom):
    get(edge.port, ARTICLE)
    # The edge's copy: UPDATING when a busy host took over a second (s-maxage=1).
    assert get(edge.port, ARTICLE)[1]["X-Edge-Cache"] in ("HIT", "UPDATING")
    get(edge.port, "/")
    with newsroom.application.app_context():
        category_id = db.session.scalars(db.select(Category.id)).first()
    edited = article_form("Under load, corrected", category_id, ARTICLE_SLUG)

    response = newsroom.post(f"/admin/articles/{site.article_id}/edit", data=edited)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    seconds = wait_for(lambda: "Under load, corrected" in get(edge.port, ARTICLE)[2], 10)

    assert seconds <= FRESH_WITHIN  # s-maxage=1, then one background revalidation
    response = newsroom.post(
        "/admin/articles/new", data=article_form("Fresh from the desk", category_id)
    )
    assert response.status_code in (302, 303)
    seconds = wait_for(lambda: "Fresh from the desk" in get(edge.port, "/")[2], 10)
    assert seconds <= FRESH_WITHIN


def test_a_busy_url_reaches_gunicorn_about_once_a_second(site, edge):
    path = "/category/world"
    get(edge.port, path)
    time.sleep(0.5)
    before = len(site.access_log.read_text().splitlines())
    stop = threading.Event()
    answers: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            answers.append(get(edge.port, path)[0])

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(reader) for _ in range(8)]
        time.sleep(4)
        stop.set()
        for future in futures:
            future.result()
    time.sleep(0.5)  # gunicorn writes its access log after the answer

    reached = [line for line in site.access_log.read_text().splitlines()[before:] if path in line]
    assert set(answers) == {200} and len(answers) > 40
    assert len(reached) <= 4 / EDGE_SECONDS + 2, reached  # once a second, give or take one
    assert any('" 304 ' in line for line in reached), reached  # revalidated by ETag


def test_static_files_and_uploads_come_from_disk(site, edge):
    uploads = site.instance / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    png = (ROOT / "blog" / "static" / "favicon.svg").read_bytes()
    (uploads / "0123abcd.png").write_bytes(b"\x89PNG\r\n\x1a\n" + png)
    (uploads / "0123abcd.webp").write_bytes(b"RIFF0000WEBPVP8 ")
    (uploads / "notes.txt").write_text("not an image")
    mp3, pdf = b"ID3\x04\x00\x00\x00\x00\x00\x00 sound", b"%PDF-1.7\n%%EOF\n"
    (uploads / "0123abcd.mp3").write_bytes(mp3)
    (uploads / "0123abcd.pdf").write_bytes(pdf)
    cases = [
        ("/static/style.css", "text/css", (ROOT / "blog/static/style.css").read_bytes()),
        ("/static/favicon.svg", "image/svg+xml", png),
        ("/uploads/0123abcd.png", "image/png", b"\x89PNG\r\n\x1a\n" + png),
        ("/uploads/0123abcd.webp", "image/webp", b"RIFF0000WEBPVP8 "),
        ("/uploads/0123abcd.mp3", "audio/mpeg", mp3),
        ("/uploads/0123abcd.pdf", "application/pdf", pdf),
    ]

    stylesheet = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{10})"', get(edge.port, "/")[2])
    assert stylesheet, "the stylesheet link carries no version token"
    cases.append((stylesheet.group(1), "text/css", cases[0][2]))

    for path, content_type, body in cases:
        status, headers, _ = get(edge.port, path)
        raw = raw_get(edge.port, path)
        assert status == 200, path
        assert headers["Content-Type"] == content_type, path
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable", path
        assert headers["X-Content-Type-Options"] == "nosniff"
        # Every answer of the app carries its CSP; nginx's own files do not.
        assert "Content-Security-Policy" not in headers, path
        assert raw == body, path
        # A PDF is a download from nginx as from the app (docs/security.md).
        assert headers.get("Content-Disposition") == ("attachment" if ".pdf" in path else None)
    for path in (
        "/uploads/notes.txt",
        "/uploads/%2e%2e/secret_key",
        "/uploads/../instance/secret_key",
    ):
        assert get(edge.port, path)[0] in (400, 404), path


def raw_get(port: int, path: str) -> bytes:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    finally:
        conn.close()


def test_gunicorn_restart_under_load_gives_readers_no_5xx(site, app_server, edge):
    get(edge.port, ARTICLE)
    statuses: list[tuple[int, str]] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            status, headers, _ = get(edge.port, ARTICLE)
            statuses.append((status, headers.get("X-Edge-Cache", "")))

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(reader) for _ in range(4)]
        time.sleep(0.5)
        app_server.__exit__()
        time.sleep(EDGE_SECONDS + 1)  # every cached copy has expired while the app is down
        app_server.__enter__()
        time.sleep(0.5)
        stop.set()
        for future in futures:
            future.result()

    assert statuses and all(status == 200 for status, _ in statuses), {
        s for s in statuses if s[0] != 200
    }
    assert any(cache == "STALE" for _, cache in statuses)
    assert get(edge.port, "/healthz")[0] == 200


def test_auth_posts_are_rate_limited_by_nginx(site, app_server, tmp_path):
    with Nginx(tmp_path / "nginx", app_server.port, site.instance) as nginx:
        answers = []
        for n in range(14):
            status, headers, _ = Browser(nginx.port).request(
                "POST", "/auth/login", {"login": f"nobody{n}", "password": "x"}
            )
            answers.append((status, "Content-Security-Policy" in headers))

    assert all(status != 429 for status, _ in answers[:10])
    assert (429, False) in answers[10:]  # nginx's answer, not the app's


def test_two_app_servers_share_one_upstream_zone(runner, tmp_path):
    """`deploy-config --upstream A --upstream B`: both servers in one upstream with a
    shared zone (health known to every nginx worker); this server's unit binds A."""
    out = tmp_path / "out"
    servers = ["--upstream", "10.0.0.1:8000", "--upstream", "10.0.0.2:8000"]
    result = runner.invoke(
        args=["deploy-config", "--domain", "news.example.org", "--out", str(out), *servers]
    )
    assert result.exit_code == 0, result.output
    conf = (out / "newsroom.nginx.conf").read_text()
    upstream = re.search(r"upstream newsroom_app \{(.*?)\}", conf, re.S).group(1)
    assert "zone newsroom_app 64k;" in upstream
    assert re.findall(r"server (\S+) max_fails=3 fail_timeout=10s;", upstream) == [
        "10.0.0.1:8000", "10.0.0.2:8000"]  # fmt: skip
    assert "--bind 10.0.0.1:8000" in (out / "newsroom.service").read_text()

    bad = runner.invoke(args=["deploy-config", "--domain", "news.example.org", "--out", str(out),
                              "--upstream", "10.0.0.1:8000; evil"])  # fmt: skip
    assert bad.exit_code != 0 and "host:port" in bad.output


def test_a_two_server_config_passes_nginx_t(tmp_path):
    from blog.ops.deployconfig import DeploySettings, render

    nginx = Nginx(tmp_path, 8000, tmp_path / "instance")
    conf = render(
        DeploySettings(domain="localhost", tls=False, listen=f"127.0.0.1:{nginx.port}",
                       upstreams=["127.0.0.1:8001", "127.0.0.1:8002"],
                       cache_dir=str(tmp_path / "cache"), log_dir=str(tmp_path / "logs"))
    )["newsroom.nginx.conf"]  # fmt: skip
    (tmp_path / "site.conf").write_text(conf)

    result = nginx.check()

    assert result.returncode == 0, result.stderr
