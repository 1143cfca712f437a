"""Shared tools of the security tests: a populated site, URL building for every route,
a digest of the whole database, logging in with a CSRF token, and HTML checks."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import html5lib
import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import Rule

from blog.auth.credentials import make_reset_token
from blog.core.content import (
    ARTICLE_ATTRIBUTES,
    ARTICLE_TAGS,
    COMMENT_ATTRIBUTES,
    COMMENT_TAGS,
    PLAYER_ATTRIBUTES,
)
from blog.core.media import MEDIA_SRC
from blog.extensions import db
from blog.models import (
    ArticleCorrection,
    ArticleNote,
    ArticleStatus,
    ArticleVersion,
    Comment,
    CommentReport,
    GuestAuthor,
    Job,
    JobState,
    LoginSession,
    MediaFile,
    NewsletterIssue,
    Redirect,
    Role,
    Subscriber,
    SubscriberState,
    Upload,
    User,
)
from blog.trust.api import set_bylines
from tests import factories
from tests.conftest import AuthActions

CSRF_FIELD = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"')


# ------------------------------------------------------------------ a populated site


@dataclass
class World:
    """One of everything a route can be about, so every rule in url_map can be built."""

    admin: User
    reader: User
    author: User
    category: Any
    other_category: Any
    tag: Any
    other_tag: Any
    article: Any
    draft: Any
    page: Any
    admin_comment: Any  # by admin, on `article`
    reader_comment: Any  # by reader, on `article`
    version: Any
    upload: Any
    redirect: Any
    issue: Any  # a sent newsletter issue
    import_job: Any  # a finished WordPress import job (Admin > Tools > Import)
    sessions: dict  # user id -> a LoginSession of that user in another browser
    ghost_job: Any  # a finished Ghost import job with its report
    subscriber: Any  # a bounced newsletter address (Admin > Newsletter: Restore)
    note: Any = None  # an editorial note on `article` (Admin > article > Notes)
    guest: Any = None  # a guest contributor credited on `article` (issue 26)
    correction: Any = None  # a correction on `article`
    media: Any = None  # an audio file an import brought (Admin > Images: delete)


# GET URLs no rule builds: queries, filters and pages that do not exist.
EXTRA_URLS = [
    "/search?q=watchdog",
    "/search?q=nothing-matches-this",
    "/?page=2",
    "/admin/articles?status=draft",
    "/admin/comments?view=all",
    "/admin/users?q=rita",
    "/admin/tags?q=sec",
    "/admin/audit",
    "/no-such-page",
    "/article/no-such-article",
]


def make_world(admin: User, reader: User, author: User) -> World:
    """Rows for every kind of URL argument; the caller's session commits them."""
    n = next(factories._seq)
    category = factories.make_category(f"Security desk {n}")
    other_category = factories.make_category(f"Other desk {n}")
    tag = factories.make_tag(f"sectag{n}")
    other_tag = factories.make_tag(f"othertag{n}")
    upload = Upload(
        filename=f"{n:032x}.jpg", thumb_filename="", content_type="image/jpeg", width=10, height=10
    )
    db.session.add(upload)
    media = MediaFile(filename=f"{n:032x}.mp3", content_type="audio/mpeg", sha256=f"{n:064x}")
    db.session.add(media)
    article = factories.make_article(
        f"Watchdog report {n}", author=author, category=category, tags=[tag]
    )
    draft = factories.make_article(
        f"Draft dispatch {n}", author=author, category=category, status=ArticleStatus.DRAFT
    )
    page = factories.make_page(f"Policy page {n}")
    admin_comment = factories.make_comment(article, admin, "Admin's note.")
    reader_comment = factories.make_comment(article, reader, "Reader's view.")
    db.session.add(CommentReport(comment_id=admin_comment.id, reporter_id=author.id, reason="x"))
    version = ArticleVersion(
        article_id=article.id, title=article.title, summary="old", body_source="old body"
    )
    db.session.add(version)
    redirect = Redirect(source=f"/old-{n}", target=f"/article/{article.slug}", origin="test")
    db.session.add(redirect)
    issue = NewsletterIssue(
        kind="weekly", period=f"weekly:test-{n}", subject="This week", article_ids=[article.id]
    )
    db.session.add(issue)
    import_job = Job(
        kind="wordpress-import",
        key=f"wordpress-import:test-{n}",
        payload={"path": "", "done": 1, "total": 1},
        state=JobState.DONE,
    )
    db.session.add(import_job)
    sessions = {}
    for user in (admin, reader, author):
        sessions[user.id] = LoginSession(
            user_id=user.id,
            key=f"elsewhere-{n}-{user.id}",
            user_agent="Mozilla/5.0 (X11; Linux) Firefox/140.0",
        )
        db.session.add(sessions[user.id])  # fmt: skip
    from blog.importers.api import Report

    report = Report(site="ghost:Test", version="Ghost 5.75.1", source="Ghost")
    report.add("posts", "imported", n=2)
    report.add("subscribers", "imported", n=1)
    report.name("post", "65f", "Paid post", "was for paying members only; kept hidden here")
    report.dropped["Ghost code injection"] += 1
    ghost_job = Job(
        kind="ghost-import",
        key=f"ghost-import:test-{n}",
        payload={"path": "", "done": 2, "total": 2, "report": report.to_json()},
        state=JobState.DONE,
    )
    db.session.add(ghost_job)
    guest = GuestAuthor(name=f"Guest {n}", slug=f"guest-{n}", fediverse="@g@social.example")
    db.session.add(guest)
    db.session.flush()
    set_bylines(article, [author, guest])
    correction = ArticleCorrection(
        article_id=article.id, kind="correction", text="A corrected figure."
    )
    db.session.add(correction)
    subscriber = Subscriber(email=f"bounced{n}@example.com", state=SubscriberState.BOUNCED)
    db.session.add(subscriber)
    note = ArticleNote(article_id=article.id, author_id=admin.id, body="Check the quote.")
    db.session.add(note)
    db.session.flush()
    return World(
        guest=guest,
        correction=correction,
        admin=admin,
        reader=reader,
        author=author,
        category=category,
        other_category=other_category,
        tag=tag,
        other_tag=other_tag,
        article=article,
        draft=draft,
        page=page,
        admin_comment=admin_comment,
        reader_comment=reader_comment,
        version=version,
        upload=upload,
        redirect=redirect,
        issue=issue,
        import_job=import_job,
        sessions=sessions,
        ghost_job=ghost_job,
        subscriber=subscriber,
        note=note,
        media=media,
    )


