"""What counting readers costs (issue 28): four figures from one run.

    .venv/bin/python bench/audience.py                    # all four, ~3-5 minutes
    .venv/bin/python bench/audience.py --raw 2000000      # a smaller dashboard database

1. HTTP, under gunicorn (2 sync workers) and wrk as bench/run.py does, each ratio paired
   with a constant-page run just before it: the article page from the page cache (HIT)
   with counting on, and the beacon (`POST /hit`, as `sendBeacon` sends it; then the
   `<noscript>` image's GET). Afterwards the views the workers wrote are compared with
   the beacons wrk sent: batching loses nothing when the workers stop normally.
2. Storage: 24 hours of a site read 1,000,000 times a day (2,000 articles read with
   Zipf-like popularity, 40 referrer hosts, 20 campaigns, 300,000 daily visitors) are
   inserted as raw views, rolled up with the real `roll_up()`, then the raw table is
   emptied and the file vacuumed: the growth over the empty site is the aggregates.
3. The dashboard's CPU: --raw raw views (10,000,000 by default) spread over 30 days are
   generated in SQL and rolled up with `roll_up()`; then the audience dashboard (30 and
   90 days) and an article's page are requested in-process by a logged-in editor;
   best of three batches of CPU time per request.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT / "bench"), str(ROOT)) if p not in sys.path]

from load import parse_wrk, run_wrk  # noqa: E402  (bench/load.py: wrk)
from report import machine  # noqa: E402
from rows import ensure_database, fixtures  # noqa: E402
from servers import gunicorn, probe  # noqa: E402

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
BEACON = {"User-Agent": UA, "Sec-Fetch-Site": "same-origin"}


def wrk_post(wrk: str, url: str, headers: dict[str, str], seconds: int, folder: Path):
    script = folder / "post.lua"
    script.write_text('wrk.method = "POST"\n')
    command = [wrk, "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(script)]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                          timeout=seconds + 60)  # fmt: skip
    return parse_wrk(done.stdout)


def http_figures(args: argparse.Namespace, folder: Path) -> list[str]:
    wrk = shutil.which("wrk")
    if wrk is None:
        return ["(no wrk: HTTP figures skipped)"]
    source = ensure_database(1000, None, False)
    db = folder / "site.sqlite3"
    shutil.copy(source, db)
    values = fixtures(db)
    env = {**os.environ, "BLOG_INSTANCE_PATH": str(folder / "instance"),
           "BLOG_SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": f"sqlite:///{db}",
           "BLOG_PAGE_CACHE": "true", "BLOG_AUDIENCE": "true"}  # fmt: skip
    lines = []
    with contextlib.ExitStack() as servers:
        # leaving the stack stops both with SIGTERM: each site worker writes its buffer
        site = servers.enter_context(gunicorn("wsgi:app", env, folder, 2))
        constant = servers.enter_context(
            gunicorn("bench.constant_app:app", dict(os.environ), folder, 2)
        )
        article = f"/article/{values['article']}"
        probe(site.base + article, {})  # store it: every request below is a HIT
        runs = [
            ("article page, page-cache HIT, counting on", "GET", article, {}),
            ("beacon POST /hit (sendBeacon)", "POST", "/hit?p=article:1&r=&q=", BEACON),
            ("beacon GET /hit (noscript image)", "GET", "/hit?p=article:1", BEACON),
        ]
        sent = 0.0
        for name, method, path, headers in runs:
            ratios = []
            for _ in range(args.pairs):
                base, *_ = run_wrk(wrk, constant.base + "/", {}, args.seconds, 2, 8)
                if method == "POST":
                    rps, p50, p99, errors = wrk_post(wrk, site.base + path, headers,
                                                     args.seconds, folder)  # fmt: skip
                else:
                    rps, p50, p99, errors = run_wrk(wrk, site.base + path, headers,
                                                    args.seconds, 2, 8)  # fmt: skip
                if "/hit" in path:
                    sent += rps * args.seconds
                ratios.append((rps / base, rps, base, p50, p99, errors))
            ratio, rps, base, p50, p99, errors = sorted(ratios)[len(ratios) // 2]
            lines.append(f"| {name} | {rps:,.0f} | {base:,.0f} | **{ratio:.2f}** | "
                         f"{p50:.2f} / {p99:.2f} | {errors} |")  # fmt: skip
    with sqlite3.connect(db) as con:
        written = con.execute("SELECT count(*) FROM page_view").fetchone()[0]
    lines.append("")
    lines.append(f"Beacons answered (wrk's rate x seconds, approximate): {sent:,.0f}; views "
                 f"written by the workers' batches: {written:,}.")  # fmt: skip
    return lines


def make_app(db: Path, folder: Path, **config):
    from blog import create_app

    os.environ["BLOG_INSTANCE_PATH"] = str(folder / "instance")
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db}", "TESTING": True,
                       "SECRET_KEY": secrets.token_urlsafe(48), "WTF_CSRF_ENABLED": False,
                       "AUDIENCE_FLUSH_SECONDS": 0, **config})  # fmt: skip


def empty_site(db: Path, folder: Path):
    from flask_migrate import upgrade

    from blog.core.seed import seed_defaults

    app = make_app(db, folder, AUDIENCE_ROLLUP_BATCH=1_000_000)
    with app.app_context():
        upgrade()
        seed_defaults()
    return app


# Raw views in SQL: page ids Zipf-like over 2,000 articles (a few pages take most views),
# a source by weight, a referrer host per source, a campaign on one view in ten.
RAW_SQL = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :count - 1)
INSERT INTO page_view (day, page, page_id, visitor, source, referrer, utm_source,
                       utm_campaign, country)
SELECT date(:first, '+' || (i % :days) || ' days'),
       CASE WHEN i % 10 = 0 THEN 'home' WHEN i % 17 = 0 THEN 'section' ELSE 'article' END,
       CASE WHEN i % 10 = 0 THEN 0 WHEN i % 17 = 0 THEN 1 + i % 12
            ELSE 1 + CAST(2000 * ((abs(random()) % 10000) / 10000.0)
                               * ((abs(random()) % 10000) / 10000.0)
                               * ((abs(random()) % 10000) / 10000.0) AS INTEGER) END,
       printf('%016x', abs(random()) % :visitors),
       CASE i % 7 WHEN 0 THEN 'search' WHEN 1 THEN 'search' WHEN 2 THEN 'social'
                  WHEN 3 THEN 'newsletter' WHEN 4 THEN 'other' ELSE 'direct' END,
       CASE i % 7 WHEN 0 THEN 'google.com' WHEN 1 THEN 'duckduckgo.com'
                  WHEN 2 THEN 'site' || (abs(random()) % 12) || '.social'
                  WHEN 4 THEN 'blog' || (abs(random()) % 28) || '.example' ELSE '' END,
       CASE WHEN i % 10 = 3 THEN 'newsletter' ELSE '' END,
       CASE WHEN i % 10 = 3 THEN 'issue-' || (abs(random()) % 20) ELSE '' END,
       ''
FROM n
"""


