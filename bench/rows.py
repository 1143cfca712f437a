"""The rows of the load benchmark and the database they read.

A row is `Row(name, path, ...)` in ROWS; a path may use {article}, {category}, {tag},
{word} and {common_word}, which `fixtures` picks from the database. `Result` is what a
row measured. `ensure_database` generates (or reuses) bench/data/<N>.sqlite3 with
bench/generate.py; `add_threads` adds the long-thread articles (bench/threads.py).
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `generate` and `threads` (bench/) are imported lazily: they import the project.
sys.path[:0] = [p for p in (str(ROOT / "bench"), str(ROOT)) if p not in sys.path]
DATA = ROOT / "bench" / "data"


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
    import generate

    if path.exists() and not regenerate:
        # A database generated before the newest migrations gets them first.
        generate.migrate(path)
        print(f"reusing {path}")
        return path

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


def add_threads(db: Path, rows: list[Row]) -> None:
    """Add the long-thread articles to `db` when a `thread-*` row asks for them."""
    if any(row.name.startswith("thread-") for row in rows):
        import threads

        for slug in threads.add_threads(db):
            print(f"added {slug} to {db}")
