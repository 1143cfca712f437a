"""Editorial notes: threaded, resolvable, staff-only, never published, @mentions mailed
through the queue once (blog/admin/notes.py)."""

import sqlalchemy as sa

from blog.extensions import db
from blog.models import ArticleNote, Job
from tests.conftest import logged_in_client
from tests.factories import article_form


def note(client, article, body, parent=None):
    data = {"note-body": body}
    if parent is not None:
        data["note-parent_id"] = str(parent)
    return client.post(f"/admin/articles/{article.id}/notes", data=data)


def mail_jobs() -> list[Job]:
    """Queued mails, without the sign-in notice a staff login queues (blog/auth/signin.py)."""
    db.session.expire_all()
    jobs = db.session.scalars(sa.select(Job).where(Job.kind == "mail").order_by(Job.id)).all()
    return [j for j in jobs if not j.payload.get("subject", "").startswith("New login to")]


def test_a_note_and_its_reply_show_as_one_thread(client, auth, editor, author, article):
    auth.login(editor)

    first = note(client, article, "Check the harbour master's name.")
    thread = db.session.scalar(sa.select(ArticleNote.id))
    note(client, article, "Done, it is Ms Ortega.", parent=thread)

    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"/admin/articles/{article.id}/edit#notes")
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert "Check the harbour master&#39;s name." in page
    assert "Done, it is Ms Ortega." in page
    replies = db.session.scalars(sa.select(ArticleNote.parent_id).order_by(ArticleNote.id)).all()
    assert replies == [None, thread]


def test_an_empty_note_comes_back_with_a_message(client, auth, editor, article):
    auth.login(editor)

    response = note(client, article, "   ")

    assert response.status_code == 422
    assert "Write the note first." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ArticleNote.id))) == 0


def test_a_long_note_keeps_what_was_typed(client, auth, editor, article):
    auth.login(editor)

    response = note(client, article, "word " * 1200)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "under 5000 characters" in page
    assert "word word word" in page


def test_resolving_and_reopening_a_thread(client, auth, editor, article):
    auth.login(editor)
    note(client, article, "Needs a second source.")
    thread = db.session.scalar(sa.select(ArticleNote))

    resolved = client.post(f"/admin/articles/{article.id}/notes/{thread.id}/resolve")
    db.session.refresh(thread)
    assert resolved.status_code == 303
    assert thread.resolved_at is not None
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert "Resolved by" in page

    client.post(f"/admin/articles/{article.id}/notes/{thread.id}/resolve")
    db.session.refresh(thread)
    assert thread.resolved_at is None


def test_a_note_of_another_article_cannot_be_resolved_through_this_one(
    client, auth, editor, article, category
):
    from tests.factories import make_article

    other = make_article("Another story", category=category)
    db.session.commit()
    auth.login(editor)
    note(client, other, "On the other story.")
    thread = db.session.scalar(sa.select(ArticleNote))

    response = client.post(f"/admin/articles/{article.id}/notes/{thread.id}/resolve")

    assert response.status_code == 404


def test_a_mention_mails_the_colleague_once_through_the_queue(
    client, auth, editor, admin, author, article
):
    auth.login(editor)

    text = (
        f"@{admin.username} and @{author.username.upper()}: please check. "
        f"Again @{admin.username}. Not me: @{editor.username}, nor @nobody."
    )
    note(client, article, text)

    jobs = mail_jobs()
    assert sorted(j.payload["to"] for j in jobs) == sorted([admin.email, author.email])
    mail = next(j for j in jobs if j.payload["to"] == admin.email)
    assert mail.payload["subject"].startswith(f"{editor.name} mentioned you in a note on")
    assert f"/admin/articles/{article.id}/edit#notes" in mail.payload["body"]


def test_a_mention_of_someone_who_cannot_open_the_article_sends_nothing(
    client, auth, editor, other_author, reader, article
):
    auth.login(editor)

    note(client, article, f"@{other_author.username} @{reader.username} have a look")

    assert mail_jobs() == []


def test_notes_stay_when_the_article_is_published_and_never_reach_the_public(
    client, auth, editor, article, category, runner, tmp_path
):
    auth.login(editor)
    note(client, article, "Secret desk remark about sources.")
    data = article_form(category, title=article.title, slug=article.slug, status="published",
                        body="Published text.")  # fmt: skip
    assert client.post(f"/admin/articles/{article.id}/edit", data=data).status_code == 303
    client.post("/auth/logout")

    assert db.session.scalar(sa.select(sa.func.count(ArticleNote.id))) == 1
    for url in (f"/article/{article.slug}", "/", "/feed.xml", "/sitemap.xml",
                "/search?q=sources", f"/category/{category.slug}"):  # fmt: skip
        assert "Secret desk remark" not in client.get(url).get_data(as_text=True), url
    export = tmp_path / "site.xml"  # the WordPress export carries articles, never notes
    assert runner.invoke(args=["export-wordpress", str(export)]).exit_code == 0
    assert "Published text." in export.read_text()
    assert "Secret desk remark" not in export.read_text()


def test_another_author_cannot_read_or_write_notes(app, author, other_author, article):
    writer = logged_in_client(app, author)
    note(writer, article, "Mine.")
    stranger = logged_in_client(app, other_author)

    assert stranger.get(f"/admin/articles/{article.id}/notes").status_code == 403
    assert note(stranger, article, "Theirs.").status_code == 403
