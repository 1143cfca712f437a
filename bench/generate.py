"""Build a large, realistic SQLite database for the load benchmark.

    .venv/bin/python bench/generate.py --articles 100000 --comments 300000 \
        --out bench/data/100000.sqlite3

The schema comes from the real migrations and the defaults from `blog.core.seed.seed_defaults`,
so the database is exactly what a live site has. Then users (authors and readers), tags,
articles and approved comments are bulk-inserted with `executemany` inside one big
transaction (journal off, synchronous off while loading). Articles are ~600 words of
Markdown with subheadings, lists and a quote; their HTML is rendered once per template
body by `blog.core.content.render_article` and reused. Titles and summaries are unique per
article; words follow a Zipf-like distribution so that search terms range from rare to
very common. Every article is published, spread over the last five years and over the
twelve categories, with 2-4 tags (a few tags are popular, most are rare) and a
`comment_count` that matches its approved comments.

The full-text index triggers are dropped during the load; the index is rebuilt in one
pass and the triggers recreated from the SQL the migrations stored in the schema.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import sqlite3
import sys
import time
from bisect import bisect
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BATCH = 5_000
BODY_TEMPLATES = 120
COMMENT_TEMPLATES = 60
YEARS = 5
# One cheap hash for every generated user: nobody logs in as them during the bench.
PASSWORD = "bench passphrase, not a real account"


def _words(text: str) -> list[str]:
    return text.split()


COMMON = _words("""
the of and to in a is that for it as was with be by on not he this are or his from at
which but have an they you were her she there been one all we their has would when if
so more no out up what about who them into time only some could its new other then than
first also after people years over may two said most made like these any where many
""")

NEWS = _words("""
government market council report minister city country company climate energy water
health school hospital court police election vote party policy budget tax price bank
economy workers union strike trade deal talks summit border war peace army ministry
research study scientists data university museum festival film music album season team
league match coach player final record storm flood drought heat forest river coast
farmers food housing rent transport rail airport road bridge internet software phone
privacy security attack network chip startup investors profit growth inflation rates
jobs wages pension families children students teachers doctors nurses patients vaccine
virus disease treatment drug trial survey community village region province capital
protest campaign candidate parliament senate law ruling judge lawyer prison reform
""")

VERBS = _words("""
says warns plans announces rejects backs delays launches wins loses faces opens closes
cuts raises signs calls seeks reveals expands questions approves blocks returns marks
""")

SYLLABLES = _words("""
ka lo mi ra ven tor sel an dri qua bel mon tes ar iv ul om zen pa ri cor lin des har
""")

SUBHEADS = [
    "What happened",
    "Why it matters",
    "The background",
    "What people are saying",
    "The numbers",
    "What comes next",
    "A closer look",
    "How we got here",
]


class Words:
    """A Zipf-like vocabulary: common words, news words, then invented proper names."""

    def __init__(self, rng: random.Random, names: int = 4000) -> None:
        invented = set()
        while len(invented) < names:
            parts = rng.randint(2, 4)
            invented.add("".join(rng.choice(SYLLABLES) for _ in range(parts)))
        self.names = sorted(invented)
        self.vocab = COMMON + NEWS + VERBS + self.names
        # Invented names are the rare tail: about a tenth of all words.
        known = len(self.vocab) - names
        self.cum = list(
            itertools.accumulate(
                (1.0 if rank < known else 0.12) / (rank + 8) for rank in range(len(self.vocab))
            )
        )
        self.rng = rng

    def some(self, n: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=n)

    def sentence(self, n: int | None = None) -> str:
        words = self.some(n or self.rng.randint(8, 22))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def title(self) -> str:
        rng = self.rng
        words = [
            rng.choice(self.names).capitalize(),
            rng.choice(VERBS),
            *self.some(rng.randint(2, 4)),
            rng.choice(NEWS),
        ]
        return " ".join(words).capitalize()


def article_body(words: Words) -> str:
    """About 600 words of Markdown: paragraphs, subheadings, a list and a quote."""
    rng = words.rng
    parts = [words.paragraph(4), words.paragraph(3)]
    for heading in rng.sample(SUBHEADS, 4):
        parts.append(f"## {heading}")
        parts.append(words.paragraph(rng.randint(4, 5)))
        if rng.random() < 0.5:
            parts.append("\n".join(f"- {words.sentence(rng.randint(5, 9))}" for _ in range(3)))
        if rng.random() < 0.4:
            parts.append(f"> {words.sentence(14)}")
        parts.append(words.paragraph(3))
    return "\n\n".join(parts) + "\n"


def fmt(value: datetime) -> str:
    """A UTC datetime as SQLAlchemy stores DateTime in SQLite (naive UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def migrate(path: Path) -> None:
    """Create the schema with the real migrations and add the site defaults."""
    from flask_migrate import upgrade

    from blog import create_app
    from blog.core.seed import seed_defaults
    from blog.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        }
    )
    with app.app_context():
        upgrade()
        seed_defaults()
        db.session.remove()
        db.engine.dispose()


