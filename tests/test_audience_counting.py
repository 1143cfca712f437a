"""Counting views: once per view (cache hits too), never bots, staff or other sites;
one visitor per reader and day under a salt that is gone the next day; DNT and GPC."""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from blog.audience import beacon
from blog.audience.rollup import roll_up
from blog.audience.store import buffer, day_salt
from blog.extensions import db
from blog.models import AudienceDay, PageView, VisitorSalt

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
BROWSER = {"User-Agent": FIREFOX, "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


def send(client, page: str, referrer: str = "", query: str = "", ip: str = "203.0.113.7",
         **headers: str):  # fmt: skip
    return client.post(
        "/hit",
        query_string={"p": page, "r": referrer, "q": query},
        headers=BROWSER | headers,
        environ_base={"REMOTE_ADDR": ip},
    )


def flushed(app) -> list[PageView]:
    buffer(app).flush()
    db.session.commit()  # read what the flush committed, not an older snapshot
    return list(db.session.scalars(sa.select(PageView).order_by(PageView.id)))


def test_a_page_from_the_cache_carries_the_beacon_and_its_view_counts(app, client, article):
    first = client.get(f"/article/{article.slug}")
    second = client.get(f"/article/{article.slug}")
    assert second.headers["X-Cache"] == "HIT"
    assert f'data-page="article:{article.id}"' in second.get_data(as_text=True)
    assert "/static/count.js" in second.get_data(as_text=True)

    for _ in (first, second):
        response = send(client, f"article:{article.id}")
        assert response.status_code == 204
        assert response.headers["Cache-Control"] == "no-store"

    views = flushed(app)
    assert [(v.page, v.page_id, v.source) for v in views] == [("article", article.id, "direct")] * 2


def test_counting_expires_no_cached_page(app, client, article):
    from blog.audience.rollup import prune
    from blog.models import SiteState

    client.get(f"/article/{article.slug}")
    before = db.session.execute(sa.select(SiteState.version, SiteState.comments_version)).one()

    send(client, f"article:{article.id}")
    flushed(app)
    roll_up()
    prune()

    after = db.session.execute(sa.select(SiteState.version, SiteState.comments_version)).one()
    assert after == before
    assert client.get(f"/article/{article.slug}").headers["X-Cache"] == "HIT"


def test_home_sections_and_tags_name_themselves(client, article, category):
    assert 'data-page="home"' in client.get("/").get_data(as_text=True)
    page = client.get(f"/category/{category.slug}").get_data(as_text=True)
    assert f'data-page="section:{category.id}"' in page


def test_views_wait_in_the_buffer_and_are_written_in_one_batch(app, client, article):
    for _ in range(5):
        send(client, f"article:{article.id}")

    assert db.session.scalar(sa.select(sa.func.count(PageView.id))) == 0
    assert len(flushed(app)) == 5
    assert buffer(app).flush() == 0


@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0 Safari/537.36",
    "curl/8.5.0",
    "python-requests/2.32",
    "",
])  # fmt: skip
def test_bots_are_not_counted(app, client, article, agent):
    response = send(client, f"article:{article.id}", **{"User-Agent": agent})

    assert response.status_code == 204
    assert flushed(app) == []


def test_a_logged_in_editor_is_not_counted_and_gets_no_beacon(app, client, auth, editor, article):
    auth.login(editor)

    page = client.get(f"/article/{article.slug}").get_data(as_text=True)
    response = send(client, f"article:{article.id}")

    assert "count.js" not in page and "/hit" not in page
    assert response.status_code == 204
    assert flushed(app) == []


def test_a_logged_in_reader_is_counted(app, client, auth, reader, article):
    auth.login(reader)

    assert "count.js" in client.get(f"/article/{article.slug}").get_data(as_text=True)
    send(client, f"article:{article.id}")

    assert len(flushed(app)) == 1


def test_another_site_cannot_count_views(app, client, article):
    send(client, f"article:{article.id}", **{"Sec-Fetch-Site": "cross-site"})
    client.post(f"/hit?p=article:{article.id}",
                headers={"User-Agent": FIREFOX, "Origin": "https://evil.example"})  # fmt: skip

    assert flushed(app) == []


@pytest.mark.parametrize("page", ["article:x", "user:1", "article:1234567890", "", "home:1"])
def test_unknown_page_names_are_not_counted(app, client, page):
    assert send(client, page).status_code == 204
    assert flushed(app) == []


def test_without_javascript_the_image_counts_with_its_campaign(app, client, article):
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert f'<noscript><img class="hit" src="/hit?p=article:{article.id}"' in page

    response = client.get(
        f"/hit?p=article:{article.id}",
        headers=BROWSER | {"Referer": "http://localhost/article/x?utm_source=mastodon&utm_campaign=cop31"},
    )  # fmt: skip

    assert response.status_code == 200 and response.mimetype == "image/gif"
    [view] = flushed(app)
    assert (view.source, view.utm_source, view.utm_campaign) == ("direct", "mastodon", "cop31")


