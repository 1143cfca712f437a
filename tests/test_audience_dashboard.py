"""The audience pages: the numbers the roll-up made, as charts with tables, and as CSV."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.audience.rollup import roll_up
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import DonationClick, PageView, Subscriber
from tests import factories


def views(n, *, page="article", page_id=0, day=None, source="direct", referrer="",
          utm_source="", campaign="", visitor="v"):  # fmt: skip
    db.session.execute(sa.insert(PageView), [
        {"day": day or utcnow().date(), "page": page, "page_id": page_id,
         "visitor": f"{visitor}{i % 3}", "source": source, "referrer": referrer,
         "utm_source": utm_source, "utm_campaign": campaign, "country": ""}
        for i in range(n)
    ])  # fmt: skip
    db.session.commit()


@pytest.fixture
def counted(app, article, category):
    other = factories.make_article("A quiet week at the port", category=category)
    db.session.commit()
    views(5, page_id=article.id, source="search", referrer="google.com")
    views(2, page_id=article.id, source="newsletter", utm_source="newsletter",
          campaign="weekly")  # fmt: skip
    views(3, page_id=other.id, day=utcnow().date() - timedelta(days=3), source="social",
          referrer="t.co")  # fmt: skip
    views(4, page="home", source="direct")
    db.session.add_all([
        Subscriber(email="a@example.org", from_article_id=article.id, confirmed_at=utcnow()),
        Subscriber(email="b@example.org", from_article_id=article.id),
        DonationClick(day=utcnow().date(), choice="once", article_id=article.id, count=3),
    ])  # fmt: skip
    db.session.commit()
    roll_up()
    return other


def test_the_dashboard_shows_what_was_counted(client, auth, editor, article, counted):
    auth.login(editor)

    page = client.get("/admin/audience?days=7").get_data(as_text=True)

    assert '<svg class="chart"' in page and '<title id="chart-daily-title">' in page
    assert f"<td>{utcnow().date().isoformat()}</td><td>11</td><td>3</td>" in page
    assert (
        f'<a href="/admin/audience/article/{article.id}">The harbour reopens</a></td><td>7</td>'
        in page
    )
    assert "<td>A quiet week at the port</td>" not in page  # linked, not plain
    assert "<strong>35.7 %</strong> from search" in page  # 5 of 14
    assert "<strong>21.4 %</strong> from social" in page
    assert "<strong>14.3 %</strong> from newsletter" in page
    assert "<td>google.com</td><td>search</td><td>5</td>" in page
    assert "<td>newsletter</td><td>weekly</td><td>2</td>" in page
    # The funnel: 7 views, 2 sign-ups, 1 confirmed, 3 donation clicks.
    assert "The harbour reopens</a></td><td>7</td><td>2</td><td>1</td><td>3</td>" in page


def test_today_holds_only_todays_views(client, auth, editor, article, counted):
    auth.login(editor)

    page = client.get("/admin/audience?days=1").get_data(as_text=True)

    today = page.split('id="h-top-1"')[1].split('id="h-top-7"')[0]
    assert "The harbour reopens" in today and "A quiet week" not in today


def test_the_article_page_adds_up_since_publication(client, auth, editor, article, counted):
    auth.login(editor)

    page = client.get(f"/admin/audience/article/{article.id}").get_data(as_text=True)

    assert "<td>7</td><td>2</td><td>1</td><td>3</td>" in page
    assert "<td>search</td><td>google.com</td><td>5</td>" in page
    assert client.get("/admin/audience/article/999999").status_code == 404


def test_every_table_exports_as_csv(client, auth, editor, article, counted):
    auth.login(editor)

    for name in ("daily", "weekly", "articles", "sections", "sources", "shares", "referrers",
                 "campaigns", "funnel", "section-funnel"):  # fmt: skip
        response = client.get(f"/admin/audience/{name}.csv?days=30")
        assert response.status_code == 200, name
        assert response.mimetype == "text/csv"
        assert len(response.get_data(as_text=True).splitlines()) >= 2, name

    funnel = client.get("/admin/audience/funnel.csv").get_data(as_text=True)
    assert "The harbour reopens,7,2,1,3" in funnel
    assert client.get("/admin/audience/nothing.csv").status_code == 404
    article_csv = client.get(f"/admin/audience/article/{article.id}/referrers.csv")
    assert "search,google.com,5" in article_csv.get_data(as_text=True)


def test_hostile_referrers_and_campaigns_are_escaped_and_spreadsheet_safe(
    client, auth, editor, article
):
    views(1, page_id=article.id, source="other", referrer="evil.example",
          utm_source="=HYPERLINK(\"http://x\")", campaign="<script>alert(1)</script>")  # fmt: skip
    roll_up()
    auth.login(editor)

    page = client.get("/admin/audience").get_data(as_text=True)
    exported = client.get("/admin/audience/campaigns.csv").get_data(as_text=True)

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "'=HYPERLINK" in exported and "\n=HYPERLINK" not in exported


def test_an_empty_site_has_a_dashboard(client, auth, editor):
    auth.login(editor)

    response = client.get("/admin/audience?days=nonsense")

    assert response.status_code == 200
    assert "Nothing counted yet." in response.get_data(as_text=True)


def test_authors_do_not_see_the_audience(client, auth, author):
    auth.login(author)

    assert client.get("/admin/audience").status_code == 403
