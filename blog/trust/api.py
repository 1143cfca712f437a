"""What other features use of the trust signals: bylines (set, select, link), labels.

- `set_bylines(article, people)`: credit people on an article in order (importers too).
- `credited_clause(user_id)`, `guest_clause(guest_id)`: the articles crediting someone.
- `may_edit(article, user)`, `person_url(person)`.
- The editor's byline slots: `byline_choices()`, `person_key(p)`, `people_from_keys(keys)`.
- `labels()`, `schema_type(label)`, `is_sponsored(label)`, `sponsored_links(html)`.
- `POLICIES`, `policy_links()`, `uploaded_logo()`: the newsroom's policies and logo.
- `republish_counts()`: views of republished copies per article and site.
- `crop_urls(article)`: the featured image's 16:9, 4:3 and 1:1 crops (made when missing).
- `init_templates(app)`: the template helpers the public pages use.
"""

from flask import Flask, current_app
from markupsafe import Markup

from blog.models import Article
from blog.trust.bylines import (
    byline_choices,
    credited_clause,
    guest_clause,
    guest_slug,
    may_edit,
    people_from_keys,
    person_key,
    person_url,
    set_bylines,
)
from blog.trust.crops import crop_urls
from blog.trust.labels import (
    is_sponsored,
    labels,
    schema_type,
    sponsored_disclosure,
    sponsored_links,
)
from blog.trust.policies import POLICIES, policy_links, uploaded_logo
from blog.trust.republish import counts as republish_counts

__all__ = [
    "POLICIES",
    "policy_links",
    "uploaded_logo",
    "byline_choices",
    "crop_urls",
    "credited_clause",
    "guest_clause",
    "guest_slug",
    "init_templates",
    "is_sponsored",
    "labels",
    "may_edit",
    "people_from_keys",
    "person_key",
    "person_url",
    "republish_counts",
    "schema_type",
    "set_bylines",
    "sponsored_links",
]


def reader_body(article: Article) -> Markup:
    """The article's sanitized body as readers get it: a sponsored piece's outbound
    links carry rel="sponsored". Templates: `article | reader_body`."""
    html = article.body_html
    if is_sponsored(article.label or ""):
        html = sponsored_links(html, current_app.config["SITE_URL"])
    return Markup(html)  # noqa: S704 - body_html is sanitized at save time


def init_templates(app: Flask) -> None:
    app.add_template_global(person_url)
    app.add_template_global(sponsored_disclosure)
    app.add_template_filter(reader_body)
    app.add_template_test(is_sponsored, "sponsored")
