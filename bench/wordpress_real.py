"""Round trips through a real WordPress: Debian's package and the official importer.

    apt-get install wordpress php-cli php-mysql php-xml php-mbstring mariadb-server
    git clone --branch 0.9.5 https://github.com/WordPress/wordpress-importer /tmp/wpi
    .venv/bin/python bench/wordpress_real.py --importer /tmp/wpi [--source FILE.xml]

Nothing of WordPress is committed here: the script uses the installed package in place
(bench/wordpress_real.php plays wp-config.php) and a MariaDB server of its own on a
socket in a temporary folder, started and stopped by the script (never the service).

1. **WordPress → this site.** The source export (by default the theme unit test data,
   phpunit/data/theme-unit-test-data.xml of the importer's checkout) goes into a fresh
   WordPress through the official importer; WordPress's own `export_wp()` then writes a
   real WordPress 6 export, which `blog import-wordpress` reads into a fresh site.
   Checked: every public post and page arrives public, every hidden one (private,
   password, draft, pending) hidden; titles and slugs; comments and their parents.
2. **This site → WordPress.** `blog export-wordpress` writes that site out, and the
   official importer reads it into a second fresh WordPress. Checked: the same items,
   statuses, comment threads, and the images, links and subheadings of each body.

It prints each finding, then a summary, and exits 1 if anything was lost or leaked.
The findings of the last run are in docs/wordpress.md.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "bench" / "wordpress_real.php"
BLOG = Path(sys.executable).parent / "blog"
PUBLIC = {"publish", "future"}  # what WordPress shows (future: once its date comes)
LEFT_OUT = {"trash", "auto-draft", "inherit"}  # never imported here, by design
UNTITLED = "(untitled)"  # what this site calls an item WordPress left without a title


class MariaDB:
    """A throwaway MariaDB server on a socket in `folder`, no TCP."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.socket = folder / "mysql.sock"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> MariaDB:
        data = self.folder / "data"
        subprocess.run(
            ["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.process = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={data}", f"--socket={self.socket}",
             "--skip-networking", "--user=root", f"--pid-file={self.folder / 'pid'}"],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "server.log", "wb"),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not self.socket.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"MariaDB did not start; see {self.folder / 'server.log'}")
            time.sleep(0.2)
        return self

    def fresh(self) -> None:
        self.sql("DROP DATABASE IF EXISTS wordpress; CREATE DATABASE wordpress")

    def sql(self, statement: str) -> None:
        subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-e", statement],
            check=True,
        )

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)


class WordPress:
    def __init__(self, db: MariaDB, folder: Path, importer: Path):
        self.db, self.content, self.importer = db, folder / "wp-content", importer

    def php(self, *args: str) -> str:
        command = ["php", str(DRIVER), str(self.db.socket), str(self.content), str(self.importer)]
        done = subprocess.run([*command, *args], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"php {args[0]} failed:\n{done.stderr}\n{done.stdout[-2000:]}")
        return done.stdout

    def fresh(self) -> None:
        self.db.fresh()
        shutil.rmtree(self.content, ignore_errors=True)
        (self.content / "uploads").mkdir(parents=True)
        self.php("install")

    def import_(self, wxr: Path) -> dict:
        return json.loads(self.php("import", str(wxr)))

    def export(self, wxr: Path) -> None:
        self.php("export", str(wxr))


class Site:
    """A fresh site of ours, through the `blog` command."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True)
        self.env = {
            **os.environ,
            "BLOG_INSTANCE_PATH": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'blog.sqlite3'}",
            "BLOG_SECRET_KEY": secrets.token_urlsafe(48),
        }
        self.blog("setup", input="a long admin password\na long admin password\n")

    def blog(self, *args: str, input: str | None = None) -> str:
        done = subprocess.run(
            [str(BLOG), *args], env=self.env, input=input, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"blog {args[0]} failed:\n{done.stderr}\n{done.stdout[-2000:]}")
        return done.stdout

    def rows(self, query: str) -> list[tuple]:
        with sqlite3.connect(self.folder / "blog.sqlite3") as db:
            return db.execute(query).fetchall()

    def items(self) -> dict[str, tuple[str, bool]]:
        """slug -> (title, shown to readers) for every article and page."""
        found = {
            slug: (title, status == "published")
            for slug, title, status in self.rows("SELECT slug, title, status FROM article")
        }
        for slug, title, published in self.rows("SELECT slug, title, published FROM page"):
            found[slug] = (title, bool(published))
        return found

    def threads(self) -> Counter:
        """How many comments sit at each depth of their thread (0: top level). Threads
        here show two levels; `reply_to_id` keeps the comment actually answered."""
        parent = dict(self.rows("SELECT id, coalesce(reply_to_id, parent_id) FROM comment"))
        return Counter(_depth(parent, c) for c in parent)


def _depth(parent: dict, node) -> int:
    depth = 0
    while parent.get(node) not in (None, 0, "0"):
        node, depth = parent[node], depth + 1
    return depth


def wp_items(stats: dict) -> dict[str, tuple[str, bool]]:
    """slug -> (title as plain text, shown to readers); WordPress keeps non-ASCII slugs
    percent-encoded, this site as text."""
    return {
        unquote(p["post_name"]): (
            plain(p["post_title"]) or UNTITLED,
            p["post_status"] in PUBLIC and not int(p["locked"]),
        )
        for p in stats["posts"]
        if p["post_type"] in ("post", "page")
        and p["post_name"]
        and p["post_status"] not in LEFT_OUT
    }


def plain(title: str) -> str:
    """A title as this site keeps it: HTML titles (<em>) become their text."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", title)).split())


