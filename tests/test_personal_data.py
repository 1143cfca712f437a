"""Readers' data: "Download my data", account deletion with a choice for the comments,
and an admin's export or erasure of one person on request (in the audit log)."""

import json

import pytest
import sqlalchemy as sa

from blog.core.mail import account_mail_key, queue_mail
from blog.extensions import db
from blog.models import (
    Article,
    AuditLog,
    Comment,
    CommentReport,
    Job,
    JobState,
    Role,
    Subscriber,
    SubscriberState,
    User,
)
from tests import factories
from tests.conftest import logged_in_client


@pytest.fixture
def world(app, reader, other_reader):
    """Rita's comments on an article (one with Oscar's reply below it, one reply of hers
    under Oscar's), her newsletter subscription and a report she made."""
    article = factories.make_article("Harbour plans", slug="harbour-plans")
    hers = factories.make_comment(article, reader, body="Rita has an opinion.")
    oscars = factories.make_comment(article, other_reader, body="Oscar starts a thread.")
    answer = factories.make_comment(article, other_reader, body="Oscar answers Rita.", parent=hers)
    her_reply = factories.make_comment(article, reader, body="Rita answers Oscar.", parent=oscars)
    db.session.add(Subscriber(email=reader.email, state=SubscriberState.ACTIVE, user_id=reader.id))
    db.session.add(
        CommentReport(comment_id=oscars.id, reporter_id=reader.id, kind="spam", reason="Ads?")
    )
    db.session.commit()
    return {"article": article, "hers": hers.id, "oscars": oscars.id, "answer": answer.id,
            "her_reply": her_reply.id}  # fmt: skip


def comment_ids() -> set[int]:
    return set(db.session.scalars(sa.select(Comment.id)))


def count_of(article) -> int:
    return db.session.scalar(sa.select(Article.comment_count).where(Article.id == article.id))


def delete_own_account(client, choice: str | None):
    data = {"delete-current_password": factories.PASSWORD, "delete-confirm": "y"}
    if choice:
        data["delete-comments"] = choice
    return client.post("/auth/account/delete", data=data)


def test_a_reader_downloads_all_their_data_as_json(client, auth, reader, world):
    auth.login(reader)

    response = client.get("/auth/account/data")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="rita-data-')
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["username"] == "rita"
    assert data["account"]["email"] == "rita@example.com"
    assert [c["text"] for c in data["comments"]] == ["Rita has an opinion.", "Rita answers Oscar."]
    assert data["comments"][1]["reply_to"] == world["oscars"]
    assert data["comments"][0]["url"] == f"http://newsroom.test/comments/{world['hers']}"
    assert [(s["email"], s["state"]) for s in data["subscriptions"]] == [
        ("rita@example.com", "active")
    ]
    assert [(r["kind"], r["reason"]) for r in data["reports"]] == [("spam", "Ads?")]
    assert "Oscar answers Rita" not in json.dumps(data)  # nobody else's words


def test_the_account_page_offers_the_download_and_says_what_deletion_keeps(client, auth, reader):
    auth.login(reader)

    html = client.get("/auth/account").get_data(as_text=True)

    assert 'href="/auth/account/data"' in html
    assert "Download my data" in html
    assert "Keep my comments, shown as by “deleted user”" in html
    assert "Remove my comments, and with them the replies" in html
    assert "Your reports of other readers&#39; comments stay, without your name" in html


def test_a_visitor_must_log_in_to_download(client):
    response = client.get("/auth/account/data")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_deleting_and_keeping_comments_leaves_them_as_by_deleted_user(client, auth, reader, world):
    article, reader_id = world["article"], reader.id
    before = count_of(article)
    auth.login(reader)

    response = delete_own_account(client, "keep")

    assert response.status_code == 303
    assert db.session.get(User, reader_id) is None
    assert comment_ids() == {world["hers"], world["oscars"], world["answer"], world["her_reply"]}
    assert db.session.get(Comment, world["hers"]).author_id is None
    assert count_of(article) == before
    subscription = db.session.scalar(sa.select(Subscriber))
    assert (subscription.state, subscription.user_id) == (SubscriberState.UNSUBSCRIBED, None)
    report = db.session.scalar(sa.select(CommentReport))
    assert (report.reporter_id, report.reason) == (None, "Ads?")
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert "Rita has an opinion." in page
    assert "deleted user" in page


def test_deleting_and_removing_comments_takes_their_replies_too(client, auth, reader, world):
    article = world["article"]
    before = count_of(article)
    auth.login(reader)

    response = delete_own_account(client, "remove")

    assert response.status_code == 303
    assert comment_ids() == {world["oscars"]}  # Oscar's reply to Rita went with hers
    assert count_of(article) == before - 3
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert "Rita has an opinion." not in page
    assert "Oscar answers Rita." not in page
    assert "Oscar starts a thread." in page


