"""Reports carry a reason; enough weighty ones hide a comment until a moderator decides.
Only confirmed readers report, within a limit; staff comments are never hidden by reports."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.comments.reports import REPORT_LIMIT, reporter_weight
from blog.core.settings import save_settings
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, Comment, CommentReport, CommentStatus, Role
from tests.conftest import logged_in_client
from tests.factories import make_article, make_comment, make_user
from tests.shared import lookups_miss_once


def settled_reader(**kwargs):
    """A reader with a confirmed address whose account is a month old: a report weighs 1."""
    return make_user(created_at=utcnow() - timedelta(days=30), **kwargs)


@pytest.fixture
def article(app):
    article = make_article("Council votes on the bridge")
    db.session.commit()
    return article


def report(app, comment, kind="spam", reason="", user=None):  # noqa: ANN001
    user = user or settled_reader()
    db.session.commit()
    client = logged_in_client(app, user)
    return client.post(f"/comments/{comment.id}/report", data={"kind": kind, "reason": reason})


def test_the_report_form_offers_the_reasons(app, article, reader):
    comment = make_comment(article, body="Buy cheap watches.")
    db.session.commit()

    html = logged_in_client(app, reader).get(f"/comments/{comment.id}/report").get_data(True)

    for label in ("Spam or advertising", "Abuse, harassment or hate", "Off-topic", "Something"):
        assert label in html
    assert "Buy cheap watches." in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose why you are reporting this comment."),
        ({"kind": "nonsense"}, "Not a valid choice"),
        ({"kind": "other", "reason": "  "}, "Say in a few words what is wrong"),
    ],
)
def test_a_report_without_a_reason_comes_back_with_why(app, article, reader, data, message):
    comment = make_comment(article)
    db.session.commit()

    response = logged_in_client(app, reader).post(f"/comments/{comment.id}/report", data=data)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentReport)) == 0


def test_other_with_words_is_stored_with_them(app, article, reader):
    comment = make_comment(article)
    db.session.commit()

    response = report(app, comment, "other", "Quotes a private letter.", reader)

    assert response.status_code == 302
    stored = db.session.scalar(sa.select(CommentReport))
    assert (stored.kind, stored.reason) == ("other", "Quotes a private letter.")


def test_enough_reports_hide_a_comment_until_a_moderator_approves_it(app, client, article, editor):
    comment = make_comment(article, body="Contested words.")
    db.session.commit()
    report(app, comment, "abuse", "Name-calling.")
    report(app, comment, "off-topic")
    assert "Contested words." in client.get(f"/article/{article.slug}").get_data(True)

    report(app, comment, "spam")  # the third: the default threshold

    assert db.session.get(Comment, comment.id).status == CommentStatus.PENDING
    assert db.session.get(Article, article.id).comment_count == 0
    assert "Contested words." not in client.get(f"/article/{article.slug}").get_data(True)

    staff = logged_in_client(app, editor)
    queue = staff.get("/admin/comments").get_data(as_text=True)
    assert "3 reports" in queue and "hidden until you decide" in queue
    assert "Abuse, harassment or hate: “Name-calling.”" in queue
    assert "Off-topic" in queue and "Spam or advertising" in queue

    staff.post(f"/admin/comments/{comment.id}/approve")

    stored = db.session.get(Comment, comment.id)
    assert (stored.status, stored.report_count) == (CommentStatus.APPROVED, 0)
    assert db.session.get(Article, article.id).comment_count == 1
    assert "Contested words." in client.get(f"/article/{article.slug}").get_data(True)


def test_the_threshold_is_a_setting_and_zero_never_hides(app, article):
    save_settings({"report_threshold": 0})
    comment = make_comment(article)
    db.session.commit()

    for _ in range(4):
        report(app, comment)

    assert db.session.get(Comment, comment.id).status == CommentStatus.APPROVED


def test_the_queue_lists_the_most_reported_first(app, article, editor):
    once = make_comment(article, body="Reported once.")
    twice = make_comment(article, body="Reported twice.")
    db.session.commit()
    report(app, once)
    report(app, twice)
    report(app, twice)

    queue = logged_in_client(app, editor).get("/admin/comments").get_data(as_text=True)

    rows = re.findall(r'<tr id="c(\d+)"', queue)
    assert rows[:2] == [str(twice.id), str(once.id)]


# --- who may report, how often, and what reports weigh (issue 23) ----------------------


def test_a_reader_without_a_confirmed_address_cannot_report(app, article):
    comment = make_comment(article)
    unconfirmed = make_user(email_confirmed_at=None)
    db.session.commit()
    client = logged_in_client(app, unconfirmed)

    page = client.get(f"/comments/{comment.id}/report")
    sent = client.post(f"/comments/{comment.id}/report", data={"kind": "spam"})

    assert page.status_code == sent.status_code == 403
    assert "Please confirm your email address before reporting" in sent.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(CommentReport.id))) == 0
    assert db.session.get(Comment, comment.id).report_count == 0


def test_reports_are_limited_per_reader(app, article):
    comments = [make_comment(article) for _ in range(REPORT_LIMIT + 1)]
    reader = settled_reader()
    db.session.commit()
    client = logged_in_client(app, reader)

    for comment in comments[:REPORT_LIMIT]:
        sent = client.post(f"/comments/{comment.id}/report", data={"kind": "spam"})
        assert sent.status_code == 302
    refused = client.post(f"/comments/{comments[-1].id}/report", data={"kind": "spam"})

    assert refused.status_code == 429
    assert "You have sent many reports in the last hour" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(CommentReport.id))) == REPORT_LIMIT
    assert db.session.get(Comment, comments[-1].id).report_count == 0


def test_three_brand_new_accounts_cannot_hide_a_comment(app, client, article, editor):
    comment = make_comment(article, body="Unpopular but fair.")
    db.session.commit()

    for _ in range(3):
        assert report(app, comment, user=make_user()).status_code == 302

    stored = db.session.get(Comment, comment.id)
    assert (stored.status, stored.report_count) == (CommentStatus.APPROVED, 3)
    assert "Unpopular but fair." in client.get(f"/article/{article.slug}").get_data(True)
    queue = logged_in_client(app, editor).get("/admin/comments").get_data(as_text=True)
    assert "Unpopular but fair." in queue and "3 reports" in queue  # moderators still see it


def test_reporters_whose_reports_were_upheld_count_for_more(app, article):
    trusted = [settled_reader(), settled_reader()]
    for reporter in trusted:  # four earlier reports each, all upheld: weight 1 + 1
        for _ in range(4):
            gone = make_comment(article, status=CommentStatus.REMOVED)
            db.session.add(CommentReport(comment_id=gone.id, reporter_id=reporter.id,
                                         kind="spam", resolved=True))  # fmt: skip
    comment = make_comment(article)
    db.session.commit()

    report(app, comment, user=trusted[0])
    assert db.session.get(Comment, comment.id).status == CommentStatus.APPROVED
    report(app, comment, user=trusted[1])

    assert db.session.get(Comment, comment.id).status == CommentStatus.PENDING


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.EDITOR, Role.ADMIN])
def test_staff_comments_are_never_hidden_by_reports_alone(app, client, article, editor, role):
    staff = make_user(role)
    comment = make_comment(article, author=staff, body="Correction from the desk.")
    db.session.commit()

    for _ in range(5):
        assert report(app, comment).status_code == 302

    stored = db.session.get(Comment, comment.id)
    assert (stored.status, stored.report_count) == (CommentStatus.APPROVED, 5)
    assert "Correction from the desk." in client.get(f"/article/{article.slug}").get_data(True)
    queue = logged_in_client(app, editor).get("/admin/comments").get_data(as_text=True)
    assert "Correction from the desk." in queue and "5 reports" in queue


@pytest.mark.parametrize(
    ("age", "confirmed", "upheld", "rejected", "weight"),
    [
        (timedelta(hours=2), True, 0, 0, 0.25),
        (timedelta(days=3), True, 0, 0, 0.5),
        (timedelta(days=30), True, 0, 0, 1.0),
        (timedelta(days=30), False, 9, 0, 0.0),
        (timedelta(days=30), True, 2, 0, 1.5),
        (timedelta(days=30), True, 9, 0, 2.0),
        (timedelta(days=30), True, 1, 3, 0.625),
        (timedelta(hours=2), True, 0, 2, 0.125),
    ],
)  # fmt: skip
def test_what_one_report_weighs(age, confirmed, upheld, rejected, weight):
    now = utcnow()

    assert reporter_weight(now - age, confirmed, upheld, rejected, now) == weight


def test_a_report_the_same_reader_just_made_elsewhere_is_already_there(app, article):
    # As if a second tab's report committed between this one's check and its insert.
    comment = make_comment(article)
    reader = settled_reader()
    db.session.add(CommentReport(comment_id=comment.id, reporter_id=reader.id, kind="spam"))
    db.session.commit()
    client = logged_in_client(app, reader)

    with lookups_miss_once(CommentReport.reporter_id):
        response = client.post(f"/comments/{comment.id}/report", data={"kind": "abuse"})

    assert response.status_code == 302
    assert "already reported" in client.get(response.headers["Location"]).get_data(True)
    assert db.session.scalar(sa.select(sa.func.count(CommentReport.id))) == 1
    assert db.session.get(Comment, comment.id).report_count == 0
