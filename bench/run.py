"""Load benchmark: the site's public pages against a constant Flask page, same run.

    .venv/bin/python bench/run.py --articles 1000
    .venv/bin/python bench/run.py --articles 100000 --pages home,article,search

It generates (or reuses) bench/data/<N>.sqlite3 with bench/generate.py, starts two
gunicorns on free ports of 127.0.0.1 (2 sync workers each): the site (`wsgi:app`, with
a throwaway instance folder and secret key) and `bench.constant_app`, waits until both
answer, then drives each page with wrk (`-t2 -c8 -d5s --latency`, after a one-second
warm-up; with --repeat N the best of N runs) or, without wrk, a small threaded Python
load generator. The constant page is measured first, last and just before each page
(--paired, the default); each page's ratio is to the constant run just before it, so
other work on the same cores disturbs both sides of a ratio alike. It prints a
Markdown table, the worker RSS after the run, and saves the table in bench/results/.
Both gunicorns are always stopped (their whole process groups).

Rows are `Row(name, path, ...)` entries in ROWS; a path may use {article}, {category},
{tag}, {word} and {common_word}, which are picked from the database (see `fixtures`).
A row can carry request headers (cookies included) for logged-in pages later.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Row:
    name: str
    path: str
    target: str = "site"  # or "constant"
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    logged_in: bool = False  # requests carry the session cookie of a logged-in reader

    def request_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers


ROWS = [
    Row("home", "/"),
    Row("article", "/article/{article}"),
    Row("category", "/category/{category}"),
    Row("tag", "/tag/{tag}"),
    Row("search", "/search?q={word}"),
    Row("feed", "/feed.xml"),
    # Not in the default set; ask for them with --pages.
    Row("search-common", "/search?q={common_word}"),
    Row("home-page-50", "/?page=50"),
    Row("category-feed", "/category/{category}/feed.xml"),
    Row("author", "/author/{author}"),
    Row("sitemap", "/sitemap.xml"),
    Row("article-logged-in", "/article/{article}", logged_in=True),
]
DEFAULT_ROWS = ["home", "article", "category", "tag", "search", "feed"]
CONSTANT = Row("constant", "/", target="constant")


@dataclass
class Result:
    row: Row
    path: str
    status: int = 0
    size: int = 0
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0
    note: str = ""
    reference: float | None = None  # the constant page's requests/s to compare with


# ---------------------------------------------------------------- the database


def ensure_database(articles: int, comments: int | None, regenerate: bool) -> Path:
    path = DATA / f"{articles}.sqlite3"
    if path.exists() and not regenerate:
        print(f"reusing {path}")
        return path
    sys.path.insert(0, str(ROOT / "bench"))
    import generate

    stats = generate.generate(articles, comments if comments is not None else 3 * articles, path)
    print(
        f"generated {path}: {stats['articles']} articles, {stats['comments']} comments "
        f"in {stats['seconds_total']:.1f}s"
    )
    return path


def fixtures(db: Path) -> dict[str, str]:
    """Real values for the row paths, chosen to be typical or deliberately heavy.

    article: of the 100 newest public articles, the one with most comments; category
    and tag: the ones with most articles; word: an indexed word found in about 1 % of
    articles; common_word: one found in about 30 % (a worst case for ranking).
    """
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        public = "status = 'published' AND published_at <= ?"
        article = con.execute(
            "SELECT slug FROM (SELECT slug, comment_count, published_at, id FROM article "
            f"WHERE {public} ORDER BY published_at DESC, id DESC LIMIT 100) "  # noqa: S608
            "ORDER BY comment_count DESC, published_at DESC LIMIT 1",
            (now,),
        ).fetchone()
        category = con.execute(
            "SELECT c.slug FROM category c JOIN article a ON a.category_id = c.id "
            "GROUP BY c.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        tag = con.execute(
            "SELECT t.slug FROM tag t JOIN article_tag x ON x.tag_id = t.id "
            "GROUP BY t.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        author = con.execute(
            "SELECT u.username FROM user u JOIN article a ON a.author_id = u.id "
            "GROUP BY u.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        reader = con.execute("SELECT username FROM user WHERE role = 1 LIMIT 1").fetchone()
        total = con.execute("SELECT count(*) FROM article").fetchone()[0] or 1
        con.execute("CREATE VIRTUAL TABLE temp.bench_vocab USING fts5vocab(main, article_fts, row)")

        def word_near(share: float) -> str | None:
            found = con.execute(
                "SELECT term FROM temp.bench_vocab WHERE length(term) >= 5 "
                "AND term NOT GLOB '*[^a-z]*' ORDER BY abs(doc - ?), term LIMIT 1",
                (share * total,),
            ).fetchone()
            return found[0] if found else None

        values = {
            "article": article[0] if article else "missing",
            "category": category[0] if category else "missing",
            "tag": tag[0] if tag else "missing",
            "author": author[0] if author else "missing",
            "reader": reader[0] if reader else "missing",
            "word": word_near(0.01) or "news",
            "common_word": word_near(0.30) or "the",
        }
        for key in ("word", "common_word"):
            docs = con.execute(
                "SELECT doc FROM temp.bench_vocab WHERE term = ?", (values[key],)
            ).fetchone()
            values[f"{key}_docs"] = str(docs[0] if docs else 0)
        return values
    finally:
        con.close()


# ---------------------------------------------------------------- the servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_gunicorn(name: str, app: str, env: dict[str, str], workdir: Path, workers: int) -> Server:
    port = free_port()
    log = workdir / f"{name}.log"
    command = [
        str(VENV_BIN / "gunicorn"),
        "--workers", str(workers),
        "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}",
        "--chdir", str(ROOT),
        "--log-level", "warning",
        app,
    ]  # fmt: skip
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )
    return Server(name, port, process, log)


def wait_ready(server: Server, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(server.base + path, timeout=5) as response:  # noqa: S310
                response.read()
                return
        except urllib.error.HTTPError:
            return  # it answers, even if not with 200
        except OSError:
            time.sleep(0.2)
    tail = server.log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"{server.name} did not answer on {server.base}{path}:\n{tail}")


def probe(url: str, headers: dict[str, str], timeout: float = 120.0) -> tuple[int, int]:
    """Status and size of one response; (0, 0) when none came within `timeout` seconds."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, len(error.read())
    except OSError:
        return 0, 0


