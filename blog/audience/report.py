"""The audience tables as the admin shows them and as CSV files, from one definition.

`TABLES` names every site-wide table: its title, its column headings and the function
that gives its rows for a period of days. The dashboard draws its charts from these
rows and prints them beside each chart; `csv_lines` writes the same rows, each cell
made spreadsheet-safe (a value starting with "=", "+", "-", "@" is never a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from blog.audience import queries
from blog.models import Article
from blog.newsletter.api import spreadsheet_safe

PERIODS = (1, 7, 30, 90)


@dataclass(frozen=True)
class Table:
    title: str
    headings: tuple[str, ...]
    rows: Callable[[int], list[tuple]]


P = queries.Period

TABLES: dict[str, Table] = {
    "daily": Table("Views and visitors by day", ("Day", "Views", "Visitors"), queries.daily),
    "weekly": Table("Views and visitors by week", ("Week of", "Views", "Visitors"),
                    queries.weekly),
    "articles": Table("Top articles", ("Article", "Views"),
                      lambda days: [(t, v) for _, t, _, v in queries.top_articles(P(days), 50)]),
    "sections": Table("Top sections", ("Section", "Views"),
                      lambda days: [(name, v) for _, name, v in queries.top_sections(P(days))]),
    "sources": Table("Where readers came from", ("Source", "Views"),
                     lambda days: queries.sources(P(days))),
    "shares": Table("Share from the newsletter, search and social",
                    ("Source", "Views", "Share of all views (%)"),
                    lambda days: queries.shares(P(days))),
    "referrers": Table("Referring sites", ("Site", "Source", "Views"),
                       lambda days: queries.referrers(P(days))),
    "campaigns": Table("Campaigns (UTM)", ("UTM source", "UTM campaign", "Views"),
                       lambda days: queries.campaigns(P(days))),
    "funnel": Table("Reader revenue funnel by article",
                    ("Article", "Views", "Newsletter sign-ups", "Confirmed", "Donation clicks"),
                    lambda days: [r[1:2] + r[3:] for r in queries.funnel(P(days))]),
    "section-funnel": Table("Reader revenue funnel by section",
                            ("Section", "Views", "Newsletter sign-ups", "Confirmed",
                             "Donation clicks"),
                            lambda days: [r[1:] for r in queries.section_funnel(P(days))]),
}  # fmt: skip


def article_tables(article: Article) -> dict[str, Table]:
    """The tables of one article's page: views by day since publication, referrers."""
    return {
        "daily": Table(f"Views of “{article.title}” by day", ("Day", "Views"),
                       lambda _days: queries.article_daily(article)),
        "referrers": Table(f"Where readers of “{article.title}” came from",
                           ("Source", "Site", "Views"),
                           lambda _days: queries.article_referrers(article)),
    }  # fmt: skip


def period(value: Any) -> int:
    """The ?days= of a request, one of PERIODS (30 when missing or anything else)."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return 30
    return days if days in PERIODS else 30


def csv_lines(table: Table, rows: Iterable[tuple]) -> Iterator[str]:
    """The CSV text of `rows` under the table's headings, line by line."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [table.headings, *rows]:
        writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
