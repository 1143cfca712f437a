"""Errors a reader can cause (issue 23): none is a 500, and none tells what is hidden.

- a comment POST with a stale CSRF token on a non-public article;
- editing or deleting a row that another request deleted a moment before;
- stepping through comment ids, anonymous or logged in, to learn which held or removed
  comments exist, or a draft article's address from a login redirect;
- a comment link with a scheme the site does not allow.
"""

import contextlib
import threading

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from blog.comments import views as comment_views
from blog.core.content import render_article, render_comment
from blog.core.database import reread, writing
from blog.extensions import db
from blog.models import ArticleStatus, Comment, CommentStatus, Tag
from tests.factories import make_article, make_comment, make_tag
from tests.security.helpers import csrf_token, login


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def draft(author, category):
    found = make_article("Embargoed budget", author=author, status=ArticleStatus.DRAFT)
    db.session.commit()
    return found


def test_a_stale_comment_form_on_a_hidden_article_is_a_404(client, auth, reader, draft):
    auth.login(reader)

    response = client.post(
        f"/article/{draft.slug}/comments", data={"body": "Hello", "csrf_token": "stale"}
    )

    assert response.status_code == 404
    assert "Page not found" in response.text


def test_a_stale_comment_form_on_a_public_article_keeps_the_text(client, auth, reader, article):
    auth.login(reader)

    response = client.post(
        f"/article/{article.slug}/comments", data={"body": "My kept words", "csrf_token": "x"}
    )

    assert response.status_code == 400
    assert "My kept words" in response.text and "Your session expired" in response.text


@pytest.mark.parametrize("where", ["draft article", "held", "removed", "spam"])
def test_anonymous_delete_of_a_hidden_comment_is_a_404_without_its_address(
    client, article, draft, where
):
    comment = (
        make_comment(draft)
        if where == "draft article"
        else make_comment(article, status={"held": CommentStatus.PENDING}.get(where, where))
    )
    db.session.commit()
    token = csrf_token(client, "/auth/login")

    response = client.post(f"/comments/{comment.id}/delete", data={"csrf_token": token})

    assert response.status_code == 404
    assert "Location" not in response.headers
    assert draft.slug not in response.text
    assert db.session.get(Comment, comment.id) is not None


def test_anonymous_delete_of_a_visible_comment_asks_to_log_in(client, article):
    comment = make_comment(article)
    db.session.commit()

    response = client.post(
        f"/comments/{comment.id}/delete", data={"csrf_token": csrf_token(client, "/auth/login")}
    )

    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("action", ["delete", "edit"])
def test_someone_elses_held_comment_looks_missing(client, auth, reader, article, action):
    held = make_comment(article, status=CommentStatus.PENDING)
    shown = make_comment(article)
    db.session.commit()
    auth.login(reader)
    token = csrf_token(client, f"/article/{article.slug}")
    data = {"csrf_token": token, "body": "Mine now"}

    assert client.post(f"/comments/{held.id}/{action}", data=data).status_code == 404
    assert client.post(f"/comments/{shown.id}/{action}", data=data).status_code == 403
    assert client.post(f"/comments/{held.id + 1000}/{action}", data=data).status_code == 404


def test_reread_of_a_row_deleted_since_it_was_loaded_is_a_404(app, article):
    tag = make_tag("Vanishing")
    db.session.commit()
    tag_id = tag.id
    with db.engine.begin() as other:  # another request's committed delete
        other.execute(sa.delete(Tag).where(Tag.id == tag_id))

    with app.test_request_context(), pytest.raises(NotFound), writing():
        reread(tag)

    assert db.session.get(Tag, tag_id) is None


def test_an_edit_that_loses_the_race_to_a_delete_is_a_404(app, reader, article, monkeypatch):
    """Two tabs of one reader, in real threads: the edit has loaded the comment when the
    delete commits, and only then opens its write (held there so the order is sure)."""
    comment = make_comment(article, reader, body="Soon gone")
    db.session.commit()
    deleted = threading.Event()
    real_writing = comment_views.writing

    @contextlib.contextmanager
    def late_writing():
        if threading.current_thread().name == "edit":
            deleted.wait(timeout=20)
        with real_writing() as write:
            yield write

    monkeypatch.setattr(comment_views, "writing", late_writing)
    comment_id = comment.id  # the threads must not load it through the test's session
    tabs = [app.test_client(), app.test_client()]
    tokens = []
    for tab in tabs:
        login(tab, reader)
        tokens.append(csrf_token(tab, f"/comments/{comment_id}/edit"))
    responses = {}

    def edit():
        with app.app_context():
            responses["edit"] = tabs[0].post(
                f"/comments/{comment_id}/edit", data={"body": "Edited", "csrf_token": tokens[0]}
            )

    def delete():
        with app.app_context():
            responses["delete"] = tabs[1].post(
                f"/comments/{comment_id}/delete", data={"csrf_token": tokens[1]}
            )
        deleted.set()

    threads = [threading.Thread(target=edit, name="edit"), threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert responses["delete"].status_code == 302
    assert responses["edit"].status_code == 404
    db.session.remove()
    assert db.session.get(Comment, comment_id) is None


@pytest.mark.parametrize(
    "source",
    [
        "[files](ftp://files.example.org/report.pdf)",
        "[run](javascript:alert(1))",
        "[call](tel:+4712345678)",
        "[chat](irc://irc.example.org/news)",
    ],
)
def test_a_link_with_another_scheme_stays_text_not_an_empty_anchor(source):
    for html in (render_comment(source), render_article(source)):
        assert "<a" not in html
        assert source.split("](")[0].lstrip("[") in html


def test_allowed_links_still_link():
    html = render_comment("[ok](https://example.org) [mail](mailto:desk@example.org) [p](/pages/x)")
    assert html.count("<a href=") == 3 and html.count('rel="nofollow ugc noopener"') == 3
