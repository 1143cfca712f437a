"""Plain functions that make test data; each adds to the session and flushes.

Passwords: every user gets the hash of PASSWORD computed once with a cheap method,
because scrypt at ~0.1 s a call makes a suite crawl.
"""

import itertools
from datetime import timedelta

from werkzeug.security import generate_password_hash

from blog.comments.queries import change_comment_count
from blog.core.content import reading_time, render_article, render_comment, slugify
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import (
    Article,
    ArticleStatus,
    Category,
    Comment,
    CommentStatus,
    GuestAuthor,
    Page,
    Role,
    Tag,
    User,
)

PASSWORD = "a long test passphrase"
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)


def make_user(role: Role = Role.READER, username: str | None = None, **kwargs) -> User:
    n = next(_seq)
    username = username or f"{role.label}{n}"
    user = User(
        username=username,
        email=kwargs.pop("email", f"{username}@example.com"),
        password_hash=PASSWORD_HASH,
        display_name=kwargs.pop("display_name", username.title()),
        role=role,
        # Confirmed unless a test says otherwise (email_confirmed_at=None).
        email_confirmed_at=kwargs.pop("email_confirmed_at", utcnow()),
        **kwargs,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_category(name: str | None = None, **kwargs) -> Category:
    name = name or f"Section {next(_seq)}"
    category = Category(name=name, slug=kwargs.pop("slug", slugify(name)), **kwargs)
    db.session.add(category)
    db.session.flush()
    return category


def make_tag(name: str) -> Tag:
    tag = Tag(name=name, slug=slugify(name))
    db.session.add(tag)
    db.session.flush()
    return tag


def make_article(
    title: str | None = None,
    *,
    author: User | None = None,
    category: Category | None = None,
    body: str = "Some **body** text.\n\n## A subheading\n\n- one\n- two\n",
    status: ArticleStatus = ArticleStatus.PUBLISHED,
    published_at=None,
    tags: list[Tag] | None = None,
    **kwargs,
) -> Article:
    n = next(_seq)
    title = title or f"Article number {n}"
    html = render_article(body)
    article = Article(
        title=title,
        slug=kwargs.pop("slug", slugify(title) or f"article-{n}"),
        summary=kwargs.pop("summary", f"Summary of {title}."),
        body_source=body,
        body_html=html,
        reading_time=reading_time(html),
        status=status,
        published_at=published_at
        if published_at is not None
        else (utcnow() - timedelta(hours=n) if status == ArticleStatus.PUBLISHED else None),
        author=author or make_user(Role.AUTHOR),
        category=category or make_category(),
        tags=tags or [],
        **kwargs,
    )
    db.session.add(article)
    db.session.flush()
    return article


def make_comment(
    article: Article,
    author: User | None = None,
    body: str = "A thoughtful comment.",
    status: CommentStatus = CommentStatus.APPROVED,
    **kwargs,
) -> Comment:
    comment = Comment(
        article=article,
        author=author or make_user(),
        body_source=body,
        body_html=render_comment(body),
        status=status,
        **kwargs,
    )
    db.session.add(comment)
    if status == CommentStatus.APPROVED and not kwargs.get("deleted"):
        # In SQL as the views count it: the article's updated_at stays as it was.
        change_comment_count(article.id, +1)
    db.session.flush()
    db.session.refresh(article, ["comment_count"])
    return comment


def make_page(title: str, body: str = "Page body.", **kwargs) -> Page:
    page = Page(
        title=title,
        slug=kwargs.pop("slug", slugify(title)),
        body_source=body,
        body_html=render_article(body),
        **kwargs,
    )
    db.session.add(page)
    db.session.flush()
    return page


def article_form(category, **overrides) -> dict:
    """The admin editor's form for a new draft in `category`; None drops a field."""
    data = {
        "title": "Rain returns to the valley",
        "slug": "",
        "summary": "After a dry spring.",
        "body": "It **rained** at last.\n\n## What farmers say\n\n- relief\n",
        "category_id": str(category.id),
        "tags": "weather, Farming",
        "image_id": "0",
        "image_alt": "",
        "comments_open": "y",
        "status": "draft",
        "publish_date": "",
        "publish_time": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def set_second_factor_policy(label: str) -> None:
    """Admin > Settings: the lowest role that must log in with a second factor
    ("editor", the site's default; "admin", "author" or "nobody")."""
    from blog.core.settings import save_settings

    save_settings({"second_factor_from": label})
    db.session.commit()


# The site requires a second factor of editors and admins by default. The test sites
# turn that off (tests/conftest.py, tests/live.py, tests/e2e/conftest.py) so the suite's
# staff log in with their password alone, as they did before issue 27; the tests of
# second factors turn it back on with set_second_factor_policy("editor").
TEST_SECOND_FACTOR_POLICY = "nobody"


def set_comment_policy(policy: str) -> None:
    """Admin > Settings > Comments: "open", "first" or "all"."""
    from blog.core.settings import save_settings

    save_settings({"comment_policy": policy})
    db.session.commit()


def make_guest(name="Ines Freelance", **kwargs) -> GuestAuthor:
    """A guest contributor (issue 26): a public profile without an account."""
    guest = GuestAuthor(
        name=name,
        slug=kwargs.pop("slug", name.lower().replace(" ", "-")),
        bio=kwargs.pop("bio", "Reports from the coast."),
        links=kwargs.pop("links", "https://ines.example/"),
        fediverse=kwargs.pop("fediverse", "@ines@social.example"),
        **kwargs,
    )
    db.session.add(guest)
    db.session.flush()
    return guest
