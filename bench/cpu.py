"""`--cpu`: CPU milliseconds per request in-process (Flask test client, no HTTP)."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from posting import form_field
from report import machine
from rows import CONSTANT, Row, add_threads, fixtures


def cpu_per_request(
    rows: list[Row], values: dict[str, str], env: dict[str, str], n: int = 200
) -> dict[str, float]:
    """Milliseconds of CPU per request in this process (Flask test client, no HTTP).

    Far less sensitive than requests/s to other work on the same cores, so it is the
    figure to trust on a busy machine. Best of three batches of up to `n` requests
    (fewer for slow pages: a batch lasts about two seconds at most).
    """
    os.environ.update(env)
    from bench.constant_app import app as constant_app
    from blog import create_app

    site = create_app()
    clients = {"constant": constant_app.test_client(), "site": site.test_client()}
    if any(row.logged_in for row in rows):
        from generate import PASSWORD

        member = clients["member"] = site.test_client()
        page = member.get("/auth/login").get_data(as_text=True)
        form = {"login": values["reader"], "password": PASSWORD,
                "csrf_token": form_field(page, "csrf_token") or ""}  # fmt: skip
        if member.post("/auth/login", data=form).status_code not in (302, 303):
            raise RuntimeError(f"could not log in as {values['reader']}")
    found: dict[str, float] = {}
    for row in [CONSTANT, *rows]:
        client = clients["member" if row.logged_in else row.target]
        path = row.path.format(**values)
        if client.get(path, headers=row.request_headers()).status_code != 200:
            continue
        started = time.process_time()
        for _ in range(3):
            client.get(path, headers=row.request_headers())
        one = (time.process_time() - started) / 3
        size = max(3, min(n, int(2.0 / max(one, 1e-6))))
        batches = []
        for _ in range(3):
            started = time.process_time()
            for _ in range(size):
                client.get(path, headers=row.request_headers())
            batches.append((time.process_time() - started) / size * 1000)
        found[row.name] = min(batches)
        print(f"  {row.name:14} {found[row.name]:7.2f} ms CPU per request", flush=True)
    return found


def cpu_report(args: argparse.Namespace, articles: int, rows: list[Row], db: Path) -> None:
    site_env = {
        "BLOG_INSTANCE_PATH": tempfile.mkdtemp(prefix="blog-bench-cpu-"),
        "BLOG_SECRET_KEY": secrets.token_urlsafe(36),
        "DATABASE_URL": f"sqlite:///{db.resolve()}",
        "BLOG_PAGE_CACHE": "true" if args.cache == "on" else "false",
    }
    site_env.update(item.partition("=")[::2] for item in args.env)
    add_threads(db, rows)
    timings = cpu_per_request([r for r in rows if not r.posting], fixtures(db), site_env)
    shutil.rmtree(site_env["BLOG_INSTANCE_PATH"], ignore_errors=True)
    base = timings.get("constant", 0.0)
    print(f"\n{articles:,} articles, page cache {args.cache}, {machine()}\n")
    print("| page | CPU ms per request | constant / page (without HTTP: not the ratio) |")
    print("|---|---:|---:|")
    for name, ms in timings.items():
        print(f"| {name} | {ms:.2f} | {base / ms:.2f} |")
