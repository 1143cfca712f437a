"""Reports carry a reason; enough of them hide a comment until a moderator decides."""

import re

import pytest
import sqlalchemy as sa

from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Article, Comment, CommentReport, CommentStatus
from tests.conftest import logged_in_client
from tests.factories import make_article, make_comment, make_user


@pytest.fixture
def article(app):
    article = make_article("Council votes on the bridge")
    db.session.commit()
    return article


def report(app, comment, kind="spam", reason="", user=None):  # noqa: ANN001
    user = user or make_user()
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
