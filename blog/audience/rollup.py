"""The roll-up: raw views into daily aggregates, then raw views dropped after N days.

`roll_up()` reads the views written since its mark (`rollup_mark`) in slices of at most
AUDIENCE_ROLLUP_BATCH rows and adds them, in the same transaction that moves the mark,
to `view_day` (page x source x referrer x campaign x country), `page_day` (page),
`source_day` (source x referrer x campaign) and `audience_day` (views, and visitors:
hashes not seen earlier that day). A crash rolls the slice back with its mark, so a
view is added once. On PostgreSQL a slice first locks `page_view` against inserts
(`EXCLUSIVE`, reads go on): ids are handed out before commit, and a view committed
late with a lower id than the mark would otherwise be skipped.

`prune()` deletes raw views older than AUDIENCE_RAW_DAYS (default 30) that are rolled
up, and any salt older than today. `blog worker` runs both every JOBS_PERIODIC_SECONDS
(`tick`); `blog audience-rollup` runs them once.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from blog.core import jobs
from blog.core.jobs import committed_write
from blog.core.types import utcnow
from blog.core.upsert import insert
from blog.extensions import db
from blog.models import AudienceDay, PageDay, PageView, RollupMark, SourceDay, ViewDay, VisitorSalt

FINE = ("day", "page", "page_id", "source", "referrer", "utm_source", "utm_campaign", "country")
BY_SOURCE = ("day", "source", "referrer", "utm_source", "utm_campaign")


def _add(model: type, keys: tuple[str, ...], rows: list[dict], **sums: str) -> None:
    """Upsert `rows`, adding each of `sums`' columns to what the row already holds."""
    if not rows:
        return
    statement = insert(model)
    table = model.__table__
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={col: table.c[col] + getattr(statement.excluded, col) for col in sums},
        ),
        rows,
    )


def _slice() -> int:
    """Roll up one slice in one transaction; how many views it held."""
    with committed_write():
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(sa.text("LOCK TABLE page_view IN EXCLUSIVE MODE"))
        db.session.execute(insert(RollupMark).values(id=1, last_view_id=0).on_conflict_do_nothing())
        start = db.session.scalar(sa.select(RollupMark.last_view_id).where(RollupMark.id == 1))
        newest = db.session.scalar(sa.select(sa.func.max(PageView.id)))
        if newest is None or newest <= start:
            return 0
        end = min(newest, start + int(current_app.config["AUDIENCE_ROLLUP_BATCH"]))
        window = sa.and_(PageView.id > start, PageView.id <= end)
        columns = [getattr(PageView, name) for name in FINE]
        fine = (
            db.session.execute(
                sa.select(*columns, sa.func.count().label("views")).where(window).group_by(*columns)
            )
            .mappings()
            .all()
        )
        _add(ViewDay, FINE, [dict(row) for row in fine], views="views")
        pages: dict[tuple, int] = {}
        sources: dict[tuple, int] = {}
        for row in fine:
            key = (row["day"], row["page"], row["page_id"])
            pages[key] = pages.get(key, 0) + row["views"]
            key = tuple(row[name] for name in BY_SOURCE)
            sources[key] = sources.get(key, 0) + row["views"]
        _add(PageDay, ("day", "page", "page_id"),
             [{"day": d, "page": p, "page_id": i, "views": n} for (d, p, i), n in pages.items()],
             views="views")  # fmt: skip
        _add(SourceDay, BY_SOURCE,
             [dict(zip(BY_SOURCE, key, strict=True), views=n) for key, n in sources.items()],
             views="views")  # fmt: skip
        earlier = so.aliased(PageView)
        seen = (
            sa.select(earlier.id)
            .where(earlier.day == PageView.day, earlier.visitor == PageView.visitor,
                   earlier.id <= start)
            .exists()
        )  # fmt: skip
        new_visitor = sa.case((seen, None), else_=PageView.visitor)
        days = db.session.execute(
            sa.select(PageView.day, sa.func.count(), sa.func.count(sa.distinct(new_visitor)))
            .where(window)
            .group_by(PageView.day)
        ).all()
        _add(AudienceDay, ("day",),
             [{"day": d, "views": n, "visitors": v} for d, n, v in days],
             views="views", visitors="visitors")  # fmt: skip
        db.session.execute(sa.update(RollupMark).where(RollupMark.id == 1).values(last_view_id=end))
    return end - start


def roll_up(max_slices: int = 100) -> int:
    """Roll up what is waiting (at most `max_slices` slices); the views rolled up."""
    total = 0
    for _ in range(max_slices):
        done = _slice()
        if not done:
            break
        total += done
    return total


def prune() -> int:
    """Delete rolled-up raw views past the retention and old salts; the views deleted."""
    today = utcnow().date()
    cutoff = today - timedelta(days=int(current_app.config["AUDIENCE_RAW_DAYS"]))
    deleted = 0
    with committed_write():
        db.session.execute(sa.delete(VisitorSalt).where(VisitorSalt.day < today))
    while True:
        with committed_write():
            mark = db.session.scalar(sa.select(RollupMark.last_view_id).where(RollupMark.id == 1))
            ids = (
                sa.select(PageView.id)
                .where(PageView.day < cutoff, PageView.id <= (mark or 0))
                .limit(int(current_app.config["AUDIENCE_ROLLUP_BATCH"]))
                .scalar_subquery()
            )
            result = db.session.execute(sa.delete(PageView).where(PageView.id.in_(ids)))
        deleted += result.rowcount or 0
        if not result.rowcount:
            return deleted


@jobs.periodic
def tick() -> None:
    """The worker's periodic call: roll up, then prune."""
    if current_app.config["AUDIENCE"]:
        roll_up()
        prune()
