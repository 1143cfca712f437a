"""The comment section is rendered once for all logged-in readers and filled in per
reader (blog/comments/section.py): each reader still gets their own buttons, tokens and
held comments, and nothing of one reader leaks to another."""

import re

import pytest
import sqlalchemy as sa

from blog.comments import section
from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Comment, CommentStatus
from tests.conftest import logged_in_client
from tests.factories import make_comment, make_user

MARKERS = ("<!--csrf-->", "<!--started-->", "<!--actions", "<!--/actions-->")


@pytest.fixture
def renders(monkeypatch):
    """How many times the section was rendered from the templates."""
    calls = []
    real = section.render

    def counting(*args, **kwargs):
        calls.append(args[0].id)
        return real(*args, **kwargs)

    monkeypatch.setattr(section, "render", counting)
    return calls


def page(client, article) -> str:
    response = client.get(f"/article/{article.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def buttons_of(html: str, comment_id: int) -> str:
    """The actions block of one comment."""
    start = html.index(f'id="comment-{comment_id}"')
    found = re.search(r'<div class="comment-actions">(.*?)</div>', html[start:], re.DOTALL)
    assert found, f"no actions for comment {comment_id}"
    return found[1]


def test_each_reader_gets_their_own_buttons_from_one_render(
    app, article, reader, other_reader, renders
):
    ritas = make_comment(article, reader, body="Rita's view.")
    oscars = make_comment(article, other_reader, body="Oscar's view.")
    db.session.commit()

    rita_page = page(logged_in_client(app, reader), article)
    oscar_page = page(logged_in_client(app, other_reader), article)

    assert renders == [article.id]  # one render served both readers
    assert f"/comments/{ritas.id}/delete" in buttons_of(rita_page, ritas.id)
    assert "Edit" in buttons_of(rita_page, ritas.id)
    assert "Report" not in buttons_of(rita_page, ritas.id)
    assert f"/comments/{oscars.id}/report" in buttons_of(rita_page, oscars.id)
    assert "Delete" not in buttons_of(rita_page, oscars.id)
    # And the other way round for Oscar.
    assert f"/comments/{oscars.id}/delete" in buttons_of(oscar_page, oscars.id)
    assert f"/comments/{ritas.id}/report" in buttons_of(oscar_page, ritas.id)
    assert "Delete" not in buttons_of(oscar_page, ritas.id)
    for html in (rita_page, oscar_page):
        assert not any(marker in html for marker in MARKERS)


def test_closed_comments_keep_delete_but_not_edit(app, article, reader):
    ritas = make_comment(article, reader, body="Before closing.")
    article.comments_open = False
    db.session.commit()

    buttons = buttons_of(page(logged_in_client(app, reader), article), ritas.id)

    assert "Delete" in buttons
    assert "Edit" not in buttons


def test_every_form_carries_the_readers_own_tokens(app, article, reader, other_reader):
    make_comment(article, other_reader, body="Something to reply to.")
    third = make_user(username="tess")
    db.session.commit()
    rita, tess = logged_in_client(app, reader), logged_in_client(app, third)
    app.config["WTF_CSRF_ENABLED"] = True

    rita_html = page(rita, article)
    html = page(tess, article)  # served from the render made for Rita's request

    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
    started = set(re.findall(r'name="started" value="([^"]+)"', html))
    assert len(tokens) == 1  # the reply form, the comment form and the logout button
    assert len(re.findall(r'name="csrf_token"', html)) >= 3
    assert len(started) == 1
    ritas_token = re.search(r'name="csrf_token" value="([^"]+)"', rita_html)[1]
    assert ritas_token not in html
    # The token is this reader's: a form posted with it is accepted; Rita's is refused.
    reply = re.search(r'action="(/article/[^"]+/comments)"', html)[1]
    body = {"body": "Mine.", "parent_id": "1", "started": started.pop()}
    assert tess.post(reply, data=body | {"csrf_token": ritas_token}).status_code == 400
    assert tess.post(reply, data=body | {"csrf_token": tokens.pop()}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 2


def test_a_held_comment_is_shown_to_its_author_only(app, article, reader, other_reader, renders):
    make_comment(article, other_reader, body="Approved and public.")
    held = make_comment(
        article, reader, body="Waiting for an editor.", status=CommentStatus.PENDING
    )
    db.session.commit()

    rita_page = page(logged_in_client(app, reader), article)
    oscar_page = page(logged_in_client(app, other_reader), article)

    assert "Waiting for an editor." in rita_page
    assert "awaiting moderation" in rita_page
    assert f"/comments/{held.id}/delete" in buttons_of(rita_page, held.id)
    assert "Waiting for an editor." not in oscar_page
    assert "Approved and public." in rita_page and "Approved and public." in oscar_page
    assert len(renders) == 2  # Rita's own render, and the shared one Oscar got


def test_marker_text_written_in_a_comment_is_shown_as_text(app, article, reader, other_reader):
    body = "Try <!--csrf--> and <!--actions 1-->x<!--/actions--> here."
    make_comment(article, other_reader, body=body)
    db.session.commit()

    html = page(logged_in_client(app, reader), article)

    assert "&lt;!--csrf--&gt;" in html
    assert "&lt;!--actions 1--&gt;" in html
    assert not any(marker in html for marker in MARKERS)
    assert "here." in html


def test_a_new_comment_shows_at_once_for_every_reader(app, article, reader, other_reader):
    save_settings({"comment_policy": "open"})
    db.session.commit()
    oscar = logged_in_client(app, other_reader)
    assert "Fresh from Rita" not in page(oscar, article)
    rita = logged_in_client(app, reader)

    response = rita.post(f"/article/{article.slug}/comments", data={"body": "Fresh from Rita"})

    assert response.status_code == 302
    assert "#comment-" in response.headers["Location"]
    assert "Fresh from Rita" in page(oscar, article)
    assert "Fresh from Rita" in page(rita, article)
