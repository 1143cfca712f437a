"""Page-cache hits on a shared backend (Redis) as a ratio to the constant page (issue 29).

    [BLOG_TEST_DATABASE_URL=postgresql+psycopg://...] .venv/bin/python bench/shared_cache.py

The test site of tests/live.py (one article; PostgreSQL when BLOG_TEST_DATABASE_URL is
set, else SQLite) under gunicorn (2 sync workers), and a throwaway redis-server. wrk
-t2 -c8 for --seconds after a 1 s warm-up, anonymous, one article, every request a hit.
Each row is a pair: the constant page (bench/constant_app.py) just before the hit, and
the ratio is the hit's over that constant's (the host is shared; pairs cancel drift):

- SimpleCache (each worker's memory), the versions read on every request;
- Redis alone (PAGE_CACHE_LOCAL_ENTRIES=0): a Redis round trip and the page unpickled
  per request, besides the versions read (the state of issue 29);
- Redis with the worker-local store: Redis only on a worker's first hit;
- the same with the versions reused for 0.1 s (PAGE_CACHE_VERSIONS_SECONDS, default);
- SimpleCache with the default.

The versions are read on the pool without pool_pre_ping in every row (PostgreSQL).
Prints a Markdown table. Everything it starts is stopped.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT / "bench"), str(ROOT)) if p not in sys.path]

from load import run_wrk  # noqa: E402 - bench/load.py
from servers import gunicorn  # noqa: E402 - bench/servers.py

from tests.conftest import on_postgresql  # noqa: E402
from tests.live import ARTICLE_SLUG, Browser, Gunicorn, free_port, prepare_site  # noqa: E402

ARTICLE = f"/article/{ARTICLE_SLUG}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args(argv)
    wrk, redis_server = shutil.which("wrk"), shutil.which("redis-server")
    if not wrk or not redis_server:
        print("wrk and redis-server are needed (apt-get install wrk redis-server)")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="bench-shared-cache-"))
    redis_port = free_port()
    redis = subprocess.Popen(
        [redis_server, "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        time.sleep(0.5)
        return measure(wrk, folder, f"redis://127.0.0.1:{redis_port}/0", args)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def measure(wrk: str, folder: Path, redis_url: str, args: argparse.Namespace) -> int:
    site = prepare_site(folder / "site", readers=1)
    engine = "PostgreSQL" if on_postgresql() else "SQLite"
    rows = []

    def run(port: int) -> tuple[float, float, float, int]:
        url = f"http://127.0.0.1:{port}{ARTICLE}"
        run_wrk(wrk, url, {}, 1, 2, 8)  # warm-up: every worker has the page
        return run_wrk(wrk, url, {}, args.seconds, 2, 8)

    exact = {"BLOG_PAGE_CACHE_VERSIONS_SECONDS": "0"}
    redis = {"BLOG_CACHE_TYPE": "RedisCache", "BLOG_CACHE_REDIS_URL": redis_url}
    no_local = {"BLOG_PAGE_CACHE_LOCAL_ENTRIES": "0"}
    variants = [
        ("SimpleCache, versions read per request", exact),
        ("Redis, versions read per request (before)", redis | no_local | exact),
        ("Redis + worker-local store, versions read per request", redis | exact),
        ("Redis + worker-local store, versions reused 0.1 s (default)", redis),
        ("SimpleCache, versions reused 0.1 s (default)", {}),
    ]  # fmt: skip
    try:
        with gunicorn("bench.constant_app:app", site.env, folder, 2) as constant:
            for number, (name, extra) in enumerate(variants):
                extra = extra | {"BLOG_CACHE_KEY_PREFIX": f"v{number}:"}
                with Gunicorn(site.env | extra, folder, workers=2) as app:
                    assert Browser(app.port).request("GET", ARTICLE)[0] == 200
                    ceiling = run(constant.port)[0]  # the pair's constant, just before
                    rps, p50, p99, errors = run(app.port)
                    rows.append((name, rps, p50, p99, errors, rps / ceiling))
    finally:
        site.drop()
    print(f"\n| hit on {engine} | requests/s | p50 | p99 | errors | ratio to constant |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rps, p50, p99, errors, ratio in rows:
        print(f"| {name} | {rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {errors} | "
              f"**{ratio:.2f}** |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
