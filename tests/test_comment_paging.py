"""Threads in pages: ?comments=N, newest first, permalinks, the heading, page sizes."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core.settings import save_settings
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus
from tests.conftest import logged_in_client
from tests.factories import make_article, make_comment, make_user


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


def bulk_thread(article: Article, top: int, replies_every: int = 0, **extra) -> list[int]:
    """`top` top-level comments a minute apart (and a reply under every Nth); their ids."""
    author = make_user()
    start = utcnow() - timedelta(days=30)
    body = "A comment of ordinary length, saying something about the story. " * 3
    html = f"<p>{body}</p>"
    rows = [
        {
            "article_id": article.id,
            "author_id": author.id,
            "body_source": body,
            "body_html": html,
            "status": CommentStatus.APPROVED,
            "created_at": start + timedelta(minutes=i),
            **extra,
        }
        for i in range(top)
    ]
    db.session.execute(sa.insert(Comment), rows)
    ids = list(
        db.session.scalars(
            sa.select(Comment.id).where(Comment.article_id == article.id).order_by(Comment.id)
        )
    )
    replies = [
        {
            "article_id": article.id,
            "author_id": author.id,
            "parent_id": parent,
            "body_source": "A reply.",
            "body_html": "<p>A reply.</p>",
            "status": CommentStatus.APPROVED,
            "created_at": start + timedelta(minutes=i, seconds=30),
        }
        for i, parent in enumerate(ids)
        if replies_every and i % replies_every == 0
    ]
    if replies:
        db.session.execute(sa.insert(Comment), replies)
    db.session.execute(
        sa.update(Article)
        .where(Article.id == article.id)
        .values(comment_count=len(rows) + len(replies))
    )
    db.session.commit()
    return ids


def comment_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="comment[^"]*" id="comment-(\d+)"', html)]


@pytest.fixture
def story(app):
    article = make_article("The story that travelled")
    db.session.commit()
    return article


def test_a_thread_is_shown_fifty_top_level_comments_a_page_with_their_replies(client, story):
    ids = bulk_thread(story, 120, replies_every=10)

    first = client.get(f"/article/{story.slug}").get_data(as_text=True)
    third = client.get(f"/article/{story.slug}?comments=3").get_data(as_text=True)

    top_on_first = [i for i in comment_ids(first) if i in ids]
    assert top_on_first == ids[:50]
    assert [i for i in comment_ids(third) if i in ids] == ids[100:]
    assert "Comments (132)" in first and "Comments (132)" in third  # 120 + 12 replies
    assert "Page 1 of 3" in first and "Page 3 of 3" in third
    assert f'href="/article/{story.slug}?comments=2#comments"' in first
    # A reply comes right after its top-level comment, on that comment's page.
    assert len(comment_ids(first)) == 50 + 5
    assert client.get(f"/article/{story.slug}?comments=4").status_code == 404
    assert client.get(f"/article/{story.slug}?comments=x").status_code == 404


def test_newest_first_is_a_choice_and_the_heading_links_to_the_newest(client, story):
    ids = bulk_thread(story, 60)
    newest = make_comment(story, body="The very latest word.")
    db.session.commit()

    html = client.get(f"/article/{story.slug}?order=newest").get_data(as_text=True)

    assert comment_ids(html)[:3] == [newest.id, ids[-1], ids[-2]]
    assert "<strong>Newest first</strong>" in html
    assert f'href="/comments/{newest.id}">Jump to the newest comment' in html
    location = client.get(f"/comments/{newest.id}").headers["Location"]
    assert location == f"/article/{story.slug}?comments=2#comment-{newest.id}"
    assert newest.id in comment_ids(client.get(location).get_data(as_text=True))


def test_permalinks_redirect_to_the_page_and_anchor_of_the_comment(client, story):
    ids = bulk_thread(story, 130)
    reply = make_comment(story, body="Answering an early one.", parent_id=ids[2])
    late_reply = make_comment(story, body="Answering a late one.", parent_id=ids[-1])
    db.session.commit()

    def location(comment_id: int) -> str:
        response = client.get(f"/comments/{comment_id}")
        assert response.status_code == 302
        return response.headers["Location"]

    assert location(ids[0]) == f"/article/{story.slug}#comment-{ids[0]}"
    assert location(ids[51]) == f"/article/{story.slug}?comments=2#comment-{ids[51]}"
    assert location(reply.id) == f"/article/{story.slug}#comment-{reply.id}"
    assert location(late_reply.id) == f"/article/{story.slug}?comments=3#comment-{late_reply.id}"
    assert client.get("/comments/999999").status_code == 404


def test_held_comments_have_no_permalink_except_for_their_author(app, client, story, reader):
    bulk_thread(story, 55)
    held = make_comment(story, reader, body="Waiting.", status=CommentStatus.PENDING)
    db.session.commit()

    assert client.get(f"/comments/{held.id}").status_code == 404
    mine = logged_in_client(app, reader).get(f"/comments/{held.id}")
    assert mine.headers["Location"] == f"/article/{story.slug}?comments=2#comment-{held.id}"


def test_posting_a_comment_lands_on_its_page(app, story, reader):
    bulk_thread(story, 51)
    client = logged_in_client(app, reader)
    make_comment(story, reader)  # so the "first comment" policy approves at once
    db.session.commit()

    response = client.post(f"/article/{story.slug}/comments", data={"body": "Late to this."})

    new_id = db.session.scalar(sa.select(sa.func.max(Comment.id)))
    assert response.headers["Location"] == f"/article/{story.slug}?comments=2#comment-{new_id}"


def test_comment_pages_are_cached_for_anonymous_readers_and_fresh_after_a_comment(client, story):
    bulk_thread(story, 60)
    url = f"/article/{story.slug}?comments=2"

    first, second = client.get(url), client.get(url)

    assert first.headers["X-Cache"] == "MISS" and second.headers["X-Cache"] == "HIT"
    assert "public" in second.headers["Cache-Control"]
    assert second.data == first.data


def test_the_page_size_is_a_setting(client, story):
    ids = bulk_thread(story, 30)
    save_settings({"comments_per_page": 10})
    db.session.commit()

    html = client.get(f"/article/{story.slug}?comments=2").get_data(as_text=True)

    assert comment_ids(html) == ids[10:20]
    assert "Page 2 of 3" in html


def test_at_three_thousand_comments_pages_stay_small(app, client, story, reader):
    bulk_thread(story, 2000, replies_every=2)  # 2,000 comments and 1,000 replies

    anonymous = client.get(f"/article/{story.slug}")
    member = logged_in_client(app, reader).get(f"/article/{story.slug}")

    assert "Comments (3000)" in anonymous.get_data(as_text=True)
    assert len(anonymous.data) < 150_000, len(anonymous.data)
    assert len(member.data) < 300_000, len(member.data)
    assert member.data.count(b'class="reply-link"') == 50
