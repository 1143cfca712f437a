"""Republish this story (issue 26): a per-article switch, the HTML to copy under the
license in settings, and a first-party pixel counting views per republishing site,
with no cookie and nothing personal kept; editors see the counts."""

import html
import re

import sqlalchemy as sa

from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import RepublishCount
from blog.trust.api import set_bylines
from tests import factories
from tests.factories import article_form as form_data
from tests.factories import make_guest


def open_story(author, category, **kwargs):
    story = factories.make_article("Open to copy", author=author, category=category, **kwargs)
    story.republishable = True
    set_bylines(story, [author, make_guest()])
    db.session.commit()
    return story


def counts() -> dict[str, int]:
    db.session.expire_all()
    return dict(db.session.execute(sa.select(RepublishCount.site, RepublishCount.views)).all())


def test_a_closed_article_offers_nothing(client, article):
    page = client.get(f"/article/{article.slug}").get_data(as_text=True)

    assert "Republish this story" not in page
    assert client.get(f"/article/{article.slug}/republish").status_code == 404
    client.get(f"/republished/{article.id}.gif", headers={"Referer": "https://a.example/x"})
    assert counts() == {}


def test_the_republish_page_gives_the_html_to_copy(client, author, category):
    story = open_story(author, category)

    article_page = client.get(f"/article/{story.slug}").get_data(as_text=True)
    response = client.get(f"/article/{story.slug}/republish")

    assert f'href="/article/{story.slug}/republish">Republish this story</a>' in article_page
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    texts = [html.unescape(t) for t in re.findall(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)]
    snippet, head = texts
    canonical = f"http://newsroom.test/article/{story.slug}"
    assert "<h1>Open to copy</h1>" in snippet
    assert f"By {author.name} and Ines Freelance" in snippet
    assert "<strong>body</strong>" in snippet
    assert f'<a href="{canonical}">' in snippet
    assert '<a href="https://creativecommons.org/licenses/by-nd/4.0/">CC BY-ND 4.0</a>' in snippet
    assert (
        f'<img src="http://newsroom.test/republished/{story.id}.gif" width="1" height="1"'
        in snippet
    )
    assert head == f'<link rel="canonical" href="{canonical}">'
    assert "<script" not in snippet


def test_the_license_comes_from_settings(client, author, category):
    story = open_story(author, category)
    save_settings({"republish_license": "CC BY-NC 4.0"})
    db.session.commit()

    page = html.unescape(client.get(f"/article/{story.slug}/republish").get_data(as_text=True))

    assert '<a href="https://creativecommons.org/licenses/by-nc/4.0/">CC BY-NC 4.0</a>' in page


def test_the_pixel_counts_each_view_per_site_without_a_cookie(client, author, category):
    story = open_story(author, category)
    url = f"/republished/{story.id}.gif"

    first = client.get(url, headers={"Referer": "https://Partner.example/news/open?x=1"})
    client.get(url, headers={"Referer": "https://partner.example/other-page"})
    client.get(url, headers={"Referer": "https://weekly.example/"})
    client.get(url)

    assert first.status_code == 200
    assert first.mimetype == "image/gif"
    assert first.get_data()[:6] == b"GIF89a"
    assert "Set-Cookie" not in first.headers
    assert first.headers["Cache-Control"] == "no-store"
    assert counts() == {"partner.example": 2, "weekly.example": 1, "unknown": 1}
    assert client.get_cookie("session") is None
    assert client.get("/republished/999999.gif").status_code == 200
    assert sum(counts().values()) == 4
    columns = set(RepublishCount.__table__.columns.keys())
    assert columns == {"id", "article_id", "site", "views", "first_seen", "last_seen"}


def test_editors_see_the_counts_authors_do_not(client, auth, editor, author, category):
    story = open_story(author, category)
    client.get(f"/republished/{story.id}.gif", headers={"Referer": "https://partner.example/"})

    auth.login(author)
    assert client.get("/admin/republishing").status_code == 403
    auth.logout()
    auth.login(editor)
    page = client.get("/admin/republishing").get_data(as_text=True)

    row = re.search(r"<tr>\s*<td><a[^>]*>Open to copy</a></td>(.*?)</tr>", page, re.S).group(1)
    assert "<td>partner.example</td>" in row and "<td>1</td>" in row


def test_the_editor_opens_an_article_for_republishing(client, auth, editor, category):
    auth.login(editor)
    story = factories.make_article("To open", category=category)
    db.session.commit()
    form = client.get(f"/admin/articles/{story.id}/edit").get_data(as_text=True)
    base = re.search(r'name="base_version" type="hidden" value="([^"]+)"', form).group(1)

    response = client.post(
        f"/admin/articles/{story.id}/edit",
        data=form_data(
            category, title="To open", status="published", base_version=base, republishable="y"
        ),
    )

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(story), story.id).republishable is True
    assert client.get(f"/article/{story.slug}/republish").status_code == 200
