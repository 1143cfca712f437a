"""Audience tables: raw views, their daily roll-ups, the day's visitor salt (blog/audience/)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.extensions import db
from blog.models.common import NEVER_REUSE_IDS

# Raw views may number in the billions over a site's life; SQLite's rowid is 64-bit anyway.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class PageView(db.Model):
    """One counted view, kept AUDIENCE_RAW_DAYS days: no IP, no cookie, no user agent.

    `visitor` is a hash of (IP, user agent, site) under the day's salt, which is
    destroyed the next day; NULL when the reader sent Do Not Track or Global Privacy
    Control. `page` is "article", "section", "tag" or "home" (`page_id` 0).
    """

    __tablename__ = "page_view"
    # AUTOINCREMENT: the roll-up's mark assumes ids only grow, even after pruning.
    __table_args__ = (sa.Index("ix_page_view_day_visitor", "day", "visitor"), NEVER_REUSE_IDS)

    id: so.Mapped[int] = so.mapped_column(BigId, primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date)
    page: so.Mapped[str] = so.mapped_column(sa.String(8))
    page_id: so.Mapped[int] = so.mapped_column(default=0)
    visitor: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    # search, social, newsletter, direct, internal or other (blog/audience/counting.py).
    source: so.Mapped[str] = so.mapped_column(sa.String(10))
    referrer: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    utm_source: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    utm_campaign: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="")


class ViewDay(db.Model):
    """Views of one page on one day from one source, referrer host, campaign and country."""

    __tablename__ = "view_day"
    __table_args__ = (
        sa.UniqueConstraint(
            "day",
            "page",
            "page_id",
            "source",
            "referrer",
            "utm_source",
            "utm_campaign",
            "country",
        ),
        sa.Index("ix_view_day_page", "page", "page_id", "day"),
    )

    id: so.Mapped[int] = so.mapped_column(BigId, primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date)
    page: so.Mapped[str] = so.mapped_column(sa.String(8))
    page_id: so.Mapped[int] = so.mapped_column(default=0)
    source: so.Mapped[str] = so.mapped_column(sa.String(10))
    referrer: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    utm_source: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    utm_campaign: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="")
    views: so.Mapped[int] = so.mapped_column(default=0)


class PageDay(db.Model):
    """Views of one page on one day: what the top-pages charts read (ViewDay summed)."""

    __tablename__ = "page_day"
    __table_args__ = (sa.UniqueConstraint("day", "page", "page_id"),)

    id: so.Mapped[int] = so.mapped_column(BigId, primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date)
    page: so.Mapped[str] = so.mapped_column(sa.String(8))
    page_id: so.Mapped[int] = so.mapped_column(default=0)
    views: so.Mapped[int] = so.mapped_column(default=0)


class SourceDay(db.Model):
    """Views of the whole site on one day by source, referrer host and campaign."""

    __tablename__ = "source_day"
    __table_args__ = (
        sa.UniqueConstraint("day", "source", "referrer", "utm_source", "utm_campaign"),
    )

    id: so.Mapped[int] = so.mapped_column(BigId, primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date)
    source: so.Mapped[str] = so.mapped_column(sa.String(10))
    referrer: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    utm_source: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    utm_campaign: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    views: so.Mapped[int] = so.mapped_column(default=0)


class AudienceDay(db.Model):
    """The whole site on one day: views, and distinct visitors (hashes) that day."""

    __tablename__ = "audience_day"

    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    views: so.Mapped[int] = so.mapped_column(default=0)
    visitors: so.Mapped[int] = so.mapped_column(default=0)


class VisitorSalt(db.Model):
    """Today's random salt; yesterday's row is deleted, so old hashes can't be recomputed."""

    __tablename__ = "visitor_salt"

    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    salt: so.Mapped[str] = so.mapped_column(sa.String(64))


class RollupMark(db.Model):
    """How far the roll-up has read `page_view` (one row, id 1)."""

    __tablename__ = "rollup_mark"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    last_view_id: so.Mapped[int] = so.mapped_column(BigId, default=0)
