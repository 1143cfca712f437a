"""Admin > Tools > Import (the upload, its size limit, CSRF, the audit line) and Redirects."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, AuditLog, Redirect
from tests.security.helpers import csrf_token
from tests.shared import SELFHOSTED, imported
from tests.shared import wordpress_uploads as make_uploads


@pytest.fixture
def app_config(tmp_path):
    return {
        "WTF_CSRF_ENABLED": True,
        "IMPORT_MAX_BYTES": 64 * 1024,
        "IMPORT_UPLOADS_DIR": str(make_uploads(tmp_path / "wp-uploads")),
    }


def upload(client, data: bytes, name: str = "export.xml", **fields):
    return client.post(
        "/admin/tools/import",
        data={
            "csrf_token": csrf_token(client, "/admin/tools/import"),
            "export": (io.BytesIO(data), name),
            **fields,
        },
        content_type="multipart/form-data",
    )


def test_admin_uploads_an_export_and_sees_the_report(client, auth, admin):
    auth.login(admin)

    response = imported(client, upload(client, SELFHOSTED.read_bytes()))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "data-refresh-seconds" not in page and "progress.js" not in page
    assert "Imported — https://herald.example.org (WXR 1.2)" in page
    assert "posts skipped: post type &#39;revision&#39; (1)" in page
    assert "<h3>Items kept hidden or left out</h3>" in page
    assert "post 15 “Private memo”: was private; kept hidden here" in page
    storm = db.session.scalar(sa.select(Article).where(Article.slug == "storm-closes-the-harbour"))
    assert storm.image is not None and storm.comment_count == 3
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "wordpress.import"))
    assert entry.actor_id == admin.id and "posts 6+0" in entry.detail
    assert client.get("/?p=10").headers["Location"] == "/article/storm-closes-the-harbour"


def test_dry_run_upload_writes_nothing(client, auth, admin):
    auth.login(admin)

    response = imported(client, upload(client, SELFHOSTED.read_bytes(), dry_run="y"))

    assert "Dry run: nothing was written" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"<html>no</html>", 422, "not a WordPress export"),
        (b"<rss>" + b" " * 70 * 1024 + b"</rss>", 413, "larger than the 0 MB"),
    ],
)
def test_bad_uploads_get_the_form_back_with_a_message(client, auth, admin, data, status, message):
    auth.login(admin)

    response = upload(client, data)

    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert message.replace("0 MB", "1 MB") in page and 'name="export"' in page
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0


def test_a_broken_export_stops_the_job_with_its_message(client, auth, admin, app):
    auth.login(admin)

    page = imported(client, upload(client, b"<rss><channel>"))

    assert page.status_code == 200
    assert "The import stopped" in page.text
    assert "not well-formed XML at line 1" in page.text
    assert not list((Path(app.instance_path) / "imports").iterdir())  # the file is gone
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0


def test_a_post_too_deeply_nested_is_skipped_and_named(client, auth, admin, app):
    app.config["IMPORT_MAX_BYTES"] = 2 * 1024 * 1024
    deep = "<div>" * 5_000 + "deep" + "</div>" * 5_000  # recursion gives up near 1,000
    export = SELFHOSTED.read_text().replace("Three café owners met the council on Monday.", deep, 1)
    assert deep in export
    auth.login(admin)

    page = imported(client, upload(client, export.encode()))

    assert "HTML nested too deeply; not imported" in page.text
    assert "posts failed: HTML nested too deeply to convert (1)" in page.text
    assert db.session.scalar(sa.select(Article).where(Article.slug == "cafe-owners")) is None
    storm = db.session.scalar(sa.select(Article).where(Article.slug == "storm-closes-the-harbour"))
    assert storm is not None  # the rest of the file came in


def test_import_needs_a_token_and_an_admin(client, auth, admin, editor):
    auth.login(admin)
    refused = client.post(
        "/admin/tools/import",
        data={"export": (io.BytesIO(SELFHOSTED.read_bytes()), "x.xml")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    auth.logout()
    auth.login(editor)
    assert client.get("/admin/tools/import").status_code == 403


def test_editor_lists_adds_edits_and_deletes_redirects(client, auth, editor):
    auth.login(editor)

    added = client.post(
        "/admin/redirects/new",
        data={
            "csrf_token": csrf_token(client, "/admin/redirects/new"),
            "source": "/2019/05/Old-Story/",
            "target": "/article/new-story",
        },
    )
    row = db.session.scalar(sa.select(Redirect))
    assert added.status_code == 303 and row.source == "/2019/05/old-story"
    assert client.get("/2019/05/old-story/").headers["Location"] == "/article/new-story"
    assert "/2019/05/old-story" in client.get("/admin/redirects?q=old").get_data(as_text=True)

    clash = client.post(
        "/admin/redirects/new",
        data={
            "csrf_token": csrf_token(client, "/admin/redirects/new"),
            "source": "/2019/05/old-story",
            "target": "https://evil.example/",
        },
    )
    assert clash.status_code == 422 and "Start with /" in clash.get_data(as_text=True)

    edited = client.post(
        f"/admin/redirects/{row.id}",
        data={
            "csrf_token": csrf_token(client, f"/admin/redirects/{row.id}"),
            "source": row.source,
            "target": "/article/newer",
        },
    )
    assert edited.status_code == 303
    db.session.expire_all()
    assert db.session.get(Redirect, row.id).target == "/article/newer"

    row_id = row.id
    deleted = client.post(
        f"/admin/redirects/{row_id}/delete",
        data={"csrf_token": csrf_token(client, "/admin/redirects")},
    )
    assert deleted.status_code == 303
    db.session.expire_all()
    assert db.session.get(Redirect, row_id) is None
    assert client.get("/2019/05/old-story/").status_code == 404
