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

The pieces live beside this file: rows.py (the rows and their database), servers.py
(tests/live.py's Gunicorn as the bench starts it, probe, RSS), load.py (wrk and the
Python load generator, percentiles, waiting for idle CPUs), posting.py (the comment-post
row), report.py (tables, ratios, the machine line, bench/results/) and cpu.py (--cpu).
This file keeps the command line and the order of the runs.

Rows are `Row(name, path, ...)` entries in ROWS (rows.py); a path may use {article}, {category},
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
import contextlib
import os
import secrets
import shutil
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The modules beside this file, and the project (`blog`, `tests.live`, `bench.constant_app`).
sys.path[:0] = [p for p in (str(ROOT / "bench"), str(ROOT)) if p not in sys.path]

# The path is set first, hence E402.
from cpu import cpu_report  # noqa: E402
from load import run_python, run_wrk, wait_for_idle  # noqa: E402
from posting import log_in, measure_posting  # noqa: E402
from report import SizeRun, machine, save, size_report, sizes_report  # noqa: E402
from rows import (  # noqa: E402
    CONSTANT,
    DEFAULT_ROWS,
    ROWS,
    Result,
    Row,
    add_threads,
    ensure_database,
    fixtures,
)
from servers import gunicorn, probe, rss_mb  # noqa: E402

from tests.live import Gunicorn  # noqa: E402


