"""Demo content for a new site: `load_demo()` adds sample staff, readers, articles and comments.

All of it is original fiction written for this project: the articles are Markdown files
in blog/demo/articles (read by `blog.demo.stories`), the people and comments are in
`blog.demo.people`, the featured images in blog/static/demo (drawn by
`blog.demo.images`). Loading is idempotent: an article whose slug is taken (or was
taken, see SlugRedirect) is skipped, and so is a user whose username or email exists,
so running it twice adds nothing.
"""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from blog.auth.api import normalize_email, normalize_username
from blog.core.cache.site import get_settings
from blog.core.content import reading_time, render_article, render_comment, slugify
from blog.core.database import writing
from blog.core.seed import DEFAULT_CATEGORIES
from blog.core.settings import save_settings
from blog.core.types import utcnow
from blog.demo.people import COMMENTS, READERS, STAFF, DemoComment, DemoUser
from blog.demo.policies import add_policy_pages
from blog.demo.stories import demo_articles
from blog.donations.api import EXAMPLE_CHOICES
from blog.extensions import db
from blog.models import (
    Article,
    ArticleStatus,
    Category,
    Comment,
    CommentStatus,
    Role,
    SlugRedirect,
    Tag,
    User,
)

# The demo's labels follow its sections (issue 26: what kind of piece it is).
LABELS = {"Opinion": "Opinion", "News Analysis": "Analysis"}


def load_demo() -> str:
    """Add whatever demo content is missing, commit, and return a one-line summary.

    Needs an app context and the migrated database. Categories missing from the site
    (say, renamed by an admin) are created. Demo accounts get long random passwords that
    are never shown: nobody can log in as them until an admin resets them.
    """
    now = utcnow().replace(second=0, microsecond=0)

    # The slow part first (password hashing, Markdown), before the write transaction.
    new_users = [
        (spec, normalize_username(spec.username), normalize_email(spec.email))
        for spec in STAFF + READERS
    ]
    new_users = [(s, name, mail) for s, name, mail in new_users if not _user_exists(name, mail)]
    hashes = {name: generate_password_hash(_random_password()) for _, name, _ in new_users}
    new_articles = [(spec, slugify(spec.title)) for spec in demo_articles()]
    new_articles = [(spec, slug) for spec, slug in new_articles if not _slug_taken(slug)]
    bodies = {slug: render_article(spec.body) for spec, slug in new_articles}

    with writing():
        for spec, name, mail in new_users:
            if not _user_exists(name, mail):  # someone may have registered meanwhile
                db.session.add(_make_user(spec, name, mail, hashes[name]))
        db.session.flush()
        users = {
            user.username: user
            for user in db.session.scalars(
                sa.select(User).where(
                    User.username.in_([normalize_username(u.username) for u in STAFF + READERS])
                )
            )
        }

        added: dict[str, Article] = {}
        for spec, slug in new_articles:
            if _slug_taken(slug):
                continue
            html = bodies[slug]
            published_at = now - timedelta(days=spec.days_ago)
            created_at = min(published_at, now) - timedelta(hours=3)
            article = Article(
                title=spec.title,
                slug=slug,
                summary=spec.summary,
                body_source=spec.body,
                body_html=html,
                status=ArticleStatus.PUBLISHED,
                published_at=published_at,
                created_at=created_at,
                updated_at=min(published_at, now),
                author=users.get(spec.author),
                category=_category(spec.category),
                tags=[_tag(name) for name in spec.tags],
                image_path=f"demo/{spec.image}" if spec.image else "",
                image_alt=spec.image_alt,
                reading_time=reading_time(html),
                label="Review"
                if spec.title.startswith("Review")
                else LABELS.get(spec.category, "News"),
            )
            db.session.add(article)
            added[spec.title] = article
        db.session.flush()

        comments = 0
        for spec in COMMENTS:
            article = added.get(spec.article)
            if article is not None and article.is_public:
                comments += _add_comment(spec, article, users, now)

        if not get_settings().get("donate_choices"):
            # A new user pressing Donate finds choices to try, marked as examples, and
            # the donate page and the admin ask for real ones (blog/donations/appeal.py).
            save_settings({
                "donate_choices": EXAMPLE_CHOICES, "donate_goal": 200,
                "donate_goal_text": "Help us reach 200 supporters this season.",
            })  # fmt: skip

        policies = add_policy_pages()
        staff_names = {normalize_username(u.username) for u in STAFF}
        staff_added = sum(1 for _, name, _ in new_users if name in staff_names)
        readers_added = len(new_users) - staff_added
        db.session.commit()

    if not added and not new_users and not policies:
        return "Demo content: nothing to add, it is already loaded."
    scheduled = sum(1 for a in added.values() if a.published_at > now)
    return (
        f"Demo content: {len(added)} articles ({scheduled} scheduled), "
        f"{staff_added} staff, {readers_added} readers, {comments} comments, "
        f"{policies} policy pages added."
    )


def _random_password() -> str:
    return secrets.token_urlsafe(24)


def _user_exists(username: str, email: str) -> bool:
    found = db.session.scalar(
        sa.select(User.id).where(sa.or_(User.username == username, User.email == email))
    )
    return found is not None


def _make_user(spec: DemoUser, username: str, email: str, password_hash: str) -> User:
    return User(
        username=username,
        email=email,
        password_hash=password_hash,
        display_name=spec.display_name,
        bio=spec.bio,
        role=Role.from_label(spec.role),
        email_confirmed_at=utcnow(),  # demo people comment at once
    )


def _slug_taken(slug: str) -> bool:
    """True if an article has this slug now, or had it before a rename (it redirects)."""
    if db.session.scalar(sa.select(Article.id).where(Article.slug == slug)) is not None:
        return True
    return (
        db.session.scalar(sa.select(SlugRedirect.id).where(SlugRedirect.old_slug == slug))
        is not None
    )


def _category(name: str) -> Category:
    """The site's category with this name or its slug; created if the site lacks it."""
    slug = slugify(name)
    category = db.session.scalar(
        sa.select(Category).where(sa.or_(Category.slug == slug, Category.name == name))
    )
    if category is None:
        description = dict(DEFAULT_CATEGORIES).get(name, "")
        position = db.session.scalar(sa.select(sa.func.count(Category.id))) or 0
        category = Category(name=name, slug=slug, description=description, position=position)
        db.session.add(category)
        db.session.flush()
    return category


def _tag(name: str) -> Tag:
    slug = slugify(name)
    tag = db.session.scalar(sa.select(Tag).where(sa.or_(Tag.slug == slug, Tag.name == name)))
    if tag is None:
        tag = Tag(name=name, slug=slug)
        db.session.add(tag)
        db.session.flush()
    return tag


def _add_comment(
    spec: DemoComment,
    article: Article,
    users: dict[str, User],
    now: datetime,
    parent: Comment | None = None,
) -> int:
    """Add an approved comment and its replies; returns how many were added."""
    author = users.get(spec.author)
    if author is None:
        return 0
    created_at = min(article.published_at + timedelta(hours=spec.hours_after), now)
    comment = Comment(
        article_id=article.id,
        author_id=author.id,
        parent_id=parent.id if parent is not None else None,
        body_source=spec.body,
        body_html=render_comment(spec.body),
        status=CommentStatus.APPROVED,
        created_at=created_at,
    )
    db.session.add(comment)
    db.session.flush()
    # An SQL increment, as everywhere else, so a concurrent comment is not lost.
    db.session.execute(Article.comment_count_change(article.id, +1))
    return 1 + sum(_add_comment(reply, article, users, now, comment) for reply in spec.replies)