def fill(db: Path, count: int, days: int, visitors: int, first: str) -> float:
    started = time.monotonic()
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA synchronous=OFF")
        con.execute(
            RAW_SQL.replace(":count", str(count))
            .replace(":days", str(days))
            .replace(":visitors", str(visitors))
            .replace(":first", f"'{first}'")
        )
    return time.monotonic() - started


def storage_figure(folder: Path) -> list[str]:
    from blog.audience.rollup import roll_up
    from blog.core.types import utcnow

    db = folder / "storage.sqlite3"
    app = empty_site(db, folder)
    with sqlite3.connect(db) as con:
        con.execute("VACUUM")
    empty = db.stat().st_size
    seconds = fill(db, 1_000_000, 1, 300_000, utcnow().date().isoformat())
    with app.app_context():
        started = time.monotonic()
        rolled = roll_up(max_slices=100)
        rollup_seconds = time.monotonic() - started
    with sqlite3.connect(db) as con:
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in ("view_day", "page_day", "source_day", "audience_day")}  # fmt: skip
        con.execute("DELETE FROM page_view")
        con.commit()
        con.execute("VACUUM")
    grown = (db.stat().st_size - empty) / 1e6
    return [
        f"1,000,000 raw views of one day generated in {seconds:.1f} s, rolled up "
        f"({rolled:,} views) in {rollup_seconds:.1f} s.",
        f"Aggregate rows: {', '.join(f'{t} {n:,}' for t, n in rows.items())}.",
        f"**Aggregates of 24 h at 1M views/day: {grown:.1f} MB** on SQLite (target < 50 MB; "
        f"ratio {grown / 50:.2f} of the budget).",
    ]


