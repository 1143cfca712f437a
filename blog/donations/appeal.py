"""The donation appeal: the choices set in the admin (https links only), read by /donate
and by the appeal block at the end of articles (public/_appeal.html), and the campaign
goal's progress.

The choices live in the setting `donate_choices` (a list of {"id", "label", "frequency",
"url"}); a choice whose URL is not https or whose id is not a short slug is left out,
so nothing else is ever linked or redirected to. An article's block links each choice
through `/donate/go/<choice>?from=<article id>`, which counts the click by article.

The demo ships example choices, whose ids start with "example-" (`EXAMPLE_CHOICES`):
`are_examples` tells the donate page and the admin dashboard to ask for real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa

from blog.core.cache.site import get_settings
from blog.extensions import db
from blog.models import DonationClick

FREQUENCIES = ("one-off", "monthly", "yearly")
EXAMPLE_PREFIX = "example-"
# example.org is reserved for examples (RFC 2606): nobody's money goes anywhere.
EXAMPLE_CHOICES = [
    {"id": "example-monthly", "label": "5 a month (example)", "frequency": "monthly",
     "url": "https://donate.example.org/newsroom/monthly"},
    {"id": "example-yearly", "label": "50 a year (example)", "frequency": "yearly",
     "url": "https://donate.example.org/newsroom/yearly"},
    {"id": "example-once", "label": "Give once (example)", "frequency": "one-off",
     "url": "https://donate.example.org/newsroom/once"},
]  # fmt: skip


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


def are_examples(found: list[dict]) -> bool:
    """No choices, or only the demo's examples: real ones still have to be set up."""
    return all(c["id"].startswith(EXAMPLE_PREFIX) for c in found)


@dataclass(frozen=True)
class Progress:
    goal: int
    count: int
    since: date | None
    text: str

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.goal)) if self.goal else 0


def goal_since(value: str) -> date | None:
    """The goal's start from its setting; None when empty or not an ISO date."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def progress() -> Progress | None:
    """The campaign goal and the donation clicks counted towards it; None with no goal."""
    settings = get_settings()
    try:
        goal = int(settings.get("donate_goal") or 0)
    except (TypeError, ValueError):
        goal = 0
    if goal <= 0:
        return None
    since = goal_since(str(settings.get("donate_goal_since") or ""))
    query = sa.select(sa.func.coalesce(sa.func.sum(DonationClick.count), 0))
    if since is not None:
        query = query.where(DonationClick.day >= since)
    count = int(db.session.scalar(query) or 0)
    return Progress(goal, count, since, str(settings.get("donate_goal_text") or ""))