# ------------------------------------------------------------------ routes


def rules(app: Flask, method: str) -> list[Rule]:
    """Every rule of the app that answers `method`, sorted by endpoint."""
    return sorted(
        (r for r in app.url_map.iter_rules() if method in (r.methods or ())),
        key=lambda r: (r.endpoint, r.rule),
    )


def url_values(rule: Rule, world: World, actor: User) -> dict[str, Any]:
    """Values for the rule's arguments, taken from `world`, suited to `actor`.

    A comment to edit or delete is the actor's own; one to report, someone else's.
    """
    endpoint = rule.endpoint
    own = world.admin_comment if actor.id == world.admin.id else world.reader_comment
    other = world.reader_comment if actor.id == world.admin.id else world.admin_comment
    slugs = {
        "public.category": world.category.slug,
        "public.category_feed": world.category.slug,
        "public.tag": world.tag.slug,
        "public.page": world.page.slug,
        "public.contributor": world.guest.slug,
    }
    values: dict[str, Any] = {}
    for arg in sorted(rule.arguments):
        if arg == "slug":
            values[arg] = slugs.get(endpoint, world.article.slug)
        elif arg == "article_id":
            values[arg] = world.article.id
        elif arg == "category_id":
            values[arg] = world.category.id
        elif arg == "tag_id":
            values[arg] = world.tag.id
        elif arg == "page_id":
            values[arg] = world.page.id
        elif arg == "comment_id":
            values[arg] = other.id if endpoint.endswith("report") else own.id
            if endpoint.startswith("admin."):
                values[arg] = world.reader_comment.id
        elif arg == "user_id":
            values[arg] = world.reader.id
        elif arg == "upload_id":
            values[arg] = world.upload.id
        elif arg == "media_id":
            values[arg] = world.media.id
        elif arg == "redirect_id":
            values[arg] = world.redirect.id
        elif arg == "issue_id":
            values[arg] = world.issue.id
        elif arg == "job_id":
            imports = endpoint.startswith("admin.imports.")
            values[arg] = (world.ghost_job if imports else world.import_job).id
        elif arg == "guest_id":
            values[arg] = world.guest.id
        elif arg == "correction_id":
            values[arg] = world.correction.id
        elif arg == "passkey_id":  # nobody's: a 404 (tests/test_passkeys.py has real ones)
            values[arg] = 999_999
        elif arg == "session_id":  # the actor's own session in another browser
            values[arg] = world.sessions[actor.id].id
        elif arg == "subscriber_id":
            values[arg] = world.subscriber.id
        elif arg == "version_id":
            values[arg] = world.version.id
        elif arg == "note_id":
            values[arg] = world.note.id
        elif arg == "username":
            values[arg] = world.author.username
        elif arg == "token":
            values[arg] = make_reset_token(world.reader)
        elif arg == "filename":
            values[arg] = "style.css" if endpoint == "static" else world.upload.filename
        elif arg == "action":
            values[arg] = "spam"
        elif arg == "name":  # an audience table's CSV file
            values[arg] = "daily"
        elif arg == "direction":
            values[arg] = "down"
        elif arg == "source":  # Tools > Import from Ghost or Substack
            values[arg] = "ghost"
        elif arg == "choice":  # a donation choice; none is configured, so a 404 page
            values[arg] = "monthly"
        else:
            raise AssertionError(
                f"tests/security/helpers.py: teach url_values() a value for <{arg}> "
                f"of {endpoint} ({rule.rule})"
            )
    return values


