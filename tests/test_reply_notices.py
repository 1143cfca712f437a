"""Reply notices follow the moment a reply becomes visible, once, through the job queue,
delivered to a real SMTP server (aiosmtpd on 127.0.0.1)."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Comment, CommentStatus, Job, JobState
from tests.conftest import logged_in_client
from tests.factories import make_comment
from tests.mailing import mail_config, run_jobs


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


@pytest.fixture
def top(article, other_reader):
    """Oscar's comment; Oscar asked to be told about replies."""
    other_reader.notify_replies = True
    comment = make_comment(article, other_reader, body="The quay needs a new crane.")
    db.session.commit()
    return comment


def post_reply(client, article, parent, body="I agree, and the old one leaks oil."):
    response = client.post(
        f"/article/{article.slug}/comments", data={"body": body, "parent_id": str(parent.id)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return db.session.scalar(sa.select(Comment).where(Comment.body_source == body))


def notice_jobs() -> list[Job]:
    return list(db.session.scalars(sa.select(Job).where(Job.kind == "reply_notice")))


def test_a_visible_reply_is_mailed_by_the_worker_not_the_request(
    client, auth, reader, article, top, smtp, open_policy
):
    auth.login(reader)

    reply = post_reply(client, article, top)

    assert reply.status == CommentStatus.APPROVED
    assert smtp.handler.envelopes == []  # nothing sent inside the request
    [job] = notice_jobs()
    assert (job.key, job.state) == (f"reply:{reply.id}", JobState.QUEUED)

    assert run_jobs().done == 1

    [message] = smtp.handler.messages_but_sign_in()
    assert message["To"] == "oscar@example.com"
    assert "The harbour reopens" in message["Subject"]
    body = message.get_content()
    assert "Rita replied to your comment on “The harbour reopens”" in body
    assert "I agree, and the old one leaks oil." in body
    assert f"http://newsroom.test/comments/{reply.id}" in body
    run_jobs()
    assert len(smtp.handler.envelopes) == 1


def test_a_held_reply_is_mailed_when_an_editor_approves_it_and_only_once(
    app, client, auth, reader, editor, article, top, smtp
):
    auth.login(reader)  # Rita's first comment: held under the default policy
    reply = post_reply(client, article, top)
    assert reply.status == CommentStatus.PENDING
    run_jobs()
    assert smtp.handler.envelopes == []
    assert notice_jobs() == []

    staff = logged_in_client(app, editor)
    response = staff.post(f"/admin/comments/{reply.id}/approve")
    assert response.status_code == 303
    assert smtp.handler.envelopes == []
    run_jobs()

    [message] = smtp.handler.messages_but_sign_in()
    assert message["To"] == "oscar@example.com"
    assert f"/comments/{reply.id}" in message.get_content()

    # Hidden and shown again: still the one mail.
    assert staff.post(f"/admin/comments/{reply.id}/remove").status_code == 303
    assert staff.post(f"/admin/comments/{reply.id}/restore").status_code == 303
    run_jobs()
    assert len(smtp.handler.messages_but_sign_in()) == 1
    assert len(notice_jobs()) == 1


def test_a_reply_hidden_before_the_worker_runs_sends_nothing(
    app, client, auth, reader, editor, article, top, smtp, open_policy
):
    auth.login(reader)
    reply = post_reply(client, article, top)
    staff = logged_in_client(app, editor)
    assert staff.post(f"/admin/comments/{reply.id}/spam").status_code == 303

    run_jobs()

    assert smtp.handler.messages_but_sign_in() == []  # the editor's sign-in notice only
    [job] = notice_jobs()
    assert job.state == JobState.DONE


def test_no_mail_without_opt_in_for_own_replies_or_top_level_comments(
    client, auth, reader, other_reader, article, smtp, open_policy
):
    reader.notify_replies = True
    theirs = make_comment(article, other_reader, body="Oscar did not opt in.")
    mine = make_comment(article, reader, body="Rita's own comment.")
    db.session.commit()
    auth.login(reader)

    post_reply(client, article, theirs, "To Oscar.")
    post_reply(client, article, mine, "To myself.")
    client.post(f"/article/{article.slug}/comments", data={"body": "A new thread."})
    run_jobs()

    assert smtp.handler.envelopes == []
    assert len(notice_jobs()) == 2  # queued for both replies, neither was due a mail


def test_a_reader_who_turns_notices_off_before_the_worker_runs_gets_none(
    client, auth, reader, other_reader, article, top, smtp, open_policy
):
    auth.login(reader)
    post_reply(client, article, top)
    other_reader.notify_replies = False
    db.session.commit()

    run_jobs()

    assert smtp.handler.envelopes == []
