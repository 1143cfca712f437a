"""The donation appeal: the choices set in the admin (https links only), read by /donate
and by the appeal block at the end of articles (public/_appeal.html).

The choices live in the setting `donate_choices` (a list of {"id", "label", "frequency",
"url"}); a choice whose URL is not https or whose id is not a short slug is left out,
so nothing else is ever linked or redirected to. An article's block links each choice
through `/donate/go/<choice>?from=<article id>`, which counts the click by article.
"""

from urllib.parse import urlsplit

from blog.core.cache.site import get_settings

FREQUENCIES = ("one-off", "monthly", "yearly")


def choices() -> list[dict]:
    """The configured choices whose URL is https and whose id is a short slug."""
    found = []
    for item in get_settings().get("donate_choices") or []:
        if not isinstance(item, dict):
            continue
        url, key = str(item.get("url", "")), str(item.get("id", ""))
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc or not key.isascii() or len(key) > 40:
            continue
        if not key.replace("-", "").isalnum():
            continue
        frequency = item.get("frequency") if item.get("frequency") in FREQUENCIES else "one-off"
        found.append({"id": key, "label": str(item.get("label") or key), "url": url,
                      "frequency": frequency})  # fmt: skip
    return found
