"""WordPress post HTML to the site's Markdown, so editors can go on editing it.

WordPress stores what its editors produce: classic bodies with bare paragraphs (its
`wpautop` adds the <p> when it shows them), Gutenberg bodies with `<!-- wp:... -->`
block comments, and shortcodes. `to_markdown` turns those into plain HTML first
(paragraphs, [caption] as a figure with its caption, [gallery] as its images,
[embed] and iframes as links, [audio], [video] and their blocks as this site's players
when their files were copied, else links), drops what cannot be represented (scripts,
styles, forms, unknown shortcodes; their text is kept) and counts it, then converts with
markdownify. The Markdown is rendered by blog.content like any article, so the
sanitizer decides what reaches the page; nothing here is ever executed or fetched.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Comment
from flask import current_app, has_app_context
from markdownify import MarkdownConverter

from blog.core.media import is_player, player

MORE = "\x00more\x00"
_GUTENBERG = re.compile(r"<!--\s*/?wp:.*?-->", re.S)
_MORE = re.compile(r"<!--\s*more\b.*?-->", re.S | re.I)
_NEXTPAGE = re.compile(r"<!--\s*nextpage\s*-->", re.I)
_ATTRS = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
_CAPTION = re.compile(r"\[(caption|wp_caption)\b([^\]]*)\](.*?)\[/\1\]", re.S | re.I)
_GALLERY = re.compile(r"\[gallery\b([^\]]*)\]", re.I)
_EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.S | re.I)
MEDIA_KEYS = ("src", "mp3", "mp4", "ogg", "m4a", "wav", "m4v", "webm", "ogv", "wmv", "flv")
# An address alone on its line: WordPress shows it as an embed (YouTube, oEmbed).
_BARE_URL = re.compile(r"^[ \t]*(https?://[^\s<>\"'\[\]]+)[ \t]*$", re.M)
_MEDIA = re.compile(r"\[(audio|video)\b([^\]]*)\](?:(.*?)\[/\1\])?", re.S | re.I)
# An unknown shortcode: [name attr=...], [name/], [name] ... [/name]. A bare word in
# brackets with no closing tag ("[sic]") is left as text.
_CLOSED = re.compile(r"\[([a-z][\w-]*)\b[^\]]*\](.*?)\[/\1\]", re.S | re.I)
_WITH_ATTRS = re.compile(r"\[([a-z][\w-]*)\s+[^\]]*=[^\]]*\]|\[([a-z][\w-]*)\s*/\]", re.I)
_BLOCK_START = re.compile(
    r"^\s*<(p|div|ul|ol|li|h[1-6]|blockquote|table|thead|tbody|tr|figure|pre|hr|dl|"
    r"address|section|article|aside|header|footer|form|iframe|script|style|!--)\b",
    re.I,
)
_DROP = (
    "script",
    "style",
    "noscript",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "canvas",
)
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACE_ONLY = re.compile(r"^[ \t]+$", re.M)

ImageMap = Callable[[str], str | None]
Gallery = Callable[[list[str]], list[str]]


@dataclass
class Converted:
    markdown: str
    teaser: str = ""  # the text before <!--more-->, when there is one
    dropped: Counter = field(default_factory=Counter)


def attributes(text: str) -> dict[str, str]:
    """Shortcode attributes (`ids="1,2" columns=3`) as a dict."""
    return {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTRS.finditer(text)}


def autop(text: str) -> str:
    """A small wpautop: blank-line separated text becomes paragraphs, newlines <br>."""
    chunks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        if _BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.strip().replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(out)


def _shortcodes(html: str, gallery: Gallery, dropped: Counter) -> str:
    def caption(match: re.Match) -> str:
        attrs, inner = attributes(match[2]), match[3]
        soup = BeautifulSoup(inner, "html.parser")
        image = soup.find("a") if soup.find("a") and soup.find("a").find("img") else None
        image = image or soup.find("img")
        text = attrs.get("caption", "")
        if image is not None:
            image.extract()
            text = text or soup.get_text(" ", strip=True)
        figure = str(image) if image is not None else ""
        if text:
            figure += f"<figcaption>{escape(text, quote=False)}</figcaption>"
        return f"\n\n<figure>{figure}</figure>\n\n"

    def gallery_of(match: re.Match) -> str:
        ids = [i.strip() for i in attributes(match[1]).get("ids", "").split(",") if i.strip()]
        urls = gallery(ids)
        if not urls:
            dropped["[gallery] without images"] += 1
        return "".join(f'\n\n<p><img src="{escape(url)}" alt=""></p>' for url in urls)

    def embed(match: re.Match) -> str:
        url = match[1].strip()
        return f'\n\n<p><a href="{escape(url)}">{escape(url)}</a></p>\n\n'

    def media(match: re.Match) -> str:
        attrs, name = attributes(match[2]), match[1].lower()
        url = next((v for k, v in attrs.items() if k in MEDIA_KEYS), "")
        # [audio https://…/a.mp3]: WordPress takes a bare address as the source, and
        # [audio]https://…[/audio] the address between the tags.
        words = [*match[2].split(), *(match[3] or "").split()]
        url = url or next((w for w in words if w.startswith(("http://", "https://"))), "")
        if not url:
            dropped[f"[{name}] without an address"] += 1
            return ""
        # A player, or a link when its file is not copied (_players).
        return f'\n\n<{name} src="{escape(url)}" data-wp="[{name}]"></{name}>\n\n'

    def bare_url(match: re.Match) -> str:
        dropped["embedded address (kept as a link)"] += 1
        url = escape(unescape(match[1]))
        return f'<p><a href="{url}">{url}</a></p>'

    def unknown(match: re.Match) -> str:
        dropped[f"shortcode [{match[1].lower()}]"] += 1
        return match[2]

    def unknown_open(match: re.Match) -> str:
        dropped[f"shortcode [{(match[1] or match[2]).lower()}]"] += 1
        return ""

    html = _CAPTION.sub(caption, html)
    html = _GALLERY.sub(gallery_of, html)
    html = _EMBED.sub(embed, html)
    html = _MEDIA.sub(media, html)
    html = _BARE_URL.sub(bare_url, html)
    for _ in range(3):  # nested shortcodes, outermost first
        html, n = _CLOSED.subn(unknown, html)
        if not n:
            break
    return _WITH_ATTRS.sub(unknown_open, html)


def _players(soup: BeautifulSoup, media: ImageMap, dropped: Counter) -> None:
    """Each <audio> and <video> ([audio], Gutenberg's audio and video blocks) becomes
    this site's player when `media` copied its file; else a link to the old address
    (counted), or nothing when that address could not work here (counted)."""
    for block in soup.select(".wp-block-file"):  # the file's link stays, once
        for extra in block.select("a.wp-block-file__button, object.wp-block-file__embed"):
            extra.decompose()
    for element in soup.find_all(["audio", "video"]):
        source = element.find("source", src=True)
        src = str(element.get("src") or (source["src"] if source else "")).strip()
        label = str(element.get("data-wp") or element.name)
        local = src if is_player(src) else media(src) if src else None
        if local:
            # The fallback link's text: a Ghost card's title, else the file's own name.
            title = str(element.get("title") or unquote(urlsplit(src).path.rsplit("/")[-1]))
            attrs = {"src": local, **({"title": title} if title else {})}
            element.replace_with(soup.new_tag(element.name, attrs=attrs))
        elif src.startswith(("http://", "https://")) and not non_public_host(src):
            dropped[f"{label} (kept as a link)"] += 1
            link = soup.new_tag("a", href=src)
            link.string = src
            element.replace_with(link)
        else:
            dropped[f"{label} without a file here"] += 1
            element.decompose()


def _clean(soup: BeautifulSoup, images: ImageMap, dropped: Counter, media: ImageMap) -> None:
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    _players(soup, media, dropped)
    for tag in soup.find_all(_DROP):
        if tag.decomposed:  # inside one dropped already (an svg in a form): counted once
            continue
        dropped[tag.name] += 1
        tag.decompose()
    for frame in soup.find_all("iframe"):
        src = frame.get("src", "")
        dropped["iframe (kept as a link)" if src.startswith("http") else "iframe"] += 1
        if src.startswith(("http://", "https://")):
            link = soup.new_tag("a", href=src)
            link.string = src
            paragraph = soup.new_tag("p")
            paragraph.append(link)
            frame.replace_with(paragraph)
        else:
            frame.decompose()
    for wrapper in soup.select(".wp-block-embed__wrapper"):
        url = wrapper.get_text(strip=True)
        if url.startswith(("http://", "https://")):
            link = soup.new_tag("a", href=url)
            link.string = url
            wrapper.replace_with(link)
    for image in soup.find_all("img"):
        src = image.get("src", "").strip()
        if not src.startswith(("http://", "https://", "/")):
            dropped["image without a web address"] += 1
            image.decompose()
            continue
        local = images(src)
        if local is None and non_public_host(src):
            # A reader's browser must never be sent to the old site's intranet; the
            # CSP would block it too, this keeps it out of the body (its alt stays).
            dropped["image on a non-public host"] += 1
            image.replace_with((image.get("alt") or "").strip())
            continue
        if local is None and not _shown_from(src):
            # The CSP lets readers' browsers load images from this site and IMAGE_HOSTS
            # only: an image left on the old site's CDN or Unsplash would be a broken
            # picture and a console error. A link to it, named by its alt text, keeps
            # it one click away; the report counts it (upload it, or add its host).
            dropped["image on another host (kept as a link)"] += 1
            name = (image.get("alt") or "").strip() or "Image"
            if image.find_parent("a") is not None:
                image.replace_with(name)  # a linked image: the link stays, named
                continue
            link = soup.new_tag("a", href=src)
            link.string = name
            image.replace_with(link)
            continue
        image["src"] = local or src
    for link in soup.find_all("a", href=True):
        moved = images(link["href"]) or media(link["href"])
        if moved:
            link["href"] = moved
    for caption in soup.find_all("figcaption"):
        text = caption.get_text(" ", strip=True)
        paragraph, emphasis = soup.new_tag("p"), soup.new_tag("em")
        emphasis.string = text
        paragraph.append(emphasis)
        caption.replace_with(paragraph)


# Names no public DNS answers for (RFC 6762, RFC 8375, and the usual private zones).
_PRIVATE_SUFFIXES = (
    ".local", ".localhost", ".localdomain", ".internal", ".intranet", ".lan", ".home",
    ".home.arpa", ".corp", ".private",
)  # fmt: skip


def _shown_from(src: str) -> bool:
    """Whether readers' browsers may load image `src`: a path on this site, or an
    address on one of the IMAGE_HOSTS origins (blog.content_security_policy)."""
    if src.startswith("/") and not src.startswith("//"):
        return True
    hosts = str(current_app.config.get("IMAGE_HOSTS") or "") if has_app_context() else ""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(src)).lower()
    return origin in hosts.lower().replace(",", " ").split()


def non_public_host(url: str) -> bool:
    """Whether an absolute URL points at a host off the public internet: localhost, a
    single-label name, a private zone, or an IP that is not global (private, loopback,
    link-local, reserved). A relative URL is False."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return True  # not a URL a browser would fetch safely either
    if not host:
        return False
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    return "." not in host or host.endswith(_PRIVATE_SUFFIXES)


def _for_comments(soup: BeautifulSoup) -> None:
    """What the comment rules can show (blog.content.render_comment has no headings and
    no images): a heading becomes a bold paragraph, an image a link named by its alt
    text (inside a link already, just the alt text)."""
    for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        paragraph, strong = soup.new_tag("p"), soup.new_tag("strong")
        strong.string = heading.get_text(" ", strip=True)
        paragraph.append(strong)
        heading.replace_with(paragraph)
    for image in soup.find_all("img"):
        src, alt = image.get("src", ""), (image.get("alt") or "").strip()
        if image.find_parent("a") is not None:
            image.replace_with(alt)
            continue
        link = soup.new_tag("a", href=src)
        link.string = alt or src
        image.replace_with(link)
    for element in soup.find_all(["audio", "video"]):
        link = soup.new_tag("a", href=element["src"])
        link.string = element["src"]
        element.replace_with(link)


class _Converter(MarkdownConverter):
    def convert_figure(self, el, text, parent_tags=None):
        return f"\n\n{text.strip()}\n\n"

    def convert_audio(self, el, text, parent_tags=None):
        # As raw HTML, which the article rules keep for this site's files only.
        return f"\n\n{player(el['src'], el.get('title', ''))}\n\n"

    convert_video = convert_audio


# escape_misc: text that reads as Markdown or HTML ("# 1 fan", "1986. A year", "&lt;b&gt;")
# stays text; the source gains a few backslashes, the page shows what WordPress showed.
_converter = _Converter(heading_style="ATX", bullets="-", strong_em_symbol="*", escape_misc=True)


def footnotes(meta: str | None) -> list[str]:
    """The HTML of each Gutenberg footnote, in order, from the `footnotes` post meta (a
    JSON list of {"id", "content"}); none if it is missing or malformed."""
    try:
        notes = json.loads(meta or "[]")
    except ValueError:
        return []
    if not isinstance(notes, list):
        return []
    return [str(note.get("content", "")) for note in notes if isinstance(note, dict)]


def to_markdown(
    html: str,
    images: ImageMap = lambda url: None,
    gallery: Gallery = lambda ids: [],
    paragraphs: bool = True,
    comment: bool = False,
    footnotes: list[str] | None = None,
    media: ImageMap = lambda url: None,
) -> Converted:
    """Markdown for a WordPress body (or, with `comment`, a comment's, in what the
    comment rules show); `images` maps an image URL to its new address (None keeps
    it), `gallery` turns attachment ids into image URLs, `footnotes` are the HTML
    of WordPress's footnotes (the `footnotes` post meta), in order; `media` maps an
    audio, video or document URL to its stored copy (None: not copied)."""
    dropped: Counter = Counter()
    gutenberg = "<!-- wp:" in html
    html = _GUTENBERG.sub("", html or "")
    html = _NEXTPAGE.sub("", _MORE.sub(f"<p>{MORE}</p>", html))
    html = _shortcodes(html, gallery, dropped)
    if paragraphs and not gutenberg:
        html = autop(html)
    if footnotes:
        # Gutenberg's notes live in post meta; the body has only the numbers.
        notes = "".join(f"<li>{note}</li>" for note in footnotes)
        html = f"{html}\n\n<hr>\n\n<ol>{notes}</ol>"
    soup = BeautifulSoup(html, "html.parser")
    for mark in soup.select("sup[data-fn], sup.fn"):  # its link points at no anchor here
        mark.replace_with(f"[{mark.get_text(strip=True)}]")
    _clean(soup, images, dropped, media)
    if comment:
        _for_comments(soup)
    markdown = _converter.convert_soup(soup)
    markdown = _BLANK_LINES.sub("\n\n", _SPACE_ONLY.sub("", markdown)).strip()
    teaser = ""
    if MORE in markdown:
        teaser = markdown.split(MORE, 1)[0].strip()
        markdown = _BLANK_LINES.sub("\n\n", markdown.replace(MORE, "")).strip()
    return Converted(markdown + "\n" if markdown else "", teaser, dropped)
