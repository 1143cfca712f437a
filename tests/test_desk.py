"""The editorial desk: presence, autosave, versions compared, the live preview, images
dropped into the text (blog/admin/desk.py)."""

import io
import re

import sqlalchemy as sa
from PIL import Image

from blog.extensions import db
from blog.models import ArticleAutosave, ArticleVersion, AuditLog, EditorPresence, Upload
from tests.conftest import logged_in_client
from tests.factories import article_form


def stored_count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def opened_version(client, article_id: int) -> str:
    page = client.get(f"/admin/articles/{article_id}/edit").get_data(as_text=True)
    return (
        re.search(r'name="base_version" type="hidden" value="([^"]*)"', page)
        .group(1)
        .replace("&#43;", "+")
    )


# ---------------------------------------------------------------- presence


def test_a_colleague_with_the_editor_open_is_shown(app, client, auth, editor, admin, article):
    other = logged_in_client(app, admin)
    assert other.post(f"/admin/articles/{article.id}/heartbeat").status_code == 200
    auth.login(editor)

    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    beat = client.post(f"/admin/articles/{article.id}/heartbeat")

    assert re.search(rf"{admin.name} is editing \(since \d\d:\d\d\)", page)
    assert beat.status_code == 200
    assert [e["name"] for e in beat.get_json()["editors"]] == [admin.name]
    assert "no-store" in beat.headers["Cache-Control"]


def test_one_does_not_see_oneself_editing(client, auth, editor, article):
    auth.login(editor)
    client.post(f"/admin/articles/{article.id}/heartbeat")

    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)

    assert "is editing" not in page
    assert stored_count(EditorPresence) == 1


def test_a_closed_editor_stops_showing(app, client, auth, editor, admin, article):
    from datetime import timedelta

    from blog.core.types import utcnow

    logged_in_client(app, admin).post(f"/admin/articles/{article.id}/heartbeat")
    db.session.execute(sa.update(EditorPresence).values(seen_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()
    auth.login(editor)

    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)

    assert "is editing" not in page


def test_an_author_cannot_beat_on_someone_elses_article(client, auth, other_author, article):
    auth.login(other_author)

    response = client.post(f"/admin/articles/{article.id}/heartbeat")

    assert response.status_code == 403
    assert stored_count(EditorPresence) == 0


# ---------------------------------------------------------------- autosave


def autosave(client, article, body="Typed but not saved.", **fields):
    data = {"title": article.title, "summary": article.summary, "body": body, **fields}
    return client.post(f"/admin/articles/{article.id}/autosave", data=data)


def test_autosave_makes_no_version_and_is_offered_back(client, auth, author, article):
    auth.login(author)
    versions = stored_count(ArticleVersion)

    first = autosave(client, article, "Typed, first.")
    second = autosave(client, article, "Typed, second.")

    assert first.status_code == second.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d", second.get_json()["at"])
    assert stored_count(ArticleVersion) == versions
    assert stored_count(ArticleAutosave) == 1
    db.session.refresh(article)
    assert article.body_source != "Typed, second."
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert re.search(r"Restore the autosaved text from \d\d:\d\d\?", page)
    restored = client.get(f"/admin/articles/{article.id}/edit?restore=autosave")
    assert "Typed, second.</textarea>" in restored.get_data(as_text=True)


def test_saving_the_article_discards_its_autosave(client, auth, author, article, category):
    auth.login(author)
    version = opened_version(client, article.id)
    autosave(client, article, "Typed.")
    data = article_form(category, title=article.title, slug=article.slug, body="Saved.",
                        status="published")  # fmt: skip
    data["base_version"] = version

    assert client.post(f"/admin/articles/{article.id}/edit", data=data).status_code == 303

    assert stored_count(ArticleAutosave) == 0
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert "Restore the autosaved text" not in page


def test_an_autosave_equal_to_the_article_is_not_offered(client, auth, author, article):
    auth.login(author)
    autosave(client, article, article.body_source)

    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)

    assert "Restore the autosaved text" not in page


def test_discarding_an_autosave(client, auth, author, article):
    auth.login(author)
    autosave(client, article)

    response = client.post(f"/admin/articles/{article.id}/autosave/discard")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/articles/{article.id}/edit")
    assert stored_count(ArticleAutosave) == 0