def build(app: Flask, rule: Rule, world: World, actor: User) -> str:
    with app.test_request_context():
        return app.url_map.bind("localhost").build(
            rule.endpoint, url_values(rule, world, actor), method=next(iter(rule.methods or ()))
        )


# ------------------------------------------------------------------ database digest


def db_digest() -> str:
    """A hash of every row of every table (FTS shadow tables aside).

    Equal digests before and after a request mean the request changed nothing.
    """
    db.session.commit()
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{len(rows)}:".encode())
        for row in rows:
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def table_counts() -> dict[str, int]:
    return {
        t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


# ------------------------------------------------------------------ sessions


def csrf_token(client, path: str = "/auth/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_FIELD.search(html)
    assert match, f"no csrf_token on {path}"
    return match.group(1)


def login(client, user: User) -> None:
    """Log in through the real form, with a CSRF token (works with CSRF on or off)."""
    AuthActions(client).login(user)


def make_staff(role: Role, name: str) -> User:
    user = factories.make_user(role, username=name)
    db.session.commit()
    return user


def comment_by(user: User) -> Comment:
    return db.session.scalar(
        sa.select(Comment).where(Comment.author_id == user.id).order_by(Comment.id.desc())
    )


# ------------------------------------------------------------------ HTML checks


def parse(html: str):
    """An html5lib tree (xml.etree elements, no namespace prefixes on HTML tags)."""
    return html5lib.parse(html, namespaceHTMLElements=False)


def local(tag: str) -> str:
    """'{http://www.w3.org/2000/svg}svg' -> 'svg' (a foreign element keeps its namespace)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else str(tag)


def is_foreign(tag: str) -> bool:
    return isinstance(tag, str) and tag.startswith("{")


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "srcset", "poster", "data", "background",
        "cite", "ping", "lowsrc", "dynsrc", "codebase", "longdesc", "manifest", "icon",
        "xlink:href", "{http://www.w3.org/1999/xlink}href",
    }
)  # fmt: skip
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_STRIP = re.compile(r"[\t\n\r]")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in `value` (None for a relative URL).

    Browsers drop leading/trailing C0 controls and spaces and every tab or newline
    before parsing, so `java\\tscript:` is `javascript:`.
    """
    cleaned = _STRIP.sub(
        "",
        value.strip(
            "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r"
            "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
            "\x1a\x1b\x1c\x1d\x1e\x1f "
        ),
    )
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


# The elements our own templates use, outside the sanitized regions.
SITE_TAGS = frozenset(
    {
        "html", "head", "body", "meta", "title", "link", "script", "header", "footer", "main",
        "nav", "section", "article", "aside", "div", "span", "p", "a", "ul", "ol", "li", "h1",
        "h2", "h3", "h4", "form", "label", "input", "button", "select", "option", "textarea",
        "fieldset", "legend", "img", "figure", "figcaption", "time", "small", "strong", "em",
        "mark", "details", "summary", "table", "thead", "tbody", "tr", "th", "td", "br",
        "code", "pre", "blockquote", "dl", "dt", "dd", "hr", "abbr", "caption", "b", "i",
        "noscript", "del", "s",
    }
)  # fmt: skip


# Our templates' own attributes (anything else anywhere is a finding).
def is_counter(el) -> bool:
    """base.html's `<script src="/static/count.js?v=..." data-page=... defer>`: nothing else."""
    src = el.get("src") or ""
    return src.split("?")[0] == "/static/count.js" and set(el.attrib) <= {
        "src",
        "data-page",
        "defer",
    }


SITE_ATTRIBUTES = frozenset(
    {
        "lang", "charset", "name", "content", "property", "rel", "href", "type", "title",
        "class", "id", "role", "action", "method", "for", "placeholder", "value", "aria-label",
        "aria-labelledby", "aria-current", "aria-hidden", "aria-describedby", "aria-invalid",
        "aria-live", "tabindex", "src", "alt", "width", "height", "loading", "datetime",
        "enctype", "novalidate", "formaction", "formtarget", "rows", "cols", "maxlength",
        "minlength", "required", "autocomplete", "autofocus", "checked", "selected",
        "disabled", "readonly", "multiple", "accept", "open", "start", "align", "colspan",
        "scope", "min", "max", "step", "size", "inputmode", "spellcheck", "hidden", "pattern",
        "target", "aria-required", "data-state", "reversed", "label",
        "form", "sizes", "decoding", "fetchpriority", "referrerpolicy", "aria-sort",
        "aria-pressed", "aria-expanded", "aria-controls", "crossorigin", "dir",
        # The editorial desk: where static/desk.js sends its requests; table cells'
        # labels for the stacked phone layout; the site's own script, deferred.
        "data-key", "data-render", "data-images", "data-heartbeat", "data-autosave",
        "data-label",
        "defer", "data-options",  # the site's own scripts; passkey forms (static/passkeys.js)
    }
)  # fmt: skip
DANGEROUS_TAGS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
        "svg", "math", "template", "xmp", "plaintext", "noembed", "noframes", "listing",
        "param", "portal", "meta-refresh", "isindex",
    }
)  # fmt: skip


