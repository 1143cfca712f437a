"""`import_ghost`: a Ghost JSON export into this site, through the WordPress machinery.

Posts and pages keep their HTML (Lexical or Mobiledoc rendered when there is none),
converted to Markdown like a WordPress body; the primary tag (the first public one)
becomes the section and the other public tags stay tags (Ghost's internal `#tags` are
left out); every author of a post is credited in Ghost's order (the first is the
article's author) and kept in the report's data (`Report.authors`). Images come from a local
copy of Ghost's content/images folder (`--images`), file, audio and video cards' files
from its content/files and content/media (`--content`, the folder holding all three;
an `--images` folder named "images" finds them beside it), never from the internet. Nothing
Ghost kept from the public becomes public (visibility.py). Old addresses (`/slug/`,
`/tag/x/`, `/author/x/`, `/rss/`, `/p/uuid/`) get redirects. Keyed by Ghost's own
ids, so a second run changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from blog.core.content import (
    clean_text,
    excerpt,
    reading_time,
    render_article,
    render_page,
    slugify,
)
from blog.core.media import MEDIA_SUFFIXES
from blog.core.types import utcnow
from blog.extensions import db
from blog.importers.batches import BATCH, Batches, known_files
from blog.importers.ghost.cards import plain_cards
from blog.importers.ghost.members import read_members, store_members
from blog.importers.ghost.parse import GHOST_URL, Export, GhostError, parse_time, read_export
from blog.importers.ghost.render import lexical_html, mobiledoc_html
from blog.importers.ghost.visibility import visibility
from blog.importers.headings import outline
from blog.importers.media import MediaStore
from blog.importers.wordpress.convert import to_markdown
from blog.importers.wordpress.images import IMAGE_SUFFIXES, ImageStore
from blog.importers.wordpress.parse import digest
from blog.importers.wordpress.report import Report
from blog.importers.wordpress.store import BIO_FIELD, PreparedItem, Store
from blog.models import ArticleStatus, Category, User

MARKER = "/content/images/"
# posts_meta's search and sharing texts this site has no field for (reported, not kept).
SOCIAL_FIELDS = ("meta_title", "og_title", "og_description", "twitter_title", "twitter_description")
# A body image still at Ghost's address once the images are stored: its file was not
# in the --images folder (or none was given). Without Ghost's host it can only 404.
_UNSTORED = re.compile(r"!\[([^\]]*)\]\(/content/images/[^)\s]*\)")
_SIZE = re.compile(r"^size/w\d+(?:h\d+)?/(?:format/[a-z]+/)?")


def image_path(url: str) -> str | None:
    """The path of a Ghost image relative to content/images (a resized copy's
    `size/w600/` dropped), or None for an image Ghost did not store."""
    path = unquote(urlsplit(url.strip().replace(GHOST_URL, "")).path)
    index = path.find(MARKER)
    if index < 0:
        return None
    relative = _SIZE.sub("", path[index + len(MARKER) :])
    return relative if relative.lower().endswith(IMAGE_SUFFIXES) else None


def media_path(url: str) -> str | None:
    """The path of a Ghost file card's or player's file relative to content/
    (`files/2024/01/report.pdf`, `media/...`), or None for a type not kept here."""
    path = unquote(urlsplit(url.strip().replace(GHOST_URL, "")).path)
    for folder in ("/content/files/", "/content/media/"):
        index = path.find(folder)
        if index >= 0:
            relative = path[index + len("/content/") :]
            return relative if relative.lower().endswith(MEDIA_SUFFIXES) else None
    return None


def content_folders(images: str | None, content: str | None) -> tuple[str | None, str | None]:
    """(images folder, content folder): `--content` holds images/, files/ and media/;
    an `--images` folder named "images" is taken to be inside one."""
    if content is None and images and Path(images).resolve().name == "images":
        content = str(Path(images).resolve().parent)
    if images is None and content and (Path(content) / "images").is_dir():
        images = str(Path(content) / "images")
    return images, content


def _truthy(value: object) -> bool:
    return value in (True, 1, "1", "true", "True")


class GhostImporter:
    def __init__(
        self,
        path: str,
        images: str | None,
        dry_run: bool,
        progress: Callable[[int], None] | None = None,
        actor_id: int | None = None,
        content: str | None = None,
    ):
        self.export: Export = read_export(path)
        images, content = content_folders(images, content)
        self.actor_id = actor_id
        version = self.export.version
        site = f"ghost:{self.export.title or 'Ghost site'}"
        self.report = Report(
            site=site, version=f"Ghost {version}" if version else "", dry_run=dry_run,
            source="Ghost",
        )  # fmt: skip
        known = known_files(site)  # images' and media's paths never meet
        self.images = ImageStore(images, known, self.report, dry_run, image_path, "--images")
        self.media = MediaStore(content, known, self.report, dry_run, media_path, "--content")
        self.store = Store(site, "", self.report, {})
        self.store.origin, self.store.uploads_prefix = "ghost", MARKER
        self.store.media_prefix = "/content/"
        self.store.category_links = False
        self.batches = Batches(self.store, self.images, self.report, dry_run, progress)
        self.batches.media = self.media
        self.total = len(self.export.posts)

    # -- terms and authors ------------------------------------------------------------

    def public_tags(self, post_id: str) -> list[dict]:
        tags = (self.export.tags.get(t) for t in self.export.post_tags.get(post_id, []))
        found = []
        for tag in tags:
            if tag is None:
                continue
            if tag.get("visibility") == "internal" or str(tag.get("name") or "").startswith("#"):
                self.report.dropped["Ghost internal tag"] += 1
                continue
            found.append(tag)
        return found

    def author_fields(self, user: dict) -> dict[str, str]:
        return {
            "wp:author_login": str(user.get("slug") or user.get("id")),
            "wp:author_email": str(user.get("email") or ""),
            "wp:author_display_name": str(user.get("name") or ""),
            BIO_FIELD: str(user.get("bio") or ""),
        }

    def write_terms(self) -> None:
        """Sections' names and every tag's description; every author credited on a post."""
        for tag in self.export.tags.values():
            slug = str(tag.get("slug") or "").strip()
            if slug:
                self.store.categories[slug] = (str(tag.get("name") or slug), "")
                self.store.describe(slug, tag.get("description"))
        credited = {user_id for ids in self.export.post_authors.values() for user_id in ids}
        for user_id in sorted(credited):
            if user_id in self.export.users:
                fields = self.author_fields(self.export.users[user_id])
                found = self.store.author(fields)
                if found is not None:  # no author feed here: Ghost's goes to the page
                    page = f"/author/{db.session.get(User, found).username}"
                    self.store.link(f"/author/{fields['wp:author_login']}/rss/", page)
        self.store.link("/rss/", "/feed.xml")
        if self.export.site_code:
            self.report.dropped["Ghost code injection"] += 1

    # -- preparing (no transaction open) ---------------------------------------------

    def body_html(self, post: dict) -> str:
        html = post.get("html")
        if isinstance(html, str) and html.strip():
            return html
        dropped: Counter = Counter()
        try:
            if post.get("lexical"):
                html = lexical_html(post["lexical"], dropped)
            elif post.get("mobiledoc"):
                html = mobiledoc_html(post["mobiledoc"], dropped)
            else:
                html = ""
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
            self.report.because("posts", "imported", "body document unreadable; kept empty")
            html = ""
        self.report.dropped.update(dropped)
        return html

    def prepare(self, post: dict) -> PreparedItem | None:
        post_type = str(post.get("type") or "post")
        kind = "pages" if post_type == "page" else "posts"
        title = " ".join(clean_text(str(post.get("title") or "")).split())[:200] or "(untitled)"
        if post_type not in ("post", "page"):
            self.report.add("posts", "skipped", f"post type {post_type!r}")
            return None
        meta = self.export.meta.get(post["id"], {})
        status = str(post.get("status") or "draft")
        shown, why = visibility(
            post_type, status, str(post.get("visibility") or "public"),
            _truthy(meta.get("email_only")),
        )  # fmt: skip
        if self.export.private and shown in ("public", "scheduled"):
            shown, why = "hidden", "was on a private Ghost site (behind its site password)"
        if shown == "left out":
            self.report.add(kind, "skipped", f"status {status!r}")
            self.report.name(post_type, post["id"], title, f"{why}; not imported")
            return None
        if shown == "hidden":
            self.report.name(post_type, post["id"], title, f"{why}; kept hidden here")
        lost = [key for key in SOCIAL_FIELDS if meta.get(key)]
        if meta.get("meta_description") and (post.get("custom_excerpt") or post_type == "page"):
            lost.append("meta_description")  # else it is the summary
        if lost:
            self.report.because(kind, "imported", "meta title or sharing texts not kept")
        for key in ("codeinjection_head", "codeinjection_foot"):
            if post.get(key) or meta.get(key):
                self.report.dropped["Ghost code injection"] += 1
        html = outline(
            plain_cards(
                self.body_html(post).replace(GHOST_URL, ""), self.report.dropped, self.media.url
            )
        )
        converted = to_markdown(html, self.images.url, paragraphs=False)
        self.report.dropped.update(converted.dropped)
        converted.markdown, unstored = _UNSTORED.subn(lambda m: m[1], converted.markdown)
        if unstored:
            self.report.dropped["Ghost image not in --images (its alt text kept)"] += unstored
        new_images = [image.stored for image in self.images.pending]
        body = (render_article if post_type == "post" else render_page)(
            converted.markdown, new_images
        )
        values: dict = {"title": title, "body_source": converted.markdown, "body_html": body}
        authors = [
            str(self.export.users.get(a, {}).get("slug") or a)
            for a in self.export.post_authors.get(post["id"], [])
        ]
        if len(authors) > 1:
            self.report.authors[post["id"]] = authors
        if post_type == "page":
            values["published"] = shown == "public"
        else:
            published = parse_time(post.get("published_at"))
            if published is None and shown in ("public", "scheduled"):
                published = utcnow()
            # Ghost's meta description is what search engines showed: the next best summary.
            summary = clean_text(
                str(post.get("custom_excerpt") or meta.get("meta_description") or "")
            ).strip()
            values.update(
                summary=summary or excerpt(body, 300),
                status=ArticleStatus.PUBLISHED if shown != "hidden" else ArticleStatus.DRAFT,
                published_at=published if shown in ("public", "scheduled") else None,
                created_at=parse_time(post.get("created_at")) or published or utcnow(),
                updated_at=parse_time(post.get("updated_at")) or published or utcnow(),
                reading_time=reading_time(body),
            )
        tags = self.public_tags(post["id"])
        terms = [("post_tag", str(t.get("slug") or ""), str(t.get("name") or "")) for t in tags]
        if terms:
            terms[0] = ("category", *terms[0][1:])
        if len(authors) > 1:  # the byline, in Ghost's order (blog/importers/wordpress/coauthors.py)
            terms += [("author", login, login) for login in authors]
        slug = unquote(str(post.get("slug") or "")).strip() or slugify(title)
        links = [f"/{slug}/", f"/{slug}/amp/"]
        if post.get("uuid"):
            links.append(f"/p/{post['uuid']}/")
        fingerprint = {"post": post, "meta": meta, "tags": terms, "authors": authors}
        item = PreparedItem(
            wp_id=post["id"],
            kind=post_type,
            values=values,
            slug=slug[:190],
            creator=authors[0] if authors else "",
            terms=terms,
            links=links,
            digest=digest(fingerprint),
            hidden=why,
        )
        feature = str(post.get("feature_image") or meta.get("feature_image") or "")
        if feature and post_type == "post":
            item.image = self.images.filename(feature) or ""
            if image_path(feature) is None:  # Unsplash's, say: nothing is fetched
                self.report.add("images", "skipped", "feature image not stored by Ghost")
            alt = meta.get("feature_image_alt") or post.get("feature_image_alt") or ""
            item.values["image_alt"] = clean_text(str(alt)).strip()[:300]
            if meta.get("feature_image_caption") or post.get("feature_image_caption"):
                self.report.because(kind, "imported", "feature image caption not kept")
        elif feature:  # pages here have no feature image
            self.report.because(kind, "imported", "feature image not kept (pages have none)")
        return item

    def prepare_or_skip(self, post: dict) -> PreparedItem | None:
        try:
            return self.prepare(post)
        except RecursionError:
            kind = "pages" if post.get("type") == "page" else "posts"
            self.report.add(kind, "failed", "HTML nested too deeply to convert")
            self.report.name(kind[:-1], post["id"], str(post.get("title"))[:200],
                             "HTML nested too deeply; not imported")  # fmt: skip
            return None

    # -- writing ----------------------------------------------------------------------

    def run(self, members: Callable[[Report], None] | None = None) -> Report:
        self.batches.before.append(self.write_terms)
        posts = self.export.posts
        for start in range(0, len(posts), BATCH):
            chunk = posts[start : start + BATCH]
            prepared = [p for p in map(self.prepare_or_skip, chunk) if p]
            self.batches.write(prepared, count=len(chunk))
        self.batches.before.append(self.link_sections)
        if members is not None:
            self.batches.before.append(lambda: members(self.report))
        self.batches.write([], count=0)
        self.batches.finish("ghost.import", self.actor_id)
        return self.report

    def link_sections(self) -> None:
        """Ghost's /tag/x/ of a tag that became a section goes to the section."""
        for nicename, category_id in self.store.sections.items():
            category = db.session.get(Category, category_id)
            if category is not None:
                self.store.link(f"/tag/{nicename}/", f"/category/{category.slug}")
                self.store.link(f"/tag/{nicename}/rss/", f"/category/{category.slug}/feed.xml")


def import_ghost(
    path: str,
    images: str | None = None,
    dry_run: bool = False,
    members: str | None = None,
    progress: Callable[[int], None] | None = None,
    actor_id: int | None = None,
    on_start: Callable[[int], None] | None = None,
    content: str | None = None,
) -> Report:
    """Import a Ghost JSON export (and its members CSV); returns the report. Raises
    GhostError for a file it refuses, before writing anything. `images` is a copy of
    Ghost's content/images, `content` of its whole content/ folder (content_folders)."""
    rows = read_members(members) if members else None
    importer = GhostImporter(path, images, dry_run, progress, actor_id, content)
    if on_start is not None:
        on_start(importer.total)
    return importer.run(None if rows is None else lambda report: store_members(rows, report))


__all__ = ["GhostError", "GhostImporter", "import_ghost"]
