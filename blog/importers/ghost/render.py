"""HTML for a Ghost body stored only as Lexical (Ghost 5-6) or Mobiledoc (Ghost 1-5).

Ghost's exports carry each post's rendered `html`, which the importer prefers; a draft
never rendered, or an export trimmed by a tool, may hold only the editor's document.
This renders what a news body uses (paragraphs, headings, lists, quotes, links,
emphasis, code, images, galleries, dividers, HTML, Markdown, embed and bookmark cards,
and file, audio and video cards as Ghost renders them, for cards.py to copy)
and counts what it does not know in `dropped`. Every text is escaped here; the HTML
cards' HTML goes through the same converter and sanitizer as any imported body.
"""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from typing import Any

from markdown_it import MarkdownIt

# Lexical's text format bits, in the order the tags open.
_FORMATS = ((1, "strong"), (2, "em"), (4, "s"), (8, "u"), (16, "code"), (32, "sub"), (64, "sup"))
_BLOCK_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "aside", "pre"}


def _attr(value: Any) -> str:
    return escape(str(value or ""), quote=True)


def _figure(src: str, alt: str = "", caption: str = "") -> str:
    if not src:
        return ""
    image = f'<img src="{_attr(src)}" alt="{_attr(alt)}">'
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>" if caption else image


def _members_only(payload: dict) -> bool:
    """Whether Ghost showed the card on the web to signed-in members only (Lexical's
    `visibility.web.nonMember` false, or the older `showOnWeb`/`emailOnly`)."""
    shown = payload.get("visibility")
    if not isinstance(shown, dict):
        return False
    web = shown.get("web")
    if isinstance(web, dict) and "nonMember" in web:
        return web["nonMember"] is False
    return shown.get("showOnWeb") is False or shown.get("emailOnly") is True


def _card(name: str, payload: dict, dropped: Counter) -> str:
    """One card, as Lexical's decorator nodes and Mobiledoc's cards share them."""
    name = name.removesuffix("-card")
    if _members_only(payload):
        dropped["Ghost card for members only (left out)"] += 1
        return ""
    if name == "image":
        return _figure(payload.get("src"), payload.get("alt") or payload.get("altText"),
                       payload.get("caption") or "")  # fmt: skip
    if name == "gallery":
        return "".join(_figure(i.get("src"), i.get("alt"), i.get("caption") or "")
                       for i in payload.get("images") or [] if isinstance(i, dict))  # fmt: skip
    if name in ("hr", "horizontalrule", "divider"):
        return "<hr>"
    if name in ("html", "embed"):
        html = payload.get("html") or ""
        url = payload.get("url") or ""
        return html if html else (f'<p><a href="{_attr(url)}">{escape(url)}</a></p>' if url else "")
    if name == "markdown":
        return MarkdownIt("commonmark").render(str(payload.get("markdown") or ""))
    if name in ("code", "codeblock"):
        return f"<pre><code>{escape(str(payload.get('code') or ''))}</code></pre>"
    if name == "bookmark":
        url = payload.get("url") or ""
        title = (payload.get("metadata") or {}).get("title") or url
        return f'<p><a href="{_attr(url)}">{escape(str(title))}</a></p>' if url else ""
    if name in ("audio", "video", "file"):
        return _media(name, payload)
    if name in ("callout", "toggle", "aside"):
        text = payload.get("calloutText") or payload.get("content") or payload.get("heading")
        return f"<blockquote>{text}</blockquote>" if text else ""
    dropped[f"Ghost {name} card"] += 1
    return ""


def _media(name: str, payload: dict) -> str:
    """A file, audio or video card in the HTML Ghost renders for it (the parts
    cards.py reads: the file's address, title, caption)."""
    src = _attr(payload.get("src"))
    if not src:
        return ""
    if name == "audio":
        title = escape(str(payload.get("title") or ""))
        return (f'<div class="kg-card kg-audio-card"><audio src="{src}"></audio>'
                f'<div class="kg-audio-title">{title}</div></div>')  # fmt: skip
    if name == "video":
        caption = payload.get("caption") or ""
        return (f'<figure class="kg-card kg-video-card"><video src="{src}"></video>'
                f"{f'<figcaption>{caption}</figcaption>' if caption else ''}</figure>")  # fmt: skip
    title = escape(str(payload.get("fileTitle") or payload.get("fileName") or ""))
    caption = escape(str(payload.get("fileCaption") or ""))
    return (f'<div class="kg-card kg-file-card"><a class="kg-file-card-container" href="{src}">'
            f'<div class="kg-file-card-title">{title}</div>'
            f'<div class="kg-file-card-caption">{caption}</div></a></div>')  # fmt: skip


