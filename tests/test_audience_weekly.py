"""The weekly "what did well" mail: queued on Mondays, once per editor and week."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from blog.audience import weekly
from blog.audience.rollup import roll_up
from blog.core import jobs
from blog.extensions import db
from blog.models import Job, PageView

MONDAY = date(2026, 12, 7)


@pytest.fixture
def app_config():
    return {"AUDIENCE_WEEKLY_MAIL": True}


def at(day: date):
    moment = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return lambda: moment


def test_editors_get_last_weeks_numbers_on_monday(app, monkeypatch, editor, admin, author,
                                                  article):  # fmt: skip
    last_week = MONDAY - timedelta(days=3)
    db.session.execute(sa.insert(PageView), [
        {"day": day, "page": "article", "page_id": article.id, "visitor": f"v{n}",
         "source": "search", "referrer": "google.com", "utm_source": "", "utm_campaign": "",
         "country": ""}
        for n, day in enumerate([last_week] * 4 + [MONDAY])  # Monday's is next week's
    ])  # fmt: skip
    db.session.commit()
    roll_up()
    monkeypatch.setattr(weekly, "utcnow", at(MONDAY))
    monkeypatch.setattr("blog.audience.queries.utcnow", at(MONDAY))

    weekly.weekly_mail()
    weekly.weekly_mail()  # a second worker, or a second run: nothing more

    mails = db.session.scalars(sa.select(Job).where(Job.kind == "mail")).all()
    assert sorted(m.payload["to"] for m in mails) == sorted([editor.email, admin.email])
    body = mails[0].payload["body"]
    assert mails[0].payload["subject"].startswith("What did well, 30 Nov to 6 Dec 2026")
    assert "Last week: 4 views, 4 visitors" in body
    assert "1. The harbour reopens: 4 views" in body
    assert "100.0 % from search" in body
    assert mails[0].key == f"audience-weekly:2026-12-07:{mails[0].key.rsplit(':', 1)[1]}"


def test_no_mail_on_other_days_or_when_switched_off(app, monkeypatch, editor):
    monkeypatch.setattr(weekly, "utcnow", at(MONDAY + timedelta(days=1)))
    weekly.weekly_mail()
    app.config["AUDIENCE_WEEKLY_MAIL"] = False
    monkeypatch.setattr(weekly, "utcnow", at(MONDAY))
    weekly.weekly_mail()

    assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 0
    assert weekly.weekly_mail in jobs._periodic
