"""The comment form's signed start token, with the text sent, is an idempotency key: one
form posted twice with the same text, one comment.

A 502 after the commit leaves the reader to press again (nginx does not retry a POST);
the second POST with the same token answers with the first comment, no duplicate.
"""

import re

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment


def started_token(client, article) -> str:
    html = client.get(f"/article/{article.slug}").get_data(as_text=True)
    return re.search(r'name="started" value="([^"]+)"', html).group(1)


def post(client, article, body, started):
    return client.post(f"/article/{article.slug}/comments",
                       data={"body": body, "started": started})  # fmt: skip


def comments_of(article) -> list[Comment]:
    return list(db.session.scalars(sa.select(Comment).where(Comment.article_id == article.id)))


def test_a_replayed_comment_post_makes_one_comment_and_answers_with_it(
    client, auth, reader, article, open_policy
):
    auth.login(reader)
    token = started_token(client, article)

    first = post(client, article, "The harbour wall held.", token)
    again = post(client, article, "The harbour wall held.", token)

    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    (comment,) = comments_of(article)
    assert f"#comment-{comment.id}" in again.headers["Location"]
    assert db.session.scalar(sa.select(Article.comment_count).where(Article.id == article.id)) == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already posted" in page


def test_a_new_form_posts_a_new_comment(client, auth, reader, article, open_policy):
    auth.login(reader)

    post(client, article, "First thought.", started_token(client, article))
    post(client, article, "Second thought.", started_token(client, article))

    assert sorted(c.body_source for c in comments_of(article)) == ["First thought.",
                                                                   "Second thought."]  # fmt: skip


def test_the_same_form_rewritten_posts_a_second_comment(client, auth, reader, article, open_policy):
    auth.login(reader)
    token = started_token(client, article)  # the form kept by the browser's Back button

    first = post(client, article, "First draft of a thought.", token)
    second = post(client, article, "A better thought.", token)

    assert first.status_code == 302 and second.status_code == 302
    bodies = sorted(c.body_source for c in comments_of(article))
    assert bodies == ["A better thought.", "First draft of a thought."]


def test_each_rendered_form_has_its_own_token(client, auth, reader, article, open_policy):
    auth.login(reader)

    assert started_token(client, article) != started_token(client, article)


def test_someone_elses_token_is_no_key(client, auth, reader, other_reader, article, open_policy):
    auth.login(other_reader)
    theirs = started_token(client, article)
    post(client, article, "Mine.", theirs)
    auth.logout()
    auth.login(reader)

    post(client, article, "Not a replay of theirs.", theirs)

    assert len(comments_of(article)) == 2
