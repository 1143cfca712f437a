"""Bench rows through nginx (the generated site config), side by side in one run.

    .venv/bin/python bench/edge.py [--seconds 5] [--spike-seconds 10] [--spike 500]

It builds the test site of tests/live.py (migrated SQLite, one article, readers), serves
it with gunicorn (2 sync workers, PROXY_COUNT=1, an access log) behind Debian's nginx
started with the HTTP-only form of deploy/newsroom.nginx.conf (tests/edge.py), plus a
second nginx server block serving the article's exact bytes as a static file. Then wrk:

- static: nginx serving the article's bytes from disk (the physical limit);
- article through the micro-cache (anonymous), as a ratio to static;
- the logged-in article through nginx (bypass), beside the same page straight from
  gunicorn: the bypass should cost nothing;
- a spike of --spike connections on the article for --spike-seconds: errors, p99, and
  how many requests reached gunicorn per second (its access log);
- edge freshness: an editor saves the article (--edits times, through the real admin
  form of an app on the same database) while a reader polls the edge every 50 ms;
  the seconds from the save's answer to the first fresh page, mean and worst.
Prints a Markdown table. Everything it starts is stopped.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT / "bench"), str(ROOT)) if p not in sys.path]

from load import run_wrk  # noqa: E402 - bench/load.py, once the path is set

from tests.edge import Nginx  # noqa: E402
from tests.live import ARTICLE_SLUG, Browser, Gunicorn, free_port, prepare_site  # noqa: E402

ARTICLE = f"/article/{ARTICLE_SLUG}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--spike", type=int, default=500)
    parser.add_argument("--spike-seconds", type=int, default=10)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if not wrk:
        print("wrk is needed (apt-get install wrk)")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="bench-edge-"))
    try:
        return measure(wrk, folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(wrk: str, folder: Path, args: argparse.Namespace) -> int:
    site = prepare_site(folder / "site", readers=1)
    access_log = folder / "gunicorn-access.log"
    env = site.env | {
        "BLOG_PROXY_COUNT": "1",
        "GUNICORN_CMD_ARGS": f"--access-logfile {access_log}",
    }
    static_port = free_port()
    static_root = folder / "static-copy"
    static_root.mkdir()
    extra = (
        f"    server {{ listen 127.0.0.1:{static_port}; root {static_root}; "
        "access_log off; default_type text/html; }\n"
    )
    rows = []
    with (
        Gunicorn(env, folder, workers=2) as app,
        Nginx(folder / "nginx", app.port, site.instance, extra=extra) as edge,
    ):
        _, _, html = Browser(edge.port).request("GET", ARTICLE)
        (static_root / "article.html").write_bytes(html.encode())
        reader = Browser(edge.port)
        reader.login_for_comments(site.usernames[0])
        cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in reader.cookies.items())}

        def row(name: str, port: int, path: str, headers: dict, connections: int = 8):
            url = f"http://127.0.0.1:{port}{path}"
            run_wrk(wrk, url, headers, 1, 2, connections)  # warm-up
            rps, p50, p99, errors = run_wrk(wrk, url, headers, args.seconds, 2, connections)
            rows.append((name, rps, p50, p99, errors))
            return rps

        static = row("static file, same bytes (nginx)", static_port, "/article.html", {})
        cached = row("article, anonymous, micro-cache", edge.port, ARTICLE, {})
        row("article, logged-in, through nginx", edge.port, ARTICLE, cookie)
        row("article, logged-in, gunicorn direct", app.port, ARTICLE, cookie)
        time.sleep(1)  # gunicorn's log lines of the runs before arrive late
        before = len(access_log.read_text().splitlines())
        url = f"http://127.0.0.1:{edge.port}{ARTICLE}"
        rps, p50, p99, errors = run_wrk(wrk, url, {}, args.spike_seconds, 2, args.spike)
        spike_lines = access_log.read_text().splitlines()[before:]
        reached = len(spike_lines)
        fresh = freshness(site, edge.port, args.edits)
    print(f"\nbytes per page: {len(html.encode())}")
    print("| row | requests/s | p50 | p99 | errors | ratio to static |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r, a, b, e in rows:
        print(f"| {name} | {r:,.0f} | {a:.2f} ms | {b:.2f} ms | {e} | {r / static:.2f} |")
    print(
        f"| spike: {args.spike} connections, {args.spike_seconds} s, one article | "
        f"{rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {errors} | {rps / static:.2f} |"
    )
    print(
        f"\nmicro-cache / static = {cached / static:.2f}; during the spike gunicorn got "
        f"{reached} requests ({reached / args.spike_seconds:.1f}/s) for one URL"
    )
    for line in spike_lines[:5]:
        print("  reached gunicorn:", line)
    print(
        f"\nedge freshness, save to fresh page through nginx ({len(fresh)} edits): "
        f"mean {sum(fresh) / len(fresh):.2f} s, worst {max(fresh):.2f} s"
    )
    site.drop()
    return 0


def freshness(site, port: int, edits: int) -> list[float]:
    """Seconds from each save's answer to the first page at the edge that shows it."""
    import os

    from blog import create_app
    from blog.extensions import db
    from blog.models import Article, Role
    from tests import factories
    from tests.conftest import AuthActions

    os.environ["BLOG_INSTANCE_PATH"] = str(site.instance)
    app = create_app({"SQLALCHEMY_DATABASE_URI": site.uri, "SECRET_KEY": site.secret,
                      "TESTING": True, "WTF_CSRF_ENABLED": False})  # fmt: skip
    found = []
    with app.app_context():
        editor = factories.make_user(Role.EDITOR, username="benchedgeeditor")
        db.session.commit()
        article = db.session.get(Article, site.article_id)
        form = {"slug": ARTICLE_SLUG, "summary": article.summary, "body": article.body_source,
                "category_id": str(article.category_id), "tags": "", "image_id": "0",
                "image_alt": "", "comments_open": "y", "status": "published",
                "publish_date": "", "publish_time": ""}  # fmt: skip
        client = app.test_client()
        AuthActions(client).login(editor)
        reader = Browser(port)
        for n in range(edits):
            title = f"Under load, correction {n}"
            reader.request("GET", ARTICLE)
            time.sleep(1.5)  # a cached, fresh copy at the edge before each save
            response = client.post(f"/admin/articles/{site.article_id}/edit",
                                   data=form | {"title": title})  # fmt: skip
            assert response.status_code in (302, 303), response.status_code
            saved = time.monotonic()
            while title not in reader.request("GET", ARTICLE)[2]:
                assert time.monotonic() - saved < 30, "the edit never reached the edge"
                time.sleep(0.05)
            found.append(time.monotonic() - saved)
        db.session.remove()
        db.engine.dispose()
    return found


if __name__ == "__main__":
    sys.exit(main())
