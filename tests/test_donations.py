"""/donate shows the configured choices; /donate/go/<choice> counts and redirects, https only."""

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
