"""Imports map co-authors (issue 26): a Ghost post with several authors credits them
all, in Ghost's order, as accounts; a re-run changes nothing."""

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, ArticleByline
from tests.shared import GHOST, ghost_images


def credits(slug: str) -> list[str]:
    story = db.session.scalar(sa.select(Article).where(Article.slug == slug))
    return [p.username for p in story.credits]


def test_a_ghost_post_with_two_authors_credits_both_in_order(app, runner, tmp_path):
    images = ghost_images(tmp_path / "images")
    result = runner.invoke(args=["import-ghost", str(GHOST / "ghost-5.json"), "--images", images])
    db.session.remove()

    assert result.exit_code == 0, result.output
    assert credits("storm-closes-the-harbour") == ["mira", "jon"]
    story = db.session.scalar(sa.select(Article).where(Article.slug == "storm-closes-the-harbour"))
    assert story.author.username == "mira"
    rows = db.session.scalar(sa.select(sa.func.count(ArticleByline.id)))

    again = runner.invoke(args=["import-ghost", str(GHOST / "ghost-5.json"), "--images", images])
    db.session.remove()

    assert again.exit_code == 0, again.output
    assert credits("storm-closes-the-harbour") == ["mira", "jon"]
    assert db.session.scalar(sa.select(sa.func.count(ArticleByline.id))) == rows