def test_deleting_an_account_leaves_no_mail_with_its_address(client, auth, reader, other_reader):
    rita, oscar = reader.id, other_reader.email
    sent = queue_mail("Rita@Example.com", "Your reply", "Hello Rita", "reply-sent:1")
    queue_mail(reader.email, "Reset your password", "Hello Rita", f"reset:{rita}:abc")
    queue_mail("rita.old@example.net", "Address changed", "Hi", f"email-changed:{rita}:d")
    queue_mail(oscar, "For Oscar", "Hello Oscar", "other:1")
    # A newsletter confirmation for a subscriber whose id is Rita's account id.
    queue_mail(oscar, "Confirm", "Hello Oscar", f"subscribe-confirm:{rita}:1")
    assert sent
    db.session.execute(sa.update(Job).where(Job.key == "reply-sent:1").values(state="done"))
    db.session.commit()
    auth.login(reader)

    assert delete_own_account(client, "keep").status_code == 303

    jobs = {job.key: (job.state, job.payload) for job in db.session.scalars(sa.select(Job))}
    assert jobs["reply-sent:1"] == (JobState.DONE, {})
    assert jobs[f"reset:{rita}:abc"] == (JobState.FAILED, {})
    assert jobs[f"email-changed:{rita}:d"] == (JobState.FAILED, {})
    state, payload = jobs["other:1"]
    assert (state, payload["to"], payload["body"]) == (JobState.QUEUED, oscar, "Hello Oscar")
    assert jobs[f"subscribe-confirm:{rita}:1"][0] == JobState.QUEUED
    others = {"other:1", f"subscribe-confirm:{rita}:1"}
    assert "rita" not in json.dumps([p for key, (s, p) in jobs.items() if key not in others])


def test_a_deletion_without_a_choice_keeps_the_comments(client, auth, reader, world):
    auth.login(reader)

    assert delete_own_account(client, None).status_code == 303
    assert db.session.get(Comment, world["hers"]).author_id is None


def test_an_admin_exports_one_persons_data_and_the_audit_log_says_so(app, admin, reader, world):
    staff = logged_in_client(app, admin)
    page = staff.get(f"/admin/users/{reader.id}/data")
    assert page.status_code == 200
    assert "Comments</dt><dd>2 (replies to them by others: 1)" in page.get_data(as_text=True)

    response = staff.post(f"/admin/users/{reader.id}/data/export")

    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True))["account"]["email"] == "rita@example.com"
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "user.export_data"))
    assert (entry.actor_id, entry.object_type, entry.object_id) == (admin.id, "user", reader.id)


def test_an_admin_erases_one_person_after_typing_the_name(app, admin, reader, world):
    staff = logged_in_client(app, admin)
    reader_id, admin_id = reader.id, admin.id
    url = f"/admin/users/{reader_id}/data/erase"

    wrong = staff.post(url, data={"comments": "remove", "username": "oscar"})
    assert wrong.status_code == 422
    assert "Type rita exactly" in wrong.get_data(as_text=True)
    assert db.session.get(User, reader_id) is not None

    response = staff.post(url, data={"comments": "remove", "username": "Rita"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users"
    assert db.session.get(User, reader_id) is None
    assert comment_ids() == {world["oscars"]}
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "user.erase"))
    assert (entry.actor_id, entry.object_id) == (admin_id, reader_id)
    assert "2 comments and 1 replies to them removed, 1 newsletter subscriptions ended" in (
        entry.detail
    )
    audit = staff.get("/admin/audit?action=user.erase").get_data(as_text=True)
    assert "rita: erased on request" in audit


def test_only_admins_reach_the_personal_data_pages_and_admins_are_not_erased(
    app, admin, editor, reader, world
):
    desk = logged_in_client(app, editor)
    assert desk.get(f"/admin/users/{reader.id}/data").status_code == 403
    assert desk.post(f"/admin/users/{reader.id}/data/export").status_code == 403
    assert (
        desk.post(
            f"/admin/users/{reader.id}/data/erase", data={"comments": "keep", "username": "rita"}
        ).status_code
        == 403
    )
    assert app.test_client().get(f"/admin/users/{reader.id}/data").status_code == 302

    other_admin = factories.make_user(Role.ADMIN, username="boss")
    db.session.commit()
    staff = logged_in_client(app, admin)
    refused = staff.post(
        f"/admin/users/{other_admin.id}/data/erase", data={"comments": "keep", "username": "boss"}
    )
    assert refused.status_code == 303
    assert db.session.get(User, other_admin.id) is not None
    assert db.session.get(User, reader.id) is not None


def test_account_mail_keys_carry_the_account_and_refuse_unknown_kinds():
    assert account_mail_key("reset", 7, "ab" * 20) == f"reset:7:{'ab' * 16}"
    with pytest.raises(ValueError, match="account mail kinds"):
        account_mail_key("newsletter", 7, "ab")
