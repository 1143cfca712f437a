"""Markdown to sanitized HTML, plain-text excerpts, reading time and slugs.

Everything user-written that reaches a page as HTML goes through `render_article` or
`render_comment` once, at save time; the result is stored in an `*_html` column and
reading a page never re-renders it. nh3 (Rust's ammonia) is imported here and nowhere
else, so the sanitizer can be swapped in one place. The allowlists never include svg,
math, style or raw-text tags, which every published bypass of HTML sanitizers needed,
and the Content-Security-Policy is the second wall. An uploaded image in an article or
page body gets its width, height, srcset and WebP <source> after sanitizing
(`_fit_images`, sizes from blog/core/bodyimages.py), so the allowlist keeps none of them.

Public names: `render_article`, `render_comment`, `render_page`, `clean_text`,
`has_control_chars`, `plain_text`, `excerpt`, `reading_time`, `slugify`, `unique_slug`
and the allowlists (`ARTICLE_TAGS`, `COMMENT_TAGS`, `PLAYER_ATTRIBUTES`...) that tests
check pages against. An <audio> or <video> keeps its src only when it is a stored file
of this site (blog/core/media.py) and always gets `controls`.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from html import escape, unescape

import nh3
from markdown_it import MarkdownIt

from blog.core.bodyimages import BodyImages, Sized
from blog.core.media import is_player

PROTOCOLS = frozenset({"http", "https", "mailto"})

ARTICLE_TAGS = frozenset(
    {
        "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "a", "img", "blockquote",
        "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "em", "strong",
        "del", "s", "hr", "figure", "figcaption", "audio", "video",
    }
)  # fmt: skip
ARTICLE_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "title", "width", "height"],
    "th": ["align"],
    "td": ["align"],
    "ol": ["start"],
    # src only when it is a stored file of this site (_media_src); `controls` is set on
    # every player, so no author can write an autoplaying or hidden one.
    "audio": ["src"],
    "video": ["src"],
}
# Players always show their controls and fetch only the duration until played. nh3's
# output tag is exactly `<audio>` or `<audio src="...">` (src is all it keeps).
_PLAYER = re.compile(r'<(audio|video)((?: src="[^"]*")?)>')
PLAYER_ATTRIBUTES = ("controls", "preload")

COMMENT_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "del", "s"}
)
COMMENT_ATTRIBUTES = {"a": ["href", "rel"], "ol": ["start"]}
COMMENT_REL = "nofollow ugc noopener"

# Articles come from trusted staff and may use a little raw HTML (figure/figcaption);
# the sanitizer removes anything outside the allowlist. Comments get no raw HTML at all,
# and their bare URLs become links (linkify, no e-mail addresses).
_article_md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_comment_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": True})
    .enable(["strikethrough", "linkify"])
    .disable(["image", "heading", "lheading", "table"], ignoreInvalid=True)
)
_comment_md.linkify.set({"fuzzy_email": False})

_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _allowed_link(url: str) -> bool:
    """Markdown links and images only to http(s), mailto or a path: any other scheme
    stays plain text, where the sanitizer would leave an <a> without its href."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in PROTOCOLS


_article_md.validateLink = _allowed_link
_comment_md.validateLink = _allowed_link


def _media_src(tag: str, attribute: str, value: str) -> str | None:
    """An <audio> or <video> plays only this site's stored files: any other src
    (javascript:, data:, another host, a path outside /uploads/) is removed."""
    if tag in ("audio", "video") and attribute == "src":
        return value if is_player(value) else None
    return value


def _policy(tags: frozenset[str], attributes: dict[str, list[str]], rel: str | None) -> dict:
    """nh3.clean's options for one allowlist. "*" empties ammonia's default generic
    attributes (lang, title on every tag); script and style lose their content too."""
    allowed = {tag: set(names) - {"rel"} for tag, names in attributes.items()}
    return {
        "attribute_filter": _media_src,
        "tags": set(tags),
        "attributes": {"*": set(), **allowed},
        "url_schemes": set(PROTOCOLS),
        "link_rel": rel,  # ammonia sets rel itself and refuses it in `attributes`
        "strip_comments": True,
        "clean_content_tags": {"script", "style"},
    }


_ARTICLE_POLICY = _policy(ARTICLE_TAGS, ARTICLE_ATTRIBUTES, None)
_COMMENT_POLICY = _policy(COMMENT_TAGS, COMMENT_ATTRIBUTES, COMMENT_REL)

# nh3's output is html5ever's serialisation: no comments, "<" escaped in text, every
# attribute value double-quoted with "&", '"', "<" and ">" escaped. So a tag is exactly
# this, and a regex walk over it is sound.
_OUTPUT_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[^\s="/>]+(?:="[^"]*")?)*)\s*/?>')
_OUTPUT_ATTR = re.compile(r'([^\s="/>]+)(?:="([^"]*)")?')
_VOID = frozenset({"br", "hr", "img"})


