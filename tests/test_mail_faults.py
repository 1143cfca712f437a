"""A mail server that refuses everyone pauses the newsletter and bounces nobody.

Against a real SMTP server (aiosmtpd): a 554 at DATA, the same refusal at every RCPT,
and the real bounces (5.1.1 at RCPT) that must still bounce; the admins' notice, the
resume button and restoring a bounced address.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import AuditLog, Job, JobState, NewsletterIssue, Subscriber, SubscriberState
from blog.newsletter.sending import create_issue
from tests import factories
from tests.mailing import mail_config, run_jobs

NOT_VERIFIED = "554 5.7.1 Sender address rejected: not verified"
ADDRESSES = [f"reader{n}@example.com" for n in range(6)]


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def subscribers(*emails: str) -> None:
    for email in emails:
        db.session.add(Subscriber(email=email, state=SubscriberState.ACTIVE,
                                  confirmed_at=utcnow(), frequency="daily"))  # fmt: skip
    factories.make_article("Harbour wall repaired", published_at=utcnow() - timedelta(minutes=5))
    db.session.commit()


def states() -> dict[str, str]:
    return dict(db.session.execute(sa.select(Subscriber.email, Subscriber.state)).all())


def issue_jobs(issue_id: int) -> list[Job]:
    return list(db.session.scalars(sa.select(Job).where(Job.batch == f"issue:{issue_id}")))


def test_a_554_at_data_pauses_the_issue_alerts_the_admins_and_bounces_nobody(
    client, auth, admin, smtp
):
    subscribers(*ADDRESSES)
    smtp.handler.data_answer = NOT_VERIFIED

    issue = create_issue("daily")
    run_jobs()

    assert set(states().values()) == {SubscriberState.ACTIVE}
    db.session.expire_all()
    paused = db.session.get(NewsletterIssue, issue.id)
    assert paused.paused_at is not None and NOT_VERIFIED in paused.pause_reason
    jobs = issue_jobs(issue.id)
    assert {j.state for j in jobs} == {JobState.QUEUED}
    assert all(j.run_after > utcnow() + timedelta(days=365) for j in jobs)
    alert = db.session.scalar(sa.select(Job).where(Job.key.startswith("newsletter-paused:")))
    assert alert.payload["to"] == admin.email and alert.state == JobState.QUEUED
    assert NOT_VERIFIED in alert.payload["body"]
    assert smtp.handler.messages() == []

    auth.login(admin)
    page = client.get("/admin/newsletter").get_data(as_text=True)
    assert "is paused since" in page and "nobody was marked bounced" in page

    smtp.handler.data_answer = ""
    response = client.post(f"/admin/newsletter/issues/{issue.id}/resume")
    assert response.status_code == 303
    run_jobs()

    # The admin's own mail (the alert, a new-device notice) is not part of the issue.
    sent = [m["To"] for m in smtp.handler.messages() if m["To"] != admin.email]
    assert sorted(sent) == sorted(ADDRESSES)
    db.session.expire_all()
    assert db.session.get(NewsletterIssue, issue.id).paused_at is None
    assert {j.state for j in issue_jobs(issue.id)} == {JobState.DONE}
    assert db.session.scalar(sa.select(AuditLog.action)) == "newsletter.resume"


def test_the_same_refusal_at_every_rcpt_is_the_servers_and_bounces_are_taken_back(app, smtp):
    subscribers(*ADDRESSES)
    smtp.handler.answers = {a: f"554 5.7.1 <{a}>: Relay access denied" for a in ADDRESSES}

    issue = create_issue("daily")
    run_jobs()

    assert set(states().values()) == {SubscriberState.ACTIVE}
    db.session.expire_all()
    assert db.session.get(NewsletterIssue, issue.id).paused_at is not None
    assert {j.state for j in issue_jobs(issue.id)} == {JobState.QUEUED}


def test_a_refusal_naming_the_recipient_still_bounces_only_them(app, smtp):
    subscribers(*ADDRESSES)
    gone = ADDRESSES[:4]
    smtp.handler.answers = {a: f"550 5.1.1 <{a}>: User unknown" for a in gone}

    issue = create_issue("daily")
    run_jobs()

    found = states()
    assert {a for a, s in found.items() if s == SubscriberState.BOUNCED} == set(gone)
    assert sorted(m["To"] for m in smtp.handler.messages()) == ADDRESSES[4:]
    db.session.expire_all()
    assert db.session.get(NewsletterIssue, issue.id).paused_at is None


def test_an_account_mail_refused_at_data_is_retried_not_failed(app, smtp):
    from blog.core.mail import queue_mail

    smtp.handler.data_answer = NOT_VERIFIED
    queue_mail("ann@example.com", "Hello", "Body", key="test:server-wide")
    db.session.commit()

    run_jobs()

    job = db.session.scalar(sa.select(Job).where(Job.key == "test:server-wide"))
    assert job.state == JobState.QUEUED and job.last_error.startswith("server:")


def test_an_editor_restores_a_bounced_address_with_an_audit_entry(app, client, auth, editor):
    db.session.add(Subscriber(email="back@example.com", state=SubscriberState.BOUNCED))
    db.session.commit()
    sid = db.session.scalar(sa.select(Subscriber.id))
    auth.login(editor)

    page = client.get("/admin/newsletter?state=bounced").get_data(as_text=True)
    assert "Restore back@example.com" in page
    response = client.post(f"/admin/newsletter/subscribers/{sid}/restore")

    assert response.status_code == 303
    assert "state=bounced" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Subscriber, sid).state == SubscriberState.ACTIVE
    entry = db.session.scalar(sa.select(AuditLog))
    assert (entry.action, entry.object_id, entry.actor_id) == ("subscriber.restore", sid, editor.id)
    client.post(f"/admin/newsletter/subscribers/{sid}/restore")
    assert "was not bounced" in client.get("/admin/newsletter").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/newsletter/subscribers/1/restore",
                                 "/admin/newsletter/issues/1/resume"])  # fmt: skip
def test_authors_cannot_restore_or_resume(app, client, auth, author, url):
    db.session.add(Subscriber(email="back@example.com", state=SubscriberState.BOUNCED))
    db.session.commit()
    auth.login(author)

    assert client.post(url).status_code == 403
    assert db.session.scalar(sa.select(Subscriber.state)) == SubscriberState.BOUNCED
