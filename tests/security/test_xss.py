"""Every XSS vector of the corpus through every way user text reaches a page.

Channels: the content pipeline itself (render_article, render_comment), the admin
editor (body, title, summary) then the public article, home, feed and search pages, a
reader's comment, a display name and bio (author page, article byline, comment byline),
a search query, and a username at registration and login. Each rendered page is parsed
with html5lib: inside the sanitized regions only blog.core.content's allowlist may appear,
and nowhere may there be script, handlers, styles, foreign content or a URL whose
scheme is not http, https or mailto.

One site serves the whole module (the vectors do not interfere: each works on its
own article), which keeps ~160 vectors x 8 channels fast; the channels whose pages
list articles run first, while the site is small.
"""

import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from blog.core.content import clean_text, render_article, render_comment
from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Article, Comment, Role
from tests import factories
from tests.conftest import standalone_app
from tests.security.helpers import (
    comment_by,
    document_problems,
    fragment_problems,
    login,
    make_world,
    parse,
    text_of,
)
from tests.security.xss_vectors import VECTORS

IDS = [name for name, _ in VECTORS]
VALUES = [value for _, value in VECTORS]
PAGE_REGIONS = {"article-body": "article", "comment-body": "comment"}
ATOM = "{http://www.w3.org/2005/Atom}"


class Site:
    """The module's app, its actors and their logged-in clients."""


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_db):
    folder = tmp_path_factory.mktemp("xss")
    config = {"COMMENT_MAX_PER_MINUTE": 1_000_000}
    with standalone_app(folder, migrated_db, config) as app:
        s = Site()
        s.app = app
        s.admin = factories.make_user(Role.ADMIN, username="xss_admin")
        s.reader = factories.make_user(Role.READER, username="xss_reader")
        s.author = factories.make_user(Role.AUTHOR, username="xss_author")
        s.world = make_world(s.admin, s.reader, s.author)
        save_settings({"comment_policy": "open"})
        s.byline_comment = factories.make_comment(s.world.article, s.author, "By the author.")
        db.session.commit()
        s.as_admin, s.as_reader, s.as_author = (app.test_client() for _ in range(3))
        login(s.as_admin, s.admin)
        login(s.as_reader, s.reader)
        login(s.as_author, s.author)
        s.anonymous = app.test_client()
        yield s


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def assert_clean(html: str, where: str) -> None:
    problems = document_problems(html, PAGE_REGIONS)
    assert problems == [], f"{where}: {problems}"


# ---------------------------------------------------------------- the pipeline itself


@pytest.mark.parametrize("vector", VALUES, ids=IDS)
def test_render_article_allows_only_the_allowlist(vector):
    assert fragment_problems(render_article(vector), "article") == []


@pytest.mark.parametrize("vector", VALUES, ids=IDS)
def test_render_comment_allows_only_the_allowlist(vector):
    html = render_comment(vector)

    assert fragment_problems(html, "comment") == []
    for a in parse(f"<div>{html}</div>").iter("a"):
        assert a.get("rel") == "nofollow ugc noopener"