def wp_threads(stats: dict) -> Counter:
    """Depths of the comments this site takes: on posts (pages here take none), no
    pingbacks or trackbacks."""
    kept = [
        c for c in stats["comments"]
        if c["post_type"] == "post" and c["comment_type"] not in ("pingback", "trackback")
        and c["comment_approved"] in ("0", "1") and c["post_status"] not in LEFT_OUT
    ]  # fmt: skip
    parent = {c["comment_ID"]: c["comment_parent"] for c in kept}
    return Counter(_depth(parent, c) for c in parent)


def compare(
    label: str, before: dict, after: dict, problems: list[str], taken: set[str] = frozenset()
) -> None:
    """Items in `before` missing in `after`, retitled, or shown when they were hidden.
    A slug in `taken` (the site's own pages before the import) arrives as "<slug>-2"."""
    for slug, (title, shown) in sorted(before.items()):
        if slug in taken:
            slug_here = f"{slug}-2"
            after = {**after, slug: after.get(slug_here, ("", False))}
        if slug not in after:
            problems.append(f"{label}: {slug!r} ({title!r}) is missing")
            continue
        new_title, new_shown = after[slug]
        if new_shown and not shown:
            problems.append(f"{label}: {slug!r} was hidden and is now PUBLIC")
        if shown and not new_shown:
            problems.append(f"{label}: {slug!r} was public and is now hidden")
        if " ".join(new_title.split()) != " ".join(title.split()):
            problems.append(f"{label}: {slug!r} title {title!r} became {new_title!r}")


def run(importer: Path, source: Path, folder: Path) -> list[str]:
    problems: list[str] = []
    with MariaDB(folder) as db:
        wordpress = WordPress(db, folder, importer)

        wordpress.fresh()
        first = wordpress.import_(source)["stats"]
        real_export = folder / "wordpress-export.xml"
        wordpress.export(real_export)
        ours = Site(folder / "site")
        own_pages = set(ours.items())
        print(ours.blog("import-wordpress", str(real_export)))
        compare("WordPress → here", wp_items(first), ours.items(), problems, own_pages)
        if wp_threads(first) != ours.threads():
            problems.append(f"WordPress → here: comment depths {wp_threads(first)} "
                            f"became {ours.threads()}")  # fmt: skip

        our_export = folder / "our-export.xml"
        ours.blog("export-wordpress", str(our_export))
        wordpress.fresh()
        second = wordpress.import_(our_export)
        print(second["log"][-3000:])
        compare("here → WordPress", ours.items(), wp_items(second["stats"]), problems)
        for post in second["stats"]["posts"]:
            if post["post_type"] != "attachment" and not post["post_title"].strip():
                problems.append(f"here → WordPress: {post['post_name']!r} lost its title")
        if ours.threads() != wp_threads(second["stats"]):
            problems.append(f"here → WordPress: comment depths {ours.threads()} "
                            f"became {wp_threads(second['stats'])}")  # fmt: skip
        summary = {
            "WordPress items": len(wp_items(first)),
            "items here": len(ours.items()),
            "items back in WordPress": len(wp_items(second["stats"])),
            "comments (depths)": dict(sorted(ours.threads().items())),
        }
        for what in ("images", "links", "headings"):
            was, now = (sum(p[what] for p in s["posts"]) for s in (first, second["stats"]))
            summary[f"{what} in bodies: WordPress, then back in WordPress"] = [was, now]
            if now < was:
                problems.append(f"round trip: {was - now} of {was} {what} in bodies lost")
        print(json.dumps(summary, indent=1, ensure_ascii=False))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--importer",
        type=Path,
        required=True,
        help="a checkout of github.com/WordPress/wordpress-importer (0.9.5)",
    )
    parser.add_argument(
        "--source", type=Path, help="the export to start from (default: the theme unit test data)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")  # fmt: skip
    args = parser.parse_args(argv)
    source = args.source or args.importer / "phpunit" / "data" / "theme-unit-test-data.xml"
    folder = Path(tempfile.mkdtemp(prefix="wordpress-real-"))
    try:
        problems = run(args.importer.resolve(), source.resolve(), folder)
    finally:
        if args.keep:
            print(f"work folder kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    for problem in problems:
        print("PROBLEM", problem)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
