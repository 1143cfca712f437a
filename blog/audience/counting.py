"""What one view is: the page, where the reader came from, and whether it counts at all.

Everything here runs on the request path of the beacon (blog/audience/beacon.py), so it
is pure computation on the request's headers and query: no database, no session. The
one exception is `salt()`, which reads (or creates) the day's salt once a day per process.

- A view is counted when its user agent is not a known bot or tool (`is_bot`) and the
  request comes from a page of this site (`Sec-Fetch-Site`, else `Origin`).
- The reader's IP address and user agent are only ever used, here, to compute
  `visitor_hash`: a keyed BLAKE2b hash of (IP, user agent, site) under the day's random
  salt. The salt row is deleted the next day, so yesterday's hashes can no longer be
  recomputed from an address; the IP and user agent themselves are never stored.
- Do Not Track (`DNT: 1`) and Global Privacy Control (`Sec-GPC: 1`) count the view with
  no hash at all: it adds to views, never to visitors.
- The referrer is kept as its host only, classified (`classify`); the full URL, its path
  and query are dropped. UTM source and campaign are kept, cut to 60 printable characters.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlsplit

PAGE = re.compile(r"(article|section|tag):([0-9]{1,9})|home")
# Crawlers, link previews, monitors, HTTP libraries and automated browsers.
BOT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|"
    r"headless|phantomjs|selenium|puppeteer|playwright|lighthouse|pingdom|uptime|"
    r"monitor|scanner|curl/|wget/|python-|python/|java/|go-http|okhttp|httpclient|"
    r"libwww|axios/|node-fetch|feedfetcher|\bfeed",
    re.IGNORECASE,
)
SEARCH = ("google.", "bing.com", "duckduckgo.com", "search.yahoo.", "yandex.", "baidu.com",
          "ecosia.org", "startpage.com", "qwant.com", "search.brave.com", "kagi.com",
          "perplexity.ai")  # fmt: skip
SOCIAL = ("facebook.com", "fb.com", "t.co", "twitter.com", "x.com", "linkedin.com",
          "lnkd.in", "reddit.com", "instagram.com", "threads.net", "bsky.app",
          "mastodon.social", "youtube.com", "news.ycombinator.com", "tiktok.com",
          "pinterest.com", "whatsapp.com", "telegram.org", "t.me")  # fmt: skip
NEWSLETTER_MEDIA = ("email", "newsletter", "e-mail")
SOURCES = ("search", "social", "newsletter", "direct", "internal", "other")
HOST = re.compile(r"[a-z0-9.-]{1,100}")
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


@dataclass(frozen=True)
class Origin:
    """Where a reader came from: the source class, the referrer host, the campaign."""

    source: str
    referrer: str = ""
    utm_source: str = ""
    utm_campaign: str = ""


def is_bot(user_agent: str) -> bool:
    """A missing user agent, or one of a crawler, preview, monitor or script."""
    return not user_agent or BOT.search(user_agent) is not None


def page_of(value: str) -> tuple[str, int] | None:
    """("article", 12) for "article:12", ("home", 0) for "home"; None for anything else."""
    match = PAGE.fullmatch(value or "")
    if match is None:
        return None
    return (match.group(1), int(match.group(2))) if match.group(1) else ("home", 0)


def clean(value: str, length: int = 60) -> str:
    """Printable text of at most `length` characters (a hostile UTM value stays text)."""
    return UNPRINTABLE.sub("", value or "").strip()[:length]


def _matches(host: str, names: tuple[str, ...]) -> bool:
    for name in names:
        if name.endswith("."):  # google. matches google.com, google.co.uk, news.google.fr
            if host.startswith(name) or f".{name}" in host:
                return True
        elif host == name or host.endswith(f".{name}"):
            return True
    return False


def classify(referrer: str, query: str, own_host: str) -> Origin:
    """The source of a view from the page's referrer URL and the page's own query string.

    UTM medium "email"/"newsletter" (or a source naming a newsletter) is the newsletter;
    then no referrer is direct, this site is internal, known engines are search, known
    networks are social, and any other host is other.
    """
    params = parse_qs(query.lstrip("?"), keep_blank_values=False) if query else {}
    utm_source = clean((params.get("utm_source") or [""])[0])
    utm_campaign = clean((params.get("utm_campaign") or [""])[0])
    medium = clean((params.get("utm_medium") or [""])[0]).lower()
    host = ""
    if referrer:
        try:
            host = (urlsplit(referrer.strip()).hostname or "").lower().removeprefix("www.")
        except ValueError:
            host = ""
        if not HOST.fullmatch(host):
            host = ""
    if medium in NEWSLETTER_MEDIA or "newsletter" in utm_source.lower():
        source = "newsletter"
    elif not host:
        source = "direct"
    elif host == own_host.removeprefix("www."):
        source, host = "internal", ""
    elif _matches(host, SEARCH):
        source = "search"
    elif _matches(host, SOCIAL):
        source = "social"
    else:
        source = "other"
    return Origin(source, host, utm_source, utm_campaign)


def visitor_hash(salt: str, ip: str, user_agent: str, site: str) -> str:
    """16 hex digits naming a reader for one day; meaningless once the salt is gone."""
    digest = hashlib.blake2b(
        f"{ip}\n{user_agent}\n{site}".encode("utf-8", "surrogateescape"),
        key=salt.encode(),
        digest_size=8,
    )
    return digest.hexdigest()


def new_salt() -> str:
    return secrets.token_hex(32)


class SaltCache:
    """The day's salt held by one process; yesterday's is dropped when the day changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.day: date | None = None
        self.salt = ""

    def get(self, day: date, load) -> str:
        """Today's salt, calling `load(day)` (a database read or create) on a new day."""
        with self._lock:
            if self.day != day:
                self.salt, self.day = load(day), day
            return self.salt

    def forget(self) -> None:
        with self._lock:
            self.day, self.salt = None, ""
