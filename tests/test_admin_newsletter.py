"""Admin: subscribers, CSV import (bad rows reported, the rest imported), export, preview."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.cache.site import get_settings
from blog.extensions import db
from blog.models import Subscriber, SubscriberState
from blog.types import utcnow
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

    assert csv_text.splitlines()[0].startswith("email,state")
    assert "sue@example.com,active,weekly,import" in csv_text


def test_preview_and_send_a_test_to_me(client, auth, editor, smtp):
    factories.make_article("Bridge reopens", published_at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    auth.login(editor)

    preview = client.get("/admin/newsletter/preview?kind=daily").get_data(as_text=True)
    sent = client.post("/admin/newsletter/test", data={"kind": "daily"})
    run_jobs()

    assert "Bridge reopens" in preview
    assert sent.status_code == 303
    to_editor = [m for m in smtp.handler.messages() if m["To"] == editor.email]
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
