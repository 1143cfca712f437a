"""`import_substack`: a Substack export (.zip) into this site.

Each row of posts.csv with its posts/<post_id>.html becomes an article; its audience
decides who sees it: only "everyone" is public here, paid-only, founding-member and
subscriber-only posts arrive as drafts, named in the report, and so does a post
Substack never published. `/p/<slug>` redirects to the article. Images stay where
Substack serves them (nothing is fetched). The email list's subscribers (those who did
not turn emails off) become newsletter subscribers, with their consent from Substack.
Keyed by Substack's post ids, so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from blog.auth.api import normalize_email
from blog.core.content import clean_text, excerpt, reading_time, render_article, slugify
from blog.core.types import utcnow
from blog.importers.batches import BATCH, Batches, known_files
from blog.importers.ghost.members import store_members
from blog.importers.ghost.parse import parse_time
from blog.importers.headings import outline
from blog.importers.substack.archive import Archive, SubstackError, open_export
from blog.importers.substack.images import FetchedImages, link_remote_images
from blog.importers.wordpress.convert import to_markdown
from blog.importers.wordpress.images import ImageStore
from blog.importers.wordpress.importer import Importer
from blog.importers.wordpress.parse import digest
from blog.importers.wordpress.report import Report
from blog.importers.wordpress.store import PreparedItem, Store
from blog.models import ArticleStatus

HIDDEN_AUDIENCE = {
    "only_paid": "was for paying subscribers only",
    "founding": "was for founding members only",
    "only_free": "was for subscribers only",
}
TRUE = ("true", "1", "yes", "t")
AUTHOR = "substack"  # the one author of a Substack export, mapped with --author


def visibility(audience: str, published: bool) -> tuple[str, str]:
    """(how the post arrives, why it is hidden): "public" or "hidden"."""
    if audience != "everyone":
        return "hidden", HIDDEN_AUDIENCE.get(audience, f"had the audience {audience[:40]!r}")
    if not published:
        return "hidden", "was never published (a draft)"
    return "public", ""


class SubstackImporter:
    def __init__(
        self,
        path: str,
        dry_run: bool,
        author: str | None = None,
        progress: Callable[[int], None] | None = None,
        actor_id: int | None = None,
        fetch_images: bool = False,
    ):
        self.archive: Archive = open_export(path)
        self.actor_id = actor_id
        site = f"substack:{self.archive.publication or 'publication'}"[:200]
        self.report = Report(site=site, dry_run=dry_run, source="Substack")
        known = known_files(site)
        self.fetching = fetch_images
        self.images = (
            FetchedImages(known, self.report, dry_run)
            if fetch_images
            else ImageStore(None, known, self.report, dry_run, lambda url: None)
        )
        self.store = Store(site, "", self.report, {AUTHOR: author} if author else {})
        self.store.origin, self.store.category_links = "substack", False
        self.store.uploads_prefix = ""
        if author:
            Importer.check_author_map({AUTHOR: author})
        self.author = AUTHOR if author else ""
        self.batches = Batches(self.store, self.images, self.report, dry_run, progress)
        self.total = len(self.archive.posts)

    def prepare(self, row: dict[str, str]) -> PreparedItem | None:
        post_id = row.get("post_id", "").strip()
        title = " ".join(clean_text(row.get("title") or "").split())[:200] or "(untitled)"
        if not post_id:
            self.report.add("posts", "failed", "a row of posts.csv has no post_id")
            return None
        body_name = self.archive.bodies.get(post_id)
        published = row.get("is_published", "").strip().lower() in TRUE
        shown, why = visibility(row.get("audience", "everyone").strip().lower(), published)
        if body_name is None:
            self.report.add("posts", "skipped", "no HTML file in the export")
            self.report.name("post", post_id, title, "has no posts/<id>.html; not imported")
            return None
        if shown == "hidden":
            self.report.name("post", post_id, title, f"{why}; kept hidden here")
        local = self.images.url if self.fetching else (lambda url: None)
        html, linked = link_remote_images(self.archive.read(body_name), local)
        if linked:
            why = "on Substack's servers: linked, not copied (--fetch-images copies them)"
            self.report.add("images", "skipped", why, n=linked)
        converted = to_markdown(outline(html), paragraphs=False)
        self.report.dropped.update(converted.dropped)
        subtitle = clean_text(row.get("subtitle") or "").strip()
        body = render_article(converted.markdown, [i.stored for i in self.images.pending])
        date = parse_time(row.get("post_date")) or parse_time(row.get("email_sent_at"))
        if date is None and shown == "public":
            date = utcnow()
        slug = post_id.partition(".")[2].strip() or slugify(title)
        values = {
            "title": title,
            "body_source": converted.markdown,
            "body_html": body,
            "summary": subtitle[:500] or excerpt(body, 300),
            "status": ArticleStatus.PUBLISHED if shown == "public" else ArticleStatus.DRAFT,
            "published_at": date if shown == "public" else None,
            "created_at": date or utcnow(),
            "updated_at": date or utcnow(),
            "reading_time": reading_time(body),
        }
        return PreparedItem(
            wp_id=post_id,
            kind="post",
            values=values,
            slug=slug[:190],
            creator=self.author,
            terms=[],
            links=[f"/p/{slug}"],
            digest=digest({"row": row, "body": converted.markdown}),
            hidden=why,
        )

    def run(self, subscribers: bool = True) -> Report:
        posts = self.archive.posts
        for start in range(0, len(posts), BATCH):
            chunk = posts[start : start + BATCH]
            self.batches.write([p for p in map(self.prepare, chunk) if p], count=len(chunk))
        if subscribers and self.archive.email_lists:
            rows: dict[str, bool] = {}
            for name in self.archive.email_lists:
                for row in self.archive.rows(name):
                    try:
                        address = normalize_email((row.get("email") or "").strip()[:254])
                    except ValueError:
                        continue
                    wants = (row.get("email_disabled") or "").strip().lower() not in TRUE
                    rows[address] = rows.get(address, False) or wants
            self.batches.before.append(lambda: self.store_subscribers(rows))
        self.batches.before.append(lambda: self.store.link("/feed", "/feed.xml"))
        self.batches.write([], count=0)
        self.batches.finish("substack.import", self.actor_id)
        self.close()
        return self.report

    def close(self) -> None:
        self.archive.zip.close()
        if isinstance(self.images, FetchedImages):
            self.images.close()

    def store_subscribers(self, members: dict[str, bool]) -> None:
        store_members(members, self.report)


def import_substack(
    path: str,
    dry_run: bool = False,
    author: str | None = None,
    progress: Callable[[int], None] | None = None,
    actor_id: int | None = None,
    on_start: Callable[[int], None] | None = None,
    fetch_images: bool = False,
) -> Report:
    """Import a Substack export; returns the report. Raises SubstackError for a file it
    refuses, LookupError for an --author who is not a user here; both before writing."""
    importer = SubstackImporter(path, dry_run, author, progress, actor_id, fetch_images)
    if on_start is not None:
        on_start(importer.total)
    try:
        return importer.run()
    finally:
        importer.close()


__all__ = ["SubstackError", "SubstackImporter", "import_substack"]
