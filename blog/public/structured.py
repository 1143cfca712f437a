"""schema.org data (JSON-LD) for search engines: NewsArticle with its BreadcrumbList
on article pages, WebSite and NewsMediaOrganization on the home page.

Each function returns a dict the templates write with `|tojson` (which escapes `<`, so
the data block cannot end early). Every URL is absolute, from SITE_URL. The fields are
the ones Google documents for articles: headline, image, datePublished, dateModified,
author (an array of Person with name and url, in byline order) and publisher (name,
logo). The article's label picks the NewsArticle subtype (blog/trust/labels.py).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for

from blog.core.assets import static_version
from blog.core.cache.site import get_settings
from blog.core.imagesets import image_url
from blog.core.templating import absolute_url, iso_datetime
from blog.models import Article
from blog.trust.api import crop_urls, person_url, policy_links, schema_type, uploaded_logo

CONTEXT = "https://schema.org"
LOGO = "logo.png"  # blog/static/logo.png, 512 x 512
LOGO_SIZE = 512


def site_url() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def logo_url() -> str:
    return site_url() + url_for("static", filename=LOGO, v=static_version(LOGO))


def organization() -> dict:
    """The newsroom as a NewsMediaOrganization (the publisher of every article), with
    the logo uploaded in settings (else the shipped one) and its published policies."""
    site = get_settings()
    url, width, height = uploaded_logo() or (logo_url(), LOGO_SIZE, LOGO_SIZE)
    return {
        "@type": "NewsMediaOrganization",
        "name": site["site_name"],
        "url": absolute_url("public.index"),
        "logo": {"@type": "ImageObject", "url": url, "width": width, "height": height},
        **policy_links(),
    }


def publisher_ld() -> dict:
    """The organization alone, for every page but the home page (which has it already)."""
    return {"@context": CONTEXT, **organization()}


def home_ld() -> list[dict]:
    """WebSite (with its search) and the organization, for the home page."""
    site = get_settings()
    home = absolute_url("public.index")
    website = {
        "@context": CONTEXT,
        "@type": "WebSite",
        "name": site["site_name"],
        "description": site["tagline"],
        "url": home,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute_url("public.search") + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }
    about = {"@context": CONTEXT, **organization(), "description": site["about"]}
    return [website, about]


def breadcrumbs(article: Article, url: str) -> dict:
    """Home > section > article."""
    trail = [
        (get_settings()["site_name"], absolute_url("public.index")),
        (article.category.name, absolute_url("public.category", slug=article.category.slug)),
        (article.title, url),
    ]
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": link}
            for n, (name, link) in enumerate(trail, start=1)
        ],
    }


def news_article_ld(article: Article, url: str, updated: datetime | None) -> dict:
    """NewsArticle data for an article page; its page carries the BreadcrumbList."""
    data: dict = {
        "@context": CONTEXT,
        "@type": schema_type(article.label),
        "headline": article.title[:110],
        "description": article.summary,
        "url": url,
        "mainEntityOfPage": {
            "@type": "WebPage",
            "@id": url,
            "breadcrumb": breadcrumbs(article, url),
        },
        # The featured image's 16:9, 4:3 and 1:1 crops, else the picture; without one
        # the newsroom's logo stands in: Google requires an image.
        "image": [site_url() + src for src in crop_urls(article)]
        or ([site_url() + picture] if (picture := image_url(article)) else [logo_url()]),
        "datePublished": iso_datetime(article.published_at),
        "dateModified": iso_datetime(updated or article.published_at),
        "articleSection": article.category.name,
        "keywords": [t.name for t in article.tags],
        "publisher": organization(),
    }
    if article.credits:
        data["author"] = [
            {"@type": "Person", "name": person.name, "url": site_url() + person_url(person)}
            for person in article.credits
        ]
    return data
