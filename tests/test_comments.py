"""Comments: posting, replies, moderation policy, edit/delete/report, display."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, ArticleStatus, Comment, CommentStatus
from tests import factories
from tests.factories import make_article, make_comment, make_user


def post_comment(client, article, body="A fine comment.", **extra):
    return client.post(f"/article/{article.slug}/comments", data={"body": body, **extra})


def comments_of(article) -> list[Comment]:
    return db.session.scalars(
        sa.select(Comment).where(Comment.article_id == article.id).order_by(Comment.id)
    ).all()


def count_of(article) -> int:
    return db.session.scalar(sa.select(Article.comment_count).where(Article.id == article.id))


def page_text(client, article) -> str:
    response = client.get(f"/article/{article.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- reading -------------------------------------------------------------------------


def test_anonymous_reader_is_asked_to_log_in_with_a_link_back(client, article):
    html = page_text(client, article)

    assert "You need to log in to leave a comment. Log in" in re.sub(r"<[^>]+>", "", html)
    assert 'href="/auth/login?next=/article/the-harbour-reopens%23comments"' in html
    assert 'name="body"' not in html


def test_logged_in_reader_gets_a_form_with_honeypot_and_timestamp(client, auth, reader, article):
    auth.login(reader)

    html = page_text(client, article)

    assert f'action="/article/{article.slug}/comments"' in html
    assert 'name="body"' in html
    assert "Leave this empty" in html
    assert re.search(r'class="visually-hidden" aria-hidden="true"', html)
    assert re.search(r'name="website"[^>]*tabindex="-1"', html)
    assert 'name="started" value="' in html


def test_comments_show_replies_permalinks_and_deleted_user(client, article, reader):
    top = make_comment(article, reader, body="Top level *point*.")
    reply = make_comment(article, body="A reply.", parent=top)
    orphaned = make_comment(article, body="From a former reader.")
    orphaned.author = None  # the account was deleted
    db.session.commit()

    html = page_text(client, article)

    assert f'id="comment-{top.id}"' in html
    assert f'href="/comments/{reply.id}"' in html
    assert "<em>point</em>" in html
    assert "deleted user" in html and f'id="comment-{orphaned.id}"' in html
    assert "Comments (3)" in html
    # The reply is nested inside its parent's element.
    assert html.index(f'id="comment-{top.id}"') < html.index(f'id="comment-{reply.id}"')


def test_held_comments_are_visible_only_to_their_author(
    client, auth, reader, other_reader, article
):
    make_comment(article, reader, body="Held for review.", status=CommentStatus.PENDING)
    db.session.commit()

    assert "Held for review." not in page_text(client, article)
    auth.login(other_reader)
    assert "Held for review." not in page_text(client, article)
    auth.logout()
    auth.login(reader)
    html = page_text(client, article)
    assert "Held for review." in html
    assert "awaiting moderation" in html


def test_spam_and_removed_comments_are_hidden_from_everyone(client, auth, reader, article):
    make_comment(article, reader, body="Spammy thing.", status=CommentStatus.SPAM)
    make_comment(article, reader, body="Removed thing.", status=CommentStatus.REMOVED)
    db.session.commit()
    auth.login(reader)

    html = page_text(client, article)

    assert "Spammy thing." not in html and "Removed thing." not in html


# --- posting -------------------------------------------------------------------------


def test_reader_posts_a_comment(client, auth, reader, article, open_policy):
    auth.login(reader)

    response = post_comment(client, article, "Good **reporting**.")

    [comment] = comments_of(article)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/article/{article.slug}#comment-{comment.id}"
    assert comment.author_id == reader.id
    assert comment.status == CommentStatus.APPROVED
    assert comment.body_source == "Good **reporting**."
    assert "<strong>reporting</strong>" in comment.body_html
    assert count_of(article) == 1
    html = page_text(client, article)
    assert "<strong>reporting</strong>" in html
    assert "Your comment is posted." in html
    assert "Comments (1)" in html


def test_a_new_comment_does_not_mark_the_article_updated(
    client, auth, reader, article, open_policy
):
    before = article.updated_at
    auth.login(reader)

    post_comment(client, article, "No edit to the article.")

    assert count_of(article) == 1
    assert db.session.get(Article, article.id).updated_at == before


def test_comment_markdown_is_the_small_safe_subset(client, auth, reader, article, open_policy):
    auth.login(reader)
    body = (
        "# Not a heading\n\n![img](http://example.com/x.png)\n\n"
        "<script>alert(1)</script> [site](http://example.com) [bad](javascript:alert(1))"
    )

    post_comment(client, article, body)

    [comment] = comments_of(article)
    assert comment.body_source == body
    html = comment.body_html
    assert "<h1" not in html and "<img" not in html and "<script" not in html
    assert 'href="http://example.com"' in html
    assert 'rel="nofollow ugc noopener"' in html
    assert 'href="javascript' not in html


def test_anonymous_post_redirects_to_login_and_stores_nothing(client, article):
    response = post_comment(client, article)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert "the-harbour-reopens%23comments" in response.headers["Location"]
    assert comments_of(article) == []


@pytest.mark.parametrize(
    "status, published_at",
    [
        (ArticleStatus.DRAFT, None),
        (ArticleStatus.REVIEW, None),
        (ArticleStatus.PUBLISHED, utcnow() + timedelta(days=2)),
    ],
)
def test_only_public_articles_accept_comments(client, auth, reader, status, published_at):
    hidden = make_article(status=status, published_at=published_at)
    db.session.commit()
    auth.login(reader)

    response = post_comment(client, hidden)

    assert response.status_code == 404
    assert comments_of(hidden) == []


def test_unknown_article_is_404(client, auth, reader):
    auth.login(reader)

    assert client.post("/article/nope/comments", data={"body": "x"}).status_code == 404


LONG = "x" * 5001
HUGE = "spam " * (64 * 1024 // 5)


@pytest.mark.parametrize(
    "body, message, kept",
    [
        ("", "Please write something", ""),
        ("   \n\t  ", "Please write something", ""),
        (LONG, "at most 5,000 characters", LONG),
        (HUGE, "at most 5,000 characters", HUGE[:100]),
        ("Hello\x00world", "control characters", "Helloworld"),
        ("bell\x07 and escape\x1b[31m", "control characters", "bell and escape[31m"),
    ],
)
def test_bad_input_gets_the_form_back_with_text_and_message(
    client, auth, reader, article, body, message, kept
):
    auth.login(reader)

    response = post_comment(client, article, body)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert kept in html
    assert comments_of(article) == []
    assert count_of(article) == 0


def test_can_comment_false_is_refused_with_text_kept(client, auth, article):
    muted = make_user(username="muted", can_comment=False)
    db.session.commit()
    auth.login(muted)

    assert "not allowed to post comments" in page_text(client, article)
    response = post_comment(client, article, "Let me speak")

    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "not allowed to post comments" in html
    assert "Let me speak" in html
    assert comments_of(article) == []


def test_closed_article_shows_comments_and_refuses_new_ones(client, auth, reader, article):
    make_comment(article, body="An old comment.")
    article.comments_open = False
    db.session.commit()
    auth.login(reader)

    html = page_text(client, article)
    assert "An old comment." in html
    assert "Comments are closed" in html
    assert 'name="body"' not in html

    response = post_comment(client, article, "Too late?")
    assert response.status_code == 403
    assert "Comments are closed" in response.get_data(as_text=True)
    assert "Too late?" in response.get_data(as_text=True)
    assert len(comments_of(article)) == 1


def test_closed_article_tells_anonymous_readers_too(client, article):
    article.comments_open = False
    db.session.commit()

    html = page_text(client, article)

    assert "Comments are closed" in html
    assert "You need to log in" not in html


# --- moderation policy ---------------------------------------------------------------


def test_first_comment_of_a_new_reader_is_held_by_default(client, auth, reader, article):
    auth.login(reader)

    response = post_comment(client, article, "My first words.")

    [comment] = comments_of(article)
    assert response.status_code == 302
    assert comment.status == CommentStatus.PENDING
    assert count_of(article) == 0
    html = page_text(client, article)
    assert "awaiting moderation" in html
    assert "Comments (0)" in html


def test_first_policy_approves_once_the_reader_has_an_approved_comment(
    client, auth, reader, article
):
    make_comment(article, reader, body="Approved earlier.")
    db.session.commit()
    auth.login(reader)

    post_comment(client, article, "Second words.")

    assert comments_of(article)[-1].status == CommentStatus.APPROVED
    assert count_of(article) == 2


def test_all_policy_holds_every_reader_comment(client, auth, reader, article):
    factories.set_comment_policy("all")
    make_comment(article, reader, body="Approved earlier.")
    db.session.commit()
    auth.login(reader)

    post_comment(client, article, "Held anyway.")

    assert comments_of(article)[-1].status == CommentStatus.PENDING
    assert count_of(article) == 1


@pytest.mark.parametrize("actor", ["author", "editor", "admin"])
def test_staff_comments_are_never_held(client, auth, article, actor, request):
    factories.set_comment_policy("all")
    user = request.getfixturevalue(actor)
    auth.login(user)

    post_comment(
        client, article, "Staff note with [a](http://a.org) [b](http://b.org) http://c.org"
    )

    assert comments_of(article)[-1].status == CommentStatus.APPROVED
    assert count_of(article) == 1


def test_more_than_the_allowed_links_is_held_even_when_open(
    client, auth, reader, article, open_policy
):
    auth.login(reader)

    post_comment(client, article, "Two links are fine: http://a.org http://b.org")
    post_comment(client, article, "Three are not: http://a.org http://b.org http://c.org")

    first, second = comments_of(article)
    assert first.status == CommentStatus.APPROVED
    assert second.status == CommentStatus.PENDING
    assert count_of(article) == 1


# --- spam defences -------------------------------------------------------------------


def test_filled_honeypot_is_refused_and_explained(client, auth, reader, article, open_policy):
    auth.login(reader)

    response = post_comment(client, article, "Buy now", website="http://spam.example")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Leave this empty" in html and "must be left empty" in html
    assert "Buy now" in html
    assert comments_of(article) == []


class TestMinimumTime:
    @pytest.fixture
    def app_config(self):
        return {"COMMENT_MIN_SECONDS": 5}

    def started(self, app, user, seconds_ago: float) -> str:
        from itsdangerous import TimestampSigner

        from blog.comments.policy import form_started_token

        original = TimestampSigner.get_timestamp
        TimestampSigner.get_timestamp = lambda self: int(original(self) - seconds_ago)
        try:
            return form_started_token(user)
        finally:
            TimestampSigner.get_timestamp = original

    def test_posting_too_soon_after_the_form_is_refused(
        self, app, client, auth, reader, article, open_policy
    ):
        auth.login(reader)

        response = post_comment(client, article, "Fast!", started=self.started(app, reader, 0))

        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "very fast" in html and "Fast!" in html
        assert comments_of(article) == []

    def test_posting_without_a_valid_timestamp_is_refused(
        self, client, auth, reader, article, open_policy
    ):
        auth.login(reader)

        for token in ("", "forged.value.sig"):
            response = post_comment(client, article, "No stamp", started=token)
            assert response.status_code == 400
            assert "could not verify" in response.get_data(as_text=True)
        assert comments_of(article) == []

    def test_another_users_timestamp_is_refused(
        self, app, client, auth, reader, other_reader, article, open_policy
    ):
        auth.login(reader)

        token = self.started(app, other_reader, 60)
        response = post_comment(client, article, "Borrowed", started=token)

        assert response.status_code == 400

    def test_posting_after_the_minimum_time_succeeds(
        self, app, client, auth, reader, article, open_policy
    ):
        auth.login(reader)

        response = post_comment(client, article, "Slow", started=self.started(app, reader, 10))

        assert response.status_code == 302
        assert len(comments_of(article)) == 1

    def test_the_article_form_carries_a_fresh_timestamp(
        self, app, client, auth, reader, article, open_policy
    ):
        auth.login(reader)
        html = page_text(client, article)
        token = re.search(r'name="started" value="([^"]+)"', html).group(1)

        response = post_comment(client, article, "Too quick", started=token)

        assert response.status_code == 400
        # The refusal keeps the original timestamp, so submitting again later works.
        assert token in response.get_data(as_text=True)


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"COMMENT_MAX_PER_MINUTE": 2}

    def test_more_than_the_limit_in_a_minute_is_refused(
        self, client, auth, reader, article, open_policy
    ):
        auth.login(reader)

        statuses = [post_comment(client, article, f"Comment {i}").status_code for i in range(3)]
        response = post_comment(client, article, "One too many")

        assert statuses == [302, 302, 429]
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0
        html = response.get_data(as_text=True)
        assert "too quickly" in html and "One too many" in html
        assert len(comments_of(article)) == 2
        assert count_of(article) == 2

    def test_the_limit_is_per_user(self, client, auth, reader, other_reader, article, open_policy):
        auth.login(reader)
        for i in range(2):
            post_comment(client, article, f"Rita {i}")
        auth.logout()
        auth.login(other_reader)

        assert post_comment(client, article, "Oscar here").status_code == 302
