"""Admin: subscribers, CSV import (bad rows reported, the rest imported), export, preview."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core.cache.site import get_settings
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Job, JobState, Subscriber, SubscriberState
from tests import factories
from tests.mailing import mail_config, run_jobs

MAILCHIMP = (
    "Email Address,First Name,Last Name,MEMBER_RATING\n"
    "ann@example.com,Ann,A,2\n"
    "not-an-address,Bad,Row,1\n"
    "BOB@Example.com,Bob,B,3\n"
    "gone@example.com,Gone,G,1\n"
    ",Empty,Row,1\n" + "x" * 260 + "@example.com,Long,Row,1\n"
)


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def upload(client, text: str | bytes, name="export.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/admin/newsletter/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")  # fmt: skip


def test_readers_and_authors_cannot_see_subscribers(client, auth, author):
    auth.login(author)
    assert client.get("/admin/newsletter").status_code == 403
    assert client.get("/admin/newsletter/export.csv").status_code == 403


def test_a_mailchimp_export_imports_good_rows_and_reports_bad_ones(client, auth, editor):
    db.session.add(Subscriber(email="gone@example.com", state=SubscriberState.UNSUBSCRIBED))
    db.session.commit()
    auth.login(editor)

    response = upload(client, MAILCHIMP)
    page = client.get("/admin/newsletter").get_data(as_text=True)

    assert response.status_code == 303
    assert "Imported 2 new subscribers" in page
    assert "line 3:" in page and "line 6:" in page and "line 7:" in page
    ann = db.session.scalar(sa.select(Subscriber).where(Subscriber.email == "ann@example.com"))
    assert (ann.state, ann.source) == (SubscriberState.ACTIVE, "import")
    assert db.session.scalar(sa.select(Subscriber.state).where(
        Subscriber.email == "gone@example.com")) == SubscriberState.UNSUBSCRIBED  # fmt: skip
    assert "bob@example.com" in page and "active: <strong>2</strong>" in page


@pytest.mark.parametrize("content", [b"", b"name,city\nx,y\n", b"\xff\xfe\x00garbage"])
def test_an_unusable_file_imports_nothing_with_a_clear_message(client, auth, editor, content):
    auth.login(editor)

    response = upload(client, content)

    assert response.status_code == 303
    assert "Nothing imported" in client.get("/admin/newsletter").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0


def test_a_substack_export_and_the_csv_export(client, auth, editor):
    auth.login(editor)
    upload(client, "email,active_subscription,created_at\nsue@example.com,false,2024-01-01\n")

    csv_text = client.get("/admin/newsletter/export.csv").get_data(as_text=True)

    assert csv_text.splitlines()[0].startswith("email,state,confirmed")
    assert "sue@example.com,active,imported,weekly,import" in csv_text


def test_the_csv_export_runs_no_formula_and_marks_unconfirmed_rows(client, auth, editor):
    for email, state in [
        ("=HYPERLINK(evil)@example.com", SubscriberState.WAITING),
        ("+1@example.com", SubscriberState.ACTIVE),
        ("-sum@example.com", SubscriberState.ACTIVE),
        ("@at@example.com", SubscriberState.ACTIVE),
        ("plain@example.com", SubscriberState.ACTIVE),
    ]:
        db.session.add(Subscriber(email=email, state=state, source="form"))
    db.session.add(
        Subscriber(email="sure@example.com", state=SubscriberState.ACTIVE, confirmed_at=utcnow())
    )
    db.session.commit()
    auth.login(editor)

    rows = list(csv.reader(io.StringIO(client.get("/admin/newsletter/export.csv").text)))

    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    by_email = {row[0]: row for row in rows[1:]}
    assert by_email["'=HYPERLINK(evil)@example.com"][1:3] == ["waiting", "no"]
    assert by_email["'+1@example.com"][2] == "no"
    assert by_email["plain@example.com"][2] == "no"
    assert by_email["sure@example.com"][2] == "yes"


def test_preview_and_send_a_test_to_me(client, auth, editor, smtp):
    factories.make_article("Bridge reopens", published_at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    auth.login(editor)

    preview = client.get("/admin/newsletter/preview?kind=daily").get_data(as_text=True)
    sent = client.post("/admin/newsletter/test", data={"kind": "daily"})
    run_jobs()

    assert "Bridge reopens" in preview
    assert sent.status_code == 303
    to_editor = [m for m in smtp.handler.messages_but_sign_in() if m["To"] == editor.email]
    assert len(to_editor) == 1 and to_editor[0]["Subject"].startswith("[Test]")


def test_donation_choices_need_https(client, auth, editor):
    auth.login(editor)

    bad = client.post("/admin/donations", data={"choices": "x | X | monthly | http://a.example"})
    choice = "m5 | 5 a month | monthly | https://ko-fi.com/n"
    good = client.post("/admin/donations", data={"choices": choice})

    assert bad.status_code == 422
    assert "https://" in bad.get_data(as_text=True)
    assert good.status_code == 303
    assert get_settings()["donate_choices"][0]["url"] == "https://ko-fi.com/n"


def figures(client, issue_id: int) -> dict[str, int]:
    html = client.get(f"/admin/newsletter/issues/{issue_id}").get_data(as_text=True)
    found = re.findall(r'id="figure-(\w+)">(\d+)<', html)
    return {name: int(n) for name, n in found}


def test_the_sent_issue_page_follows_the_worker_batch_by_batch(app, client, auth, editor, smtp):
    from blog.core import jobs
    from blog.newsletter.sending import create_issue

    app.config["JOBS_BATCH"] = 2
    for name in ("ann", "bob", "gone", "slow"):
        db.session.add(Subscriber(email=f"{name}@example.com", state=SubscriberState.ACTIVE))
    factories.make_article("Quay reopens", published_at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    smtp.handler.answers = {"gone@example.com": "550 No such user",
                            "slow@example.com": "451 Try again later"}  # fmt: skip
    issue = create_issue("weekly")
    auth.login(editor)
    jobs.load_handlers()
    me = jobs.worker_id()

    assert figures(client, issue.id) == {"sent": 0, "pending": 4, "failed": 0, "bounced": 0}
    jobs.run_batch(me)
    assert figures(client, issue.id) == {"sent": 2, "pending": 2, "failed": 0, "bounced": 0}
    jobs.run_batch(me)
    assert figures(client, issue.id) == {"sent": 2, "pending": 1, "failed": 0, "bounced": 1}
    assert "Still sending" in client.get(f"/admin/newsletter/issues/{issue.id}").get_data(
        as_text=True
    )
    # The 4xx keeps failing until its last attempt.
    db.session.execute(
        sa.update(Job).where(Job.state == JobState.QUEUED)
        .values(run_after=utcnow(), max_attempts=Job.attempts + 1)
    )  # fmt: skip
    db.session.commit()
    jobs.run_batch(me)

    assert figures(client, issue.id) == {"sent": 2, "pending": 0, "failed": 1, "bounced": 1}
    page = client.get("/admin/newsletter").get_data(as_text=True)
    assert f'href="/admin/newsletter/issues/{issue.id}"' in page
    assert "Done: nothing is waiting" in client.get(
        f"/admin/newsletter/issues/{issue.id}"
    ).get_data(as_text=True)
    assert client.get("/admin/newsletter/issues/999999").status_code == 404


MAILCHIMP_STATUSES = (
    "Email Address,First Name,Status\n"
    "sub@example.com,Sub,subscribed\n"
    "left@example.com,Left,unsubscribed\n"
    "dead@example.com,Dead,cleaned\n"
    "maybe@example.com,Maybe,pending\n"
    "twice@example.com,Twice,subscribed\n"
    "twice@example.com,Twice,unsubscribed\n"
)


def states() -> dict[str, tuple[str, str]]:
    rows = db.session.execute(sa.select(Subscriber.email, Subscriber.state, Subscriber.source))
    return {email: (state, source) for email, state, source in rows}


def test_unsubscribed_and_cleaned_rows_are_imported_stopped_and_never_mailed(
    client, auth, editor, smtp
):
    from blog.newsletter.sending import create_issue

    auth.login(editor)

    response = upload(client, MAILCHIMP_STATUSES)

    assert response.status_code == 303
    page = client.get("/admin/newsletter").get_data(as_text=True)
    assert "Imported 1 new subscribers" in page
    assert "3 addresses that unsubscribed or bounced at the source" in page
    assert "line 5: status “pending” is not subscribed; skipped" in page
    assert states() == {
        "sub@example.com": (SubscriberState.ACTIVE, "import"),
        "left@example.com": (SubscriberState.UNSUBSCRIBED, "import"),
        "dead@example.com": (SubscriberState.BOUNCED, "import"),
        "twice@example.com": (SubscriberState.UNSUBSCRIBED, "import"),
    }
    factories.make_article("Quay reopens", published_at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    create_issue("weekly")
    run_jobs()
    assert [m["To"] for m in smtp.handler.messages_but_sign_in()] == ["sub@example.com"]


def test_mailchimps_unsubscribed_and_cleaned_files_stop_earlier_imports_only(client, auth, editor):
    db.session.add(Subscriber(email="own@example.com", state=SubscriberState.ACTIVE))
    db.session.commit()
    auth.login(editor)
    upload(client, "Email Address,MEMBER_RATING\nann@example.com,2\nbob@example.com,3\n")

    upload(client, "Email Address,UNSUB_TIME\nann@example.com,2025-01-01\nown@example.com,x\n")
    upload(client, "Email Address,CLEAN_TIME\nbob@example.com,2025-01-01\nnew@example.com,x\n")
    upload(client, "Email Address,MEMBER_RATING\nann@example.com,2\n")  # the old file again

    assert states() == {
        "own@example.com": (SubscriberState.ACTIVE, "form"),  # subscribed here: stays
        "ann@example.com": (SubscriberState.UNSUBSCRIBED, "import"),
        "bob@example.com": (SubscriberState.BOUNCED, "import"),
        "new@example.com": (SubscriberState.BOUNCED, "import"),
    }
    page = client.get("/admin/newsletter").get_data(as_text=True)
    assert page.count("1 earlier imported subscribers are now unsubscribed or bounced") == 2