# -- Lexical ------------------------------------------------------------------------


def _lexical_text(node: dict) -> str:
    text = escape(str(node.get("text") or ""))
    fmt = node.get("format") if isinstance(node.get("format"), int) else 0
    for bit, tag in _FORMATS:
        if fmt & bit:
            text = f"<{tag}>{text}</{tag}>"
    return text


def _lexical(node: Any, dropped: Counter, depth: int = 0) -> str:
    if not isinstance(node, dict) or depth > 60:
        return ""
    kind = str(node.get("type") or "")
    inner = "".join(_lexical(child, dropped, depth + 1) for child in node.get("children") or [])
    if kind in ("text", "extended-text"):
        return _lexical_text(node)
    if kind == "linebreak":
        return "<br>"
    if kind in ("paragraph", "root"):
        return f"<p>{inner}</p>" if kind == "paragraph" else inner
    if kind in ("heading", "extended-heading"):
        tag = node.get("tag") if node.get("tag") in _BLOCK_TAGS else "h2"
        return f"<{tag}>{inner}</{tag}>"
    if kind in ("quote", "extended-quote", "aside"):
        return f"<blockquote>{inner}</blockquote>"
    if kind == "list":
        tag = "ol" if node.get("listType") == "number" else "ul"
        return f"<{tag}>{inner}</{tag}>"
    if kind == "listitem":
        return f"<li>{inner}</li>"
    if kind in ("link", "autolink"):
        return f'<a href="{_attr(node.get("url"))}">{inner}</a>'
    return _card(kind, node, dropped)


def lexical_html(document: str, dropped: Counter) -> str:
    data = json.loads(document)
    return _lexical((data or {}).get("root"), dropped) if isinstance(data, dict) else ""


# -- Mobiledoc ----------------------------------------------------------------------


def _markers(markers: list, markups: list, atoms: list) -> str:
    out, open_tags = [], []
    for marker in markers or []:
        if not isinstance(marker, list) or len(marker) < 4:
            continue
        kind, opens, closes, value = marker[:4]
        for index in opens or []:
            tag, attrs = (markups[index] + [[]])[:2] if index < len(markups) else ("span", [])
            tag = (
                tag
                if tag in ("a", "b", "strong", "i", "em", "s", "u", "code", "sub", "sup")
                else "span"
            )
            pairs = dict(zip(attrs[::2], attrs[1::2], strict=False)) if attrs else {}
            href = f' href="{_attr(pairs.get("href"))}"' if tag == "a" else ""
            out.append(f"<{tag}{href}>")
            open_tags.append(tag)
        if kind == 1 and isinstance(value, int) and value < len(atoms):
            out.append(escape(str(atoms[value][1] if len(atoms[value]) > 1 else "")))
        else:
            out.append(escape(str(value)))
        for _ in range(min(closes or 0, len(open_tags))):
            out.append(f"</{open_tags.pop()}>")
    out.extend(f"</{tag}>" for tag in reversed(open_tags))
    return "".join(out)


def mobiledoc_html(document: str, dropped: Counter) -> str:
    data = json.loads(document)
    if not isinstance(data, dict):
        return ""
    markups, atoms, cards = (
        data.get("markups") or [],
        data.get("atoms") or [],
        data.get("cards") or [],
    )
    parts = []
    for section in data.get("sections") or []:
        if not isinstance(section, list) or not section:
            continue
        if section[0] == 1 and len(section) >= 3:  # a markup section
            tag = str(section[1]).lower()
            tag = tag if tag in _BLOCK_TAGS else "p"
            parts.append(f"<{tag}>{_markers(section[2], markups, atoms)}</{tag}>")
        elif section[0] == 3 and len(section) >= 3:  # a list
            tag = "ol" if str(section[1]).lower() == "ol" else "ul"
            items = "".join(f"<li>{_markers(i, markups, atoms)}</li>" for i in section[2])
            parts.append(f"<{tag}>{items}</{tag}>")
        elif section[0] == 2 and len(section) >= 2:  # an image section
            parts.append(_figure(section[1]))
        elif section[0] == 10 and len(section) >= 2 and section[1] < len(cards):
            name, payload = (cards[section[1]] + [{}])[:2]
            parts.append(_card(str(name), payload if isinstance(payload, dict) else {}, dropped))
    return "\n".join(parts)
