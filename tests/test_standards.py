"""Web standards the site keeps, checked with the real checkers.

- every page type, anonymous, logged in and admin, through the Nu HTML Checker
  (vnu-jar, one JVM run for all pages): 0 errors;
- the Atom feeds carry RFC 4287's required elements;
- sitemap.xml is valid against the sitemaps.org XSD (shipped in npm `sitemap`);
- the article's JSON-LD has Google's NewsArticle fields and a BreadcrumbList, the home
  page WebSite and NewsMediaOrganization.
"""

import json
import subprocess
from datetime import datetime

import sqlalchemy as sa
from lxml import etree

from blog.core.content import render_article
from blog.extensions import db
from blog.models import Upload
from tests import factories
from tests.conftest import logged_in_client
from tests.security.conftest import world  # noqa: F401 - the fixture
from tests.security.helpers import EXTRA_URLS, build, login, rules
from tests.shared import image_bytes, upload
from tests.tools import SITEMAP_XSD, VNU_JAR, java, tool

ATOM = "{http://www.w3.org/2005/Atom}"
LD_JSON = '<script type="application/ld+json">'


def pages_of(app, world, who: str) -> dict[str, str]:  # noqa: F811
    """URL -> HTML of every GET page `who` can reach (redirects and non-HTML left out)."""
    client = app.test_client()
    actor = world.reader if who == "reader" else world.admin
    if who != "anonymous":
        login(client, actor)
    pages = {}
    for url in [build(app, rule, world, actor) for rule in rules(app, "GET")] + EXTRA_URLS:
        response = client.get(url)
        if (
            response.mimetype == "text/html"
            and response.status_code < 300
            or (response.mimetype == "text/html" and response.status_code >= 400)
        ):
            pages[url] = response.get_data(as_text=True)
    return pages


def picture_in_a_body(app, world) -> None:  # noqa: F811
    """The world's article and page show a real upload in their bodies (a <picture>,
    srcset, sizes, lazy loading), as an author writes it."""
    upload(logged_in_client(app, world.admin), image_bytes("JPEG", size=(1200, 800)), "a.jpg")
    src = "/uploads/" + db.session.scalar(sa.select(Upload.filename).order_by(Upload.id.desc()))
    markdown = (
        f"![At the top]({src})\n\nText.\n\n"
        f'<figure><img src="{src}" alt="Pier" width="300"></figure>'
    )
    for row in (world.article, world.page):
        row.body_source, row.body_html = markdown, render_article(markdown)
    db.session.commit()


def test_every_page_passes_the_nu_html_checker(app, world, tmp_path):  # noqa: F811
    jar, runtime = tool(VNU_JAR), java()
    picture_in_a_body(app, world)
    files = {}
    for who in ("anonymous", "reader", "admin"):
        for n, (url, html) in enumerate(pages_of(app, world, who).items()):
            path = tmp_path / f"{who}-{n:03}.html"
            path.write_text(html)
            files[path.as_uri()] = f"{who} {url}"

    result = subprocess.run(
        [runtime, "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json",
         "--exit-zero-always", *[str(p) for p in sorted(tmp_path.glob("*.html"))]],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip

    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{files.get(m.get('url'), m.get('url'))}: {m['message']} [{m.get('extract', '')}]"
        for m in messages
        if m["type"] == "error"
    ]
    assert len(files) >= 60
    assert sum("<picture><source" in path.read_text() for path in tmp_path.glob("*.html")) >= 2
    assert errors == []


def rfc3339(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def check_atom(xml: bytes) -> int:
    """Asserts RFC 4287's required elements; returns the number of entries."""
    feed = etree.fromstring(xml)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    rfc3339(feed.findtext(f"{ATOM}updated"))
    self_links = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert len(self_links) == 1 and self_links[0].get("href").startswith("http")
    entries = feed.findall(f"{ATOM}entry")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        rfc3339(entry.findtext(f"{ATOM}updated"))
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        alternate = [
            link for link in entry.findall(f"{ATOM}link") if link.get("rel") in (None, "alternate")
        ]
        assert entry.find(f"{ATOM}content") is not None or alternate
        assert all(link.get("href").startswith("http") for link in alternate)
    return len(entries)


def test_atom_feeds_have_rfc_4287s_required_elements(client, world):  # noqa: F811
    for url in ("/feed.xml", f"/category/{world.category.slug}/feed.xml"):
        response = client.get(url)

        assert response.status_code == 200
        assert response.mimetype == "application/atom+xml"
        assert check_atom(response.data) >= 1, url


def test_sitemap_is_valid_against_the_sitemaps_org_schema(client, world):  # noqa: F811
    schema = etree.XMLSchema(etree.parse(str(tool(SITEMAP_XSD))))

    document = etree.fromstring(client.get("/sitemap.xml").data)

    assert schema.validate(document), schema.error_log
    locations = [loc.text for loc in document.iter("{*}loc")]
    assert f"http://newsroom.test/article/{world.article.slug}" in locations


def json_ld(html: str):
    start = html.index(LD_JSON) + len(LD_JSON)
    return json.loads(html[start : html.index("</script>", start)])


def test_article_json_ld_has_newsarticle_fields_and_breadcrumbs(client, world):  # noqa: F811
    plain = factories.make_article("No picture today", category=world.category)
    db.session.commit()

    for article in (world.article, plain):
        data = json_ld(client.get(f"/article/{article.slug}").get_data(as_text=True))

        assert data["@type"] == "NewsArticle"
        assert data["headline"] == article.title
        assert data["image"] and all(
            url.startswith("http://newsroom.test/") for url in data["image"]
        )
        assert rfc3339(data["datePublished"]) <= rfc3339(data["dateModified"])
        assert "." not in data["datePublished"]  # no microseconds
        # An array of Person in byline order (issue 26); world.article credits a guest too.
        assert data["author"] and all(
            person["@type"] == "Person" and person["name"] and
            person["url"].startswith(("http://newsroom.test/author/",
                                      "http://newsroom.test/contributors/"))
            for person in data["author"]
        )  # fmt: skip
        assert data["publisher"]["name"] == "The Newsroom"
        assert data["publisher"]["logo"]["url"].startswith("http://newsroom.test/static/logo.png")
        trail = data["mainEntityOfPage"]["breadcrumb"]
        assert trail["@type"] == "BreadcrumbList"
        assert [item["position"] for item in trail["itemListElement"]] == [1, 2, 3]
        assert [item["name"] for item in trail["itemListElement"]][1:] == [
            world.category.name,
            article.title,
        ]


def test_home_has_website_and_news_media_organization(client, world):  # noqa: F811
    data = json_ld(client.get("/").get_data(as_text=True))

    by_type = {item["@type"]: item for item in data}
    assert set(by_type) == {"WebSite", "NewsMediaOrganization"}
    assert by_type["WebSite"]["url"] == "http://newsroom.test/"
    target = by_type["WebSite"]["potentialAction"]["target"]["urlTemplate"]
    assert target == "http://newsroom.test/search?q={search_term_string}"
    assert by_type["NewsMediaOrganization"]["logo"]["url"].startswith(
        "http://newsroom.test/static/"
    )
    # Later pages name only the publisher (issue 26: every page does), not the WebSite.
    later = json_ld(client.get("/?page=2").get_data(as_text=True))
    assert later["@type"] == "NewsMediaOrganization"
    assert "WebSite" not in client.get("/?page=2").get_data(as_text=True)
