"""Newsletter tables: subscribers and the issues sent to them (see blog/newsletter/)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.types import UTCDateTime, utcnow
from blog.extensions import db
from blog.models.common import NEVER_REUSE_IDS


class SubscriberState(enum.StrEnum):
    WAITING = "waiting"  # asked, not confirmed: nothing is sent but the confirmation
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"


class Subscriber(db.Model):
    """One address on the list; an unsubscribed one keeps only its address and state."""

    __table_args__ = (sa.Index("ix_subscriber_state", "state"), NEVER_REUSE_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(12), default=SubscriberState.WAITING)
    frequency: so.Mapped[str] = so.mapped_column(sa.String(8), default="weekly")
    alerts: so.Mapped[bool] = so.mapped_column(default=False)
    # Category ids; empty means every section.
    sections: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    source: so.Mapped[str] = so.mapped_column(sa.String(12), default="form")
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    from_article_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("article.id", ondelete="SET NULL"), index=True
    )
    confirm_sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class NewsletterIssue(db.Model):
    """One digest or alert: what it holds; its deliveries are jobs of batch "issue:<id>"."""

    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(8))  # daily, weekly, alert
    # "daily:2026-12-02": one issue per period, however many workers schedule it.
    period: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    article_ids: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    recipients: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set when the mail server refused the issue as a whole (blog/newsletter/pausing.py):
    # its mails wait until an editor resumes it.
    paused_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    pause_reason: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
