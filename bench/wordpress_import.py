"""Bench: `blog import-wordpress` on generated exports of growing size.

    .venv/bin/python bench/wordpress_import.py --posts 1000,10000 --comments-per-post 5

Each size gets a fresh migrated SQLite database and its own process, so the peak RSS
(`ru_maxrss` of that child) is the import's alone. A flat RSS as the file grows is the
point: the file is read streaming and written in batches. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://bench.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example.org</wp:base_site_url>
<wp:base_blog_url>https://bench.example.org</wp:base_blog_url>
"""
BODY = (
    "<!-- wp:paragraph --><p>Paragraph {n} of a story about the harbour, with "
    "<strong>bold</strong> words and a <a href='https://example.org/{n}'>link</a>.</p>"
    "<!-- /wp:paragraph -->\n"
)


def write_export(path: Path, posts: int, per_post: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD)
        for a in range(5):
            out.write(
                f"<wp:author><wp:author_id>{a + 1}</wp:author_id><wp:author_login>writer{a}"
                f"</wp:author_login><wp:author_email>w{a}@example.org</wp:author_email>"
                "</wp:author>\n"
            )
        comment_id = 0
        for n in range(1, posts + 1):
            body = "".join(BODY.format(n=k) for k in range(8)) + "<h2>More</h2><ul><li>a</li></ul>"
            out.write(
                f"<item><title>Story {n}</title>"
                f"<link>https://bench.example.org/2024/01/02/story-{n}/</link>"
                f"<dc:creator>writer{n % 5}</dc:creator>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<wp:post_id>{n}</wp:post_id>"
                "<wp:post_date_gmt>2024-01-02 10:00:00</wp:post_date_gmt>"
                f"<wp:post_name>story-{n}</wp:post_name><wp:status>publish</wp:status>"
                "<wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="section-{n % 8}">Section {n % 8}</category>'
                f'<category domain="post_tag" nicename="tag-{n % 50}">Tag {n % 50}</category>'
            )
            first = comment_id + 1
            for c in range(per_post):
                comment_id += 1
                parent = first if c % 3 == 2 else 0
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>Reader {c}</wp:comment_author>"
                    "<wp:comment_date_gmt>2024-01-03 10:00:00</wp:comment_date_gmt>"
                    f"<wp:comment_content>Comment {c} on story {n}.</wp:comment_content>"
                    f"<wp:comment_approved>1</wp:comment_approved>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def run_one(posts: int, per_post: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.xml"
        write_export(export, posts, per_post)
        env = os.environ | {
            "BLOG_INSTANCE_PATH": folder,
            "BLOG_SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": f"sqlite:///{folder}/blog.sqlite3",
        }
        blog = str(ROOT / ".venv/bin/blog")
        subprocess.run([blog, "db", "upgrade"], env=env, check=True, capture_output=True)
        # A wrapper process per size, so ru_maxrss of its children is this import's alone.
        wrapper = (
            "import resource, subprocess, sys, time; t = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
            " 'posts' in r.stdout, r.returncode); sys.stderr.write(r.stderr[-2000:])"
        )
        done = subprocess.run(
            [sys.executable, "-c", wrapper, blog, "import-wordpress", str(export)],
            env=env,
            capture_output=True,
            text=True,
        )
        seconds_text, rss_text, ok, code = done.stdout.split()
        if code != "0":
            sys.exit(done.stderr)
        seconds, rss = float(seconds_text), int(rss_text)
        return {
            "posts": posts,
            "comments": posts * per_post,
            "mb": export.stat().st_size / 1e6,
            "seconds": seconds,
            "rss": rss / 1024,
            "ok": ok == "True",
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", default="1000,10000")
    parser.add_argument("--comments-per-post", type=int, default=5)
    args = parser.parse_args()
    print("| posts | comments | file MB | seconds | posts/s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for posts in (int(p) for p in args.posts.split(",")):
        r = run_one(posts, args.comments_per_post)
        print(
            f"| {r['posts']:,} | {r['comments']:,} | {r['mb']:.1f} | {r['seconds']:.1f} "
            f"| {r['posts'] / r['seconds']:.0f} | {r['rss']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