def dashboard_figure(folder: Path, raw: int) -> list[str]:
    from blog.audience.rollup import roll_up
    from blog.cli import create_user
    from blog.core.types import utcnow
    from blog.extensions import db as database
    from blog.models import Category, Role
    from tests import factories

    db = folder / "dashboard.sqlite3"
    app = empty_site(db, folder)
    first = (utcnow().date() - timedelta(days=29)).isoformat()
    with app.app_context():
        sections = database.session.scalars(sa.select(Category)).all()
        author = factories.make_user(Role.AUTHOR, username="bench-author")
        for n in range(2000):  # the articles the views name
            factories.make_article(f"Bench article {n}", author=author,
                                   category=sections[n % len(sections)])  # fmt: skip
            if n % 200 == 199:
                database.session.commit()
        create_user("edna", "edna@example.org", "a long bench passphrase", Role.EDITOR)
        database.session.commit()
    seconds = fill(db, raw, 30, 300_000, first)
    with app.app_context():
        started = time.monotonic()
        roll_up(max_slices=1000)
        rollup_seconds = time.monotonic() - started
    client = app.test_client()
    response = client.post("/auth/login", data={"login": "edna",
                                                "password": "a long bench passphrase"})  # fmt: skip
    assert response.status_code in (302, 303), response.status_code
    lines = [f"{raw:,} raw views over 30 days generated in {seconds:.0f} s and rolled up "
             f"in {rollup_seconds:.0f} s (they stay in `page_view`: the dashboard never "
             f"reads them).", "", "| page | CPU per request (best of 3 batches of 20) |",
             "|---|---:|"]  # fmt: skip
    for name, path in (("dashboard, 30 days", "/admin/audience?days=30"),
                       ("dashboard, 90 days", "/admin/audience?days=90"),
                       ("dashboard, today", "/admin/audience?days=1"),
                       ("an article's page", "/admin/audience/article/1"),
                       ("funnel CSV, 90 days", "/admin/audience/funnel.csv?days=90")):  # fmt: skip
        assert client.get(path).status_code == 200, path
        best = min(_cpu(client, path) for _ in range(3))
        lines.append(f"| {name} | **{best:.1f} ms** (ratio to the 100 ms budget "
                     f"{best / 100:.2f}) |")  # fmt: skip
    return lines


def _cpu(client, path: str, n: int = 20) -> float:
    started = time.process_time()
    for _ in range(n):
        client.get(path).get_data()
    return (time.process_time() - started) * 1000 / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw", type=int, default=10_000_000, help="raw views for part 3")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=3, help="paired runs; the median ratio")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-storage", action="store_true")
    args = parser.parse_args(argv)
    random.seed(1)
    with tempfile.TemporaryDirectory(prefix="audience-bench-") as tmp:
        folder = Path(tmp)
        report = [f"Machine: {machine()}", ""]
        if not args.skip_http:
            report += [
                "| request | requests/s | constant page | ratio | p50 / p99 ms | errors |",
                "|---|---:|---:|---:|---:|---:|", *http_figures(args, folder), "",
            ]  # fmt: skip
        if not args.skip_storage:
            report += [*storage_figure(folder), ""]
        report += dashboard_figure(folder, args.raw)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
