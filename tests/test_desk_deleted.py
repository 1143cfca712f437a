"""The desk's writes when a colleague deletes the article (or the note's thread) while
the request is on its way: a 404, never a 500 (found by the scan, docs/security.md).

The deletion is played out deterministically: it commits just after the view has read
the article, before its write transaction opens, as a concurrent request would.
"""

import pytest
import sqlalchemy as sa

from blog.admin import desk
from blog.extensions import db
from blog.models import Article, ArticleNote

# Another request's delete: this session still holds the row it read.
options = {"synchronize_session": False}


@pytest.fixture
def deleted_on_the_way(monkeypatch):
    """The article is deleted right after the view has read it (discarding an autosave
    deletes nothing, so it is not among the writes below)."""
    read = desk.editable_article

    def then_deleted(article_id: int) -> Article:
        article = read(article_id)
        db.session.execute(sa.delete(Article).where(Article.id == article_id), options)
        db.session.commit()
        return article

    monkeypatch.setattr(desk, "editable_article", then_deleted)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("notes", {"note-body": "Check the quote."}),
        ("heartbeat", {}),
        ("autosave", {"title": "T", "summary": "", "body": "Text", "base_version": ""}),
    ],
)
def test_a_desk_write_on_a_deleted_article_is_a_404(
    client, auth, editor, article, deleted_on_the_way, path, data
):
    auth.login(editor)

    response = client.post(f"/admin/articles/{article.id}/{path}", data=data)

    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ArticleNote.id))) == 0


def test_resolving_a_thread_deleted_on_the_way_is_a_404(client, auth, editor, article, monkeypatch):
    note = ArticleNote(article_id=article.id, author_id=editor.id, body="Needs a source.")
    db.session.add(note)
    db.session.commit()
    auth.login(editor)
    find = desk.note_of

    def then_deleted(article, note_id):
        found = find(article, note_id)
        db.session.execute(sa.delete(ArticleNote).where(ArticleNote.id == note_id), options)
        db.session.commit()
        return found

    monkeypatch.setattr(desk, "note_of", then_deleted)

    response = client.post(f"/admin/articles/{article.id}/notes/{note.id}/resolve")

    assert response.status_code == 404