@pytest.mark.parametrize(("referrer", "query", "source", "host"), [
    ("https://www.google.com/", "", "search", "google.com"),
    ("https://www.google.co.uk/search?q=harbour", "", "search", "google.co.uk"),
    ("https://duckduckgo.com/", "", "search", "duckduckgo.com"),
    ("https://t.co/abc", "", "social", "t.co"),
    ("https://m.facebook.com/story", "", "social", "m.facebook.com"),
    ("", "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly", "newsletter", ""),
    ("", "", "direct", ""),
    ("http://localhost/", "", "internal", ""),
    ("https://example.org/a/b?secret=1", "", "other", "example.org"),
    ("javascript:alert(1)", "", "direct", ""),
    ("https://<script>.example/", "", "direct", ""),
])  # fmt: skip
def test_referrers_are_kept_as_a_class_and_a_host(app, client, article, referrer, query, source,
                                                  host):  # fmt: skip
    send(client, f"article:{article.id}", referrer=referrer, query=query)

    [view] = flushed(app)
    assert (view.source, view.referrer) == (source, host)


def test_hostile_campaigns_are_cut_to_printable_text(app, client, article):
    query = "?utm_campaign=" + "%3Cscript%3E%00%1b" + "x" * 200 + "&utm_source=%E2%80%AEevil"
    send(client, f"article:{article.id}", query=query)

    [view] = flushed(app)
    assert view.utm_campaign == "<script>" + "x" * 52
    assert view.utm_source == "evil"


def test_the_same_reader_twice_a_day_is_one_visitor(app, client, article, category):
    send(client, f"article:{article.id}")
    send(client, f"section:{category.id}")
    send(client, "home", ip="198.51.100.9")  # someone else
    buffer(app).flush()
    db.session.commit()
    roll_up()

    day = db.session.scalars(sa.select(AudienceDay)).one()
    assert (day.views, day.visitors) == (3, 2)
    send(client, "home")  # the first reader again, after the roll-up
    buffer(app).flush()
    db.session.commit()
    roll_up()
    db.session.refresh(day)
    assert (day.views, day.visitors) == (4, 2)


@pytest.mark.parametrize("header", [{"DNT": "1"}, {"Sec-GPC": "1"}])
def test_do_not_track_and_gpc_count_the_view_without_a_visitor(app, client, article, header):
    send(client, f"article:{article.id}", **header)

    [view] = flushed(app)
    assert view.visitor is None
    roll_up()
    day = db.session.scalars(sa.select(AudienceDay)).one()
    assert (day.views, day.visitors) == (1, 0)


def test_the_salt_changes_daily_and_the_old_one_is_gone(app, client, article, monkeypatch):
    send(client, f"article:{article.id}")
    monday = flushed(app)[0].visitor
    old_salt = db.session.scalar(sa.select(VisitorSalt.salt))
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr(beacon, "utcnow", lambda: tomorrow)

    send(client, f"article:{article.id}")
    tuesday = flushed(app)[1].visitor

    assert monday != tuesday
    salts = db.session.execute(sa.select(VisitorSalt.day, VisitorSalt.salt)).all()
    assert [day for day, _ in salts] == [tomorrow.date()]
    assert salts[0][1] != old_salt
    assert old_salt not in {day_salt(tomorrow.date())}


def test_nothing_personal_is_stored(app, client, article):
    send(client, f"article:{article.id}", ip="192.0.2.44")

    [view] = flushed(app)
    stored = " ".join(str(getattr(view, c.key)) for c in PageView.__table__.columns)
    assert "192.0.2.44" not in stored and "Firefox" not in stored
    assert len(view.visitor) == 16
    assert "Set-Cookie" not in send(client, "home").headers


def test_counting_off_counts_nothing(app, client, article):
    app.config["AUDIENCE"] = False
    send(client, f"article:{article.id}")
    assert flushed(app) == []


CHILD = """
import os, sys, time
from blog import create_app
from blog.audience.store import buffer
app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "WTF_CSRF_ENABLED": False,
                  "SQLALCHEMY_DATABASE_URI": os.environ["URI"], "AUDIENCE_FLUSH_SECONDS": 0.5})
client = app.test_client()
headers = {"User-Agent": "Mozilla/5.0 Firefox/133.0", "Sec-Fetch-Site": "same-origin"}
for _ in range(40):
    client.post("/hit?p=home", headers=headers)
time.sleep(1.5)  # at least two intervals: the first 40 are written
for _ in range(7):
    client.post("/hit?p=home", headers=headers)
print("ready", flush=True)
time.sleep(60)
"""


def test_a_killed_worker_loses_at_most_one_interval(app, tmp_path):
    env = dict(os.environ, URI=str(db.engine.url.render_as_string(hide_password=False)),
               BLOG_INSTANCE_PATH=str(tmp_path / "instance"))  # fmt: skip
    db.session.remove()
    with subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE,
                          text=True) as child:  # fmt: skip
        try:
            assert child.stdout.readline().strip() == "ready"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)

    written = db.session.scalar(sa.select(sa.func.count(PageView.id)))
    # The 40 views of the earlier intervals are in; at most the last interval's 7 are lost.
    assert 40 <= written <= 47