def test_a_restored_autosave_typed_before_a_colleagues_save_is_a_conflict(
    app, client, auth, author, editor, article, category
):
    auth.login(author)
    version = opened_version(client, article.id)
    autosave(client, article, "Mine, autosaved.", base_version=version)
    colleague = logged_in_client(app, editor)
    data = article_form(category, title=article.title, slug=article.slug, body="Theirs.",
                        status="published")  # fmt: skip
    data["base_version"] = opened_version(colleague, article.id)
    assert colleague.post(f"/admin/articles/{article.id}/edit", data=data).status_code == 303

    page = client.get(f"/admin/articles/{article.id}/edit?restore=autosave").get_data(as_text=True)
    carried = re.search(r'name="base_version" type="hidden" value="([^"]*)"', page).group(1)
    data = article_form(category, title=article.title, slug=article.slug,
                        body="Mine, autosaved.", status="published")  # fmt: skip
    data["base_version"] = carried.replace("&#43;", "+")
    response = client.post(f"/admin/articles/{article.id}/edit", data=data)

    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(type(article), article.id).body_source == "Theirs."


def test_autosaves_never_reach_a_public_page(client, auth, author, article):
    auth.login(author)
    autosave(client, article, "Secret autosaved words.")
    client.post("/auth/logout")

    for url in (f"/article/{article.slug}", "/", "/feed.xml", "/search?q=Secret"):
        assert "Secret autosaved words" not in client.get(url).get_data(as_text=True)


def test_a_signed_out_autosave_is_refused(client, article):
    response = autosave(client, article)

    assert response.status_code in (302, 401)
    assert stored_count(ArticleAutosave) == 0


# ---------------------------------------------------------------- compare versions


def test_two_versions_side_by_side_with_a_word_diff(client, auth, editor, article, category):
    auth.login(editor)
    for body in ("The ferry is late.", "The ferry is early today."):
        data = article_form(category, title=article.title, slug=article.slug, body=body,
                            status="published")  # fmt: skip
        data["base_version"] = opened_version(client, article.id)
        client.post(f"/admin/articles/{article.id}/edit", data=data)
    versions = db.session.scalars(sa.select(ArticleVersion).order_by(ArticleVersion.id)).all()
    late = versions[-1]

    response = client.get(f"/admin/articles/{article.id}/compare?a={late.id}&b=current")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The ferry is <del>late.</del>" in page
    assert "The ferry is <ins>early today.</ins>" in page
    assert f"/admin/articles/{article.id}/versions/{late.id}/restore" in page


def test_compare_defaults_to_the_last_version_and_ignores_nonsense(client, auth, editor, article):
    auth.login(editor)

    response = client.get(f"/admin/articles/{article.id}/compare?a=nonsense&b=99999")

    assert response.status_code == 200
    assert "Compare versions" in response.get_data(as_text=True)


def test_an_author_cannot_compare_someone_elses_article(client, auth, other_author, article):
    auth.login(other_author)

    assert client.get(f"/admin/articles/{article.id}/compare").status_code == 403


# ---------------------------------------------------------------- preview and images


def test_the_live_preview_renders_through_the_article_pipeline(client, auth, author):
    from blog.core.content import render_article

    auth.login(author)
    body = "## Heading\n\nSome **bold** words. <script>alert(1)</script>"

    response = client.post("/admin/articles/render", data={"body": body})

    j = response.get_json()
    assert j["html"] == render_article(body)
    assert "<script>" not in j["html"]
    assert j["words"] == 4
    assert j["minutes"] == 1


def png(width=40, height=30) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    out.seek(0)
    return out


def test_a_pasted_image_goes_through_the_library(client, auth, author):
    auth.login(author)

    response = client.post(
        "/admin/articles/images",
        data={"image": (png(), "pasted.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    src = response.get_json()["src"]
    assert re.fullmatch(r"/uploads/[0-9a-f]+\.\w+", src)
    assert stored_count(Upload) == 1
    assert db.session.scalar(sa.select(AuditLog.action).order_by(AuditLog.id.desc())) == (
        "image.upload"
    )


def test_a_file_that_is_no_image_is_refused(client, auth, author):
    auth.login(author)

    response = client.post(
        "/admin/articles/images",
        data={"image": (io.BytesIO(b"<svg onload=alert(1)>"), "x.svg")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert response.get_json()["error"]
    assert stored_count(Upload) == 0


def test_readers_reach_no_desk_endpoint(client, auth, reader, article):
    auth.login(reader)

    for url in (
        f"/admin/articles/{article.id}/heartbeat",
        f"/admin/articles/{article.id}/autosave",
        "/admin/articles/render",
    ):
        assert client.post(url).status_code == 403
