"""`import_wordpress`: read a WXR file twice (check, then import) and write it in batches.

The first pass reads the whole file without writing: a malformed file, a file that is
not WXR or an entity bomb stops the import before anything is written, and the pass
also collects what items refer to across the file (attachment URLs for featured
images and galleries) and the item count for the progress bar. The second pass
prepares each batch of items with no transaction open (bodies converted to Markdown
and rendered, images verified and re-encoded, audio, video and PDF files checked and
copied), then writes it in one transaction.
A dry run does the same in one transaction that is rolled back, and writes no files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from bs4 import BeautifulSoup

from blog.core.content import (
    clean_text,
    excerpt,
    reading_time,
    render_article,
    render_page,
    slugify,
)
from blog.core.types import utcnow
from blog.extensions import db
from blog.importers.batches import BATCH, Batches, known_files
from blog.importers.media import MediaStore
from blog.importers.wordpress.convert import footnotes, to_markdown
from blog.importers.wordpress.images import ImageStore, media_path, upload_path
from blog.importers.wordpress.parse import (
    ALT_META,
    FOOTER_META,
    MARKDOWN_META,
    SUMMARY_META,
    Channel,
    Record,
    digest,
    parse_date,
    read_wxr,
)
from blog.importers.wordpress.report import Report
from blog.importers.wordpress.store import PreparedItem, Store
from blog.importers.wordpress.threads import leave_out, prepare_comment, recount
from blog.importers.wordpress.visibility import POST_STATUS, hidden_status, visibility
from blog.models import User


@dataclass
class Scan:
    channel: Channel = field(default_factory=Channel)
    items: int = 0
    attachments: dict[str, str] = field(default_factory=dict)  # id -> URL
    pages: dict[str, str] = field(default_factory=dict)  # attachment id -> its page's URL
    alts: dict[str, str] = field(default_factory=dict)  # attachment id -> its alt text
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def scan(path: str) -> Scan:
    """The first pass: checks the whole file; raises WXRError."""
    found = Scan()
    with open(path, "rb") as stream:
        for record in read_wxr(stream, found.channel):
            if record.kind != "item":
                continue
            found.items += 1
            fields = record.fields
            if fields.get("wp:post_type") == "attachment":
                post_id = fields.get("wp:post_id", "").strip()
                url = (fields.get("wp:attachment_url") or fields.get("guid") or "").strip()
                if post_id and url:
                    found.attachments[post_id] = url
                    # WordPress keeps an image's alt text on its attachment, not on posts.
                    alt = clean_text(fields["postmeta"].get(ALT_META) or "").strip()
                    if alt:
                        found.alts[post_id] = alt
                    found.children[fields.get("wp:post_parent", "0").strip()].append(post_id)
                    found.pages[post_id] = (fields.get("link") or "").strip()
    return found


def plain_title(title: str) -> str:
    """A title as text: WordPress allows HTML in titles (<em>), this site does not."""
    if "<" in title:
        title = BeautifulSoup(title, "html.parser").get_text()
    return " ".join(clean_text(title).split())


class Importer:
    def __init__(
        self,
        path: str,
        uploads: str | None,
        dry_run: bool,
        author_map: dict[str, str] | None,
        progress: Callable[[int], None] | None,
        actor_id: int | None = None,
    ):
        self.path = path
        self.actor_id = actor_id
        self.scan = scan(path)
        channel = self.scan.channel
        self.report = Report(site=channel.site, version=channel.wxr_version, dry_run=dry_run)
        known = known_files(channel.site)
        self.images = ImageStore(uploads, known, self.report, dry_run)
        self.media = MediaStore(uploads, known, self.report, dry_run, media_path, "--uploads")
        base = urlsplit(channel.base_blog_url or channel.link or "").path
        self.store = Store(channel.site, base, self.report, author_map or {})
        self.batches = Batches(self.store, self.images, self.report, dry_run, progress)
        self.batches.media = self.media
        self.batches.after_items = self.recount_comments
        self.terms: list[Record] = []
        self.total = self.scan.items
        self.check_author_map(author_map or {})

    @staticmethod
    def check_author_map(author_map: dict[str, str]) -> None:
        for old, new in author_map.items():
            wanted = new.casefold()
            if (
                db.session.scalar(
                    sa.select(User.id).where(sa.or_(User.username == wanted, User.email == wanted))
                )
                is None
            ):
                raise LookupError(f"--map-author {old}={new}: there is no user {new!r} here")

    def run(self) -> Report:
        batch: list[Record] = []
        with open(self.path, "rb") as stream:
            for record in read_wxr(stream, Channel()):
                if record.kind != "item":
                    self.terms.append(record)
                    continue
                batch.append(record)
                if len(batch) >= BATCH:
                    self.write(batch)
                    batch = []
        self.write(batch)
        self.store.link(f"{self.store.base}/feed/", "/feed.xml")
        self.link_attachments()
        self.batches.finish("wordpress.import", self.actor_id)
        return self.report

    def link_attachments(self) -> None:
        """An attachment's page (`/?attachment_id=N`, its permalink) goes to its file,
        when the file is here: an image a post showed, or a media file."""
        for wp_id, url in self.scan.attachments.items():
            path = upload_path(url) or media_path(url)
            name = self.images.known.get(path) if path else None
            if name:
                for old in (f"{self.store.base}/?attachment_id={wp_id}", self.scan.pages[wp_id]):
                    if old:
                        self.store.link(old, f"/uploads/{name}")

    # -- preparing (no transaction open) ---------------------------------------------

    def prepare(self, fields: dict) -> PreparedItem | None:
        post_type = (fields.get("wp:post_type") or "post").strip()
        status = (fields.get("wp:status") or "publish").strip()
        wp_id = (fields.get("wp:post_id") or "").strip()
        kind = "pages" if post_type == "page" else "posts"
        if post_type == "attachment":
            self.other_file(fields)
            return None  # an image comes with the posts that show it, media with this
        if post_type not in ("post", "page"):
            self.report.add("posts", "skipped", f"post type {post_type!r}")
            return None
        if not wp_id:
            self.report.add(kind, "failed", "no wp:post_id")
            return None
        title = plain_title(fields.get("title") or "")[:200] or "(untitled)"
        shown, why = visibility(post_type, status, (fields.get("wp:post_password") or "").strip())
        if shown == "left out":
            self.report.add(kind, "skipped", f"status {status!r}")
            self.report.name(post_type, wp_id, title, f"{why}; not imported")
            leave_out(
                self.report,
                fields["comments"],
                "its post was not imported",
                f"its {post_type} {wp_id} was left out",
            )
            return None
        if shown == "hidden":
            self.report.name(post_type, wp_id, title, f"{why}; kept hidden here")
        meta = fields["postmeta"]
        html = fields.get("content:encoded") or ""
        if meta.get(MARKDOWN_META):
            markdown, teaser = self.media.rewrite(clean_text(meta[MARKDOWN_META])), ""
        else:
            converted = to_markdown(
                html,
                self.images.url,
                self.gallery(wp_id),
                footnotes=footnotes(meta.get("footnotes")),
                media=self.media.url,
            )
            self.report.dropped.update(converted.dropped)
            markdown, teaser = converted.markdown, converted.teaser
        # This batch's new images have no rows yet: their sizes come from the store.
        new_images = [image.stored for image in self.images.pending]
        render = render_article if post_type == "post" else render_page
        body_html = render(markdown, new_images)
        slug = unquote(fields.get("wp:post_name") or "").strip() or slugify(title)
        values: dict = {"title": title, "body_source": markdown, "body_html": body_html}
        if post_type == "page":
            order = (fields.get("wp:menu_order") or "0").strip()
            values.update(
                published=shown == "public",
                in_footer=meta.get(FOOTER_META) == "1",
                position=int(order) if order.lstrip("-").isdigit() else 0,
            )
        if post_type == "post":
            published = parse_date(
                fields.get("wp:post_date_gmt", ""),
                fields.get("pubDate", ""),
                fields.get("wp:post_date", ""),
            )
            if published is None and shown in ("public", "scheduled"):
                published = utcnow()
            summary_html = excerpt_html = fields.get("excerpt:encoded") or ""
            if SUMMARY_META in meta:
                summary_html = ""
            elif excerpt_html.strip():
                summary_html = render_article(to_markdown(excerpt_html).markdown)
            elif teaser:
                summary_html = render_article(teaser)
            values.update(
                summary=clean_text(meta[SUMMARY_META])
                if SUMMARY_META in meta
                else excerpt(summary_html, 300)
                if summary_html.strip()
                else "",
                # A password-protected post that WordPress published is a draft here.
                status=POST_STATUS[status] if shown != "hidden" else hidden_status(status),
                published_at=published if shown in ("public", "scheduled") else None,
                created_at=published or utcnow(),
                updated_at=parse_date(fields.get("wp:post_modified_gmt", ""))
                or published
                or utcnow(),
                comments_open=(fields.get("wp:comment_status") or "open").strip() == "open",
                reading_time=reading_time(body_html),
            )
        links = [
            f"{self.store.base}/?{'page_id' if post_type == 'page' else 'p'}={wp_id}",
            f"{self.store.base}/?p={wp_id}",
            fields.get("link") or "",
            fields.get("guid") or "",
        ]
        item = PreparedItem(
            wp_id=wp_id,
            kind=post_type,
            values=values,
            slug=slug[:190],
            creator=(fields.get("dc:creator") or "").strip(),
            terms=fields["categories"],
            links=[link for link in links if link.strip()],
            digest=digest({k: v for k, v in fields.items() if k != "comments"}),
            hidden=why,
        )
        thumbnail_id = (meta.get("_thumbnail_id") or "").strip()
        thumbnail = self.scan.attachments.get(thumbnail_id)
        if thumbnail and post_type == "post":
            item.image = self.images.filename(thumbnail) or ""
            # On the attachment; exports of this site before 2026-12 put it on the post.
            alt = self.scan.alts.get(thumbnail_id) or clean_text(meta.get(ALT_META) or "")
            item.values["image_alt"] = alt.strip()[:300]
        if post_type == "post":
            prepared = (prepare_comment(c, self.report) for c in fields["comments"])
            item.comments = [c for c in prepared if c is not None]
        else:
            leave_out(
                self.report,
                fields["comments"],
                "pages here take no comments",
                f"on page {wp_id}, and pages here take no comments",
            )
        return item

    def other_file(self, fields: dict) -> None:
        """Copy an attachment that is audio, video or a PDF (blog/core/media.py), even
        if no post shows it; count and name one that is not copied (a zip, a missing
        file): links to it keep pointing at the old site."""
        url = (fields.get("wp:attachment_url") or fields.get("guid") or "").strip()
        path = urlsplit(url).path.lower()
        if not url or upload_path(url) is not None or "." not in path.rsplit("/", 1)[-1]:
            return
        if self.media.filename(url):
            return
        wp_id = (fields.get("wp:post_id") or "").strip()
        title = plain_title(fields.get("title") or "") or path.rsplit("/", 1)[-1]
        if media_path(url) is None:  # the media store counted the others
            self.report.add("images", "skipped", "not an image, audio, video or PDF")
        self.report.name("attachment", wp_id, title[:80], f"{url}; not copied")

    def gallery(self, wp_id: str) -> Callable[[list[str]], list[str]]:
        def urls(ids: list[str]) -> list[str]:
            ids = ids or self.scan.children.get(wp_id, [])
            # As WordPress has them: the body's images are mapped to their new
            # addresses once, with the others (a new address is no file there).
            return [self.scan.attachments[i] for i in ids if i in self.scan.attachments]

        return urls

    # -- writing ----------------------------------------------------------------------

    def prepare_or_skip(self, fields: dict) -> PreparedItem | None:
        """`prepare`, or None for an item whose HTML is too deeply nested to convert
        (tens of thousands of nested <div>): skipped and named, never a crash."""
        try:
            return self.prepare(fields)
        except RecursionError:
            kind = "pages" if (fields.get("wp:post_type") or "").strip() == "page" else "posts"
            wp_id = (fields.get("wp:post_id") or "").strip()
            self.report.add(kind, "failed", "HTML nested too deeply to convert")
            title = plain_title(fields.get("title") or "")[:200] or "(untitled)"
            self.report.name(kind[:-1], wp_id, title, "HTML nested too deeply; not imported")
            return None

    def write(self, batch: list[Record]) -> None:
        prepared = [p for p in map(self.prepare_or_skip, (r.fields for r in batch)) if p]
        self.batches.before.append(self.write_terms)
        self.batches.write(prepared, count=len(batch))

    def recount_comments(self, prepared: list[PreparedItem]) -> None:
        with_comments = self.store.records("post", [p.wp_id for p in prepared if p.comments])
        recount(r.local_id for r in with_comments.values() if r.local_id)

    def write_terms(self) -> None:
        for record in self.terms:
            if record.kind == "author":
                self.store.author(record.fields)
            elif record.kind == "category":
                self.store.category(record.fields)
            elif record.kind == "tag":
                slug = unquote(record.fields.get("wp:tag_slug", "")).strip()
                self.store.describe(slug, record.fields.get("wp:tag_description"))
                self.store.tag(slug, record.fields.get("wp:tag_name", ""))
                self.store.tag_link(slug, f"{self.store.base}/tag/{slug}/")
        for record in self.terms:
            if record.kind == "category":
                nicename = unquote(record.fields.get("wp:category_nicename", "")).strip()
                if nicename:
                    self.store.section_and_tags([("category", nicename, "")])
        self.terms = []


def import_wordpress(
    path: str,
    uploads: str | None = None,
    dry_run: bool = False,
    author_map: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    actor_id: int | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Report:
    """Import a WXR file; returns the report. Raises WXRError for a file it refuses,
    LookupError for a --map-author target that does not exist; both before writing.

    `on_start(total items)` is called once the file has been checked, `progress(n)`
    after each batch; `actor_id` is who the audit log names (else the current user).
    """
    importer = Importer(path, uploads, dry_run, author_map, progress, actor_id)
    if on_start is not None:
        on_start(importer.total)
    return importer.run()