def rss_mb(pids: list[int]) -> list[float]:
    sizes = []
    for pid in pids:
        out = subprocess.run(
            ["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, check=False
        ).stdout.strip()
        if out:
            sizes.append(int(out) / 1024)
    return sizes


# ---------------------------------------------------------------- load generators

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> tuple[float, float, float, int]:
    """requests/s, p50 ms, p99 ms and error count from `wrk --latency` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        # Sync workers close every connection; wrk counts some of those closes as read
        # errors although the response arrived. Only connect errors and timeouts count.
        errors += int(socket_errors.group(1)) + int(socket_errors.group(4))
    return rps, p50, p99, errors


def run_wrk(
    wrk: str, url: str, headers: dict[str, str], seconds: int, threads: int, connections: int
) -> tuple[float, float, float, int]:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
    command.append("--latency")
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    return parse_wrk(done.stdout)


def run_python(
    url: str, headers: dict[str, str], seconds: int, connections: int
) -> tuple[float, float, float, int]:
    """A small threaded load generator for machines without wrk (less precise)."""
    parsed = urllib.request.urlparse(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        mine, failed = [], 0
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
            started = time.perf_counter()
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                mine.append((time.perf_counter() - started) * 1000)
            except OSError:
                failed += 1
            finally:
                connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(seconds + 30)
    elapsed = time.monotonic() - started
    if not latencies:
        return 0.0, 0.0, 0.0, errors[0]
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies), p99, errors[0]


# ---------------------------------------------------------------- CPU per request


def cpu_per_request(
    db: Path, rows: list[Row], values: dict[str, str], env: dict[str, str], n: int = 200
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
    found: dict[str, float] = {}
    for row in [CONSTANT, *rows]:
        client = clients[row.target]
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


# ---------------------------------------------------------------- the run


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of all CPU time spent busy over `seconds` (from /proc/stat), 0.0 to 1.0."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    total = max(1, total1 - total0)
    return 1.0 - (idle1 - idle0) / total


def wait_for_idle(limit: float, threshold: float = 0.10) -> float:
    """Wait (up to `limit` seconds) until other processes leave the CPUs alone.

    Other work on the same cores (a test suite, a build) lowers every figure; the
    ratios are measured in the same run but noise still grows. Returns the last load.
    """
    deadline = time.monotonic() + limit
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        print(f"  the CPUs are {busy:.0%} busy with other work; waiting...", flush=True)
        busy = cpu_busy(2.0)
    return busy


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gunicorn = subprocess.run(
        [str(VENV_BIN / "gunicorn"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {gunicorn}, SQLite {sqlite3.sqlite_version}"
    )


def fmt_table(results: list[Result]) -> str:
    lines = [
        "| page | requests/s | p50 | p99 | ratio to constant | path | size |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        if r.rps is None:
            lines.append(f"| {r.row.name} | – | – | – | – | `{r.path}` | {r.note or r.status} |")
            continue
        if r.rps == 0:
            lines.append(
                f"| {r.row.name} | 0 (no request finished in the run) | – | – | 0.00 "
                f"| `{r.path}` | {r.size / 1024:.1f} KB |"
            )
            continue
        ratio = r.rps / r.reference if r.reference else 0.0
        note = f" ({r.errors} errors)" if r.errors else ""
        lines.append(
            f"| {r.row.name} | {r.rps:,.0f}{note} | {r.p50_ms:.2f} ms | {r.p99_ms:.2f} ms "
            f"| {ratio:.2f} | `{r.path}` | {r.size / 1024:.1f} KB |"
        )
    return "\n".join(lines)


def log_in(base: str, username: str) -> dict[str, str]:
    """Session cookies of `username` logged in through the login form (CSRF included)."""
    import http.client
    import re
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode, urlsplit

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import PASSWORD

    host = urlsplit(base)
    cookies: dict[str, str] = {}

    def request(method: str, path: str, body: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                cookies.update({name: morsel.value for name, morsel in jar.items()})
            return response.status, text
        finally:
            connection.close()

    _, page = request("GET", "/auth/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"login": username, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    status, _ = request("POST", "/auth/login", urlencode(form))
    if status not in (302, 303):
        raise RuntimeError(f"could not log in as {username}: HTTP {status}")
    return dict(cookies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load benchmark of the public pages.")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=None, help="default: 3 per article")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the database")
    parser.add_argument(
        "--pages",
        default=",".join(DEFAULT_ROWS),
        help=f"comma-separated, or 'all' (known: {', '.join(r.name for r in ROWS)})",
    )
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE",
        help="extra environment for the site (for example BLOG_... settings)",
    )  # fmt: skip
    parser.add_argument(
        "--cache",
        choices=["off", "on"],
        default="off",
        help="the page cache for anonymous readers (BLOG_PAGE_CACHE); off measures the "
        "real work of each page",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per page; the best one is reported"
    )
    parser.add_argument(
        "--paired",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure the constant page again before each page and use that run for the "
        "ratio (robust when other work shares the cores); --no-paired: start and end only",
    )
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="instead of the load test, measure CPU ms per request in-process",
    )
    parser.add_argument(
        "--idle-wait", type=float, default=20.0,
        help="seconds to wait at most for other CPU work to stop before each page",
    )  # fmt: skip
    args = parser.parse_args(argv)

    wanted = [r.name for r in ROWS] if args.pages == "all" else args.pages.split(",")
    unknown = set(wanted) - {r.name for r in ROWS}
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    rows = [r for name in wanted for r in ROWS if r.name == name]

    db = ensure_database(args.articles, args.comments, args.regenerate)
    values = fixtures(db)
    print(
        f"fixtures: article={values['article']} category={values['category']} "
        f"tag={values['tag']} word={values['word']} ({values['word_docs']} articles) "
        f"common_word={values['common_word']} ({values['common_word_docs']} articles)"
    )
    wrk = None if args.python_load else shutil.which("wrk")
    print(f"load generator: {wrk or 'python threads'}; {machine()}")

    workdir = Path(tempfile.mkdtemp(prefix="blog-bench-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    base_env.pop("DATABASE_URL", None)
    site_env = base_env | {
        "BLOG_INSTANCE_PATH": str(workdir / "instance"),
        "BLOG_SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "DATABASE_URL": f"sqlite:///{db.resolve()}",
        "BLOG_PAGE_CACHE": "true" if args.cache == "on" else "false",
    }
    for item in args.env:
        key, _, value = item.partition("=")
        site_env[key] = value
    if args.cpu:
        sys.path.insert(0, str(ROOT))
        timings = cpu_per_request(db, rows, values, site_env)
        base = timings.get("constant", 0.0)
        print(f"\n{args.articles:,} articles, page cache {args.cache}, {machine()}\n")
        print("| page | CPU ms per request | constant / page (without HTTP: not the ratio) |")
        print("|---|---:|---:|")
        for name, ms in timings.items():
            print(f"| {name} | {ms:.2f} | {base / ms:.2f} |")
        shutil.rmtree(workdir, ignore_errors=True)
        return 0
    servers: list[Server] = []
    results: list[Result] = []
    constant_runs: list[float] = []
    rss: dict[str, list[float]] = {}
    busy_before: list[float] = []

    session_cookies: dict[str, str] = {}

    def logged_in(server: Server, row: Row) -> Row:
        """`row` with the cookies of a reader logged in through the real form (once)."""
        if not session_cookies:
            session_cookies.update(log_in(server.base, values["reader"]))
        return replace(row, cookies=session_cookies)

    def measure(server: Server, row: Row, path: str) -> Result:
        result = Result(row, path)
        headers = row.request_headers()
        result.status, result.size = probe(server.base + path, headers)
        if result.status != 200:
            result.note = f"HTTP {result.status or 'timeout'}, not measured"
            return result
        url = server.base + path
        runs = []
        for attempt in range(args.repeat):
            busy_before.append(wait_for_idle(args.idle_wait))
            if wrk:
                if attempt == 0:
                    run_wrk(wrk, url, headers, 1, args.threads, args.connections)  # warm-up
                runs.append(
                    run_wrk(wrk, url, headers, args.seconds, args.threads, args.connections)
                )
            else:
                if attempt == 0:
                    run_python(url, headers, 1, args.connections)
                runs.append(run_python(url, headers, args.seconds, args.connections))
        # The best run is the one least disturbed by other work on the same cores.
        rps, p50, p99, errors = max(runs)
        result.rps, result.p50_ms, result.p99_ms, result.errors = rps, p50, p99, errors
        print(f"  {row.name:14} {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms", flush=True)
        return result

    try:
        site = start_gunicorn("site", "wsgi:app", site_env, workdir, args.workers)
        servers.append(site)
        constant = start_gunicorn(
            "constant", "bench.constant_app:app", base_env, workdir, args.workers
        )
        servers.append(constant)
        wait_ready(site, "/")
        wait_ready(constant, "/")

        constant_runs.append(measure(constant, CONSTANT, "/").rps or 0.0)
        for row in rows:
            path = row.path.format(**values)
            server = constant if row.target == "constant" else site
            if row.logged_in:
                row = logged_in(server, row)
            if args.paired and results:
                constant_runs.append(measure(constant, CONSTANT, "/").rps or 0.0)
            result = measure(server, row, path)
            result.reference = constant_runs[-1] if args.paired else None
            results.append(result)
        last = measure(constant, CONSTANT, "/")
        constant_runs.append(last.rps or 0.0)
        if not args.paired:
            for result in results:
                result.reference = statistics.mean(constant_runs)
        for server in servers:
            rss[server.name] = rss_mb(server.worker_pids())
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    constant_rps = statistics.mean(constant_runs)
    summary = Result(CONSTANT, "/", 200, last.size, constant_rps, last.p50_ms, last.p99_ms)
    summary.reference = constant_rps
    table = fmt_table([summary, *results])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"{args.articles:,} articles ({values['article']} has the article row), {stamp}, "
        f"{machine()}, load: {'wrk' if wrk else 'python'} -t{args.threads} "
        f"-c{args.connections} -d{args.seconds}s (best of {args.repeat}), "
        f"gunicorn {args.workers} sync workers, page cache {args.cache}"
    )
    footer = (
        f"constant page runs (req/s): {', '.join(f'{x:,.0f}' for x in constant_runs)}; "
        + (
            "each page's ratio is to the constant run just before it. "
            if args.paired
            else "ratios are to their mean. "
        )
        + f"Other CPU work before each page: at most {max(busy_before, default=0):.0%}, "
        f"median {statistics.median(busy_before or [0]):.0%}. "
        f"search word `{values['word']}` is in {values['word_docs']} articles. "
        "Worker RSS after the run: "
        + "; ".join(
            f"{name} " + ", ".join(f"{mb:.0f} MB" for mb in sizes) for name, sizes in rss.items()
        )
    )
    report = f"{header}\n\n{table}\n\n{footer}\n"
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{args.articles}.md"
    out.write_text(report)
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
