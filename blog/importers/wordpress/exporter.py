"""`export_wordpress`: the whole site as a WXR 1.2 file that WordPress's importer reads.

Written as it is read, a row at a time, so memory stays flat. Authors carry no
password hashes. Articles carry their HTML (`content:encoded`) and, for a move to
another copy of this site, their Markdown source and summary as post meta
(`_newsroom_markdown`, `_newsroom_summary`); comments likewise. Only approved,
not deleted comments are exported.

Bodies go out with absolute addresses, and every uploaded image a body or a featured
image shows is one attachment item (written once, with its alt text as WordPress
keeps it, `_wp_attachment_image_alt`), whose `wp:attachment_url` is the address the
body uses: WordPress's importer fetches each attachment and rewrites those addresses.
Audio, video and PDF files (blog/core/media.py) go out the same way, one attachment
each, under the item whose body plays or links it, or under none.
Pages have no author here: they go out under the first admin, so WordPress does not
give them to whoever runs its importer. A draft goes out dated when it was written,
never `0000-00-00`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime
from html import unescape
from typing import IO
from urllib.parse import quote

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from markupsafe import escape

from blog.core.cache.site import get_settings
from blog.core.media import MEDIA_REF
from blog.core.types import utcnow
from blog.extensions import db
from blog.importers.wordpress.parse import ALT_META, FOOTER_META, MARKDOWN_META, SUMMARY_META
from blog.importers.wordpress.store import BIO_FIELD
from blog.models import (
    Article,
    ArticleStatus,
    Category,
    Comment,
    CommentStatus,
    MediaFile,
    Page,
    Role,
    Tag,
    Upload,
    User,
)

NEWSROOM_NS = "urn:newsroom:wxr:1"
NAMESPACES = (
    'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:wp="http://wordpress.org/export/1.2/" '
    # Fields WXR has no place for (an author's bio); WordPress's importer skips them.
    f'xmlns:newsroom="{NEWSROOM_NS}"'
)
NEVER = "0000-00-00 00:00:00"
# A site-relative address in a body's attribute (src, href, srcset and its later entries).
_RELATIVE = re.compile(r'((?:src|href|srcset)="|,\s*)/(?!/)')
_UPLOADED = re.compile(r'<img\b[^>]*?\bsrc="/uploads/([^"/]+)"[^>]*>')
_ALT = re.compile(r'\balt="([^"]*)"')
_MEDIA_REF = re.compile(f'(?:src|href)="{MEDIA_REF.pattern}"')


def wp_slug(slug: str) -> str:
    """A slug as WordPress stores and exports it: UTF-8 percent-encoded, lowercase hex.
    Given as text, WordPress's importer would strip its accents ("café" -> "cafe") and
    the article's address would change on the way (bench/wordpress_real.py found it)."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(slug, safe="-_.~"))


def cdata(text: str | None) -> str:
    """Text as CDATA; a `]]>` inside is split across two sections, as WordPress does."""
    return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wp_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else NEVER


def element(name: str, value: object, raw: bool = False) -> str:
    text = str(value) if raw else cdata(str(value))
    return f"<{name}>{text}</{name}>"


def meta(key: str, value: str, tag: str = "wp:postmeta") -> str:
    return f"<{tag}>{element('wp:meta_key', key)}{element('wp:meta_value', value)}</{tag}>"


