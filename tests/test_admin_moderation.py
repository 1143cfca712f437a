"""Comment moderation in the admin: queue, search, actions, bulk, blocking."""

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, AuditLog, Comment, CommentReport, CommentStatus, User
from tests import factories


def count(article_id: int) -> int:
    return db.session.scalar(sa.select(Article.comment_count).where(Article.id == article_id))


def status(comment_id: int) -> str:
    return db.session.scalar(sa.select(Comment.status).where(Comment.id == comment_id))


def test_queue_shows_pending_and_reported_only(client, auth, editor, reader, article):
    factories.make_comment(article, reader, body="Held for a look", status=CommentStatus.PENDING)
    reported = factories.make_comment(article, reader, body="Rude words here")
    factories.make_comment(article, reader, body="Perfectly fine")
    db.session.add(CommentReport(comment_id=reported.id, reason="insulting"))
    db.session.commit()
    auth.login(editor)

    text = client.get("/admin/comments").get_data(as_text=True)

    assert "Held for a look" in text
    assert "Rude words here" in text and "insulting" in text
    assert "Perfectly fine" not in text


def test_search_by_article_title_and_author(client, auth, editor, reader, other_reader, article):
    other = factories.make_article("Weather outlook")
    factories.make_comment(article, reader, body="About the harbour")
    factories.make_comment(other, other_reader, body="About the rain")
    db.session.commit()
    auth.login(editor)

    by_title = client.get("/admin/comments?view=all&q=reopens").get_data(as_text=True)
    by_user = client.get("/admin/comments?view=all&q=oscar").get_data(as_text=True)

    assert "About the harbour" in by_title and "About the rain" not in by_title
    assert "About the rain" in by_user and "About the harbour" not in by_user


def test_approve_counts_the_comment(client, auth, editor, reader, article):
    c = factories.make_comment(article, reader, status=CommentStatus.PENDING)
    db.session.commit()
    auth.login(editor)

    response = client.post(f"/admin/comments/{c.id}/approve", data={"next": "/admin/comments"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/comments"
    assert status(c.id) == CommentStatus.APPROVED
    assert count(article.id) == 1
    assert db.session.scalar(sa.select(AuditLog.action)) == "comment.approve"


def test_spam_remove_restore_keep_the_count_right(client, auth, editor, reader, article):
    c = factories.make_comment(article, reader)
    db.session.commit()
    assert count(article.id) == 1
    auth.login(editor)

    client.post(f"/admin/comments/{c.id}/spam")
    assert (status(c.id), count(article.id)) == (CommentStatus.SPAM, 0)
    client.post(f"/admin/comments/{c.id}/remove")
    assert (status(c.id), count(article.id)) == (CommentStatus.REMOVED, 0)
    client.post(f"/admin/comments/{c.id}/restore")
    assert (status(c.id), count(article.id)) == (CommentStatus.APPROVED, 1)
    client.post(f"/admin/comments/{c.id}/approve")
    assert count(article.id) == 1


def test_approving_a_reported_comment_resolves_the_reports(client, auth, editor, reader, article):
    c = factories.make_comment(article, reader)
    db.session.add(CommentReport(comment_id=c.id, reason="spam?"))
    db.session.commit()
    auth.login(editor)

    client.post(f"/admin/comments/{c.id}/approve")

    assert db.session.scalar(sa.select(CommentReport.resolved))
    assert "spam?" not in client.get("/admin/comments").get_data(as_text=True)


def test_bulk_action(client, auth, editor, reader, article):
    held = [
        factories.make_comment(article, reader, body=f"held {n}", status=CommentStatus.PENDING)
        for n in range(3)
    ]
    db.session.commit()
    auth.login(editor)

    response = client.post(
        "/admin/comments/bulk",
        data={"action": "approve", "ids": [str(held[0].id), str(held[1].id)]},
    )

    assert response.status_code == 303
    assert [status(c.id) for c in held] == ["approved", "approved", "pending"]
    assert count(article.id) == 2


def test_bulk_without_selection_changes_nothing(client, auth, editor, reader, article):
    c = factories.make_comment(article, reader, status=CommentStatus.PENDING)
    db.session.commit()
    auth.login(editor)

    client.post("/admin/comments/bulk", data={"action": "spam"})
    client.post("/admin/comments/bulk", data={"action": "explode", "ids": [str(c.id)]})

    assert status(c.id) == CommentStatus.PENDING


def test_block_and_unblock_a_commenter(client, auth, editor, reader):
    auth.login(editor)

    client.post(f"/admin/comments/block/{reader.id}")
    assert db.session.get(User, reader.id).can_comment is False

    client.post(f"/admin/comments/unblock/{reader.id}")
    assert db.session.get(User, reader.id).can_comment is True


def test_editor_cannot_block_an_admin(client, auth, editor, admin):
    auth.login(editor)

    assert client.post(f"/admin/comments/block/{admin.id}").status_code == 403
    assert db.session.get(User, admin.id).can_comment is True


def test_author_cannot_moderate(client, auth, author, reader, article):
    c = factories.make_comment(article, reader, status=CommentStatus.PENDING)
    db.session.commit()
    auth.login(author)

    assert client.post(f"/admin/comments/{c.id}/approve").status_code == 403
    assert status(c.id) == CommentStatus.PENDING


def test_offsite_next_is_ignored(client, auth, editor, reader, article):
    c = factories.make_comment(article, reader, status=CommentStatus.PENDING)
    db.session.commit()
    auth.login(editor)

    response = client.post(f"/admin/comments/{c.id}/approve", data={"next": "//evil.example/phish"})

    assert response.headers["Location"] == "/admin/comments"
