"""The subscribe boxes of the footer and of the end of articles, with the page cache and
CSRF on as in production: cached pages carry nothing of one reader, and a box on such
a page still subscribes only through a real CSRF token and the same double opt-in."""

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Job, Subscriber, SubscriberState
from tests import factories
from tests.mailing import mail_config, run_jobs
from tests.security.helpers import CSRF_FIELD, login

SAME = "If that address is not subscribed yet"


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp) | {"PAGE_CACHE": True, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def story(app):
    article = factories.make_article("Ferry strike ends", slug="ferry-strike-ends")
    db.session.commit()
    return article


class Ids(HTMLParser):
    """Every id of a page, and every label's `for`."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.inputs: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.label_for.append(attrs["for"])
        if tag == "input" and "id" in attrs:
            self.inputs[attrs["id"]] = attrs


def parsed(html: str) -> Ids:
    found = Ids()
    found.feed(html)
    return found


def subscribers() -> list[Subscriber]:
    return list(db.session.scalars(sa.select(Subscriber)))


def test_every_article_and_page_has_both_boxes_with_unique_ids_and_labels(client, story):
    html = client.get(f"/article/{story.slug}").get_data(as_text=True)
    page = parsed(html)

    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    for box in ("footer", "article"):
        email = page.inputs[f"{box}-newsletter-email"]
        assert email["name"] == "email" and email["type"] == "email"
        assert f"{box}-newsletter-email" in page.label_for
        assert f"{box}-newsletter-website" in page.label_for  # the honeypot, hidden
    assert f'name="from_article" value="{story.id}"' in html
    assert 'action="/newsletter"' in html
    home = parsed(client.get("/").get_data(as_text=True))
    assert "footer-newsletter-email" in home.inputs
    assert "article-newsletter-email" not in home.inputs


def test_pages_with_boxes_stay_cached_and_hold_nothing_of_one_reader(client, story):
    first = client.get(f"/article/{story.slug}")
    second = client.get(f"/article/{story.slug}")

    assert first.headers["X-Cache"] == "MISS" and second.headers["X-Cache"] == "HIT"
    assert "Set-Cookie" not in first.headers
    assert first.headers["Cache-Control"].startswith("public")
    assert second.get_data() == first.get_data()
    assert "csrf_token" not in first.get_data(as_text=True)
    assert client.get("/").headers["Cache-Control"].startswith("public")


def test_a_box_on_a_cached_page_asks_once_more_then_sends_one_confirmation(client, story, smtp):
    box = {"email": "Reader@Example.com", "box": "article", "from_article": str(story.id),
           "website": ""}  # fmt: skip

    refused = client.post("/newsletter", data=box)

    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "One more step: press Subscribe" in text
    assert 'value="Reader@Example.com"' in text  # the address typed is kept
    assert subscribers() == [] and db.session.scalar(sa.select(sa.func.count(Job.id))) == 0
    token = CSRF_FIELD.search(text).group(1)
    source = re.search(r'name="from_article" type="hidden" value="(\d+)"', text).group(1)

    answered = client.post(
        "/newsletter",
        data={"email": "Reader@Example.com", "from_article": source, "csrf_token": token},
    )
    run_jobs()

    assert answered.status_code == 303 and answered.headers["Location"] == "/newsletter"
    assert SAME in client.get("/newsletter").get_data(as_text=True)
    (subscriber,) = subscribers()
    assert (subscriber.email, subscriber.state) == ("reader@example.com", SubscriberState.WAITING)
    assert subscriber.from_article_id == story.id  # counted as gained by the article
    (message,) = smtp.handler.messages()
    assert message["To"] == "reader@example.com" and "/newsletter/confirm/" in message.as_string()


def test_with_a_session_the_box_carries_its_token_and_the_page_is_private(client, story, smtp):
    client.get("/newsletter")  # any form page starts a session

    response = client.get(f"/article/{story.slug}")
    html = response.get_data(as_text=True)
    footer = html.split('aria-labelledby="footer-newsletter-heading"')[1]
    token = CSRF_FIELD.search(footer).group(1)

    assert response.headers["Cache-Control"] == "private, no-store"
    assert "X-Cache" not in response.headers
    sent = client.post("/newsletter", data={"email": "box@example.com", "box": "footer",
                                            "csrf_token": token})  # fmt: skip
    run_jobs()
    assert sent.status_code == 303
    assert [s.email for s in subscribers()] == ["box@example.com"]
    assert len(smtp.handler.messages()) == 1


def test_a_logged_in_reader_is_not_subscribed_by_an_empty_box(client, story, reader):
    login(client, reader)
    html = client.get(f"/article/{story.slug}").get_data(as_text=True)
    token = CSRF_FIELD.search(html.split('id="article-newsletter-heading"')[1]).group(1)

    response = client.post("/newsletter", data={"email": "", "box": "article",
                                                "csrf_token": token})  # fmt: skip

    assert response.status_code == 422
    assert "Please enter your email address" in response.get_data(as_text=True)
    assert subscribers() == []