class Exporter:
    def __init__(self, out: IO[str]):
        self.out = out
        self.site = str(current_app.config["SITE_URL"]).rstrip("/")
        self.counts = {
            "authors": 0,
            "sections": 0,
            "tags": 0,
            "posts": 0,
            "pages": 0,
            "comments": 0,
            "attachments": 0,
        }
        self.staff: set[int] = set()
        self.owner = ""  # the first admin's login: the author pages go out under
        self.attached: set[int] = set()  # uploads written as attachments
        top = db.session.scalar(sa.select(sa.func.max(Article.id))) or 0
        self.page_base = top + 1
        self.attachment_base = (
            self.page_base + (db.session.scalar(sa.select(sa.func.max(Page.id))) or 0) + 1
        )
        self.media_base = (
            self.attachment_base + (db.session.scalar(sa.select(sa.func.max(Upload.id))) or 0) + 1
        )
        self.attached_media: set[int] = set()

    def write(self, *parts: str) -> None:
        self.out.write("".join(parts) + "\n")

    def run(self) -> dict[str, int]:
        settings = get_settings()
        self.write('<?xml version="1.0" encoding="UTF-8" ?>')
        self.write(f'<rss version="2.0" {NAMESPACES}>', "<channel>")
        self.write(element("title", escape(settings.get("site_name", "")), raw=True))
        self.write(element("link", escape(self.site), raw=True))
        self.write(element("description", escape(settings.get("tagline", "")), raw=True))
        self.write(element("pubDate", format_datetime(utcnow()), raw=True))
        self.write(element("language", "en", raw=True))
        self.write(element("wp:wxr_version", "1.2", raw=True))
        self.write(element("wp:base_site_url", escape(self.site), raw=True))
        self.write(element("wp:base_blog_url", escape(self.site), raw=True))
        self.authors()
        self.terms()
        for article in self.articles():
            self.article(article)
        for page in db.session.scalars(sa.select(Page).order_by(Page.id)):
            self.page(page)
        for file in db.session.scalars(sa.select(MediaFile).order_by(MediaFile.id)):
            self.media_attachment(file, 0)  # one no body plays (an mp3 attachment, say)
        self.write("</channel>", "</rss>")
        return self.counts

    def authors(self) -> None:
        writers = sa.select(Article.author_id).where(Article.author_id.is_not(None))
        users = db.session.scalars(
            sa.select(User)
            .where(sa.or_(User.role >= Role.AUTHOR, User.id.in_(writers)))
            .order_by(User.id)
        )
        for user in users:
            self.staff.add(user.id)
            if user.role >= Role.ADMIN and not self.owner:
                self.owner = user.username
            self.counts["authors"] += 1
            self.write(
                "<wp:author>",
                element("wp:author_id", user.id, raw=True),
                element("wp:author_login", user.username),
                element("wp:author_email", user.email),
                element("wp:author_display_name", user.name),
                element("wp:author_first_name", ""),
                element("wp:author_last_name", ""),
                element(f"newsroom:{BIO_FIELD}", user.bio),
                "</wp:author>",
            )

    def terms(self) -> None:
        for category in db.session.scalars(Category.ordered()):
            self.counts["sections"] += 1
            self.write(
                "<wp:category>",
                element("wp:term_id", category.id, raw=True),
                element("wp:category_nicename", wp_slug(category.slug)),
                element("wp:category_parent", ""),
                element("wp:cat_name", category.name),
                element("wp:category_description", category.description),
                "</wp:category>",
            )
        for tag in db.session.scalars(sa.select(Tag).order_by(Tag.id)):
            self.counts["tags"] += 1
            self.write(
                "<wp:tag>",
                element("wp:term_id", tag.id, raw=True),
                element("wp:tag_slug", wp_slug(tag.slug)),
                element("wp:tag_name", tag.name),
                element("wp:tag_description", tag.description),
                "</wp:tag>",
            )

    def articles(self) -> Iterator[Article]:
        query = (
            sa.select(Article)
            .options(
                so.joinedload(Article.author),
                so.joinedload(Article.category),
                so.joinedload(Article.image),
                so.selectinload(Article.tags),
            )
            .order_by(Article.id)
        )
        last = 0
        while True:  # in pages, so a large site never sits in memory at once
            rows = db.session.scalars(query.where(Article.id > last).limit(200)).unique().all()
            if not rows:
                return
            yield from rows
            last = rows[-1].id
            db.session.expunge_all()

    def item(
        self,
        wp_id: int,
        kind: str,
        title: str,
        link: str,
        when: datetime | None,
        creator: str,
        body: str,
        summary: str,
        status: str,
        slug: str,
        extra: list[str],
        modified: datetime | None = None,
        comment_status: str = "closed",
        parent: int = 0,
        order: int = 0,
    ) -> None:
        self.write(
            "<item>",
            element("title", escape(title), raw=True),
            element("link", escape(link), raw=True),
            element("pubDate", format_datetime(when) if when else "", raw=True),
            element("dc:creator", creator),
            f'<guid isPermaLink="false">{escape(self.site)}/?p={wp_id}</guid>',
            "<description></description>",
            element("content:encoded", body),
            element("excerpt:encoded", summary),
            element("wp:post_id", wp_id, raw=True),
            element("wp:post_date", wp_time(when)),
            element("wp:post_date_gmt", wp_time(when)),
            element("wp:post_modified", wp_time(modified or when)),
            element("wp:post_modified_gmt", wp_time(modified or when)),
            element("wp:comment_status", comment_status),
            element("wp:ping_status", "closed"),
            element("wp:post_name", wp_slug(slug)),
            element("wp:status", status),
            element("wp:post_parent", parent, raw=True),
            element("wp:menu_order", order, raw=True),
            element("wp:post_type", kind),
            element("wp:post_password", ""),
            element("wp:is_sticky", 0, raw=True),
            *extra,
            "</item>",
        )

    def article(self, article: Article) -> None:
        status = {ArticleStatus.DRAFT: "draft", ArticleStatus.REVIEW: "pending"}.get(
            article.status, "future" if article.is_scheduled else "publish"
        )
        extra = [
            f'<category domain="category" nicename="{escape(article.category.slug)}">'
            f"{cdata(article.category.name)}</category>",
            *(
                f'<category domain="post_tag" nicename="{escape(t.slug)}">'
                f"{cdata(t.name)}</category>"
                for t in article.tags
            ),
            meta(MARKDOWN_META, article.body_source),
            meta(SUMMARY_META, article.summary),
        ]
        images = self.body_images(article.body_html)
        if article.image is not None:
            extra.append(meta("_thumbnail_id", str(self.attachment_base + article.image.id)))
            images.insert(0, (article.image, article.image_alt))
        extra.extend(self.comments(article))
        self.counts["posts"] += 1
        self.item(
            article.id,
            "post",
            article.title,
            f"{self.site}/article/{article.slug}",
            # A draft was never published: the day it was written, as WordPress does.
            article.published_at or article.created_at,
            article.author.username if article.author else "",
            self.absolute(article.body_html),
            article.summary,
            status,
            article.slug,
            extra,
            modified=article.updated_at,
            comment_status="open" if article.comments_open else "closed",
        )
        for upload, alt in images:
            self.attachment(upload, alt, article.id)
        self.body_media(article.body_html, article.id)

    def absolute(self, html: str) -> str:
        """`html` with this site's relative addresses made absolute: WordPress fetches
        and rewrites only the images it can reach."""
        return _RELATIVE.sub(lambda m: f"{m[1]}{self.site}/", html)

    def body_images(self, html: str) -> list[tuple[Upload, str]]:
        """The uploads a body shows, each once, with the alt text it is shown with."""
        alts: dict[str, str] = {}
        for match in _UPLOADED.finditer(html):
            alt = _ALT.search(match[0])
            alts.setdefault(match[1], unescape(alt[1]) if alt else "")
        if not alts:
            return []
        rows = db.session.scalars(sa.select(Upload).where(Upload.filename.in_(list(alts))))
        return [(row, alts[row.filename]) for row in rows]

    def attachment(self, upload: Upload, alt: str, parent: int) -> None:
        """One attachment item per upload, however many articles show it."""
        if upload.id in self.attached:
            return
        self.attached.add(upload.id)
        url = f"{self.site}/uploads/{upload.filename}"
        self.counts["attachments"] += 1
        self.item(
            self.attachment_base + upload.id,
            "attachment",
            alt or upload.filename,
            url,
            upload.created_at,
            "",
            "",
            "",
            "inherit",
            upload.filename.split(".")[0],
            # WordPress reads an image's alt text from its attachment.
            [element("wp:attachment_url", url), meta(ALT_META, alt)],
            parent=parent,
        )

    def body_media(self, html: str, parent: int) -> None:
        """An attachment for each audio, video or PDF file the body plays or links."""
        names = list(dict.fromkeys(_MEDIA_REF.findall(html)))
        if names:
            rows = db.session.scalars(sa.select(MediaFile).where(MediaFile.filename.in_(names)))
            for file in rows:
                self.media_attachment(file, parent)

    def media_attachment(self, file: MediaFile, parent: int) -> None:
        if file.id in self.attached_media:
            return
        self.attached_media.add(file.id)
        url = f"{self.site}/uploads/{file.filename}"
        self.counts["attachments"] += 1
        title = (file.original_name or file.filename).rsplit(".", 1)[0]
        self.item(
            self.media_base + file.id, "attachment", title, url, file.created_at, "", "", "",
            "inherit", file.filename.split(".")[0], [element("wp:attachment_url", url)],
            parent=parent,
        )  # fmt: skip

    def comments(self, article: Article) -> Iterator[str]:
        rows = db.session.scalars(
            sa.select(Comment)
            .where(
                Comment.article_id == article.id,
                Comment.status == CommentStatus.APPROVED,
                Comment.deleted.is_(False),
            )
            .options(so.joinedload(Comment.author))
            .order_by(Comment.created_at, Comment.id)
        )
        for c in rows:
            self.counts["comments"] += 1
            user_id = c.author_id if c.author_id in self.staff else 0
            email = c.author.email if c.author else c.guest_email
            yield "".join(
                (
                    "<wp:comment>",
                    element("wp:comment_id", c.id, raw=True),
                    element("wp:comment_author", c.author_name),
                    element("wp:comment_author_email", email),
                    element("wp:comment_author_url", "" if c.author_id else c.guest_url),
                    element("wp:comment_author_IP", ""),
                    element("wp:comment_date", wp_time(c.created_at)),
                    element("wp:comment_date_gmt", wp_time(c.created_at)),
                    element("wp:comment_content", c.body_html),
                    element("wp:comment_approved", "1"),
                    element("wp:comment_type", "comment"),
                    # The comment it answered: WordPress threads as deep as they were.
                    element("wp:comment_parent", c.reply_to_id or c.parent_id or 0, raw=True),
                    element("wp:comment_user_id", user_id, raw=True),
                    meta(MARKDOWN_META, c.body_source, "wp:commentmeta"),
                    "</wp:comment>",
                )
            )

    def page(self, page: Page) -> None:
        self.counts["pages"] += 1
        self.item(
            self.page_base + page.id,
            "page",
            page.title,
            f"{self.site}/pages/{page.slug}",
            page.updated_at,
            self.owner,
            self.absolute(page.body_html),
            "",
            "publish" if page.published else "draft",
            page.slug,
            [
                meta(MARKDOWN_META, page.body_source),
                meta(FOOTER_META, "1" if page.in_footer else "0"),
            ],
            order=page.position,
        )
        self.body_media(page.body_html, self.page_base + page.id)


def export_wordpress(path: str) -> dict[str, int]:
    """Write the WXR file at `path`; returns what it holds, per kind."""
    with open(path, "w", encoding="utf-8") as out:
        return Exporter(out).run()
