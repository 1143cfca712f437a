"""The demo content: enough original articles in every section, images, idempotent loading."""

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.security import generate_password_hash

import blog.demo.loader
from blog.core.content import plain_text
from blog.core.types import utcnow
from blog.demo.loader import load_demo
from blog.demo.people import COMMENTS
from blog.demo.stories import demo_articles, parse
from blog.extensions import db
from blog.models import Article, Category, Comment, CommentStatus, Role, Tag, User

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """scrypt costs ~0.1 s a user; the demo's seven users do not need it in tests."""
    monkeypatch.setattr(
        blog.demo.loader,
        "generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture
def demo(app):
    return load_demo()


def public_articles() -> list[Article]:
    return list(db.session.scalars(Article.listing()).unique())


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Article, User, Comment, Tag, Category)
    }


def test_demo_fills_every_category_with_public_articles(demo):
    articles = public_articles()

    assert len(articles) >= 24
    for category in db.session.scalars(sa.select(Category)):
        in_category = [a for a in articles if a.category_id == category.id]
        assert len(in_category) >= 2, category.name
    assert demo.startswith(f"Demo content: {len(demo_articles())} articles")


def test_demo_articles_are_structured_and_of_article_length(demo):
    articles = db.session.scalars(sa.select(Article)).all()

    assert len(articles) == len(demo_articles())
    for article in articles:
        assert "<h2>" in article.body_html, article.slug
        assert "<ul>" in article.body_html, article.slug
        assert article.summary
        assert 2 <= len(article.tags) <= 4, article.slug
        assert 250 <= len(plain_text(article.body_html).split()) <= 500, article.slug
        assert article.reading_time >= 1
        assert article.author is not None and article.author.can_write
    assert sum("<blockquote>" in a.body_html for a in articles) >= 5


def test_demo_tags_are_shared_between_articles(demo):
    tags = db.session.scalars(sa.select(Tag)).all()

    assert sum(1 for tag in tags if tag.articles.count() >= 3) >= 5


def test_demo_schedules_some_articles_in_the_future(demo):
    scheduled = [a for a in db.session.scalars(sa.select(Article)) if a.is_scheduled]

    assert 1 <= len(scheduled) <= 3
    assert all(a not in public_articles() for a in scheduled)
    oldest = min(a.published_at for a in public_articles())
    assert (utcnow() - oldest).days <= 31


def test_demo_featured_images_exist_and_are_small(app, demo):
    with_images = db.session.scalars(sa.select(Article).where(Article.image_path != "")).all()

    assert len(with_images) >= 4
    for article in with_images:
        assert article.image_alt
        path = Path(app.static_folder) / article.image_path
        assert path.is_file(), path
        assert path.stat().st_size < 150 * 1024
        with Image.open(path) as image:
            assert image.size == (1200, 675)
            assert image.format == "JPEG"


def test_demo_comments_are_approved_and_counted(demo):
    comments = db.session.scalars(sa.select(Comment)).all()

    expected = sum(1 + len(c.replies) for c in COMMENTS)
    assert len(comments) == expected >= 8
    assert all(c.status == CommentStatus.APPROVED for c in comments)
    assert any(c.parent_id is not None for c in comments)
    for article in db.session.scalars(sa.select(Article)):
        assert article.comment_count == sum(1 for c in comments if c.article_id == article.id)
        assert all(c.created_at <= utcnow() for c in comments)


def test_demo_creates_staff_and_readers_with_unusable_random_passwords(demo):
    users = db.session.scalars(sa.select(User)).all()

    staff = [u for u in users if u.role in (Role.AUTHOR, Role.EDITOR)]
    readers = [u for u in users if u.role == Role.READER]
    assert len(staff) == 3 and all(u.bio and u.display_name for u in staff)
    assert len(readers) == 4
    assert len({u.password_hash for u in users}) == len(users)


def test_loading_twice_adds_nothing(app, demo):
    before = counts()

    again = load_demo()

    assert counts() == before
    assert "nothing to add" in again


def test_demo_command_is_idempotent(app, runner):
    first = runner.invoke(args=["demo"])
    before = counts()
    second = runner.invoke(args=["demo"])

    assert first.exit_code == 0, first.output
    assert f"{len(demo_articles())} articles" in first.output
    assert second.exit_code == 0, second.output
    assert "nothing to add" in second.output
    assert counts() == before


def test_demo_skips_an_article_whose_slug_is_taken(app):
    from tests import factories

    factories.make_article(demo_articles()[0].title)
    db.session.commit()

    summary = load_demo()

    assert summary.startswith(f"Demo content: {len(demo_articles()) - 1} articles")


def test_setup_with_demo_prints_the_admin_credentials(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    env.pop("DATABASE_URL", None)
    env["BLOG_INSTANCE_PATH"] = str(tmp_path / "instance")

    result = subprocess.run(
        [sys.executable, "-c", "from blog.cli import main; main()", "setup", "--demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "username: admin" in lines
    assert any(line.startswith("password: ") and len(line) > 20 for line in lines)
    assert any(line.startswith(f"Demo content: {len(demo_articles())} articles") for line in lines)


def test_an_article_file_with_a_broken_header_names_the_file():
    good = (
        "---\ntitle: T\ncategory: C\nauthor: a\ndays_ago: -2.5\ntags: x, y\nsummary: S\n"
        "---\n\nBody.\n"
    )
    parsed = parse(good)
    assert (parsed.days_ago, parsed.tags, parsed.body, parsed.image) == (
        -2.5,
        ("x", "y"),
        "Body.\n",
        "",
    )
    with pytest.raises(ValueError, match="09-x.md: front matter lacks summary"):
        parse(good.replace("summary: S\n", ""), "09-x.md")
    with pytest.raises(ValueError, match="bad front matter line 'colour: red'"):
        parse(good.replace("tags:", "colour: red\ntags:"), "09-x.md")
    with pytest.raises(ValueError, match="no front matter"):
        parse("Body only.\n", "09-x.md")
