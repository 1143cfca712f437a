"""Articles with long comment threads for the bench's thread rows (issue 13).

`add_threads(db, sizes)` adds to a generated database (bench/generate.py) one article
per size, slug `thread-<size>`, with exactly that many approved comments by the
generated readers, a third of them replies (one level deep, as the site allows). The
articles are published a year before the newest one, so the usual `article` row (the
most-commented of the 100 newest) never picks them. Running it again adds only the
sizes that are missing. bench/run.py calls it when a `thread-*` row is asked for:

    .venv/bin/python bench/run.py --articles 1000 --pages thread-10,thread-1000,thread-10000
"""

from __future__ import annotations

import random
import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT),) if p not in sys.path]

SIZES = (10, 1000, 10_000)
FMT = "%Y-%m-%d %H:%M:%S.%f"


def comment_texts(rng: random.Random) -> list[tuple[str, str]]:
    """Twenty comment bodies (source and HTML) the threads pick from."""
    from blog.core.content import render_comment

    texts = []
    for n in range(20):
        source = f"Comment text number {n}: " + " ".join(
            rng.choice(("harbour", "tide", "council", "vote", "ferry", "budget", "school"))
            for _ in range(rng.randint(20, 70))
        )
        texts.append((source, render_comment(source)))
    return texts


def add_thread(
    con: sqlite3.Connection,
    size: int,
    template: tuple,
    readers: list[int],
    texts: list[tuple[str, str]],
    rng: random.Random,
) -> None:
    """The article `thread-<size>`, a year older than `template`, with `size` comments."""
    newest = datetime.strptime(template[7][:26].ljust(26, "0"), FMT)
    published = newest - timedelta(days=365)
    stamp = published.strftime(FMT)
    article_id = con.execute(
        "INSERT INTO article (title, slug, summary, body_source, body_html, status, "
        "published_at, created_at, updated_at, author_id, category_id, image_id, "
        "image_path, image_alt, comments_open, reading_time, comment_count) VALUES "
        "(?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, ?, NULL, '', '', 1, ?, ?) RETURNING id",
        (f"A thread of {size:,} comments", f"thread-{size}", template[1], template[2],
         template[3], stamp, stamp, stamp, template[4], template[5], template[6], size),
    ).fetchone()[0]  # fmt: skip
    next_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM comment").fetchone()[0]
    rows, top = [], []
    for i in range(size):
        comment_id = next_id + i
        parent = rng.choice(top) if top and rng.random() < 0.33 else None
        if parent is None:
            top.append(comment_id)
        source, html = texts[rng.randrange(len(texts))]
        when = (published + timedelta(minutes=i)).strftime(FMT)
        rows.append((comment_id, article_id, rng.choice(readers), parent, source, html,
                     when))  # fmt: skip
    con.executemany(
        "INSERT INTO comment (id, article_id, author_id, parent_id, body_source, "
        "body_html, status, deleted, report_count, created_at, edited_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'approved', 0, 0, ?, NULL)",
        rows,
    )


def add_threads(db: Path, sizes: tuple[int, ...] = SIZES, seed: int = 13) -> list[str]:
    """Add the missing `thread-<size>` articles; the slugs added."""
    rng = random.Random(seed)
    con = sqlite3.connect(db, isolation_level=None)
    added = []
    try:
        con.execute("BEGIN IMMEDIATE")
        template = con.execute(
            "SELECT title, summary, body_source, body_html, author_id, category_id, "
            "reading_time, published_at FROM article ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
        readers = [r[0] for r in con.execute("SELECT id FROM user WHERE role = 1")]
        if template is None or not readers:
            raise SystemExit(f"{db} has no article or no reader: generate it first")
        texts = comment_texts(rng)
        for size in sizes:
            slug = f"thread-{size}"
            if not con.execute("SELECT 1 FROM article WHERE slug = ?", (slug,)).fetchone():
                add_thread(con, size, template, readers, texts, rng)
                added.append(slug)
        if added:
            con.execute(
                "UPDATE site_state SET version = version + 1, "
                "comments_version = comments_version + 1 WHERE id = 1"
            )
        con.execute("COMMIT")
    finally:
        con.close()
    return added


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "data" / "1000.sqlite3"
    print("added:", ", ".join(add_threads(target)) or "nothing (all present)")
