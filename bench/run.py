"""Load benchmark: the site's public pages against a constant Flask page, same run.

    .venv/bin/python bench/run.py --articles 1000
    .venv/bin/python bench/run.py --articles 100000 --pages home,article,search
    .venv/bin/python bench/run.py --articles 1000,10000,100000 --pages comment-post

It generates (or reuses) bench/data/<N>.sqlite3 with bench/generate.py, starts two
gunicorns on free ports of 127.0.0.1 (2 sync workers each): the site (`wsgi:app`, with
a throwaway instance folder and secret key) and `bench.constant_app`, waits until both
answer, then drives each page with wrk (`-t2 -c8 -d5s --latency`, after a one-second
warm-up; with --repeat N the best of N runs) or, without wrk, a small threaded Python
load generator. The constant page is measured first, last and just before each page
(--paired, the default); each page's ratio is to the constant run just before it, so
other work on the same cores disturbs both sides of a ratio alike. It prints a
Markdown table, the worker RSS after the run, and saves the table in bench/results/.
Every gunicorn it starts (the posting one too) is always stopped, its whole process group.

Rows are `Row(name, path, ...)` entries in ROWS; a path may use {article}, {category},
{tag}, {word} and {common_word}, which are picked from the database (see `fixtures`).
A row can carry request headers and the cookies of a reader logged in through the real
form (`article-logged-in`).

The `comment-post` row is not a wrk run: --writers readers (8), each logged in through
the real form and in its own thread, load an article (the comment form: CSRF token and
signed form time) and post a comment, again and again, for --seconds after a one-second
warm-up, against a third gunicorn serving a private copy of the database (comment
policy "open"; BLOG_COMMENT_MIN_SECONDS and BLOG_COMMENT_MAX_PER_MINUTE set so the
bench is not throttled, both checks still run). It reports acknowledged comments per
second (302 to the new comment), POST latency, errors, and checks the copy afterwards:
the new rows are exactly the acknowledged ids and every comment_count matches its rows;
a mismatch is printed loudly and the exit status is 1.

--articles 1000,10000,100000 measures each size in turn (own servers, own paired
constant runs) and then prints one table across the sizes.
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
import urllib.parse
import urllib.request
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `generate` (bench/) and `bench.constant_app`, `blog` (the project) are imported lazily.
sys.path[:0] = [p for p in (str(ROOT / "bench"), str(ROOT)) if p not in sys.path]
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
    posting: bool = False  # readers post comments (see post_comments), not a wrk run

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
    Row("comment-post", "/article/{article}/comments", posting=True),
    # One article with 10, 1,000, 10,000 comments (bench/threads.py adds them): the first
    # page of each thread, anonymous and logged in; time per page should stay flat.
    *(
        Row(f"thread-{n}{who}", f"/article/thread-{n}", logged_in=bool(who))
        for n in (10, 1000, 10000)
        for who in ("", "-logged-in")
    ),
]
# comment-post last: it runs on its own server and copy of the database anyway.
DEFAULT_ROWS = ["home", "article", "category", "tag", "search", "feed", "comment-post"]
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
    unit: str = ""  # what `rps` counts when it is not requests ("comments/s")


# ---------------------------------------------------------------- the database


def ensure_database(articles: int, comments: int | None, regenerate: bool) -> Path:
    path = DATA / f"{articles}.sqlite3"
    if path.exists() and not regenerate:
        print(f"reusing {path}")
        return path
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
            f"WHERE {public} ORDER BY published_at DESC, id DESC LIMIT 100) "
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
            with urllib.request.urlopen(server.base + path, timeout=5) as response:
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
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, len(error.read())
    except OSError:
        return 0, 0


def percentiles(milliseconds: list[float]) -> tuple[float, float]:
    """p50 and p99 of `milliseconds` (0.0, 0.0 when empty)."""
    if not milliseconds:
        return 0.0, 0.0
    ordered = sorted(milliseconds)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


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
    p50, p99 = percentiles(latencies)
    return len(latencies) / elapsed, p50, p99, errors[0]


# ---------------------------------------------------------------- CPU per request


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


def ratio_text(ratio: float) -> str:
    """Two decimals, three below 0.1 (a comment row's 0.013 is not 0.01)."""
    return f"{ratio:.3f}" if ratio < 0.1 else f"{ratio:.2f}"


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
        unit = f" {r.unit}" if r.unit else ""
        note = f" ({r.errors} errors)" if r.errors else ""
        size = f"{r.size / 1024:.1f} KB" if r.size else "–"
        lines.append(
            f"| {r.row.name} | {r.rps:,.0f}{unit}{note} | {r.p50_ms:.2f} ms | {r.p99_ms:.2f} ms "
            f"| {ratio_text(ratio)} | `{r.path}` | {size} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- logged-in clients

FORM_FIELD = r'name="{}"[^>]*value="([^"]*)"'


class Client:
    """One reader's browser: a cookie jar and one HTTP connection to the site.

    gunicorn's sync workers close every connection after the response; http.client
    then opens a new one for the next request, as a browser does.
    """

    def __init__(self, base: str, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """Status, Location header and body text; cookies set by the response are kept."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers.get("Location", ""), text

    def close(self) -> None:
        self.connection.close()


def form_field(page: str, name: str) -> str | None:
    found = re.search(FORM_FIELD.format(name), page)
    return found.group(1) if found else None


def log_in(base: str, username: str) -> Client:
    """A client logged in as `username` through the login form (CSRF included)."""
    from generate import PASSWORD

    client = Client(base)
    _, _, page = client.request("GET", "/auth/login")
    form = {
        "login": username,
        "password": PASSWORD,
        "csrf_token": form_field(page, "csrf_token") or "",
    }
    status, _, _ = client.request("POST", "/auth/login", form)
    if status not in (302, 303):
        raise RuntimeError(f"could not log in as {username}: HTTP {status}")
    return client


# ---------------------------------------------------------------- comment posting

# Two short paragraphs, no links (more than COMMENT_MAX_LINKS would hold the comment).
COMMENT_TEXT = (
    "Thanks for this report. The numbers in the second section match what we saw in "
    "our own town last winter, and the council still has not said what comes next.\n\n"
    "I would like a follow-up on the *budget* side: who pays, and when?"
)
POSTING_ENV = {
    # The signed form-time field is still checked (signature and user), but a form
    # may come back at once; the per-reader rate limit still counts every post.
    "BLOG_COMMENT_MIN_SECONDS": "0.000001",
    "BLOG_COMMENT_MAX_PER_MINUTE": "1000000",
}


@dataclass
class Posting:
    """What the writers saw: every acknowledged comment id, and the measured window."""

    acknowledged: list[int] = field(default_factory=list)  # warm-up included
    measured: int = 0
    post_ms: list[float] = field(default_factory=list)  # POSTs that ended in the window
    form_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def posting_database(source: Path, workdir: Path) -> Path:
    """A private copy of `source` whose comment policy publishes comments at once.

    The posting run writes only to this copy, so bench/data/<N>.sqlite3 keeps giving
    the same page figures.
    """
    copy = workdir / "posting.sqlite3"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)
        with dst:
            dst.execute(
                "INSERT INTO setting (key, value) VALUES ('comment_policy', '\"open\"') "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            )
            dst.execute("UPDATE site_state SET version = version + 1")
    finally:
        src.close()
        dst.close()
    return copy


def posting_targets(db: Path, articles: int, writers: int) -> tuple[list[str], list[str]]:
    """Slugs of the `articles` newest public articles open for comments, and the
    usernames of `writers` readers allowed to comment."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        slugs = [
            row[0]
            for row in con.execute(
                "SELECT slug FROM article WHERE status = 'published' AND published_at <= ? "
                "AND comments_open ORDER BY published_at DESC, id DESC LIMIT ?",
                (now, articles),
            )
        ]
        readers = [
            row[0]
            for row in con.execute(
                "SELECT username FROM user WHERE role = 1 AND active AND can_comment "
                "ORDER BY id LIMIT ?",
                (writers,),
            )
        ]
    finally:
        con.close()
    if not slugs or len(readers) < writers:
        raise RuntimeError(
            f"{db} has {len(slugs)} open articles and {len(readers)} readers; "
            f"the comment row needs {writers} readers"
        )
    return slugs, readers


def post_comments(
    clients: list[Client], slugs: list[str], warmup: float, seconds: float, fresh_form: bool
) -> Posting:
    """Each client posts comments in its own thread for `warmup` + `seconds` seconds.

    A cycle is what a reader's browser does: GET the article (the redirect of the
    previous post lands there; it carries the comment form with its CSRF token and
    signed form time), then POST the form. A 302 to `/article/<slug>#comment-<id>` is
    an acknowledged comment; anything else (another status, a refused form, a
    connection error) is an error. Writer `w` posts to slugs[w], slugs[w + 1], ...
    in turn, so the comments spread over all `slugs`.
    """
    found = Posting(seconds=seconds)
    lock = threading.Lock()
    start = time.monotonic() + warmup
    stop = start + seconds

    def writer(number: int, client: Client) -> None:
        mine = Posting()
        form: dict[str, str] | None = None
        turn = number
        while time.monotonic() < stop:
            slug = urllib.parse.quote(slugs[turn % len(slugs)])
            turn += 1
            try:
                if fresh_form or form is None:
                    began = time.perf_counter()
                    status, _, page = client.request("GET", f"/article/{slug}")
                    mine.form_ms.append((time.perf_counter() - began) * 1000)
                    csrf, started = form_field(page, "csrf_token"), form_field(page, "started")
                    if status != 200 or not csrf or not started:
                        mine.error(f"form GET {status}" + ("" if csrf else " without a form"))
                        form = None
                        continue
                    form = {"csrf_token": csrf, "started": started}
                body = f"{COMMENT_TEXT}\n\n(writer {number}, comment {turn})"
                began = time.perf_counter()
                status, location, _ = client.request(
                    "POST",
                    f"/article/{slug}/comments",
                    {**form, "parent_id": "", "website": "", "body": body},
                )
                ended = time.monotonic()
            except (OSError, http.client.HTTPException) as error:
                mine.error(type(error).__name__)
                continue
            anchor = re.fullmatch(
                rf"(?:https?://[^/]+)?/article/{re.escape(slug)}#comment-(\d+)", location
            )
            if status != 302 or not anchor:
                mine.error(f"POST {status}")
                continue
            mine.acknowledged.append(int(anchor.group(1)))
            if start <= ended < stop:
                mine.measured += 1
                mine.post_ms.append((time.perf_counter() - began) * 1000)
        with lock:
            found.acknowledged += mine.acknowledged
            found.measured += mine.measured
            found.post_ms += mine.post_ms
            found.form_ms += mine.form_ms
            for what, n in mine.errors.items():
                found.errors[what] = found.errors.get(what, 0) + n

    pool = [threading.Thread(target=writer, args=(n, c)) for n, c in enumerate(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(warmup + seconds + 120)
    if any(thread.is_alive() for thread in pool):
        found.error("writer still running after the run")
    return found


def comment_snapshot(db: Path) -> tuple[int, int]:
    """The highest comment id and the number of recorded comment posts (throttle rows)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        top = con.execute("SELECT coalesce(max(id), 0) FROM comment").fetchone()[0]
        hits = con.execute("SELECT count(*) FROM throttle_event WHERE kind = 'comment'")
        return top, hits.fetchone()[0]
    finally:
        con.close()


def verify_comments(db: Path, before: tuple[int, int], acknowledged: list[int]) -> list[str]:
    """Every acknowledged comment is stored once, published, and counted; else the
    problems found, as sentences."""
    top, hits_before = before
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT id, status, deleted FROM comment WHERE id > ?", (top,)
        ).fetchall()
        hits = con.execute("SELECT count(*) FROM throttle_event WHERE kind = 'comment'")
        hits = hits.fetchone()[0]
        miscounted = con.execute(
            "SELECT count(*) FROM article a WHERE a.comment_count != (SELECT count(*) "
            "FROM comment c WHERE c.article_id = a.id AND c.status = 'approved' "
            "AND NOT c.deleted)"
        ).fetchone()[0]
    finally:
        con.close()
    problems = []
    stored = {row[0] for row in rows}
    acked = set(acknowledged)
    if len(rows) != len(acknowledged) or stored != acked or len(acked) != len(acknowledged):
        problems.append(
            f"{len(acknowledged)} comments acknowledged ({len(acked)} distinct ids) but "
            f"{len(rows)} new rows; {len(acked - stored)} acknowledged ids missing, "
            f"{len(stored - acked)} rows never acknowledged"
        )
    unpublished = sum(1 for _, status, deleted in rows if status != "approved" or deleted)
    if unpublished:
        problems.append(f"{unpublished} new comments are not published (policy not 'open'?)")
    if miscounted:
        problems.append(f"{miscounted} articles have a comment_count that differs from their rows")
    if hits - hits_before != len(acknowledged):
        problems.append(
            f"the rate limit recorded {hits - hits_before} posts for {len(acknowledged)} comments"
        )
    return problems


# ---------------------------------------------------------------- one size


@dataclass
class SizeRun:
    articles: int
    results: list[Result]  # the constant's summary first
    constant_runs: list[float]
    report: str
    problems: list[str]


def add_threads(db: Path, rows: list[Row]) -> None:
    """Add the long-thread articles to `db` when a `thread-*` row asks for them."""
    if any(row.name.startswith("thread-") for row in rows):
        import threads

        for slug in threads.add_threads(db):
            print(f"added {slug} to {db}")


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


def run_size(args: argparse.Namespace, articles: int, rows: list[Row], wrk: str | None) -> SizeRun:
    """Measure `rows` at one database size: its own gunicorns, always stopped."""
    db = ensure_database(articles, args.comments, args.regenerate)
    add_threads(db, rows)
    values = fixtures(db)
    print(
        f"fixtures: article={values['article']} category={values['category']} "
        f"tag={values['tag']} word={values['word']} ({values['word_docs']} articles) "
        f"common_word={values['common_word']} ({values['common_word_docs']} articles)"
    )

    workdir = Path(tempfile.mkdtemp(prefix="blog-bench-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    base_env.pop("DATABASE_URL", None)
    site_env = base_env | {
        "BLOG_INSTANCE_PATH": str(workdir / "instance"),
        "BLOG_SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "DATABASE_URL": f"sqlite:///{db.resolve()}",
        "BLOG_PAGE_CACHE": "true" if args.cache == "on" else "false",
    }
    extra_env = dict(item.partition("=")[::2] for item in args.env)
    servers: list[Server] = []
    results: list[Result] = []
    constant_runs: list[float] = []
    rss: dict[str, list[float]] = {}
    busy_before: list[float] = []
    problems: list[str] = []
    session_cookies: dict[str, str] = {}

    def logged_in(server: Server, row: Row) -> Row:
        """`row` with the cookies of a reader logged in through the real form (once)."""
        if not session_cookies:
            client = log_in(server.base, values["reader"])
            session_cookies.update(client.cookies)
            client.close()
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

    def measure_interleaved(server: Server, row: Row, path: str) -> Result:
        """`--interleave N`: N pairs of runs, the constant page then this page, back to
        back; the pair with the median ratio is reported and all N ratios are in the note.
        A burst of other work on the shared cores then moves one pair, not the figure."""
        pairs: list[tuple[float, Result, float]] = []
        for _ in range(args.interleave):
            reference = measure(constant, CONSTANT, "/").rps or 0.0
            constant_runs.append(reference)
            page = measure(server, row, path)
            if page.rps is None:
                return page
            pairs.append((page.rps / reference if reference else 0.0, page, reference))
        pairs.sort(key=lambda pair: pair[0])
        _, result, result.reference = pairs[(len(pairs) - 1) // 2]  # even N: the lower
        spread = ", ".join(f"{ratio:.2f}" for ratio, _, _ in pairs)
        result.note = "; ".join(filter(None, [result.note, f"ratios of the pairs: {spread}"]))
        return result

    def measure_posting(row: Row) -> Result:
        """The comment row: its own gunicorn on a copy of the database."""
        copy = posting_database(db, workdir)
        slugs, readers = posting_targets(copy, args.post_articles, args.writers)
        env = site_env | POSTING_ENV | {"DATABASE_URL": f"sqlite:///{copy}"} | extra_env
        env["BLOG_INSTANCE_PATH"] = str(workdir / "instance-posting")
        server = start_gunicorn("site-posting", "wsgi:app", env, workdir, args.workers)
        servers.append(server)
        wait_ready(server, "/")
        clients = [log_in(server.base, name) for name in readers]
        form = "a fresh form per comment" if args.fresh_form else "one form per writer"
        result = Result(
            row,
            f"POST /article/<slug>/comments: {len(slugs)} newest articles, "
            f"{len(clients)} writers, {form}",
            unit="comments/s",
        )
        before = comment_snapshot(copy)
        runs = []
        for _ in range(args.repeat):
            busy_before.append(wait_for_idle(args.idle_wait))
            runs.append(post_comments(clients, slugs, 1.0, args.seconds, args.fresh_form))
        for client in clients:
            client.close()
        best = max(runs, key=lambda run: run.measured)
        found = verify_comments(copy, before, [i for run in runs for i in run.acknowledged])
        server.stop()
        result.status = 302
        result.rps = best.measured / best.seconds
        result.p50_ms, result.p99_ms = percentiles(best.post_ms)
        result.errors = sum(best.errors.values())
        acknowledged = sum(len(run.acknowledged) for run in runs)
        result.note = (
            f"comment-post: {acknowledged:,} comments acknowledged in all (warm-up "
            f"included), "
            + (
                "; ".join(found)
                if found
                else f"{acknowledged:,} new rows with exactly those ids, all published, "
                "every article's comment_count equal to its rows"
            )
            + (
                f"; form GET p50 {percentiles(best.form_ms)[0]:.2f} ms"
                if args.fresh_form
                else "; the form was loaded once per writer"
            )
            + (
                "; errors: " + ", ".join(f"{n} × {what}" for what, n in best.errors.items())
                if best.errors
                else "; no errors"
            )
            + f"; database copy of {len(clients)} logged-in readers' posts, "
            f"COMMENT_MIN_SECONDS={env['BLOG_COMMENT_MIN_SECONDS']}, "
            f"COMMENT_MAX_PER_MINUTE={env['BLOG_COMMENT_MAX_PER_MINUTE']}, policy open."
        )
        for problem in found:
            problems.append(f"{articles:,} articles, comment-post: {problem}")
            print(f"\n!!! MISMATCH: {problem}\n", file=sys.stderr, flush=True)
        print(
            f"  {row.name:14} {result.rps:8.0f} comments/s  p50 {result.p50_ms:6.2f} ms  "
            f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}",
            flush=True,
        )
        return result

    try:
        site = start_gunicorn("site", "wsgi:app", site_env | extra_env, workdir, args.workers)
        servers.append(site)
        constant = start_gunicorn(
            "constant", "bench.constant_app:app", base_env, workdir, args.workers
        )
        servers.append(constant)
        wait_ready(site, "/")
        wait_ready(constant, "/")

        constant_runs.append(measure(constant, CONSTANT, "/").rps or 0.0)
        for row in rows:
            interleaved = bool(args.interleave) and not row.posting
            if args.paired and results and not interleaved:
                constant_runs.append(measure(constant, CONSTANT, "/").rps or 0.0)
            if row.posting:
                result = measure_posting(row)
            else:
                path = row.path.format(**values)
                server = constant if row.target == "constant" else site
                if row.logged_in:
                    row = logged_in(server, row)
                if interleaved:
                    result = measure_interleaved(server, row, path)
                else:
                    result = measure(server, row, path)
            if not interleaved:
                result.reference = constant_runs[-1] if args.paired else None
            results.append(result)
        last = measure(constant, CONSTANT, "/")
        constant_runs.append(last.rps or 0.0)
        if not args.paired:
            for result in results:
                result.reference = statistics.mean(constant_runs)
        for server in servers:
            if server.process.poll() is None:
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
        f"{articles:,} articles ({values['article']} has the article row), {stamp}, "
        f"{machine()}, load: {'wrk' if wrk else 'python'} -t{args.threads} "
        f"-c{args.connections} -d{args.seconds}s "
        + (
            f"(median of {args.interleave} interleaved pairs), "
            if args.interleave
            else f"(best of {args.repeat}), "
        )
        + f"gunicorn {args.workers} sync workers, page cache {args.cache}"
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
    notes = "".join(f"\n\n{r.note}" for r in results if r.row.posting)
    notes += "".join(
        f"\n\n{r.row.name}: {r.note}" for r in results if not r.row.posting and r.note and r.rps
    )
    report = f"{header}\n\n{table}\n\n{footer}{notes}\n"
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{articles}.md"
    out.write_text(report)
    print(f"saved {out}")
    return SizeRun(articles, [summary, *results], constant_runs, report, problems)


def fmt_sizes(runs: list[SizeRun]) -> str:
    """One table across sizes: each cell is requests/s and the ratio of that size's run."""
    lines = [
        "| page | " + " | ".join(f"{run.articles:,} articles" for run in runs) + " |",
        "|---|" + "---:|" * len(runs),
    ]
    names = list(dict.fromkeys(r.row.name for run in runs for r in run.results))
    for name in names:
        cells = []
        for run in runs:
            found = next((r for r in run.results if r.row.name == name), None)
            if found is None or not found.rps:
                cells.append("–" if found is None else found.note[:40] or "0")
                continue
            ratio = found.rps / found.reference if found.reference else 0.0
            unit = f" {found.unit}" if found.unit else ""
            errors = f", {found.errors} errors" if found.errors else ""
            cells.append(
                f"{found.rps:,.0f}{unit}, p50 {found.p50_ms:.1f} ms{errors}, "
                f"**{ratio_text(ratio)}**"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sizes(text: str) -> list[int]:
    try:
        found = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of article counts: {text!r}") from None
    if not found or min(found) < 1:
        raise argparse.ArgumentTypeError(f"not a list of article counts: {text!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load benchmark of the public pages.")
    parser.add_argument(
        "--articles", type=sizes, default=[1000],
        help="database size, or several comma-separated (1000,10000,100000): each size "
        "is measured in turn with its own servers, then one table compares them",
    )  # fmt: skip
    parser.add_argument(
        "--comments", type=int, default=None, help="per size; default: 3 per article"
    )
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
        "--writers", type=int, default=8,
        help="comment-post: concurrent readers posting, each logged in as a different reader",
    )  # fmt: skip
    parser.add_argument(
        "--post-articles", type=int, default=50,
        help="comment-post: the comments go to this many of the newest articles, in turn",
    )  # fmt: skip
    parser.add_argument(
        "--fresh-form",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="comment-post: load the article page (the form) before every post, as a "
        "browser does; --no-fresh-form loads it once per writer and measures POSTs alone",
    )
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
    parser.add_argument(
        "--interleave", type=int, default=0, metavar="N",
        help="N pairs of runs per page (constant, then the page); the median pair's ratio "
        "is reported (the most robust figure on shared cores; implies --repeat 1)",
    )  # fmt: skip
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

    if args.interleave:
        args.repeat = 1
    wanted = [r.name for r in ROWS] if args.pages == "all" else args.pages.split(",")
    unknown = set(wanted) - {r.name for r in ROWS}
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    if args.writers < 1 or args.post_articles < 1:
        parser.error("--writers and --post-articles must be at least 1")
    rows = [r for name in wanted for r in ROWS if r.name == name]

    if args.cpu:
        for articles in args.articles:
            db = ensure_database(articles, args.comments, args.regenerate)
            cpu_report(args, articles, rows, db)
        return 0

    wrk = None if args.python_load else shutil.which("wrk")
    print(f"load generator: {wrk or 'python threads'}; {machine()}")
    runs = [run_size(args, articles, rows, wrk) for articles in args.articles]
    if len(runs) > 1:
        combined = (
            f"All sizes, {datetime.now(UTC):%Y-%m-%d %H:%M UTC}, {machine()}; each cell: "
            "requests/s (or comments/s), p50, **ratio to the constant run just before it "
            "in the same size's run**; the constant row gives the mean of its runs.\n\n"
            + fmt_sizes(runs)
            + "\n"
        )
        print()
        print(combined)
        out = RESULTS / (
            f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{'-'.join(str(r.articles) for r in runs)}.md"
        )
        out.write_text(combined + "".join(f"\n---\n\n{run.report}" for run in runs))
        print(f"saved {out}")
    problems = [problem for run in runs for problem in run.problems]
    for problem in problems:
        print(f"!!! MISMATCH: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
