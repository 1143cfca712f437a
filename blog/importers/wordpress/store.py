"""The write half of an import: authors, sections, tags, articles, pages, comments, links.

Called inside a write transaction with items prepared beforehand (bodies converted and
rendered, images processed). Every row made is recorded in `ImportRecord` under the
source site and the item's id there, which is what makes a second run change nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import sqlalchemy as sa

from blog.auth.api import normalize_email
from blog.core.content import clean_text, slugify, unique_slug
from blog.core.types import utcnow
from blog.core.upsert import get_or_create, insert
from blog.extensions import db
from blog.importers.media import add_rows
from blog.importers.wordpress.coauthors import coauthors
from blog.importers.wordpress.report import Report
from blog.importers.wordpress.threads import PreparedComment, write_comments
from blog.models import (
    Article,
    ArticleStatus,
    Category,
    ImportRecord,
    Page,
    Redirect,
    Role,
    Tag,
    Upload,
    User,
)
from blog.public.api import key_of_url
from blog.trust.api import set_bylines

BIO_FIELD = "author_bio"  # <newsroom:author_bio> in a wp:author (see exporter.py)
UNUSABLE_PASSWORD = "!imported"  # noqa: S105 - no hash matches it: log in after a reset


def wp_slug(text: str) -> str:
    """A slug as WordPress keeps it: letters of any script stay (`επίπεδο-2`)."""
    return slugify(text, keep_unicode=True)


@dataclass
class PreparedItem:
    wp_id: str
    kind: str  # post or page
    values: dict[str, Any]
    slug: str
    creator: str
    terms: list[tuple[str, str, str]]
    links: list[str]
    digest: str
    image: str = ""  # stored upload filename of the featured image
    hidden: str = ""  # why WordPress showed it to nobody ("was private"); "" if public
    comments: list[PreparedComment] = field(default_factory=list)


class Store:
    """Keeps the source-id -> local-id maps of one import across its batches."""

    def __init__(self, site: str, base_path: str, report: Report, author_map: dict[str, str]):
        self.site = site
        self.base = base_path.rstrip("/")
        self.report = report
        self.author_map = author_map
        self.users: dict[str, int] = {}  # author login -> user id
        self.user_ids: dict[str, str] = {}  # WordPress author id -> login
        self.categories: dict[str, tuple[str, str]] = {}  # nicename -> (name, parent)
        self.descriptions: dict[str, str] = {}  # category nicename or tag slug -> text
        self.sections: dict[str, int] = {}  # top-level nicename -> category id
        self.tags: dict[str, int] = {}  # slug -> tag id
        self.fallback_section: int | None = None
        # What other importers (Ghost, Substack) change: the redirects' origin, where
        # the old site kept its images, and whether it had /category/ addresses.
        self.origin = "wordpress"
        self.uploads_prefix = "/wp-content/uploads/"
        self.media_prefix = self.uploads_prefix  # Ghost's media paths start at content/
        self.category_links = True

    # -- records --------------------------------------------------------------------

    def records(self, kind: str, ids: Iterable[str]) -> dict[str, ImportRecord]:
        ids = list(ids)
        if not ids:
            return {}
        rows = db.session.scalars(
            sa.select(ImportRecord).where(
                ImportRecord.source == self.site,
                ImportRecord.kind == kind,
                ImportRecord.source_id.in_(ids),
            )
        )
        return {row.source_id: row for row in rows}

    def remember(
        self,
        kind: str,
        source_id: str,
        local_id: int | None,
        digest: str = "",
        ref: str = "",
        record: ImportRecord | None = None,
    ) -> None:
        if record is None:
            record = ImportRecord(source=self.site, kind=kind, source_id=source_id[:300])
            db.session.add(record)
        record.local_id, record.digest, record.local_ref = local_id, digest, ref[:300]
        record.imported_at = utcnow()

    def link(self, old: str, target: str) -> None:
        """A redirect from an old address; an existing row (perhaps edited) is kept."""
        key = key_of_url(old) if "://" in old or old.startswith("/") else old
        if key in ("/", ""):
            return
        result = db.session.execute(
            insert(Redirect)
            .values(source=key, target=target, origin=self.origin, created_at=utcnow())
            .on_conflict_do_nothing()
        )
        self.report.add("redirects", "imported" if result.rowcount else "unchanged")

    # -- authors and terms ------------------------------------------------------------

    def author(self, fields: dict[str, str]) -> int | None:
        """The user id for a WordPress author (created as an author if needed)."""
        login = (fields.get("wp:author_login") or "").strip()
        if not login:
            return None
        if fields.get("wp:author_id"):
            self.user_ids[fields["wp:author_id"].strip()] = login
        if login in self.users:
            return self.users[login]
        user_id = self._author(login, fields)
        self.users[login] = user_id
        # WordPress's author address is its user_nicename: the login, lowercased, with
        # underscores and dots kept (jane_editor); a slug of it is tried as well.
        target = self._author_url(user_id)
        for name in dict.fromkeys((login.lower(), slugify(login))):
            if name:
                self.link(f"{self.base}/author/{name}/", target)
        return user_id

    def _author_url(self, user_id: int) -> str:
        return f"/author/{db.session.get(User, user_id).username}"

    def _author(self, login: str, fields: dict[str, str]) -> int:
        if login in self.author_map:
            wanted = self.author_map[login].casefold()
            user = db.session.scalar(
                sa.select(User).where(sa.or_(User.username == wanted, User.email == wanted))
            )
            if user is None:
                raise LookupError(f"--map-author {login}={wanted}: no such user here")
            self.report.add("authors", "skipped", f"{login} mapped to {user.username}")
            return user.id
        # WordPress keeps a bio in user meta (`description`), which its exports leave
        # out; this site's own export carries it in BIO_FIELD.
        bio = clean_text(fields.get(BIO_FIELD) or "").strip()
        record = self.records("author", [login]).get(login)
        found = db.session.get(User, record.local_id) if record is not None else None
        if found is not None:
            if bio and not found.bio:  # one written here is kept
                found.bio = bio
                self.report.add("authors", "updated")
            else:
                self.report.add("authors", "unchanged")
            return found.id
        try:
            email = normalize_email(fields.get("wp:author_email") or "")
        except ValueError:
            email = ""
        if email:
            user = db.session.scalar(sa.select(User).where(User.email == email))
            if user is not None:
                self.report.add(
                    "authors", "skipped", f"{login} matched by email to {user.username}"
                )
                self.remember("author", login, user.id, record=record)
                return user.id
        base = slugify(login, 24).replace("-", "_") or "author"  # + "_NNNN" fits in 30
        base = base if len(base) >= 3 else f"{base}_wp"
        username = base
        while db.session.scalar(sa.select(User.id).where(User.username == username)):
            username = f"{base}_{secrets.randbelow(10_000)}"
        display = (fields.get("wp:author_display_name") or "").strip() or " ".join(
            p for p in (fields.get("wp:author_first_name"), fields.get("wp:author_last_name")) if p
        )
        user = User(
            username=username,
            email=email or f"{username}@imported.invalid",
            password_hash=UNUSABLE_PASSWORD,
            display_name=(display or login)[:80],
            bio=bio,
            role=Role.AUTHOR,
        )
        db.session.add(user)
        db.session.flush()
        self.remember("author", login, user.id, record=record)
        self.report.add("authors", "imported")
        return user.id

    def category(self, fields: dict[str, str]) -> None:
        nicename = unquote(fields.get("wp:category_nicename") or "").strip()
        name = (fields.get("wp:cat_name") or "").strip() or nicename
        if nicename:
            parent = unquote(fields.get("wp:category_parent") or "").strip()
            self.categories[nicename] = (name, parent)
            self.describe(nicename, fields.get("wp:category_description"))

    def describe(self, slug: str, description: str | None) -> None:
        text = clean_text(description or "").strip()
        if text:
            self.descriptions[wp_slug(slug) or slug] = text

    def top_of(self, nicename: str) -> str:
        seen = {nicename}
        while True:
            parent = self.categories.get(nicename, ("", ""))[1]
            if not parent or parent in seen:
                return nicename
            seen.add(parent)
            nicename = parent

    def section(self, nicename: str, name: str = "") -> int:
        """The category id for a top-level WordPress category (created if needed)."""
        if nicename in self.sections:
            return self.sections[nicename]
        name = (self.categories.get(nicename, (name, ""))[0] or name or nicename)[:60]
        slug = wp_slug(nicename) or wp_slug(name) or "section"
        record = self.records("category", [nicename]).get(nicename)
        found = db.session.get(Category, record.local_id) if record else None
        found = found or db.session.scalar(
            sa.select(Category).where(sa.or_(Category.slug == slug, Category.name == name))
        )
        description = self.descriptions.get(wp_slug(nicename) or nicename, "")
        if found is None:
            position = db.session.scalar(sa.select(sa.func.max(Category.position))) or 0
            found = Category(name=name, slug=slug, position=position + 1, description=description)
            db.session.add(found)
            db.session.flush()
            self.report.add("sections", "imported")
        elif description and not found.description:  # one written here is kept
            found.description = description
            self.report.add("sections", "updated")
        else:
            self.report.add("sections", "unchanged")
        if record is None:
            self.remember("category", nicename, found.id)
        self.sections[nicename] = found.id
        if self.category_links:
            self.link(f"{self.base}/category/{nicename}/", f"/category/{found.slug}")
            self.link(f"{self.base}/category/{nicename}/feed/", f"/category/{found.slug}/feed.xml")
        return found.id

    def tag(self, slug: str, name: str) -> int:
        name = (name or slug).strip()[:60]
        slug = wp_slug(slug) or wp_slug(name) or "tag"
        if slug in self.tags:
            return self.tags[slug]
        lookup = sa.select(Tag).where(sa.or_(Tag.slug == slug, Tag.name == name))
        found = db.session.scalar(lookup)
        description = self.descriptions.get(slug, "")
        tag = get_or_create(Tag, lookup, name=name, slug=slug, description=description)
        if found is None:
            self.report.add("tags", "imported")
        elif description and not tag.description:  # one written here is kept
            tag.description = description
            self.report.add("tags", "updated")
        else:
            self.report.add("tags", "unchanged")
        self.tags[slug] = tag.id
        return tag.id

    def tag_link(self, slug: str, old: str) -> None:
        tag = db.session.get(Tag, self.tags[wp_slug(slug) or "tag"])
        self.link(old, f"/tag/{tag.slug}")

    def section_and_tags(self, terms: list[tuple[str, str, str]]) -> tuple[int, list[int]]:
        """The section and tags of an item: its first category's top-level category is
        the section; a child category and every further category is kept as a tag."""
        section_id, tag_ids, first = None, [], ""
        for domain, nicename, name in terms:
            nicename = unquote(nicename).strip() or wp_slug(name)
            if not nicename or (domain == "category" and nicename == first):
                continue  # WXR 1.0 lists each category twice, once without a nicename
            if domain == "category" and section_id is not None:
                tag_ids.append(self.tag(nicename, self.categories.get(nicename, (name,))[0]))
            elif domain == "category":
                top, first = self.top_of(nicename), nicename
                section_id = self.section(top, name if top == nicename else "")
                if top != nicename:  # a child category: its name is kept as a tag
                    tag_ids.append(self.tag(nicename, self.categories.get(nicename, (name,))[0]))
                    path = self._category_path(nicename)
                    self.tag_link(nicename, f"{self.base}/category/{path}/")
                    self.tag_link(nicename, f"{self.base}/category/{nicename}/")
            elif domain in ("post_tag", "tag"):  # "tag" in WXR 1.0
                tag_ids.append(self.tag(nicename, name))
                self.tag_link(nicename, f"{self.base}/tag/{nicename}/")
        return section_id or self._fallback(), list(dict.fromkeys(tag_ids))

    def _category_path(self, nicename: str) -> str:
        path, seen = [nicename], {nicename}
        while (parent := self.categories.get(path[0], ("", ""))[1]) and parent not in seen:
            path.insert(0, parent)
            seen.add(parent)
        return "/".join(path)

    def _fallback(self) -> int:
        if self.fallback_section is None:
            self.fallback_section = self.section("uncategorized", "Uncategorized")
        return self.fallback_section

    # -- images -----------------------------------------------------------------------

    def images(self, new: list) -> dict[str, int]:
        """Upload rows for newly processed images; filename -> upload id."""
        ids: dict[str, int] = {}
        for image in new:
            upload = Upload(**image.stored.__dict__)
            db.session.add(upload)
            db.session.flush()
            ids[upload.filename] = upload.id
            self.remember("file", image.path, upload.id, ref=upload.filename)
            if self.uploads_prefix:  # where the old site served it
                old = f"{self.base}{self.uploads_prefix}{image.path}"
                self.link(old, f"/uploads/{upload.filename}")
            self.report.add("images", "imported")
        return ids

    def media(self, new: list) -> None:
        """MediaFile rows and import records for a batch's audio, video and PDF files."""

        def remember(path: str, media_id: int, filename: str) -> None:
            self.remember("file", path, media_id, ref=filename)
            if self.media_prefix:
                self.link(f"{self.base}{self.media_prefix}{path}", f"/uploads/{filename}")
            self.report.add("media", "imported")

        add_rows(new, remember)

    def upload_id(self, filename: str) -> int | None:
        return db.session.scalar(sa.select(Upload.id).where(Upload.filename == filename))

    # -- posts and pages --------------------------------------------------------------

    def item(self, item: PreparedItem, record: ImportRecord | None) -> None:
        model, kind = (Article, "posts") if item.kind == "post" else (Page, "pages")
        row = db.session.get(model, record.local_id) if record and record.local_id else None
        if record is not None and row is None:
            self.report.add(kind, "skipped", "deleted on this site since the import")
            return
        values = dict(item.values)
        if model is Article:
            values["author_id"] = (
                self.author({"wp:author_login": item.creator}) if item.creator else None
            )
            values["category_id"], tag_ids = self.section_and_tags(item.terms)
            values["image_id"] = self.upload_id(item.image) if item.image else None
        if row is not None and item.hidden:
            # Imported public by a release that did not read WordPress's visibility:
            # privacy wins over edits made here since (the report names it).
            edited_here = row.updated_at > record.imported_at
            if self._hide(row):
                self.report.name(item.kind, item.wp_id, row.title, "was public here; now hidden")
                if not edited_here:
                    record.imported_at = utcnow()
        if row is not None and record.digest == item.digest:
            self.report.add(kind, "unchanged")
        elif row is not None and row.updated_at > record.imported_at:
            self.report.add(kind, "skipped", "edited on this site since the import; kept")
        else:
            if row is None:
                row = model(slug=self._slug(model, item), **values)
                db.session.add(row)
                self.report.add(kind, "imported")
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                self.report.add(kind, "updated")
            if model is Article:
                row.tags = [db.session.get(Tag, t) for t in tag_ids]
                if people := coauthors(self.users, self.report, item.terms):
                    db.session.flush()
                    set_bylines(row, people)
            db.session.flush()
            self.remember(item.kind, item.wp_id, row.id, item.digest, record=record)
        target = f"/article/{row.slug}" if model is Article else f"/pages/{row.slug}"
        for old in item.links:
            self.link(old, target)
        if model is Article and item.comments:
            write_comments(self, row.id, item.comments)

    @staticmethod
    def _hide(row: Article | Page) -> bool:
        """Take a public article or page off the site; False if it was not public."""
        if isinstance(row, Page):
            if not row.published:
                return False
            row.published = False
        else:
            if row.status != ArticleStatus.PUBLISHED:
                return False
            row.status, row.published_at = ArticleStatus.DRAFT, None
        db.session.flush()
        return True

    def _slug(self, model: type, item: PreparedItem) -> str:
        def taken(slug: str) -> bool:
            return db.session.scalar(sa.select(model.id).where(model.slug == slug)) is not None

        slug = unique_slug(
            item.slug, taken, fallback=f"{item.kind}-{item.wp_id}", keep_unicode=True
        )
        if slug != (wp_slug(item.slug) or f"{item.kind}-{item.wp_id}"):
            kind = "posts" if model is Article else "pages"
            # The item is counted once, as imported, by the caller; this is its reason.
            self.report.because(
                kind, "imported", f'slug "{item.slug}" was taken here; renamed "{slug}"'
            )
        return slug
