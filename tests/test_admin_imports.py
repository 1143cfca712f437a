"""Admin: Tools > Import from Ghost and from Substack, through the job queue."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, AuditLog, Subscriber
from tests.security.helpers import csrf_token
from tests.shared import GHOST, ghost_images, imported
from tests.shared import substack_zip as make_zip

GHOST5, MEMBERS = GHOST / "ghost-5.json", GHOST / "members.csv"


@pytest.fixture
def app_config(tmp_path):
    return {
        "WTF_CSRF_ENABLED": True,
        "IMPORT_MAX_BYTES": 256 * 1024,
        "IMPORT_GHOST_IMAGES_DIR": str(ghost_images(tmp_path / "ghost-images")),
    }


def upload(client, source: str, data: bytes, name: str, **fields):
    path = f"/admin/tools/import/{source}"
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "export": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def test_admin_imports_a_ghost_export_with_members(client, auth, admin):
    auth.login(admin)
    assert "Import from Ghost" in client.get("/admin/tools/import/ghost").text
    assert "/admin/tools/import/ghost" in client.get("/admin/tools/import").text
    members = {"members": (io.BytesIO(MEMBERS.read_bytes()), "members.csv")}
    page = imported(client, upload(client, "ghost", GHOST5.read_bytes(), "x.json", **members))
    assert page.status_code == 200 and "Imported — ghost:The Harbour Gazette" in page.text
    assert "(Ghost 5.75.1)" in page.text
    assert "was for paying members only; kept hidden here" in page.text
    assert "data-refresh-seconds" not in page.text
    storm = db.session.scalar(sa.select(Article).where(Article.slug == "storm-closes-the-harbour"))
    assert storm.is_public and storm.image is not None  # from IMPORT_GHOST_IMAGES_DIR
    emails = set(db.session.scalars(sa.select(Subscriber.email)))
    assert emails == {"ana@reader.example", "cleo@reader.example"}
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "ghost.import"))
    assert not list((Path(client.application.instance_path) / "imports").iterdir())


def test_admin_imports_a_substack_export(client, auth, admin, tmp_path):
    auth.login(admin)
    data = make_zip(tmp_path / "export.zip").read_bytes()
    page = imported(client, upload(client, "substack", data, "export.zip", dry_run="y"))
    assert "Dry run: nothing was written" in page.text
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    page = imported(client, upload(client, "substack", data, "export.zip"))
    assert "was for paying subscribers only" in page.text
    assert db.session.scalar(sa.select(Article).where(Article.slug == "first-issue")).is_public


@pytest.mark.parametrize(
    ("source", "data", "message"),
    [
        ("ghost", b"<rss></rss>", "this is not a Ghost export"),
        ("substack", b"not a zip", "not a .zip file"),
    ],
)
def test_wrong_files_get_the_form_back_with_a_message(client, auth, admin, source, data, message):
    auth.login(admin)
    response = upload(client, source, data, "export.bin")
    assert response.status_code == 422 and message in response.text
    assert "<form" in response.text
    assert not list((Path(client.application.instance_path) / "imports").iterdir())


def test_a_ghost_file_refused_in_the_job_says_why(client, auth, admin):
    auth.login(admin)
    page = imported(client, upload(client, "ghost", b'{"db": []}', "x.json"))
    assert "The import stopped" in page.text and "db[0].data" in page.text


def test_a_zip_with_a_path_out_of_its_folder_is_refused_at_once(client, auth, admin, tmp_path):
    auth.login(admin)
    data = make_zip(tmp_path / "evil.zip", {"../evil.html": b"x"}).read_bytes()
    response = upload(client, "substack", data, "evil.zip")
    assert response.status_code == 422 and "outside its folder" in response.text


def test_too_large_and_empty_uploads(client, auth, admin):
    auth.login(admin)
    response = upload(client, "ghost", b"{" + b" " * 300 * 1024, "big.json")
    assert response.status_code == 413 and "blog import-ghost EXPORT.json" in response.text
    response = client.post(
        "/admin/tools/import/substack",
        data={"csrf_token": csrf_token(client, "/admin/tools/import/substack")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "Choose the .zip file" in response.text
    assert client.get("/admin/tools/import/nothing").status_code == 404


def test_imports_need_a_token_and_an_admin(client, auth, admin, editor):
    auth.login(admin)
    refused = client.post(
        "/admin/tools/import/ghost",
        data={"export": (io.BytesIO(GHOST5.read_bytes()), "x.json")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    auth.logout()
    auth.login(editor)
    assert client.get("/admin/tools/import/ghost").status_code == 403
    assert client.get("/admin/tools/import/substack").status_code == 403


def test_substack_fetch_images_box_reaches_the_job(client, auth, admin, tmp_path, monkeypatch):
    from blog.importers.substack import images

    def unreachable(url: str) -> bytes:
        raise images.FetchError("no network in tests")

    monkeypatch.setattr(images, "download", unreachable)
    auth.login(admin)
    data = make_zip(tmp_path / "export.zip").read_bytes()
    page = imported(client, upload(client, "substack", data, "export.zip", fetch_images="y"))
    assert "boats.jpeg: no network in tests" in page.text
    first = db.session.scalar(sa.select(Article).where(Article.slug == "first-issue"))
    assert "Image: Boats in the basin" in first.body_html  # linked when the copy failed