@pytest.mark.parametrize("vector", VALUES, ids=IDS)
def test_fediverse_handle(site, vector):
    response = site.as_author.post(
        "/auth/account",
        data={"profile-display_name": "Ann", "profile-fediverse": f"@a{vector[:100]}@x.example"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code in (303, 422), html[:300]
    assert_clean(html, "account form")
    if response.status_code == 303:  # a handle that passed is in the heads of their pages
        for url in (f"/article/{site.world.article.slug}", f"/author/{site.author.username}"):
            assert_clean(site.anonymous.get(url).get_data(as_text=True), url)


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("vector", VALUES, ids=IDS)
def test_search_query(site, vector):
    response = site.anonymous.get("/search", query_string={"q": vector})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_clean(html, "search page")
    (box,) = [i for i in parse(html).iter("input") if i.get("id") == "search-q"]
    assert box.get("value") == clean_text(vector).strip()[: len(box.get("value"))]


# ---------------------------------------------------------------- names


@pytest.mark.parametrize("vector", VALUES, ids=IDS)
def test_display_name_and_bio(site, vector):
    response = site.as_author.post(
        "/auth/account",
        data={"profile-display_name": vector[:80], "profile-bio": vector},
    )
    html = response.get_data(as_text=True)
    assert response.status_code in (303, 422), html[:300]
    if response.status_code == 422:
        # Refused is an outcome too, and must look like one: the form again with its
        # message, the values kept out of the database.
        assert_clean(html, "account form re-rendered")
        assert 'class="error"' in html
        db.session.refresh(site.author)
        assert vector[:80] != site.author.display_name
        return

    author_page = site.anonymous.get(f"/author/{site.author.username}").get_data(as_text=True)
    assert_clean(author_page, "author page")
    heading = [el for el in parse(author_page).iter("h1")][0]
    db.session.refresh(site.author)
    assert same_text(text_of(heading), site.author.name)
    article_page = site.anonymous.get(f"/article/{site.world.article.slug}").get_data(True)
    assert_clean(article_page, "byline and comment byline")
    assert_clean(site.as_author.get("/auth/account").get_data(as_text=True), "account page")
    assert_clean(site.as_admin.get(f"/admin/users/{site.author.id}").get_data(True), "admin")
    ET.fromstring(site.anonymous.get("/feed.xml").get_data())  # the byline is in the feed


@pytest.mark.parametrize("vector", VALUES, ids=IDS)
def test_username_at_registration_and_login(site, vector):
    register = site.anonymous.post(
        "/auth/register",
        data={"username": vector, "email": "x@example.com", "password": "a fine passphrase"},
    )
    log_in = site.anonymous.post("/auth/login", data={"login": vector, "password": "wrong"})

    assert register.status_code == 422
    assert log_in.status_code in (422, 429)
    assert_clean(register.get_data(as_text=True), "register form")
    assert_clean(log_in.get_data(as_text=True), "login form")


# ---------------------------------------------------------------- the admin editor


def editor_form(site, title: str, summary: str, body: str) -> dict:
    return {
        "title": title,
        "summary": summary,
        "body": body,
        "category_id": str(site.world.category.id),
        "tags": "",
        "image_id": "0",
        "status": "published",
        "comments_open": "y",
    }


@pytest.mark.parametrize(("name", "vector"), VECTORS, ids=IDS)
def test_article_body_title_and_summary_through_the_editor(site, name, vector):
    marker = f"vectormarker{IDS.index(name)}"
    body = f"{vector}\n\n{marker}"
    response = site.as_admin.post(
        "/admin/articles/new", data=editor_form(site, vector[:200], vector, body)
    )
    if response.status_code == 422:  # refused (e.g. control characters): the form again
        assert_clean(response.get_data(as_text=True), "editor form re-rendered")
        response = site.as_admin.post(
            "/admin/articles/new", data=editor_form(site, f"Vector {name}", "", body)
        )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    article = db.session.scalar(sa.select(Article).order_by(Article.id.desc()).limit(1))
    assert marker in article.body_source

    page = site.anonymous.get(f"/article/{article.slug}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert_clean(html, "article page")
    h1 = [el for el in parse(html).iter("h1")][0]
    assert same_text(text_of(h1), article.title)

    assert_clean(site.anonymous.get("/").get_data(as_text=True), "home page")
    assert_clean(site.anonymous.get(f"/search?q={marker}").get_data(as_text=True), "search")
    assert_clean(site.as_admin.get(f"/admin/articles/{article.id}/edit").get_data(True), "editor")

    feed = ET.fromstring(site.anonymous.get("/feed.xml").get_data())  # well-formed XML
    entries = {e.findtext(f"{ATOM}title"): e for e in feed.iter(f"{ATOM}entry")}
    entry = entries[article.title]
    assert fragment_problems(entry.findtext(f"{ATOM}content") or "", "article") == []


@pytest.mark.parametrize("vector", VALUES, ids=IDS)
def test_article_preview_is_sanitized(site, vector):
    response = site.as_admin.post(
        "/admin/articles/preview", data=editor_form(site, "Preview", vector, vector)
    )

    assert response.status_code < 500
    assert_clean(response.get_data(as_text=True), "preview")


# ---------------------------------------------------------------- comments


@pytest.mark.parametrize("vector", VALUES, ids=IDS)
def test_comment_body(site, vector):
    article = factories.make_article(author=site.admin, category=site.world.category)
    db.session.commit()

    response = site.as_reader.post(f"/article/{article.slug}/comments", data={"body": vector})

    if response.status_code >= 400:  # refused: the form comes back with the text
        refused = response.get_data(as_text=True)
        assert response.status_code < 500
        assert_clean(refused, "comment form re-rendered")
        assert 'class="error"' in refused  # says why
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Comment.id)).where(Comment.article_id == article.id)
            )
            == 0
        )  # and stored nothing
        return
    html = site.as_reader.get(f"/article/{article.slug}").get_data(as_text=True)
    assert_clean(html, "article with comment")
    comment = comment_by(site.reader)
    assert comment.article_id == article.id
    if comment.status == "approved":
        html = site.anonymous.get(f"/article/{article.slug}").get_data(as_text=True)
        assert_clean(html, "article with comment, anonymous")
    queue = site.as_admin.get("/admin/comments", query_string={"view": "all", "q": article.title})
    assert_clean(queue.get_data(as_text=True), "moderation queue")


# ---------------------------------------------------------------- the checker itself

CAUGHT = [
    '<img src="x" onerror="alert(1)">',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<script>alert(1)</script>",
    "<svg><a>x</a></svg>",
    '<p style="color:red">x</p>',
    "<style>p{}</style>",
    '<iframe src="https://example.com"></iframe>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]


@pytest.mark.parametrize("html", CAUGHT)
def test_the_checker_catches_what_it_must(html):
    assert fragment_problems(html, "article")
