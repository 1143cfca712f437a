"""Markdown to sanitized HTML, plain-text excerpts, reading time and slugs.

Everything user-written that reaches a page as HTML goes through `render_article` or
`render_comment` once, at save time; the result is stored in an `*_html` column and
reading a page never re-renders it. bleach is imported here and nowhere else, so the
sanitizer can be swapped in one place. It is unmaintained since June 2026 (6.4.0 has
every known fix): the allowlists never include svg, math, style or raw-text tags, which
every published bypass needed, and the Content-Security-Policy is the second wall.
An uploaded image in an article or page body gets its width, height, srcset and WebP
<source> after sanitizing (`_FitImages`, sizes from blog/bodyimages.py), so the
allowlist keeps none of them.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import partial
from html import unescape

import bleach
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt

from blog.bodyimages import BodyImages, Sized

PROTOCOLS = frozenset({"http", "https", "mailto"})

ARTICLE_TAGS = frozenset(
    {
        "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "a", "img", "blockquote",
        "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "em", "strong",
        "del", "s", "hr", "figure", "figcaption",
    }
)  # fmt: skip
ARTICLE_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "title", "width", "height"],
    "th": ["align"],
    "td": ["align"],
    "ol": ["start"],
}

COMMENT_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "del", "s"}
)
COMMENT_ATTRIBUTES = {"a": ["href", "rel"], "ol": ["start"]}
COMMENT_REL = "nofollow ugc noopener"

# Articles come from trusted staff and may use a little raw HTML (figure/figcaption);
# bleach removes anything outside the allowlist. Comments get no raw HTML at all.
_article_md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_comment_md = (
    MarkdownIt("commonmark", {"html": False})
    .enable(["strikethrough"])
    .disable(["image", "heading", "lheading", "table"], ignoreInvalid=True)
)

_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _allowed_link(url: str) -> bool:
    """Markdown links and images only to http(s), mailto or a path: any other scheme
    stays plain text, where the sanitizer would leave an <a> without its href."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in PROTOCOLS


_article_md.validateLink = _allowed_link
_comment_md.validateLink = _allowed_link

_ARTICLE_RULES = {
    "tags": ARTICLE_TAGS, "attributes": ARTICLE_ATTRIBUTES, "protocols": PROTOCOLS, "strip": True
}  # fmt: skip
_article_cleaner = bleach.Cleaner(**_ARTICLE_RULES)


class _FitImages(Filter):
    """Gives an uploaded image's <img> its sizes (blog/bodyimages.py), after sanitizing:
    the allowlist needs none of what this adds, so no author can write a srcset or a
    <picture>. Images after the body's first block (maybe on the first screen when
    there is no featured image) also get loading="lazy"."""

    def __init__(self, source, images: BodyImages):
        super().__init__(source)
        self.images = images

    def __iter__(self):
        depth = blocks = 0
        for token in super().__iter__():
            kind = token["type"]
            if kind in ("StartTag", "EmptyTag") and depth == 0:
                blocks += 1
            if kind == "StartTag":
                depth += 1
            elif kind == "EndTag":
                depth -= 1
            elif kind == "EmptyTag" and token["name"] == "img":
                yield from self.fitted(token, lazy=blocks > 1)
                continue
            yield token

    def fitted(self, token: dict, lazy: bool):
        data = token["data"]
        fit = self.images.fit(
            data.get((None, "src"), ""), data.get((None, "width")), data.get((None, "height"))
        )
        if fit is None:
            yield token
            return
        attrs = {**data, **{(None, name): value for name, value in fit.attrs.items()}}
        if lazy:
            attrs[(None, "loading")] = "lazy"
        img = {**token, "data": attrs}
        if not fit.webp_srcset:
            yield img
            return
        source = {(None, "type"): "image/webp", (None, "srcset"): fit.webp_srcset}
        source[(None, "sizes")] = fit.attrs["sizes"]
        yield {"type": "StartTag", "name": "picture", "namespace": None, "data": {}}
        yield {"type": "EmptyTag", "name": "source", "namespace": None, "data": source}
        yield img
        yield {"type": "EndTag", "name": "picture", "namespace": None}


def _set_comment_rel(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = COMMENT_REL
    return attrs


def _drop_unsafe_links(attrs: dict, new: bool = False) -> dict | None:
    # linkify also sees links that came from Markdown; keep only allowed schemes.
    href = attrs.get((None, "href"), "")
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    if not href or (scheme and scheme not in PROTOCOLS):
        return None  # the link's text stays; an <a> with rel and no href is invalid HTML
    return attrs


_comment_cleaner = bleach.Cleaner(
    tags=COMMENT_TAGS,
    attributes=COMMENT_ATTRIBUTES,
    protocols=PROTOCOLS,
    strip=True,
    filters=[
        partial(LinkifyFilter, callbacks=[_drop_unsafe_links, _set_comment_rel], parse_email=False)
    ],
)

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
    html = _article_md.render(clean_text(source))
    images = BodyImages(html, pending)
    if not images:
        return _article_cleaner.clean(html)
    fit = partial(_FitImages, images=images)
    return bleach.Cleaner(**_ARTICLE_RULES, filters=[fit]).clean(html)


def render_comment(source: str) -> str:
    """Comment Markdown as sanitized HTML: a small subset, links marked nofollow ugc."""
    return _comment_cleaner.clean(_comment_md.render(clean_text(source)))


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
