"""/donate shows the configured choices; /donate/go/<choice> counts and redirects, https only."""

from datetime import date

import pytest
import sqlalchemy as sa

from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import DonationClick
from tests import factories

CHOICES = [
    {"id": "monthly-5", "label": "5 a month", "frequency": "monthly",
     "url": "https://donate.stripe.com/test_abc"},
    {"id": "once", "label": "Give once", "frequency": "one-off",
     "url": "https://liberapay.com/newsroom"},
    {"id": "evil", "label": "Plain http", "url": "http://pay.example/x"},
    {"id": "js", "label": "Script", "url": "javascript:alert(1)"},
]  # fmt: skip


@pytest.fixture
def configured(app):
    save_settings({"donate_choices": CHOICES})
    db.session.commit()


def clicks() -> list[tuple]:
    columns = (DonationClick.choice, DonationClick.article_id, DonationClick.count)
    rows = db.session.execute(sa.select(*columns).order_by(DonationClick.id))
    return [tuple(r) for r in rows]


def test_the_donate_page_lists_only_https_choices(client, configured):
    html = client.get("/donate").get_data(as_text=True)

    assert "5 a month" in html and "Give once" in html
    assert "/donate/go/monthly-5" in html
    assert "Plain http" not in html and "javascript:" not in html


def test_a_choice_redirects_to_its_provider_and_is_counted_by_article(client, configured):
    article = factories.make_article("Flood defences")
    db.session.commit()

    first = client.get(f"/donate/go/monthly-5?from={article.id}")
    client.get(f"/donate/go/monthly-5?from={article.id}")
    client.get("/donate/go/once?from=not-a-number")

    assert first.status_code == 302
    assert first.headers["Location"] == "https://donate.stripe.com/test_abc"
    assert "Set-Cookie" not in first.headers
    assert clicks() == [("monthly-5", article.id, 2), ("once", 0, 1)]


@pytest.mark.parametrize("choice", ["evil", "js", "nope"])
def test_unknown_or_unsafe_choices_are_404(client, configured, choice):
    assert client.get(f"/donate/go/{choice}").status_code == 404
    assert clicks() == []


# ---- issue 28: the demo's example choices, the setup prompt, the campaign goal


def test_the_demo_ships_example_choices_and_a_goal(client, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output

    page = client.get("/donate").get_data(as_text=True)

    assert "5 a month (example)" in page
    assert "These are example choices" in page
    assert 'max="200"' in page and "0 of 200 readers have gone to give" in page
    assert (
        client.get("/donate/go/example-once")
        .headers["Location"]
        .startswith("https://donate.example.org/")
    )


def test_an_editor_is_asked_to_set_up_real_choices(client, auth, editor):
    auth.login(editor)

    assert "find no way to give" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/donate").get_data(as_text=True)
    assert "Set up your donation choices" in page
    save_settings({"donate_choices": CHOICES})
    db.session.commit()
    assert "Set up your donation choices" not in client.get("/admin/").get_data(as_text=True)
    assert "example choices" not in client.get("/donate").get_data(as_text=True)


def test_the_meter_counts_this_sites_clicks_since_the_start(client, configured, article):
    save_settings({"donate_goal": 10, "donate_goal_since": "2026-01-01",
                   "donate_goal_text": "Ten new supporters by spring."})  # fmt: skip
    db.session.add(DonationClick(day=date(2025, 12, 31), choice="once", article_id=0, count=5))
    db.session.commit()
    client.get("/donate/go/once")
    client.get(f"/donate/go/monthly-5?from={article.id}")

    response = client.get("/donate")

    page = response.get_data(as_text=True)
    assert "Ten new supporters by spring." in page
    assert "2 of 10 readers have gone to give since 1 January 2026" in page
    assert 'value="2"' in page
    assert response.headers["Cache-Control"] == "private, no-store"  # never a stale meter


def test_no_goal_no_meter_and_the_page_stays_cacheable(client, configured):
    response = client.get("/donate")

    assert "<progress" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"].startswith("public")


def test_an_editor_sets_a_goal(client, auth, editor):
    auth.login(editor)
    form = {"choices": "once | Give once | one-off | https://liberapay.com/newsroom",
            "goal": "500", "goal_since": "2026-12-01", "goal_text": "500 by new year"}  # fmt: skip

    response = client.post("/admin/donations", data=form)

    assert response.status_code == 303
    assert "0 of 500 readers have gone to give since 1 December 2026" in client.get(
        "/donate"
    ).get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("goal", "lots", "whole number"),
    ("goal_since", "next week", "2026-12-01"),
    ("goal_text", "x" * 201, "200 characters"),
])  # fmt: skip
def test_a_wrong_goal_gets_the_form_back_as_typed(client, auth, editor, field, value, message):
    auth.login(editor)
    form = {"choices": "once | Give once | one-off | https://liberapay.com/newsroom",
            "goal": "50", "goal_since": "", "goal_text": ""} | {field: value}  # fmt: skip

    response = client.post("/admin/donations", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "liberapay.com/newsroom" in page
    if field != "goal_text":
        assert value in page
