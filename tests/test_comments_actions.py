"""Comments: replies, editing, deleting, reporting and reply notifications."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, CommentReport, CommentStatus
from tests.factories import make_article, make_comment


def count_of(article) -> int:
    return db.session.scalar(sa.select(Article.comment_count).where(Article.id == article.id))


def get(comment_id: int) -> Comment | None:
    return db.session.get(Comment, comment_id)


def reply(client, article, parent_id, body="A reply."):
    return client.post(
        f"/article/{article.slug}/comments", data={"body": body, "parent_id": str(parent_id)}
    )


# --- replies -------------------------------------------------------------------------


def test_reply_attaches_to_its_parent(client, auth, reader, other_reader, article, open_policy):
    top = make_comment(article, other_reader, body="Top.")
    db.session.commit()
    auth.login(reader)

    response = reply(client, article, top.id, "I agree.")

    new = db.session.scalar(sa.select(Comment).where(Comment.body_source == "I agree."))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/article/{article.slug}#comment-{new.id}"
    assert new.parent_id == top.id
    assert count_of(article) == 2


def test_reply_to_a_reply_attaches_to_the_top_level_comment(
    client, auth, reader, article, open_policy
):
    top = make_comment(article, body="Top.")
    child = make_comment(article, body="Child.", parent=top)
    db.session.commit()
    auth.login(reader)

    reply(client, article, child.id, "Grandchild?")

    new = db.session.scalar(sa.select(Comment).where(Comment.body_source == "Grandchild?"))
    assert new.parent_id == top.id


@pytest.mark.parametrize("kind", ["other article", "missing", "nonsense", "held by someone else"])
def test_reply_to_an_unusable_parent_is_refused_with_text_kept(
    client, auth, reader, article, open_policy, kind
):
    elsewhere = make_article()
    parents = {
        "other article": lambda: make_comment(elsewhere).id,
        "missing": lambda: 99999,
        "nonsense": lambda: "abc",
        "held by someone else": lambda: make_comment(article, status=CommentStatus.PENDING).id,
    }
    parent_id = parents[kind]()
    db.session.commit()
    auth.login(reader)

    response = reply(client, article, parent_id, "Orphan reply")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "no longer exists" in html and "Orphan reply" in html
    assert (
        db.session.scalar(sa.select(Comment).where(Comment.body_source == "Orphan reply")) is None
    )


def test_top_level_comments_link_to_a_reply_page(client, auth, reader, article):
    top = make_comment(article, body="Top.")
    make_comment(article, body="An answer.", parent=top)
    db.session.commit()
    anonymous = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert "An answer." in anonymous
    assert 'class="reply-link"' not in anonymous  # visitors get "log in to leave a comment"
    auth.login(reader)

    html = client.get(f"/article/{article.slug}").get_data(as_text=True)

    # One Reply link per top-level comment, none on replies, and no form per comment.
    assert html.count('class="reply-link"') == 1
    assert f'<a class="reply-link" href="/comments/{top.id}/reply">Reply</a>' in html
    assert 'name="parent_id"' not in html


def test_the_reply_page_quotes_the_comment_and_posts_a_reply(
    client, auth, reader, article, open_policy
):
    top = make_comment(article, body="The *ferry* runs late.")
    answer = make_comment(article, body="An answer.", parent=top)
    db.session.commit()
    auth.login(reader)

    page = client.get(f"/comments/{answer.id}/reply")  # a reply's link answers its thread

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"<title>Reply to {top.author_name} |" in html
    assert '<blockquote class="comment-quote"><p>The <em>ferry</em> runs late.</p>' in html
    assert f'name="parent_id" value="{top.id}"' in html
    assert '<label for="body">Your reply</label>' in html
    started = html.split('name="started" value="')[1].split('"')[0]
    posted = client.post(
        f"/article/{article.slug}/comments",
        data={"body": "It does.", "parent_id": str(top.id), "started": started},
    )
    new = db.session.scalar(sa.select(Comment).where(Comment.body_source == "It does."))
    assert posted.status_code == 302
    assert new.parent_id == top.id and new.status == CommentStatus.APPROVED


def test_the_reply_page_sends_visitors_to_log_in_and_back(client, article):
    top = make_comment(article, body="Top.")
    db.session.commit()

    response = client.get(f"/comments/{top.id}/reply")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/auth/login?next=/comments/{top.id}/reply"


def test_the_reply_page_of_a_hidden_comment_is_not_found(client, auth, reader, article):
    held = make_comment(article, body="Held.", status=CommentStatus.PENDING)
    db.session.commit()
    auth.login(reader)

    assert client.get(f"/comments/{held.id}/reply").status_code == 404
    assert client.get("/comments/999999/reply").status_code == 404


def test_the_reply_page_of_a_closed_thread_says_so(client, auth, reader, article):
    top = make_comment(article, body="Top.")
    article.comments_open = False
    db.session.commit()
    top_id, slug = top.id, article.slug
    auth.login(reader)

    response = client.get(f"/comments/{top_id}/reply")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/article/{slug}#comment-{top_id}"
    assert "so it takes no more replies" in client.get(f"/article/{slug}").get_data(as_text=True)


def test_a_muted_reader_gets_the_reply_page_with_the_reason(client, auth, article):
    from tests.factories import make_user

    top = make_comment(article, body="Top.")
    muted = make_user(username="hushed", can_comment=False)
    db.session.commit()
    auth.login(muted)

    response = client.get(f"/comments/{top.id}/reply")

    assert response.status_code == 403
    assert "not allowed to post comments" in response.get_data(as_text=True)


# --- editing -------------------------------------------------------------------------


def test_author_edits_own_comment(client, auth, reader, article, open_policy):
    comment = make_comment(article, reader, body="Original *text*.")
    db.session.commit()
    auth.login(reader)

    form = client.get(f"/comments/{comment.id}/edit")
    assert form.status_code == 200
    assert "Original *text*." in form.get_data(as_text=True)

    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Better **text**."})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/article/{article.slug}#comment-{comment.id}"
    edited = get(comment.id)
    assert edited.body_source == "Better **text**."
    assert "<strong>text</strong>" in edited.body_html
    assert edited.edited_at is not None
    assert edited.status == CommentStatus.APPROVED
    assert count_of(article) == 1
    html = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert "<strong>text</strong>" in html and 'class="comment-edited"' in html


def test_bad_edit_comes_back_with_text_and_message(client, auth, reader, article):
    comment = make_comment(article, reader, body="Original.")
    db.session.commit()
    auth.login(reader)

    response = client.post(f"/comments/{comment.id}/edit", data={"body": "y" * 6000})

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "at most 5,000 characters" in html and "y" * 6000 in html
    assert get(comment.id).body_source == "Original."
    assert get(comment.id).edited_at is None


def test_editing_in_too_many_links_sends_an_approved_comment_back_to_moderation(
    client, auth, reader, article
):
    comment = make_comment(article, reader, body="Innocent.")
    db.session.commit()
    auth.login(reader)

    client.post(
        f"/comments/{comment.id}/edit", data={"body": "http://a.org http://b.org http://c.org"}
    )

    assert get(comment.id).status == CommentStatus.PENDING
    assert count_of(article) == 0


def test_comments_on_a_closed_article_cannot_be_edited(client, auth, reader, article):
    comment = make_comment(article, reader, body="Original.")
    article.comments_open = False
    db.session.commit()
    auth.login(reader)

    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Changed"})

    assert response.status_code == 403
    assert "Comments are closed" in response.get_data(as_text=True)
    assert get(comment.id).body_source == "Original."


@pytest.mark.parametrize("actor", ["other_reader", "author", "editor", "admin"])
def test_nobody_edits_or_deletes_someone_elses_comment(
    client, auth, reader, article, actor, request
):
    comment = make_comment(article, reader, body="Mine, not yours.")
    db.session.commit()
    auth.login(request.getfixturevalue(actor))

    responses = [
        client.get(f"/comments/{comment.id}/edit"),
        client.post(f"/comments/{comment.id}/edit", data={"body": "Hijacked"}),
        client.post(f"/comments/{comment.id}/delete"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    unchanged = get(comment.id)
    assert unchanged.body_source == "Mine, not yours."
    assert unchanged.edited_at is None and not unchanged.deleted
    assert count_of(article) == 1


def test_comment_by_a_deleted_account_cannot_be_taken_over(client, auth, reader, article):
    comment = make_comment(article, body="Ownerless.")
    comment.author = None  # the account was deleted
    db.session.commit()
    auth.login(reader)

    assert client.post(f"/comments/{comment.id}/edit", data={"body": "x"}).status_code == 403
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    assert get(comment.id).body_source == "Ownerless."


def test_missing_comments_are_404(client, auth, reader):
    auth.login(reader)

    assert client.get("/comments/4242/edit").status_code == 404
    assert client.post("/comments/4242/delete").status_code == 404
    assert client.post("/comments/4242/report").status_code == 404


def test_anonymous_edit_goes_to_login(client, article, reader):
    comment = make_comment(article, reader)
    db.session.commit()

    response = client.get(f"/comments/{comment.id}/edit")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_comment_edit_and_delete_are_not_get(client, auth, reader, article):
    comment = make_comment(article, reader)
    db.session.commit()
    auth.login(reader)

    assert client.get(f"/comments/{comment.id}/delete").status_code == 405
    assert get(comment.id) is not None


# --- deleting ------------------------------------------------------------------------


def test_deleting_a_comment_without_replies_removes_it(client, auth, reader, article):
    comment_id = make_comment(article, reader).id
    db.session.commit()
    auth.login(reader)

    response = client.post(f"/comments/{comment_id}/delete")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/article/{article.slug}#comments"
    assert get(comment_id) is None
    assert count_of(article) == 0


def test_deleting_a_comment_with_replies_leaves_a_placeholder(client, auth, reader, article):
    top = make_comment(article, reader, body="Controversial take.")
    child = make_comment(article, body="A reply that stays.", parent=top)
    db.session.commit()
    auth.login(reader)

    client.post(f"/comments/{top.id}/delete")

    placeholder = get(top.id)
    assert placeholder.deleted
    assert placeholder.body_source == "" and placeholder.body_html == ""
    assert count_of(article) == 1
    html = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert "[deleted]" in html
    assert "Controversial take." not in html
    assert "A reply that stays." in html
    assert f'id="comment-{child.id}"' in html
    # A placeholder cannot be edited or deleted again.
    assert client.post(f"/comments/{top.id}/delete").status_code == 404
    assert client.get(f"/comments/{top.id}/edit").status_code == 404


def test_deleting_the_last_reply_under_a_placeholder_removes_both(
    client, auth, reader, other_reader, article
):
    top = make_comment(article, reader, body="Gone.")
    child = make_comment(article, other_reader, body="Last reply.", parent=top)
    db.session.commit()
    top_id, child_id = top.id, child.id
    auth.login(reader)
    client.post(f"/comments/{top_id}/delete")
    auth.logout()
    auth.login(other_reader)

    client.post(f"/comments/{child_id}/delete")

    assert get(child_id) is None and get(top_id) is None
    assert count_of(article) == 0


def test_deleting_a_held_comment_leaves_the_count_alone(client, auth, reader, article):
    make_comment(article, body="Visible.")
    held_id = make_comment(article, reader, status=CommentStatus.PENDING).id
    db.session.commit()
    auth.login(reader)

    client.post(f"/comments/{held_id}/delete")

    assert get(held_id) is None
    assert count_of(article) == 1


def test_own_comments_can_be_deleted_after_comments_close(client, auth, reader, article):
    comment_id = make_comment(article, reader).id
    article.comments_open = False
    db.session.commit()
    auth.login(reader)

    assert client.post(f"/comments/{comment_id}/delete").status_code == 302
    assert get(comment_id) is None


def test_own_comment_shows_edit_and_delete_others_show_report(
    client, auth, reader, other_reader, article
):
    mine = make_comment(article, reader)
    theirs = make_comment(article, other_reader)
    db.session.commit()
    auth.login(reader)

    html = client.get(f"/article/{article.slug}").get_data(as_text=True)

    assert f'href="/comments/{mine.id}/edit"' in html
    assert f'action="/comments/{mine.id}/delete" method="post"' in html
    assert f'href="/comments/{theirs.id}/report"' in html
    assert f"/comments/{theirs.id}/edit" not in html
    assert f"/comments/{mine.id}/report" not in html


# --- reporting -----------------------------------------------------------------------


def reports(comment) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(CommentReport.id)).where(CommentReport.comment_id == comment.id)
    )


def test_reporting_a_comment_stores_one_report_per_reader(
    client, auth, reader, other_reader, article
):
    comment = make_comment(article, other_reader, body="Rude.")
    db.session.commit()
    auth.login(reader)

    first = client.post(
        f"/comments/{comment.id}/report", data={"kind": "abuse", "reason": "insulting"}
    )
    second = client.post(f"/comments/{comment.id}/report", data={"kind": "spam"})

    assert first.status_code == 302 and second.status_code == 302
    assert first.headers["Location"] == f"/article/{article.slug}#comment-{comment.id}"
    assert reports(comment) == 1
    assert get(comment.id).report_count == 1
    report = db.session.scalar(sa.select(CommentReport))
    assert report.reporter_id == reader.id and report.reason == "insulting"
    assert report.kind == "abuse"
    html = client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert "already reported" in html


def test_reports_from_different_readers_add_up(client, auth, reader, editor, article):
    comment = make_comment(article, body="Rude.")
    db.session.commit()
    for user in (reader, editor):
        auth.login(user)
        client.post(f"/comments/{comment.id}/report", data={"kind": "off-topic"})
        auth.logout()

    assert reports(comment) == 2
    assert get(comment.id).report_count == 2


def test_own_comment_cannot_be_reported(client, auth, reader, article):
    comment = make_comment(article, reader)
    db.session.commit()
    auth.login(reader)

    client.post(f"/comments/{comment.id}/report")

    assert reports(comment) == 0
    assert get(comment.id).report_count == 0


def test_anonymous_report_goes_to_login(client, article):
    comment = make_comment(article)
    db.session.commit()

    response = client.post(f"/comments/{comment.id}/report")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert reports(comment) == 0


@pytest.mark.parametrize("status", [CommentStatus.PENDING, CommentStatus.REMOVED])
def test_invisible_comments_cannot_be_reported(client, auth, reader, article, status):
    comment = make_comment(article, status=status)
    db.session.commit()
    auth.login(reader)

    assert client.post(f"/comments/{comment.id}/report").status_code == 404
    assert reports(comment) == 0
