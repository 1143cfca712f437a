"""A comment moves the comments version, not the content version: pages show it at
once (whole-page cache, comment sections, list cards' counts), while the rest of what
workers keep (an article's rendered body, related articles, navigation) stays."""

import pytest
import sqlalchemy as sa

from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Comment, CommentStatus, SiteState
from tests.conftest import logged_in_client
from tests.factories import make_comment

pytestmark = pytest.mark.usefixtures("open_policy")  # readers' comments show at once


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


def versions() -> tuple[int, int]:
    row = db.session.execute(sa.select(SiteState.version, SiteState.comments_version)).one()
    return row[0], row[1]


def kept(app, store: str) -> dict:
    return getattr(app.extensions["blog_public_memo"], store).entries


def test_a_comment_is_visible_everywhere_at_once_and_the_article_body_is_kept(
    app, client, auth, reader, article
):
    path = f"/article/{article.slug}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "HIT"
    assert "1 comment" not in client.get("/").get_data(as_text=True)
    body_fragment = kept(app, "fragments")[("article", article.slug)]
    before = versions()

    reader_client = logged_in_client(app, reader)
    response = reader_client.post(f"{path}/comments", data={"body": "Well done, crew."})

    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1
    after = versions()
    assert after == (before[0], before[1] + 1)  # only the comments version moved
    page = client.get(path)
    assert page.headers["X-Cache"] == "MISS"
    html = page.get_data(as_text=True)
    assert "Well done, crew." in html
    assert "Comments (1)" in html
    assert "1 comment" in client.get("/").get_data(as_text=True)
    # The article's rendered body was not thrown away by the comment.
    assert kept(app, "fragments")[("article", article.slug)] is body_fragment


def test_moderation_moves_the_comments_version_too(app, client, auth, editor, article):
    save_settings({"comment_policy": "all"})
    db.session.commit()
    held = make_comment(article, body="Held for a look.", status=CommentStatus.PENDING)
    db.session.commit()
    path = f"/article/{article.slug}"
    client.get(path)
    assert "Held for a look." not in client.get(path).get_data(as_text=True)
    before = versions()

    editor_client = logged_in_client(app, editor)
    response = editor_client.post(f"/admin/comments/{held.id}/approve")

    assert response.status_code in (302, 303)
    assert versions() == (before[0], before[1] + 1)
    assert "Held for a look." in client.get(path).get_data(as_text=True)
