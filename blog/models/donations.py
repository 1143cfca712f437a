"""Donations: the clicks on the appeal's choices (see blog/donations/)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.extensions import db


class DonationClick(db.Model):
    """Clicks on a donation choice, by day, choice and article (0: none); no cookie, no IP."""

    __table_args__ = (sa.UniqueConstraint("day", "choice", "article_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date)
    choice: so.Mapped[str] = so.mapped_column(sa.String(40))
    article_id: so.Mapped[int] = so.mapped_column(default=0)
    count: so.Mapped[int] = so.mapped_column(default=0)
