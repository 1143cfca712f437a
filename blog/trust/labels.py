"""Labels: what kind of piece an article is, shown above its headline and in lists,
and the schema.org type it maps to. The list is a setting the newsroom edits; a label
the map does not know is a plain NewsArticle."""

from __future__ import annotations

import re

from blog.core.cache.site import get_settings

DEFAULT_LABELS = [
    "News",
    "Opinion",
    "Analysis",
    "Review",
    "Explainer",
    "Fact check",
    "Sponsored",
    "Partner content",
]
SCHEMA_TYPES = {
    "news": "ReportageNewsArticle",
    "opinion": "OpinionNewsArticle",
    "analysis": "AnalysisNewsArticle",
    "review": "ReviewNewsArticle",
    "explainer": "BackgroundNewsArticle",
    "fact check": "NewsArticle",  # its ClaimReview needs a claim; the label says it
    "sponsored": "AdvertiserContentArticle",
    "partner content": "AdvertiserContentArticle",
}
SPONSORED = {"sponsored", "partner content"}
DISCLOSURE = (
    "Paid content: this piece was paid for by a sponsor or written with a partner. "
    "Our newsroom's journalists did not report it, and it is not part of our reporting."
)
_LINK = re.compile(r"<a\s([^>]*?)>", re.I)
_HREF = re.compile(r'href="([^"]*)"', re.I)
_REL = re.compile(r'\srel="([^"]*)"', re.I)


def labels() -> list[str]:
    """The newsroom's labels, in the order the editor offers them."""
    return list(get_settings().get("article_labels") or DEFAULT_LABELS)


def schema_type(label: str | None) -> str:
    return SCHEMA_TYPES.get((label or "").strip().lower(), "NewsArticle")


def is_sponsored(label: str | None) -> bool:
    return (label or "").strip().lower() in SPONSORED


def sponsored_disclosure() -> str:
    return str(get_settings().get("sponsored_disclosure") or DISCLOSURE)


def sponsored_links(html: str, site_url: str = "") -> str:
    """`html` (sanitized article HTML) with rel="sponsored" on every outbound link
    (http or https to another site; links on this site and mailto: are left alone)."""
    own = site_url.rstrip("/") + "/"

    def mark(match: re.Match) -> str:
        attrs = match.group(1)
        href = _HREF.search(attrs)
        target = href.group(1) if href else ""
        if not target.startswith(("http://", "https://")) or (site_url and target.startswith(own)):
            return match.group(0)
        rel = _REL.search(" " + attrs)
        if rel is None:
            return f'<a {attrs} rel="sponsored">'
        words = rel.group(1).split()
        if "sponsored" in words:
            return match.group(0)
        new = " ".join([*words, "sponsored"])
        return "<a " + _REL.sub(f' rel="{new}"', " " + attrs, count=1).lstrip() + ">"

    return _LINK.sub(mark, html)