def _tag(name: str, attrs: dict[str, str]) -> str:
    return "<" + "".join([name, *(f' {k}="{escape(v)}"' for k, v in attrs.items())]) + ">"


def _fit_images(html: str, images: BodyImages) -> str:
    """Gives each uploaded image's <img> its sizes (blog/core/bodyimages.py), after sanitizing:
    the allowlist needs none of what this adds, so no author can write a srcset or a
    <picture>. Images after the body's first block (maybe on the first screen when
    there is no featured image) also get loading="lazy"."""
    depth = blocks = 0

    def visit(match: re.Match) -> str:
        nonlocal depth, blocks
        closing, name, raw = match.groups()
        if closing:
            depth -= 1
            return match.group(0)
        if depth == 0:
            blocks += 1
        if name not in _VOID:
            depth += 1
            return match.group(0)
        if name != "img":
            return match.group(0)
        attrs = {key: unescape(value or "") for key, value in _OUTPUT_ATTR.findall(raw)}
        fit = images.fit(attrs.get("src", ""), attrs.get("width"), attrs.get("height"))
        if fit is None:
            return match.group(0)
        attrs.update(fit.attrs)
        if blocks > 1:
            attrs["loading"] = "lazy"
        img = _tag("img", attrs)
        if not fit.webp_srcset:
            return img
        source = {"type": "image/webp", "srcset": fit.webp_srcset, "sizes": fit.attrs["sizes"]}
        return f"<picture>{_tag('source', source)}{img}</picture>"

    return _OUTPUT_TAG.sub(visit, html)


# C0 controls and DEL, plus U+FFFE/U+FFFF: XML 1.0 forbids those two, and one of them in
# a title or body made the Atom feed unparseable for every subscriber.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Normalise line endings and drop control characters (NUL included) from input."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def has_control_chars(text: str) -> bool:
    return bool(_CONTROL.search(text.replace("\r", "")))


def render_article(source: str, pending: Iterable[Sized] = ()) -> str:
    """Article Markdown as sanitized HTML (headings, lists, links, images, tables...).

    Uploaded images get their sizes from the database, or from `pending` for uploads
    whose rows are not written yet (one query, only when the body shows an upload).
    """
    html = nh3.clean(_article_md.render(clean_text(source)), **_ARTICLE_POLICY)
    html = _PLAYER.sub(r'<\1 controls preload="metadata"\2>', html)
    images = BodyImages(html, pending)
    return _fit_images(html, images) if images else html


def render_comment(source: str) -> str:
    """Comment Markdown as sanitized HTML: a small subset, links marked nofollow ugc."""
    return nh3.clean(_comment_md.render(clean_text(source)), **_COMMENT_POLICY)


def render_page(source: str, pending: Iterable[Sized] = ()) -> str:
    """Static pages use the article pipeline."""
    return render_article(source, pending)


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain_text(html: str) -> str:
    """Text of sanitized HTML, tags removed and whitespace collapsed."""
    return _SPACE.sub(" ", unescape(_TAG.sub(" ", html))).strip()


def excerpt(html: str, length: int = 160) -> str:
    """At most `length` characters of plain text, cut at a word boundary."""
    text = plain_text(html)
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def reading_time(html: str, words_per_minute: int = 230) -> int:
    """Whole minutes to read, at least one."""
    words = len(plain_text(html).split())
    return max(1, -(-words // words_per_minute))


# Letters NFKD cannot split into ASCII.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "Oe",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
        "&": " and ",
    }
)  # fmt: skip
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_NON_WORD = re.compile(r"[\W_]+")  # \w is Unicode-aware: letters and digits of any script


def slugify(text: str, max_length: int = 80, keep_unicode: bool = False) -> str:
    """ASCII, lowercase, hyphenated; accents transliterated. May be empty.

    With `keep_unicode`, letters and digits of any script stay as they are (NFC,
    lowercase), as WordPress keeps `επίπεδο-2`: imported addresses must not change.
    """
    if keep_unicode:
        text = unicodedata.normalize("NFC", text).lower()
        slug = _NON_WORD.sub("-", text).strip("-")
        return slug[:max_length].rstrip("-")
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def unique_slug(
    text: str, taken: Callable[[str], bool], fallback: str = "item", keep_unicode: bool = False
) -> str:
    """`slugify(text)`, with -2, -3... appended until `taken(slug)` is False."""
    base = slugify(text, keep_unicode=keep_unicode) or fallback
    slug, n = base, 2
    while taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug
