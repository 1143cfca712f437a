"""Ghost's rendered cards as plain HTML the shared converter turns into clean Markdown.

Seen in a real Ghost 5.130 export (docs/ghost.md, "Tried against a real Ghost"): a
bookmark card is a link wrapped round block elements and two images from the linked
site (its favicon and thumbnail), which Markdown cannot hold, so it came out as
`[Tide tables` ... `](https://...)` debris with hotlinked images; a signup card is a
subscribe form for Ghost's members, whose headings and "No spam." were left in the
text; a callout put its emoji on a line of its own; a toggle's button and icon were
counted as dropped; an embed became a link to the player's address (`/embed/ID`).
A product card's rating stars were five counted SVGs; file, audio and video cards
pointed at Ghost's content/files and content/media, which were not copied, and left
their player's text ("0:00", "1×"). Worse, a card an editor showed to members only,
in a public post, was published. `plain_cards` removes those, turns a media card
whose file `media` copied into this site's player or download link with the card's
title (a card whose file was not copied is removed and counted), and rewrites the
others; the rest is left to the converter.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

# Ghost 5 lets an editor show a card on the web to members only, or to paid members
# only, in a public post. The stored HTML holds every card, each restricted one between
# these comments, and Ghost removes them when it serves the page to a visitor.
_GATED = re.compile(
    r"<!--kg-gated-block:begin nonMember:(\w+) memberSegment:\"[^\"]*\" -->(.*?)"
    r"<!--kg-gated-block:end-->",
    re.S,
)
_YOUTUBE = re.compile(r"^https://www\.youtube(?:-nocookie)?\.com/embed/([\w-]{6,20})")


def _paragraph(soup: BeautifulSoup, *parts: Tag | str) -> Tag:
    paragraph = soup.new_tag("p")
    for part in parts:
        paragraph.append(part)
    return paragraph


def _link(soup: BeautifulSoup, href: str, text: str) -> Tag:
    link = soup.new_tag("a", href=href)
    link.string = text or href
    return link


def _text(card: Tag, selector: str) -> str:
    found = card.select_one(selector)
    return " ".join(found.get_text(" ", strip=True).split()) if found else ""


def _bookmark(soup: BeautifulSoup, card: Tag) -> None:
    anchor = card.select_one("a.kg-bookmark-container[href]")
    if anchor is None:
        return
    href = str(anchor["href"])
    title = _text(card, ".kg-bookmark-title")
    description = _text(card, ".kg-bookmark-description")
    parts: list[Tag | str] = [_link(soup, href, title)]
    if description:
        parts.append(f": {description}")
    replacement = [_paragraph(soup, *parts)]
    caption = card.find("figcaption")
    if caption is not None:
        replacement.append(caption.extract())
    card.replace_with(*replacement)


def _callout(soup: BeautifulSoup, card: Tag) -> None:
    quote = soup.new_tag("blockquote")
    emoji = _text(card, ".kg-callout-emoji")
    body = card.select_one(".kg-callout-text")
    if body is None:
        return
    paragraph = _paragraph(soup, f"{emoji} " if emoji else "")
    for child in list(body.contents):
        paragraph.append(child.extract())
    quote.append(paragraph)
    card.replace_with(quote)


def _toggle(soup: BeautifulSoup, card: Tag) -> None:
    heading = _text(card, ".kg-toggle-heading-text")
    content = card.select_one(".kg-toggle-content")
    strong = soup.new_tag("strong")
    strong.string = heading
    replacement = [_paragraph(soup, strong)] if heading else []
    if content is not None:
        replacement.append(content.extract())
    card.replace_with(*replacement)


def _embed(soup: BeautifulSoup, card: Tag) -> None:
    frame = card.find("iframe")
    src = str(frame.get("src") or "") if frame is not None else ""
    if not src.startswith("https://"):
        return
    video = _YOUTUBE.match(src)
    href = f"https://www.youtube.com/watch?v={video[1]}" if video else src.split("?")[0]
    frame.replace_with(_paragraph(soup, _link(soup, href, str(frame.get("title") or href))))


def _product(soup: BeautifulSoup, card: Tag) -> None:
    title = _text(card, ".kg-product-card-title")
    strong = soup.new_tag("strong")
    strong.string = title
    replacement = [_paragraph(soup, strong)] if title else []
    description = card.select_one(".kg-product-card-description")
    if description is not None:
        replacement.append(description.extract())
    button = card.select_one("a.kg-product-card-button[href]")
    if button is not None:
        href = str(button["href"])
        replacement.append(_paragraph(soup, _link(soup, href, button.get_text(" ", strip=True))))
    card.replace_with(*replacement)


# Cards whose file lives in Ghost's content/files or content/media.
_MEDIA_CARDS = ("file", "audio", "video")


def _file_name(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def _media_card(soup: BeautifulSoup, card: Tag, kind: str, media: Callable) -> bool:
    """Replace a file, audio or video card by a download link or a player of the copy
    `media` made of its file; False (card untouched) when there is no copy."""
    found = card.select_one("a[href]") if kind == "file" else card.find(kind, src=True)
    src = str(found.get("href" if kind == "file" else "src") or "") if found else ""
    local = media(src) if src else None
    if not local:
        return False
    if kind == "file":
        title = _text(card, ".kg-file-card-title") or _text(card, ".kg-file-card-filename")
        parts: list[Tag | str] = [_paragraph(soup, _link(soup, local, title or _file_name(src)))]
        caption = _text(card, ".kg-file-card-caption")
        if caption:
            parts.append(_paragraph(soup, caption))
    else:
        title = _text(card, ".kg-audio-title")
        player = soup.new_tag(kind, attrs={"src": local, "title": title or _file_name(src)})
        parts = [player]
        caption = card.find("figcaption")
        if caption is not None:
            parts.append(caption.extract())
        elif title:
            emphasis = soup.new_tag("em")
            emphasis.string = title
            parts.append(_paragraph(soup, emphasis))
    card.replace_with(*parts)
    return True


def ungated(html: str, dropped: Counter) -> str:
    """`html` without the cards Ghost showed only to members (counted); a card Ghost
    showed to visitors who are not signed in stays."""

    def gate(match: re.Match) -> str:
        if match[1] == "true":
            return match[2]
        dropped["Ghost card for members only (left out)"] += 1
        return ""

    return _GATED.sub(gate, html)


def plain_cards(html: str, dropped: Counter, media: Callable = lambda url: None) -> str:
    """`html` without its members-only cards, and with Ghost's bookmark, callout,
    toggle, embed and signup cards made plain (a signup form is dropped and counted);
    `media` maps a file card's or player's file URL to its copy here (None: not
    copied, and the card is dropped and counted)."""
    if "kg-" not in html:
        return html
    html = ungated(html, dropped)
    soup = BeautifulSoup(html, "html.parser")
    for card in soup.select(".kg-signup-card"):
        dropped["Ghost signup card"] += 1
        card.decompose()
    for kind in _MEDIA_CARDS:
        for card in soup.select(f".kg-{kind}-card"):
            if not _media_card(soup, card, kind, media):
                dropped[f"Ghost {kind} card (file not copied)"] += 1
                card.decompose()
    for selector, rewrite in (
        (".kg-bookmark-card", _bookmark),
        (".kg-callout-card", _callout),
        (".kg-toggle-card", _toggle),
        (".kg-embed-card", _embed),
        (".kg-product-card", _product),
    ):
        for card in soup.select(selector):
            rewrite(soup, card)
    return str(soup)
