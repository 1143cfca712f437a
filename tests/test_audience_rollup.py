"""The roll-up adds raw views to the daily tables once; old raw views and salts go."""

from datetime import timedelta

import sqlalchemy as sa

from blog.audience.rollup import prune, roll_up, tick
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import AudienceDay, PageDay, PageView, SourceDay, ViewDay, VisitorSalt


def add_views(day, page="article", page_id=1, n=1, visitor="v1", source="direct",
              referrer="", campaign=""):  # fmt: skip
    db.session.execute(sa.insert(PageView), [
        {"day": day, "page": page, "page_id": page_id, "visitor": visitor, "source": source,
         "referrer": referrer, "utm_source": "", "utm_campaign": campaign, "country": ""}
        for _ in range(n)
    ])  # fmt: skip
    db.session.commit()


def test_views_are_rolled_up_once_into_every_daily_table(app):
    today = utcnow().date()
    add_views(today, n=3, source="search", referrer="google.com")
    add_views(today, page_id=2, n=2, visitor="v2", source="social", referrer="t.co")
    add_views(today, page="home", page_id=0, visitor=None)

    assert roll_up() == 6
    assert roll_up() == 0  # nothing new: nothing added twice

    pages = dict(db.session.execute(sa.select(PageDay.page_id, PageDay.views)).all())
    assert pages == {1: 3, 2: 2, 0: 1}
    sources = dict(db.session.execute(sa.select(SourceDay.referrer, SourceDay.views)).all())
    assert sources == {"google.com": 3, "t.co": 2, "": 1}
    assert db.session.scalar(sa.select(sa.func.sum(ViewDay.views))) == 6
    day = db.session.get(AudienceDay, today)
    assert (day.views, day.visitors) == (6, 2)


def test_a_second_roll_up_adds_to_the_same_day(app):
    today = utcnow().date()
    add_views(today, n=2)
    roll_up()
    add_views(today, n=1)  # same visitor: not new
    add_views(today, n=1, visitor="v9")

    roll_up()

    day = db.session.get(AudienceDay, today)
    assert (day.views, day.visitors) == (4, 2)
    assert db.session.scalar(sa.select(PageDay.views)) == 4


def test_slices_add_up_to_the_whole(app):
    app.config["AUDIENCE_ROLLUP_BATCH"] = 3
    today = utcnow().date()
    add_views(today, n=10)

    assert roll_up() == 10
    assert db.session.get(AudienceDay, today).views == 10


def test_raw_views_past_retention_are_dropped_and_their_counts_kept(app):
    today = utcnow().date()
    old = today - timedelta(days=31)
    add_views(old, n=4)
    add_views(today - timedelta(days=29), n=1)
    roll_up()
    add_views(old, n=2)  # not rolled up yet: kept until it is

    assert prune() == 4

    assert db.session.scalar(sa.select(sa.func.count(PageView.id))) == 3
    assert db.session.get(AudienceDay, old).views == 4
    tick()  # the worker's call rolls the late ones up, then drops them
    assert db.session.scalar(sa.select(sa.func.count(PageView.id))) == 1
    assert db.session.get(AudienceDay, old).views == 6


def test_the_retention_is_a_setting(app):
    app.config["AUDIENCE_RAW_DAYS"] = 7
    add_views(utcnow().date() - timedelta(days=8), n=2)
    roll_up()

    assert prune() == 2


def test_prune_destroys_yesterdays_salt(app):
    today = utcnow().date()
    db.session.add_all([VisitorSalt(day=today - timedelta(days=1), salt="old"),
                        VisitorSalt(day=today, salt="new")])  # fmt: skip
    db.session.commit()

    prune()

    assert db.session.scalars(sa.select(VisitorSalt.salt)).all() == ["new"]


def test_the_worker_rolls_up_on_its_periodic_run(app, runner):
    add_views(utcnow().date(), n=2)

    result = runner.invoke(args=["audience-rollup"])

    assert result.exit_code == 0, result.output
    assert "2 views rolled up" in result.output
