"""Streaming reader of WordPress export files (WXR 1.0, 1.1, 1.2).

`read_wxr(path)` yields one record at a time (an author, a category, a tag, an item
with its comments) and forgets each as soon as it is yielded, so memory stays flat
whatever the file's size. The parser is defusedxml's expat: a file that declares
entities (an entity bomb) or refers to external ones is refused, never expanded.

Liberal in what it accepts, because real exports vary: any version of the
`wordpress.org/export/1.x/` namespace (or none on a field), missing optional
elements, empty fields, a byte-order mark or blank lines before the XML declaration,
and control characters WordPress wrote but XML forbids (they are dropped).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

CHUNK = 256 * 1024
# This site's own exports (exporter.py) carry the exact source in post meta.
MARKDOWN_META = "_newsroom_markdown"
SUMMARY_META = "_newsroom_summary"
FOOTER_META = "_newsroom_in_footer"
ALT_META = "_wp_attachment_image_alt"  # WordPress's, on an attachment item
# XML 1.0 forbids C0 controls except tab, newline and carriage return. In UTF-8 these
# bytes never occur inside a multi-byte character, so they can be deleted as bytes.
_FORBIDDEN_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


class WXRError(ValueError):
    """The file cannot be imported; the message says why (with line and column)."""


@dataclass
class Channel:
    """The site-level fields, filled in as the file is read (they precede the items)."""

    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""
    saw_wordpress: bool = False

    @property
    def site(self) -> str:
        """The site's address, which keys the import records (idempotency)."""
        return (self.base_blog_url or self.link or self.base_site_url).rstrip("/")[:200]


@dataclass
class Record:
    kind: str  # author, category, tag, term, item
    fields: dict[str, Any] = field(default_factory=dict)


class _CleanStream:
    """A file wrapper that drops bytes XML forbids and whitespace before the prolog."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.started = False

    def read(self, size: int = CHUNK) -> bytes:
        data = self.raw.read(size if size and size > 0 else CHUNK)
        if not self.started and data:
            data = data.lstrip(b"\xef\xbb\xbf").lstrip()
            self.started = bool(data)
        return data.translate(None, _FORBIDDEN_BYTES)


def _prefix(uri: str) -> str:
    if "wordpress.org/export" in uri:
        return "excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"
    if "purl.org/rss/1.0/modules/content" in uri:
        return "content"
    if "purl.org/dc/elements" in uri:
        return "dc"
    if "wellformedweb.org" in uri:
        return "wfw"
    return ""


def name_of(tag: str) -> str:
    """`{http://wordpress.org/export/1.2/}post_id` as `wp:post_id`; plain names as they are."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = _prefix(uri)
        return f"{prefix}:{local}" if prefix else local
    if ":" in tag:  # an undeclared prefix some plugins write; keep it readable
        return tag
    return tag


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _children(element: Element) -> dict[str, str]:
    """Simple child fields by name; the first occurrence wins."""
    out: dict[str, str] = {}
    for child in element:
        key = name_of(child.tag)
        if key not in out:
            out[key] = child.text or ""
    return out


def _meta(element: Element, tag: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for child in element:
        if name_of(child.tag) == tag:
            fields = _children(child)
            key = fields.get("wp:meta_key", "").strip()
            if key:
                meta[key] = fields.get("wp:meta_value", "")
    return meta


def _item(element: Element) -> dict[str, Any]:
    fields: dict[str, Any] = _children(element)
    fields["categories"] = [
        (child.get("domain", "category"), child.get("nicename", ""), (child.text or "").strip())
        for child in element
        if name_of(child.tag) == "category"
    ]
    fields["postmeta"] = _meta(element, "wp:postmeta")
    comments = []
    for child in element:
        if name_of(child.tag) == "wp:comment":
            comment: dict[str, Any] = _children(child)
            comment["commentmeta"] = _meta(child, "wp:commentmeta")
            comments.append(comment)
    fields["comments"] = comments
    return fields


_CHANNEL_FIELDS = {
    "title": "title",
    "link": "link",
    "wp:base_site_url": "base_site_url",
    "wp:base_blog_url": "base_blog_url",
    "wp:wxr_version": "wxr_version",
}
_TERMS = {"wp:author": "author", "wp:category": "category", "wp:tag": "tag", "wp:term": "term"}


def read_wxr(stream: IO[bytes], channel: Channel) -> Iterator[Record]:
    """Records of a WXR file in document order; `channel` is filled in on the way.

    Raises WXRError for a malformed file (with line and column), a file that is not
    a WordPress export, or one that declares entities.
    """
    depth = 0
    parent: Element | None = None
    events = iterparse(_CleanStream(stream), events=("start", "end"))
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1 and name_of(element.tag) != "rss":
                    raise WXRError(
                        f"This is not a WordPress export: the document is <{name_of(element.tag)}>,"
                        " a WXR file is an <rss> feed (Tools > Export in WordPress)."
                    )
                if depth == 2:
                    parent = element
                if name_of(element.tag).startswith(("wp:", "excerpt:")):
                    channel.saw_wordpress = True
                continue
            depth -= 1
            if depth != 2 or parent is None:
                continue
            key = name_of(element.tag)
            if key == "item":
                yield Record("item", _item(element))
            elif key in _TERMS:
                yield Record(_TERMS[key], _children(element))
            elif key in _CHANNEL_FIELDS:
                setattr(channel, _CHANNEL_FIELDS[key], _text(element))
            element.clear()
            parent.remove(element)
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        message = str(error).split(":", 1)[0]
        raise WXRError(
            f"The file is not well-formed XML at line {line}, column {column + 1}: {message}."
        ) from error
    except DefusedXmlException as error:
        raise WXRError(
            "The file declares XML entities or refers to external ones; a WordPress "
            "export never does, and they are how entity-expansion attacks work, so it "
            f"was refused ({type(error).__name__})."
        ) from error
    if not channel.saw_wordpress:
        raise WXRError(
            "This is an RSS feed, not a WordPress export: it has no wp: elements. "
            "Export the site with Tools > Export > All content in WordPress."
        )


_GMT_ZERO = re.compile(r"^0000-00-00")


def wp_date(value: str) -> str:
    """A WordPress date string, or "" for WordPress's "never" (0000-00-00 00:00:00)."""
    value = (value or "").strip()
    return "" if not value or _GMT_ZERO.match(value) else value


def parse_date(*values: str) -> datetime | None:
    """The first usable date: `YYYY-MM-DD HH:MM:SS` (taken as UTC) or an RFC 822 pubDate."""
    for value in values:
        value = wp_date(value)
        if not value:
            continue
        try:
            return datetime.fromisoformat(value.replace(" ", "T")[:19]).replace(tzinfo=UTC)
        except ValueError:
            pass
        try:
            parsed = parsedate_to_datetime(value)
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            continue
    return None


def digest(value: object) -> str:
    """A record's fingerprint: an item whose digest is unchanged is not written again."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