def document_problems(html: str, regions: dict[str, str] | None = None) -> list[str]:
    """What in a whole page could run script or restyle it: inline script (JSON-LD
    aside), <style>, style= and on*= attributes, foreign (svg/math) content, unknown
    elements or attributes, URLs with a scheme other than http, https or mailto, and
    meta refresh. `regions` maps a CSS class to "article" or "comment": inside those
    elements only blog.core.content's allowlist for that kind may appear."""
    root = parse(html)
    problems = _element_problems(root)
    for css_class, kind in (regions or {}).items():
        problems += _region_problems(root, css_class, kind)
    return problems


def own_script(el) -> bool:
    """A <script> that loads one of the site's own files (/static/...) and has no body:
    what the CSP (script-src 'self') lets run. Anything else is inline or foreign."""
    src = el.get("src") or ""
    return src.startswith("/static/") and not (el.text or "").strip() and len(el) == 0


def _element_problems(root) -> list[str]:
    problems = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue  # comments
        name = local(tag)
        if is_foreign(tag):
            problems.append(f"foreign element <{name}> ({tag})")
        elif name == "script":
            if is_counter(el):
                continue  # the site's own audience counter (issue 28), its exact form
            if (el.get("type") or "").strip().lower() == "application/ld+json":
                if el.get("src"):
                    problems.append("script with src")
            elif not own_script(el):
                problems.append(f"inline <script> {el.attrib}")
        elif name not in SITE_TAGS and name not in ARTICLE_TAGS:
            problems.append(f"unexpected element <{name}>")
        if name == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            problems.append("meta refresh")
        problems += player_problems(el, name)
        if name == "style":
            problems.append("<style> element")
        for attr, value in el.attrib.items():
            attr_name = local(attr).lower()
            if attr_name.startswith("on"):
                problems.append(f"event handler {attr_name}= on <{name}>")
            elif attr_name == "style":
                problems.append(f"style= on <{name}>")
            elif attr_name in PLAYER_ATTRIBUTES and name in ("audio", "video"):
                pass  # set by the sanitizer on every player (player_problems)
            elif attr_name not in SITE_ATTRIBUTES:
                problems.append(f"unexpected attribute {attr_name}= on <{name}>")
            if attr_name in URL_ATTRIBUTES or attr in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in ALLOWED_SCHEMES:
                    problems.append(f"{attr_name}={value!r} on <{name}> (scheme {scheme})")
    return problems


