"""Assignment and due time, "my work", the review flow's mails, the calendar
(blog/admin/assignments.py, review_flow.py, calendar.py)."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from blog.core.templating import site_zone
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import ArticleAssignment, ArticleNote, ArticleStatus, AuditLog
from tests.conftest import logged_in_client
from tests.factories import article_form, make_article
from tests.mailing import mail_config, run_jobs


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def desk_mails(smtp) -> list:
    """What the SMTP server received, without the sign-in notices of staff logins."""
    return smtp.handler.messages_but_sign_in()


def assign(client, article, assignee=0, day="", at=""):
    data = {"assign-assignee_id": str(assignee), "assign-due_date": day, "assign-due_time": at}
    return client.post(f"/admin/articles/{article.id}/assignment", data=data)


def local_today() -> str:
    return datetime.now(site_zone()).date().isoformat()


# ---------------------------------------------------------------- assignment


def test_an_editor_assigns_with_a_due_time(client, auth, editor, author, article):
    auth.login(editor)

    response = assign(client, article, author.id, local_today(), "23:58")

    assert response.status_code == 303
    row = db.session.get(ArticleAssignment, article.id)
    assert row.assignee_id == author.id
    assert row.due_at.astimezone(site_zone()).strftime("%H:%M") == "23:58"
    assert db.session.scalar(sa.select(AuditLog.action).order_by(AuditLog.id.desc())) == (
        "article.assign"
    )
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{author.id}">' in page


def test_a_time_without_a_day_comes_back_with_a_message(client, auth, editor, author, article):
    auth.login(editor)

    response = assign(client, article, author.id, "", "10:00")

    assert response.status_code == 422
    assert "Choose the day it is due." in response.get_data(as_text=True)
    assert db.session.get(ArticleAssignment, article.id) is None


def test_an_author_cannot_assign_a_colleague(client, auth, author, other_author, article):
    auth.login(author)

    response = assign(client, article, other_author.id)

    assert response.status_code == 422
    assert db.session.get(ArticleAssignment, article.id) is None


def test_my_work_lists_assigned_in_review_and_due_today(client, auth, editor, author, category):
    draft = make_article("Draft on the ferry", author=author, category=category,
                         status=ArticleStatus.DRAFT)  # fmt: skip
    make_article("Review the budget", author=author, category=category,
             status=ArticleStatus.REVIEW)  # fmt: skip
    later = make_article("Next week's feature", author=author, category=category,
                         status=ArticleStatus.DRAFT)  # fmt: skip
    db.session.commit()
    auth.login(editor)
    assign(client, draft, editor.id, local_today(), "23:59")
    assign(client, later, author.id, (utcnow() + timedelta(days=8)).date().isoformat(), "")

    page = client.get("/admin/").get_data(as_text=True)
    mine = page.split('id="my-work-heading"', 1)[1]
    assigned, rest = mine.split("<h3>In review</h3>", 1)
    in_review, due = rest.split("<h3>Due today</h3>", 1)
    assert "Draft on the ferry" in assigned and "Next week" not in assigned
    assert "Review the budget" in in_review
    assert "Draft on the ferry" in due and "Next week" not in due


# ---------------------------------------------------------------- review flow mails


def save_as(client, article, category, status, **extra):
    data = article_form(category, title=article.title, slug=article.slug, status=status, **extra)
    return client.post(f"/admin/articles/{article.id}/edit", data=data)


@pytest.fixture
def draft(app, author, category):
    a = make_article("Harbour budget explained", author=author, category=category,
                     status=ArticleStatus.DRAFT)  # fmt: skip
    db.session.commit()
    return a


def test_in_review_mails_every_editor_once(
    app, client, auth, author, editor, admin, draft, category, smtp
):
    auth.login(author)

    assert save_as(client, draft, category, "review").status_code == 303
    save_as(client, draft, category, "review")  # saved again while in review: no new mail
    run_jobs()
    run_jobs()

    to = sorted(m["To"] for m in desk_mails(smtp))
    assert to == sorted([editor.email, admin.email])
    assert all("Ready for review: Harbour budget explained" in m["Subject"]
               for m in desk_mails(smtp))  # fmt: skip


def test_send_back_makes_a_draft_keeps_the_note_and_mails_the_author(
    app, client, auth, author, editor, draft, category, smtp
):
    logged_in_client(app, author).post(
        f"/admin/articles/{draft.id}/edit", data=article_form(
            category, title=draft.title, slug=draft.slug, status="review")
    )  # fmt: skip
    run_jobs()
    smtp.handler.envelopes.clear()
    auth.login(editor)

    response = client.post(f"/admin/articles/{draft.id}/send-back",
                           data={"note": "Add the mayor's figures."})  # fmt: skip
    run_jobs()
    run_jobs()

    assert response.status_code == 303
    db.session.refresh(draft)
    assert draft.status == ArticleStatus.DRAFT
    assert db.session.scalar(sa.select(ArticleNote.body)) == "Sent back: Add the mayor's figures."
    [message] = desk_mails(smtp)
    assert message["To"] == author.email
    assert "Add the mayor's figures." in message.get_content()


def test_send_back_needs_a_note_and_keeps_what_was_typed(client, auth, editor, draft):
    draft.status = ArticleStatus.REVIEW
    db.session.commit()
    auth.login(editor)

    response = client.post(f"/admin/articles/{draft.id}/send-back", data={"note": "  "})

    assert response.status_code == 422
    assert "Say what needs doing" in response.get_data(as_text=True)
    db.session.refresh(draft)
    assert draft.status == ArticleStatus.REVIEW


def test_an_author_cannot_send_back(client, auth, author, draft):
    draft.status = ArticleStatus.REVIEW
    db.session.commit()
    auth.login(author)

    assert (
        client.post(f"/admin/articles/{draft.id}/send-back", data={"note": "x"}).status_code == 403
    )


def test_publishing_mails_the_author_once(app, client, auth, author, editor, draft, category, smtp):
    auth.login(editor)

    assert save_as(client, draft, category, "published").status_code == 303
    save_as(client, draft, category, "published", body="A later fix.")
    run_jobs()
    run_jobs()

    [message] = desk_mails(smtp)
    assert message["To"] == author.email
    assert message["Subject"].startswith("Published: Harbour budget explained")


def test_a_scheduled_article_mails_its_author_when_it_goes_out(
    app, client, auth, author, editor, draft, category, smtp
):
    from blog.models import Job

    auth.login(editor)
    later = (datetime.now(site_zone()) + timedelta(days=1)).replace(second=0, microsecond=0)
    save_as(client, draft, category, "scheduled", publish_date=later.date().isoformat(),
            publish_time=later.strftime("%H:%M"))  # fmt: skip
    run_jobs()
    assert desk_mails(smtp) == []

    job = db.session.scalar(sa.select(Job).where(Job.kind == "desk_notice"))
    assert job.run_after > utcnow()


def test_an_author_publishing_their_own_article_gets_no_mail(
    app, client, auth, author, draft, category, smtp
):
    from blog.core.settings import save_settings

    save_settings({"authors_can_publish": True})
    db.session.commit()
    auth.login(author)

    save_as(client, draft, category, "published")
    run_jobs()
    run_jobs()

    assert desk_mails(smtp) == []


# ---------------------------------------------------------------- calendar


def test_the_month_shows_scheduled_published_and_due_articles(
    client, auth, editor, author, category
):
    now = utcnow()
    make_article("Out this morning", author=author, category=category, published_at=now)
    soon = make_article("Out tonight", author=author, category=category,
                        published_at=now + timedelta(minutes=5))  # fmt: skip
    due = make_article("Due draft", author=author, category=category, status=ArticleStatus.DRAFT)
    db.session.add(ArticleAssignment(article_id=due.id, due_at=now + timedelta(minutes=1)))
    db.session.commit()
    auth.login(editor)

    page = client.get("/admin/calendar").get_data(as_text=True)

    assert "Out this morning" in page and "Out tonight" in page and "Due draft" in page
    assert f"/admin/articles/{soon.id}/edit" in page
    assert "due (draft)" in page
    week = client.get("/admin/calendar/week").get_data(as_text=True)
    assert "Out tonight" in week


def test_the_calendar_moves_by_month_and_week_and_ignores_nonsense(client, auth, author):
    auth.login(author)

    assert client.get("/admin/calendar?month=2026-02").status_code == 200
    assert "February 2026" in client.get("/admin/calendar?month=2026-02").get_data(as_text=True)
    assert client.get("/admin/calendar?month=nonsense").status_code == 200
    week = client.get("/admin/calendar/week?start=2026-12-09").get_data(as_text=True)
    assert "Week of 7 December 2026" in week
    assert client.get("/admin/calendar/week?start=x").status_code == 200


def test_an_author_sees_only_their_own_in_the_calendar(client, auth, other_author, article):
    auth.login(other_author)

    page = client.get("/admin/calendar").get_data(as_text=True)

    assert article.title not in page
