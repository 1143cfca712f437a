"""Structured data of every page type, parsed with extruct as search engines parse it
(issue 26): every public page names the publisher, a NewsMediaOrganization with its logo
and policies; articles carry their NewsArticle subtype with Google's required fields and
the author array; profiles are ProfilePage with their Person."""

import extruct

from blog.core.settings import save_settings
from blog.extensions import db
from blog.trust.labels import SCHEMA_TYPES
from tests.security.conftest import world  # noqa: F401 - the fixture
from tests.security.helpers import EXTRA_URLS, build, rules

BASE = "http://newsroom.test"
NEWS_TYPES = {"NewsArticle", *SCHEMA_TYPES.values()}
# The schema.org types the site emits and the properties each must have (schema.org and
# Google's documentation for articles, profile pages and organizations).
REQUIRED = {
    "NewsMediaOrganization": {"name", "url", "logo"},
    "WebSite": {"name", "url"},
    "ProfilePage": {"mainEntity"},
    "Person": {"name", "url"},
    "ImageObject": {"url"},
    "BreadcrumbList": {"itemListElement"},
    "ListItem": {"position", "name", "item"},
    "WebPage": {"@id"},
    "SearchAction": {"target"},
    "EntryPoint": {"urlTemplate"},
    **{
        t: {"headline", "image", "datePublished", "dateModified", "author", "publisher"}
        for t in NEWS_TYPES
    },  # fmt: skip
}
POLICIES = {
    "correctionsPolicy", "ethicsPolicy", "masthead", "ownershipFundingInfo",
    "verificationFactCheckingPolicy", "actionableFeedbackPolicy",
}  # fmt: skip


def public_pages(app, world) -> dict[str, str]:  # noqa: F811
    """URL -> HTML of every public GET page an anonymous reader reaches (as
    tests/test_standards.py walks them for the HTML checker)."""
    client = app.test_client()
    pages = {}
    for url in [build(app, rule, world, world.reader) for rule in rules(app, "GET")] + EXTRA_URLS:
        if url.startswith(("/admin", "/auth", "/account")):
            continue
        response = client.get(url)
        if response.mimetype == "text/html" and response.status_code != 302:
            pages[url] = response.get_data(as_text=True)
    return pages


def items(data) -> list[dict]:
    """Every typed object in a JSON-LD document, nested ones included."""
    found = []
    if isinstance(data, list):
        for value in data:
            found += items(value)
    elif isinstance(data, dict):
        if "@type" in data:
            found.append(data)
        for value in data.values():
            found += items(value)
    return found


def check(url: str, html: str) -> list[dict]:
    top = extruct.extract(html, base_url=BASE + url, syntaxes=["json-ld"])["json-ld"]
    every = items(top)
    for thing in every:
        kind = thing["@type"]
        assert kind in REQUIRED, f"{url}: unexpected type {kind}"
        missing = REQUIRED[kind] - {k for k, v in thing.items() if v not in (None, "", [])}
        assert not missing, f"{url}: {kind} lacks {missing}"
        for key in ("url", "item", "@id"):
            if isinstance(thing.get(key), str):
                assert thing[key].startswith(BASE), f"{url}: {kind}.{key} {thing[key]}"
    assert all(top_item.get("@context") == "https://schema.org" for top_item in top), url
    return every


def test_every_public_page_type_has_valid_structured_data(app, world):  # noqa: F811
    save_settings(
        {
            "policy_corrections": "/pages/corrections-policy",
            "policy_ethics": "/pages/ethics",
            "policy_masthead": "/pages/masthead",
            "policy_ownership": "/pages/ownership",
            "policy_verification": "/pages/verification",
            "policy_feedback": "/pages/feedback",
        }
    )
    world.article.label = "Opinion"
    db.session.commit()
    pages = public_pages(app, world)

    kinds_seen = set()
    for url, html in pages.items():
        every = check(url, html)
        kinds = {t["@type"] for t in every}
        kinds_seen |= kinds
        assert "NewsMediaOrganization" in kinds, f"{url} does not name its publisher"
        org = next(t for t in every if t["@type"] == "NewsMediaOrganization")
        assert org.keys() >= POLICIES, url

    article = check(
        f"/article/{world.article.slug}",
        app.test_client().get(f"/article/{world.article.slug}").get_data(as_text=True),
    )
    story = next(t for t in article if t["@type"] in NEWS_TYPES)
    assert story["@type"] == "OpinionNewsArticle"
    assert [a["@type"] for a in story["author"]] == ["Person", "Person"]
    assert story["author"][1]["url"] == f"{BASE}/contributors/{world.guest.slug}"
    assert all(src.startswith(BASE) for src in story["image"])
    assert {"WebSite", "ProfilePage", "BreadcrumbList", "OpinionNewsArticle"} <= kinds_seen
    assert len(pages) >= 15


def test_profiles_are_profile_pages_of_a_person(app, world):  # noqa: F811
    client = app.test_client()
    for url in (f"/author/{world.author.username}", f"/contributors/{world.guest.slug}"):
        every = check(url, client.get(url).get_data(as_text=True))
        page = next(t for t in every if t["@type"] == "ProfilePage")
        assert page["mainEntity"]["@type"] == "Person"
        assert page["mainEntity"]["url"] == BASE + url