INSERT_ARTICLE = (
    "INSERT INTO article (id, title, slug, summary, body_source, body_html, status, "
    "published_at, created_at, updated_at, author_id, category_id, image_id, image_path, "
    "image_alt, comments_open, reading_time, comment_count) "
    "VALUES (?, ?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, ?, NULL, '', '', 1, ?, ?)"
)
INSERT_COMMENT = (
    "INSERT INTO comment (id, article_id, author_id, parent_id, body_source, body_html, "
    "status, deleted, report_count, created_at, edited_at) "
    "VALUES (?, ?, ?, ?, ?, ?, 'approved', 0, 0, ?, NULL)"
)


class Loader:
    """The bulk load into a migrated file, one step per table, in a fixed order.

    Every step draws from the same seeded `rng` in the same order, so a seed always
    gives the same database.
    """

    def __init__(self, out: Path, articles: int, comments: int, seed: int) -> None:
        self.articles, self.comments = articles, comments
        self.rng = random.Random(seed)
        self.words = Words(self.rng)
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        self.first = self.now - timedelta(days=365 * YEARS)
        self.span = (self.now - self.first).total_seconds()
        con = self.con = sqlite3.connect(out, isolation_level=None)
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -400000")
        con.execute("PRAGMA temp_store = MEMORY")
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("BEGIN")
        # The search index triggers, exactly as the migrations created them: dropped for
        # the load (the index is rebuilt in one pass at the end), then recreated.
        self.triggers = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'article'"
        ).fetchall()
        for name, _ in self.triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        self.categories = [
            row[0] for row in con.execute("SELECT id FROM category ORDER BY position")
        ]

    def users(self) -> None:
        """Authors write, readers comment. One precomputed hash for all of them."""
        from werkzeug.security import generate_password_hash

        rng, words = self.rng, self.words
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        n_authors = max(5, min(200, self.articles // 500))
        n_readers = max(10, min(20_000, self.comments // 15))
        user_rows = []
        stamp = fmt(self.first)
        for i in range(n_authors + n_readers):
            is_author = i < n_authors
            name = f"author{i + 1}" if is_author else f"reader{i - n_authors + 1}"
            display = " ".join(w.capitalize() for w in rng.sample(words.names, 2))
            bio = "Writes about " + ", ".join(rng.sample(NEWS, 3)) + "." if is_author else ""
            user_rows.append(
                (
                    name, f"{name}@example.com", password_hash, display, bio,
                    2 if is_author else 1, 1, 1, 0, secrets.token_urlsafe(24),
                    stamp, stamp, stamp,  # confirmed: the bench's readers may comment
                )
            )  # fmt: skip
        self.con.executemany(
            "INSERT INTO user (username, email, password_hash, display_name, bio, role, active, "
            "can_comment, notify_replies, session_token, created_at, updated_at, "
            "email_confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            user_rows,
        )
        self.user_ids = [row[0] for row in self.con.execute("SELECT id FROM user ORDER BY id")]
        self.author_ids, self.reader_ids = self.user_ids[:n_authors], self.user_ids[n_authors:]

    def tags(self, slugify) -> None:
        """A Zipf-like popularity, so a few tags hold thousands of articles."""
        rng, words = self.rng, self.words
        n_tags = max(20, min(2000, self.articles // 50))
        tag_names: list[str] = []
        seen: set[str] = set()
        candidates = NEWS + words.names
        while len(tag_names) < n_tags:
            name = (
                rng.choice(candidates)
                if len(tag_names) < len(NEWS) // 2
                else (rng.choice(NEWS) + " " + rng.choice(words.names))
            )
            if name not in seen:
                seen.add(name)
                tag_names.append(name)
        self.con.executemany(
            "INSERT INTO tag (name, slug) VALUES (?, ?)", [(n, slugify(n)) for n in tag_names]
        )
        self.tag_ids = [row[0] for row in self.con.execute("SELECT id FROM tag ORDER BY id")]
        self.tag_cum = list(
            itertools.accumulate(1.0 / (rank + 3) for rank in range(len(self.tag_ids)))
        )

    def bodies(self, render_article, reading_time) -> None:
        """Render each body template once; articles reuse the HTML."""
        self.templates = []
        for _ in range(min(BODY_TEMPLATES, max(1, self.articles))):
            source = article_body(self.words)
            html = render_article(source)
            self.templates.append((source, html, reading_time(html)))

    def comment_counts(self) -> None:
        """Comments per article: newer articles get more (readers come for the news)."""
        articles = self.articles
        weights = [0.2 + (i / max(1, articles - 1)) ** 2 for i in range(articles)]
        self.counts = [0] * articles
        if articles:
            cum = list(itertools.accumulate(weights))
            total = cum[-1]
            for _ in range(self.comments):
                self.counts[bisect(cum, self.rng.random() * total)] += 1

    def article_rows(self, excerpt, slugify) -> None:
        """Articles, oldest first so ids follow publication order like a real site."""
        rng, words = self.rng, self.words
        offsets = sorted(rng.random() * self.span for _ in range(self.articles))
        rows, links = [], []
        self.published: list[datetime] = []
        for i in range(self.articles):
            article_id = i + 1
            title = words.title()
            slug = f"{slugify(title)[:150].rstrip('-')}-{article_id}"
            summary = excerpt(words.paragraph(2), 220)
            source, html, minutes = self.templates[rng.randrange(len(self.templates))]
            when = self.first + timedelta(seconds=offsets[i])
            self.published.append(when)
            stamp = fmt(when)
            rows.append(
                (
                    article_id, title, slug, summary, source, html, stamp, stamp, stamp,
                    rng.choice(self.author_ids), rng.choice(self.categories), minutes,
                    self.counts[i],
                )
            )  # fmt: skip
            chosen = set(rng.choices(self.tag_ids, cum_weights=self.tag_cum, k=rng.randint(2, 4)))
            while len(chosen) < 2:
                chosen.add(rng.choice(self.tag_ids))
            links.extend((article_id, tag_id) for tag_id in chosen)
            if len(rows) >= BATCH:
                self.con.executemany(INSERT_ARTICLE, rows)
                rows.clear()
        self.con.executemany(INSERT_ARTICLE, rows)
        self.con.executemany("INSERT INTO article_tag (article_id, tag_id) VALUES (?, ?)", links)

    def comment_rows(self, render_comment) -> int:
        """Approved comments by readers, a third of them replies; the number added."""
        rng, words = self.rng, self.words
        templates = []
        for _ in range(COMMENT_TEMPLATES):
            source = "\n\n".join(
                words.paragraph(rng.randint(1, 3)) for _ in range(rng.randint(1, 2))
            )
            templates.append((source, render_comment(source)))
        comment_id = 0
        rows = []
        for i, n in enumerate(self.counts):
            if not n:
                continue
            base = self.published[i]
            age = max(60.0, min((self.now - base).total_seconds(), 14 * 86400.0))
            moments = sorted(rng.random() * age for _ in range(n))
            top_level: list[int] = []
            for moment in moments:
                comment_id += 1
                parent = rng.choice(top_level) if top_level and rng.random() < 0.33 else None
                if parent is None:
                    top_level.append(comment_id)
                source, html = templates[rng.randrange(len(templates))]
                rows.append(
                    (
                        comment_id, i + 1, rng.choice(self.reader_ids), parent, source, html,
                        fmt(base + timedelta(seconds=moment)),
                    )
                )  # fmt: skip
                if len(rows) >= BATCH:
                    self.con.executemany(INSERT_COMMENT, rows)
                    rows.clear()
        self.con.executemany(INSERT_COMMENT, rows)
        return comment_id

    def finish(self) -> None:
        """Rebuild the search index, restore its triggers, bump the version, commit."""
        con = self.con
        con.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")
        for _, sql in self.triggers:
            con.execute(sql)
        con.execute("UPDATE site_state SET version = version + 1 WHERE id = 1")
        con.execute("COMMIT")


def generate(articles: int, comments: int, out: Path, seed: int = 1) -> dict[str, float]:
    """Build the database at `out` (replacing it); returns counts and timings."""
    from blog.core.content import excerpt, reading_time, render_article, render_comment, slugify

    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    migrate(out)
    t_migrate = time.perf_counter()
    load = Loader(out, articles, comments, seed)
    load.users()
    load.tags(slugify)
    load.bodies(render_article, reading_time)
    t_render = time.perf_counter()
    load.comment_counts()
    load.article_rows(excerpt, slugify)
    t_articles = time.perf_counter()
    added = load.comment_rows(render_comment)
    t_comments = time.perf_counter()
    load.finish()
    t_fts = time.perf_counter()
    load.con.execute("PRAGMA journal_mode = WAL")
    load.con.close()
    finished = time.perf_counter()
    return {
        "articles": articles,
        "comments": added,
        "users": len(load.user_ids),
        "tags": len(load.tag_ids),
        "seconds_migrate": t_migrate - started,
        "seconds_render": t_render - t_migrate,
        "seconds_articles": t_articles - t_render,
        "seconds_comments": t_comments - t_articles,
        "seconds_fts": t_fts - t_comments,
        "seconds_total": finished - started,
        "megabytes": os.path.getsize(out) / 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=None, help="default: 3 per article")
    parser.add_argument("--out", type=Path, default=None, help="default: bench/data/<N>.sqlite3")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    comments = args.comments if args.comments is not None else 3 * args.articles
    # Absolute: Flask-SQLAlchemy reads a relative SQLite path inside the instance folder.
    out = (args.out or ROOT / "bench" / "data" / f"{args.articles}.sqlite3").resolve()
    stats = generate(args.articles, comments, out, seed=args.seed)
    print(
        f"{out}: {stats['articles']} articles, {stats['comments']} comments, "
        f"{stats['users']} users, {stats['tags']} tags, {stats['megabytes']:.0f} MB"
    )
    print(
        "time: migrate {seconds_migrate:.1f}s, render {seconds_render:.1f}s, "
        "articles {seconds_articles:.1f}s, comments {seconds_comments:.1f}s, "
        "search index {seconds_fts:.1f}s, total {seconds_total:.1f}s".format(**stats)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