def _region_problems(root, css_class: str, kind: str) -> list[str]:
    if kind == "article":
        tags, attributes = ARTICLE_TAGS, ARTICLE_ATTRIBUTES
    else:
        tags, attributes = COMMENT_TAGS, COMMENT_ATTRIBUTES
    problems = []
    for region in root.iter():
        if not isinstance(region.tag, str):
            continue
        if css_class not in (region.get("class") or "").split():
            continue
        for el in region.iter():
            if el is region or not isinstance(el.tag, str):
                continue
            name = local(el.tag)
            if is_foreign(el.tag) or name not in tags:
                problems.append(f"<{name}> in .{css_class}")
            for attr, value in el.attrib.items():
                player = name in ("audio", "video") and attr in PLAYER_ATTRIBUTES
                if attr not in attributes.get(name, ()) and not (kind == "article" and player):
                    problems.append(f"{attr}= on <{name}> in .{css_class}")
                if attr in ("href", "src"):
                    scheme = url_scheme(value)
                    if scheme is not None and scheme not in ALLOWED_SCHEMES:
                        problems.append(f"{attr}={value!r} in .{css_class}")
    return problems


def player_problems(el, name: str) -> list[str]:
    """An <audio> or <video> anywhere plays only a file stored on this site, shows its
    controls and starts only when asked: never javascript:, data:, another host."""
    if name not in ("audio", "video"):
        return []
    problems = []
    src = el.get("src")
    if src is not None and not MEDIA_SRC.fullmatch(src):
        problems.append(f"<{name} src={src!r}>: not a stored file of this site")
    if el.get("controls") is None:
        problems.append(f"<{name}> without controls")
    extra = set(el.attrib) - {"src", *PLAYER_ATTRIBUTES}
    if extra:
        problems.append(f"<{name}> with {sorted(extra)}")
    return problems


def fragment_problems(html: str, kind: str) -> list[str]:
    """document_problems for a bare fragment of sanitized HTML of `kind`."""
    return document_problems(f'<div class="frag">{html}</div>', {"frag": kind})


def is_local_location(location: str | None) -> bool:
    """Whether a Location header keeps the browser on this site."""
    if not location:
        return False
    # Browsers drop tabs and newlines and read a backslash as a slash.
    cleaned = _STRIP.sub("", location).replace("\\", "/").strip()
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return parts.netloc in ("localhost", "newsroom.test") and parts.scheme in ("http", "https")
    return cleaned.startswith("/") and not cleaned.startswith("//")
