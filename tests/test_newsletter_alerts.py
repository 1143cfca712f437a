"""Breaking-news alerts from the editor's "Send as alert", and the per-article switch of
the donation appeal, against a real SMTP server."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core.settings import save_settings
from blog.core.templating import site_zone
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, Job, NewsletterIssue, Subscriber, SubscriberState
from tests import factories
from tests.factories import article_form as form_data
from tests.mailing import mail_config, run_jobs

CHOICE = {"id": "monthly-5", "label": "5 a month", "frequency": "monthly",
          "url": "https://donate.stripe.com/test_abc"}  # fmt: skip


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


@pytest.fixture
def desks(app):
    found = factories.make_category("Harbour desk"), factories.make_category("Sports desk")
    db.session.commit()
    return found


@pytest.fixture
def readers(desks):
    harbour, sports = desks

    def add(email, **kwargs):
        # No digest: the worker's periodic digest would mail the new article too.
        db.session.add(Subscriber(email=email, state=kwargs.pop("state", SubscriberState.ACTIVE),
                                  frequency="none", confirmed_at=utcnow(), **kwargs))  # fmt: skip

    add("all@example.com", alerts=True)
    add("harbour@example.com", alerts=True, sections=[harbour.id])
    add("sports@example.com", alerts=True, sections=[sports.id])
    add("digest-only@example.com", alerts=False)
    add("gone@example.com", alerts=True, state=SubscriberState.UNSUBSCRIBED)
    add("waiting@example.com", alerts=True, state=SubscriberState.WAITING)
    db.session.commit()


def recipients(smtp) -> list[str]:
    return sorted(m["To"] for m in smtp.handler.messages_but_sign_in())


def alert_issues() -> int:
    query = sa.select(sa.func.count(NewsletterIssue.id)).where(NewsletterIssue.kind == "alert")
    return db.session.scalar(query)


def publish(client, category, **overrides):
    # A browser sends the appeal's box, ticked by default on a new article.
    fields = {"title": "Harbour wall breached", "status": "published", "donation_appeal": "y",
              **overrides}  # fmt: skip
    return client.post("/admin/articles/new", data=form_data(category, **fields))


def test_an_alert_reaches_alert_subscribers_of_the_section_once(
    client, auth, editor, desks, readers, smtp
):
    auth.login(editor)

    response = publish(client, desks[0], send_alert="y")

    assert response.status_code == 303
    assert smtp.handler.messages_but_sign_in() == []  # nothing is sent from the request
    run_jobs()
    assert recipients(smtp) == ["all@example.com", "harbour@example.com"]
    message = smtp.handler.messages_but_sign_in()[0]
    assert message["Subject"] == "Breaking news: Harbour wall breached"
    assert "/article/harbour-wall-breached" in message.get_body(("plain",)).get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    issue = db.session.scalar(sa.select(NewsletterIssue).where(NewsletterIssue.kind == "alert"))
    assert issue.recipients == 2

    # Saved again, ticked again: the article has had its alert.
    edit = response.headers["Location"]
    again = client.post(edit, data=form_data(desks[0], title="Harbour wall breached",
                                             status="published", send_alert="y"))  # fmt: skip
    run_jobs()
    assert again.status_code == 303
    assert len(smtp.handler.messages_but_sign_in()) == 2
    assert alert_issues() == 1
    assert "Alert: sent to 2 subscribers" in client.get(edit).get_data(as_text=True)


def test_no_alert_without_the_tick_or_for_a_draft(client, auth, editor, desks, readers, smtp):
    auth.login(editor)

    publish(client, desks[0])
    draft = client.post("/admin/articles/new",
                        data=form_data(desks[0], status="draft", send_alert="y"))  # fmt: skip
    run_jobs()

    assert draft.status_code == 422
    assert "An alert goes out when the article is published" in draft.get_data(as_text=True)
    assert smtp.handler.messages_but_sign_in() == []
    assert alert_issues() == 0


def test_an_author_cannot_send_alerts(client, auth, author, desks, readers, smtp):
    save_settings({"authors_can_publish": True})
    db.session.commit()
    auth.login(author)

    response = publish(client, desks[0], send_alert="y")
    run_jobs()

    assert response.status_code == 303
    assert db.session.scalar(sa.select(Article.status)) == "published"
    assert smtp.handler.messages_but_sign_in() == []
    assert "Send as alert" not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_scheduled_alert_waits_for_publication_and_follows_the_schedule(
    client, auth, editor, desks, readers, smtp
):
    auth.login(editor)
    later = (utcnow() + timedelta(days=1)).astimezone(site_zone())
    when = {"publish_date": later.date().isoformat(), "publish_time": later.strftime("%H:%M")}

    response = publish(client, desks[0], status="scheduled", send_alert="y", **when)
    run_jobs()

    assert response.status_code == 303
    assert smtp.handler.messages_but_sign_in() == []
    edit = response.headers["Location"]
    assert "queued, it goes out once the article is public" in client.get(edit).get_data(
        as_text=True
    )
    # The editor publishes it now instead: the waiting alert moves with it.
    client.post(edit, data=form_data(desks[0], title="Harbour wall breached", status="published"))
    run_jobs()
    assert recipients(smtp) == ["all@example.com", "harbour@example.com"]


def test_an_alert_for_an_article_taken_back_to_draft_is_dropped(
    client, auth, editor, desks, readers, smtp
):
    auth.login(editor)
    later = (utcnow() + timedelta(hours=2)).astimezone(site_zone())
    when = {"publish_date": later.date().isoformat(), "publish_time": later.strftime("%H:%M")}
    edit = publish(client, desks[0], status="scheduled", send_alert="y", **when).headers["Location"]
    client.post(edit, data=form_data(desks[0], title="Harbour wall breached", status="draft"))
    db.session.execute(sa.update(Job).where(Job.kind == "alert").values(run_after=utcnow()))
    db.session.commit()

    run_jobs()

    assert smtp.handler.messages_but_sign_in() == []
    assert db.session.scalar(sa.select(Job.state).where(Job.kind == "alert")) == "failed"


# --- the donation appeal at the end of articles ---------------------------------------


@pytest.fixture
def appeal(app):
    save_settings({"donate_choices": [CHOICE], "donate_text": "Keep local news alive."})
    db.session.commit()


def appeal_of(html: str) -> str:
    return html.split('<section class="appeal"')[1].split("</section>")[0] if (
        '<section class="appeal"' in html) else ""  # fmt: skip


def test_the_appeal_ends_every_article_with_counted_choices(client, appeal):
    article = factories.make_article("Lifeboat crew honoured")
    db.session.commit()

    block = appeal_of(client.get(f"/article/{article.slug}").get_data(as_text=True))

    assert "Keep local news alive." in block
    assert f'href="/donate/go/monthly-5?from={article.id}"' in block
    assert (
        client.get(f"/donate/go/monthly-5?from={article.id}").headers["Location"] == (CHOICE["url"])
    )


def test_an_editor_switches_the_appeal_off_for_one_article_and_the_cached_page_follows(
    app, client, auth, editor, desks, appeal, smtp, readers
):
    app.config["PAGE_CACHE"] = True
    auth.login(editor)
    edit = publish(client, desks[0]).headers["Location"]
    anonymous = app.test_client()
    assert appeal_of(anonymous.get("/article/harbour-wall-breached").get_data(as_text=True))
    assert anonymous.get("/article/harbour-wall-breached").headers["X-Cache"] == "HIT"

    # Unticked, the box is not sent at all.
    fields = form_data(desks[0], title="Harbour wall breached", status="published")
    response = client.post(edit, data=fields | {"send_alert": "y"})

    assert response.status_code == 303
    assert db.session.scalar(sa.select(Article.donation_appeal)) is False
    assert 'name="donation_appeal"' in client.get(edit).get_data(as_text=True)
    page = anonymous.get("/article/harbour-wall-breached")
    assert page.headers["X-Cache"] == "MISS"
    assert appeal_of(page.get_data(as_text=True)) == ""
    assert "Keep local news alive." in page.get_data(as_text=True)  # the footer keeps its own
    # Its alert carries no appeal either.
    run_jobs()
    text = smtp.handler.messages_but_sign_in()[0].get_body(("plain",)).get_content()
    assert "Keep local news alive." not in text and "Donate:" not in text


def test_a_new_article_has_the_appeal_ticked(client, auth, editor, desks):
    auth.login(editor)

    html = client.get("/admin/articles/new").get_data(as_text=True)

    assert '<input checked id="donation_appeal" name="donation_appeal"' in html
    publish(client, desks[0])
    assert db.session.scalar(sa.select(Article.donation_appeal)) is True
