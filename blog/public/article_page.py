"""The public article page's context, built in one place for the reader's page (rendered
once per content version, see `article_page`) and the editor's preview (`page_context`
on an unsaved article)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from markupsafe import Markup

from blog.core.content import excerpt
from blog.core.imagesets import image_url
from blog.core.templating import absolute_url, json_script, rendered
from blog.donations.api import choices
from blog.models import Article
from blog.public import queries
from blog.public.share import share_links
from blog.public.structured import news_article_ld

# An edit this long after publication is shown as "Updated"; quick typo fixes are not.
UPDATED_AFTER = timedelta(hours=1)


def page_context(
    article: Article,
    url: str,
    updated: datetime | None,
    *,
    related: list[Any] | None = None,
    previous: Any = None,
    next_article: Any = None,
) -> dict[str, Any]:
    """What public/article.html and its parts read about the article itself."""
    return {
        "article": article,
        "url": url,
        "updated": updated,
        "related": related or [],
        "previous": previous,
        "next_article": next_article,
        "share_links": share_links(article.title, url),
        "description": article.summary or excerpt(article.body_html),
        "json_ld": news_article_ld(article, url, updated),
        "donate_choices": choices() if article.donation_appeal else [],
    }


@dataclass(frozen=True)
class ArticlePage:
    """An article page as every reader sees it, rendered once per content version.

    The facts the live part needs (the comment section reads id, slug and
    comments_open; the head, title and card type) and the rendered parts: `main`
    (everything in <main> but the comments), `og_image` and `json_ld` for <head>. No
    comment count: comments do not expire this page (blog/core/cache/invalidation.py).
    """

    id: int
    slug: str
    title: str
    comments_open: bool
    image_url: str | None
    category_slug: str
    url: str
    description: str
    og_image: Markup
    json_ld: Markup
    main: Markup

    @property
    def nbytes(self) -> int:
        return len(self.main) + len(self.og_image) + len(self.json_ld) + len(self.description)


def article_page(slug: str) -> ArticlePage | None:
    """Load and render the public article at `slug` (None if there is none)."""
    found = queries.public_article(slug)
    if found is None:
        return None
    url = absolute_url("public.article", slug=found.slug)
    previous, following = queries.neighbours_of(found)
    updated = (
        found.updated_at
        if found.updated_at
        and (found.updated_at - found.published_at > UPDATED_AFTER or found.corrections)
        else None
    )
    context = page_context(
        found,
        url,
        updated,
        related=queries.teasers(queries.related(found)),
        previous=previous,
        next_article=following,
    )
    truncate = current_app.jinja_env.filters["truncate"]
    return ArticlePage(
        id=found.id,
        slug=found.slug,
        title=found.title,
        comments_open=found.comments_open,
        image_url=image_url(found),
        category_slug=found.category.slug,
        url=url,
        description=truncate(current_app.jinja_env, context["description"], 200),
        og_image=rendered("public/_article_og.html", **context),
        json_ld=json_script(context["json_ld"]),
        main=rendered("public/_article_main.html", **context),
    )