class SizeBench:
    """One database size: its servers, the paired constant runs and the rows' results."""

    def __init__(self, args: argparse.Namespace, articles: int, wrk: str | None) -> None:
        self.args, self.articles, self.wrk = args, articles, wrk
        self.results: list[Result] = []
        self.constant_runs: list[float] = []
        self.busy_before: list[float] = []
        self.problems: list[str] = []
        self.session_cookies: dict[str, str] = {}
        self.rss: dict[str, list[float]] = {}

    def prepare(self) -> None:
        """The database (generated once), its fixture values, and the servers' settings."""
        args = self.args
        self.db = ensure_database(self.articles, args.comments, args.regenerate)
        add_threads(self.db, self.rows)
        values = self.values = fixtures(self.db)
        print(
            f"fixtures: article={values['article']} category={values['category']} "
            f"tag={values['tag']} word={values['word']} ({values['word_docs']} articles) "
            f"common_word={values['common_word']} ({values['common_word_docs']} articles)"
        )
        self.workdir = Path(tempfile.mkdtemp(prefix="blog-bench-"))
        self.base_env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
        self.base_env.pop("DATABASE_URL", None)
        self.site_env = self.base_env | {
            "BLOG_INSTANCE_PATH": str(self.workdir / "instance"),
            "BLOG_SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
            "DATABASE_URL": f"sqlite:///{self.db.resolve()}",
            "BLOG_PAGE_CACHE": "true" if args.cache == "on" else "false",
        }
        self.extra_env = dict(item.partition("=")[::2] for item in args.env)

    def run(self, rows: list[Row]) -> SizeRun:
        """Measure `rows` at this size with its own gunicorns, always stopped."""
        self.rows = rows
        self.prepare()
        args = self.args
        try:
            with contextlib.ExitStack() as servers:
                site = servers.enter_context(
                    gunicorn("wsgi:app", self.site_env | self.extra_env, self.workdir, args.workers)
                )
                self.constant = servers.enter_context(
                    gunicorn("bench.constant_app:app", self.base_env, self.workdir, args.workers)
                )
                last = self.measure_rows(site)
                self.rss = {
                    name: rss_mb(server.worker_pids())
                    for name, server in (("site", site), ("constant", self.constant))
                }
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return self.finish(last)

    def measure_rows(self, site: Gunicorn) -> Result:
        """The constant page, then each row (after its paired constant run), then the
        constant page again, which is returned."""
        args = self.args
        self.measure_constant()
        for row in self.rows:
            interleaved = bool(args.interleave) and not row.posting
            if args.paired and self.results and not interleaved:
                self.measure_constant()
            result = self.measure_row(site, row, interleaved)
            if not interleaved:
                result.reference = self.constant_runs[-1] if args.paired else None
            self.results.append(result)
        last = self.measure_constant()
        if not args.paired:
            for result in self.results:
                result.reference = statistics.mean(self.constant_runs)
        return last

    def measure_row(self, site: Gunicorn, row: Row, interleaved: bool) -> Result:
        if row.posting:
            return self.measure_posting(row)
        path = row.path.format(**self.values)
        server = self.constant if row.target == "constant" else site
        if row.logged_in:
            row = self.logged_in(server, row)
        if interleaved:
            return self.measure_interleaved(server, row, path)
        return self.measure(server, row, path)

    def measure_constant(self) -> Result:
        """One run of the constant page; its requests/s join the constant runs."""
        result = self.measure(self.constant, CONSTANT, "/")
        self.constant_runs.append(result.rps or 0.0)
        return result

    def logged_in(self, server: Gunicorn, row: Row) -> Row:
        """`row` with the cookies of a reader logged in through the real form (once)."""
        if not self.session_cookies:
            self.session_cookies.update(log_in(server.port, self.values["reader"]).cookies)
        return replace(row, cookies=self.session_cookies)

    def load(self, url: str, headers: dict[str, str], seconds: int) -> tuple:
        """One wrk run (or one of the Python load generator) on `url`."""
        args = self.args
        if self.wrk:
            return run_wrk(self.wrk, url, headers, seconds, args.threads, args.connections)
        return run_python(url, headers, seconds, args.connections)

    def measure(self, server: Gunicorn, row: Row, path: str) -> Result:
        """The best of --repeat runs of `path`, each after the CPUs went idle; the first
        after a one-second warm-up."""
        result = Result(row, path)
        headers = row.request_headers()
        url = server.base + path
        result.status, result.size = probe(url, headers)
        if result.status != 200:
            result.note = f"HTTP {result.status or 'timeout'}, not measured"
            return result
        runs = []
        for attempt in range(self.args.repeat):
            self.busy_before.append(wait_for_idle(self.args.idle_wait))
            if attempt == 0:
                self.load(url, headers, 1)  # warm-up
            runs.append(self.load(url, headers, self.args.seconds))
        # The best run is the one least disturbed by other work on the same cores.
        rps, p50, p99, errors = max(runs)
        result.rps, result.p50_ms, result.p99_ms, result.errors = rps, p50, p99, errors
        print(f"  {row.name:14} {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms", flush=True)
        return result

    def measure_interleaved(self, server: Gunicorn, row: Row, path: str) -> Result:
        """`--interleave N`: N pairs of runs, the constant page then this page, back to
        back; the pair with the median ratio is reported and all N ratios are in the note.
        A burst of other work on the shared cores then moves one pair, not the figure."""
        pairs: list[tuple[float, Result, float]] = []
        for _ in range(self.args.interleave):
            reference = self.measure_constant().rps or 0.0
            page = self.measure(server, row, path)
            if page.rps is None:
                return page
            pairs.append((page.rps / reference if reference else 0.0, page, reference))
        pairs.sort(key=lambda pair: pair[0])
        _, result, result.reference = pairs[(len(pairs) - 1) // 2]  # even N: the lower
        spread = ", ".join(f"{ratio:.2f}" for ratio, _, _ in pairs)
        result.note = "; ".join(filter(None, [result.note, f"ratios of the pairs: {spread}"]))
        return result

    def measure_posting(self, row: Row) -> Result:
        """The comment row (posting.py); a mismatch found by its check is a problem."""
        result, busy, found = measure_posting(
            row, self.args, self.db, self.workdir, self.site_env, self.extra_env
        )
        self.busy_before += busy
        self.problems += [f"{self.articles:,} articles, comment-post: {p}" for p in found]
        return result

    def finish(self, last: Result) -> SizeRun:
        """The size's report: printed, saved in bench/results/, and returned."""
        constant_rps = statistics.mean(self.constant_runs)
        summary = Result(CONSTANT, "/", 200, last.size, constant_rps, last.p50_ms, last.p99_ms)
        summary.reference = constant_rps
        results = [summary, *self.results]
        report = size_report(
            self.args, self.wrk, self.articles, self.values, results,
            self.constant_runs, self.busy_before, self.rss,
        )  # fmt: skip
        print()
        print(report)
        save(report, str(self.articles))
        return SizeRun(self.articles, results, self.constant_runs, report, self.problems)


def run_size(args: argparse.Namespace, articles: int, rows: list[Row], wrk: str | None) -> SizeRun:
    """Measure `rows` at one database size: its own gunicorns, always stopped."""
    return SizeBench(args, articles, wrk).run(rows)


def sizes(text: str) -> list[int]:
    try:
        found = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of article counts: {text!r}") from None
    if not found or min(found) < 1:
        raise argparse.ArgumentTypeError(f"not a list of article counts: {text!r}")
    return found


def add_site_options(parser: argparse.ArgumentParser) -> None:
    """The database, the rows and the site's settings."""
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


def add_method_options(parser: argparse.ArgumentParser) -> None:
    """How the runs are made and compared."""
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


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[Row]]:
    """The options and the rows they ask for (the parser exits on a bad one)."""
    parser = argparse.ArgumentParser(description="Load benchmark of the public pages.")
    add_site_options(parser)
    add_method_options(parser)
    args = parser.parse_args(argv)
    if args.interleave:
        args.repeat = 1
    wanted = [r.name for r in ROWS] if args.pages == "all" else args.pages.split(",")
    unknown = set(wanted) - {r.name for r in ROWS}
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    if args.writers < 1 or args.post_articles < 1:
        parser.error("--writers and --post-articles must be at least 1")
    return args, [r for name in wanted for r in ROWS if r.name == name]


def main(argv: list[str] | None = None) -> int:
    args, rows = parse(argv)
    if args.cpu:
        for articles in args.articles:
            db = ensure_database(articles, args.comments, args.regenerate)
            cpu_report(args, articles, rows, db)
        return 0

    wrk = None if args.python_load else shutil.which("wrk")
    print(f"load generator: {wrk or 'python threads'}; {machine()}")
    runs = [run_size(args, articles, rows, wrk) for articles in args.articles]
    if len(runs) > 1:
        combined = sizes_report(runs)
        print()
        print(combined)
        reports = "".join(f"\n---\n\n{run.report}" for run in runs)
        save(combined + reports, "-".join(str(run.articles) for run in runs))
    problems = [problem for run in runs for problem in run.problems]
    for problem in problems:
        print(f"!!! MISMATCH: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
