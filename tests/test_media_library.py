"""The admin library's audio, video and documents: listed by name, type and size, and
deleted (row and file) by editors; served typed, PDFs as downloads."""

import re
from pathlib import Path

import sqlalchemy as sa

from blog.extensions import db
from blog.models import AuditLog, MediaFile

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 3000
PDF = b"%PDF-1.7\n%%EOF\n"


def add_file(app, name: str, data: bytes, content_type: str, original: str) -> MediaFile:
    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    row = MediaFile(
        filename=name,
        content_type=content_type,
        byte_size=len(data),
        original_name=original,
        sha256=name[:32] * 2,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_the_library_lists_files_without_thumbnails(app, client, auth, author):
    add_file(app, f"{1:032x}.mp3", MP3, "audio/mpeg", "harbour-talk.mp3")
    add_file(app, f"{2:032x}.pdf", PDF, "application/pdf", "tide-table.pdf")
    auth.login(author)

    page = client.get("/admin/images")

    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.get_data(as_text=True))
    assert "Audio, video and documents" in text
    assert f'<a href="/uploads/{1:032x}.mp3">harbour-talk.mp3</a>' in text
    assert "Audio (audio/mpeg)" in text and "3.0 kB" in text
    assert "Document (application/pdf)" in text
    assert f"[tide-table.pdf](/uploads/{2:032x}.pdf)" in text
    assert f'&lt;audio controls src="/uploads/{1:032x}.mp3"&gt;' in text
    assert "/delete" not in text.split("Audio, video and documents")[1]  # authors: no delete


def test_an_editor_deletes_a_file_and_its_row(app, client, auth, editor):
    row = add_file(app, f"{3:032x}.mp3", MP3, "audio/mpeg", "old-show.mp3")
    media_id, path = row.id, Path(app.instance_path) / "uploads" / row.filename
    auth.login(editor)
    assert f"/admin/images/media/{media_id}/delete" in client.get("/admin/images").text

    response = client.post(f"/admin/images/media/{media_id}/delete")

    assert response.status_code == 303 and response.headers["Location"] == "/admin/images"
    assert "File deleted." in client.get("/admin/images").text
    assert db.session.get(MediaFile, media_id) is None
    assert not path.exists()
    assert client.get(f"/uploads/{3:032x}.mp3").status_code == 404
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "media.delete"))
    assert entry.object_id == media_id and "old-show.mp3" in entry.detail
    assert client.post(f"/admin/images/media/{media_id}/delete").status_code == 404


def test_an_author_cannot_delete_a_file(app, client, auth, author):
    row = add_file(app, f"{4:032x}.pdf", PDF, "application/pdf", "report.pdf")
    auth.login(author)

    assert client.post(f"/admin/images/media/{row.id}/delete").status_code == 403
    assert db.session.get(MediaFile, row.id) is not None


def test_only_known_types_are_served_and_never_sniffed(app, client):
    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{5:032x}.mp4").write_bytes(b"<html><script>alert(1)</script>")
    (folder / f"{5:032x}.html").write_bytes(b"<script>alert(1)</script>")
    (folder / f"{5:032x}.mkv").write_bytes(b"\x1a\x45\xdf\xa3")

    video = client.get(f"/uploads/{5:032x}.mp4")

    assert video.headers["Content-Type"] == "video/mp4"
    assert video.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/uploads/{5:032x}.html").status_code == 404
    assert client.get(f"/uploads/{5:032x}.mkv").status_code == 404
    assert client.get("/uploads/../instance.mp3").status_code == 404


def test_the_library_with_files_passes_the_nu_html_checker(app, client, auth, editor, tmp_path):
    import json
    import subprocess

    from tests.tools import VNU_JAR, java, tool

    add_file(app, f"{6:032x}.mp3", MP3, "audio/mpeg", "harbour <talk>.mp3")
    add_file(app, f"{7:032x}.pdf", PDF, "application/pdf", "tide-table.pdf")
    auth.login(editor)
    (tmp_path / "library.html").write_text(client.get("/admin/images").text)

    result = subprocess.run(
        [java(), "-Xss4m", "-jar", str(tool(VNU_JAR)), "--errors-only", "--format", "json",
         "--exit-zero-always", str(tmp_path / "library.html")],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip

    errors = [m["message"] for m in json.loads(result.stderr)["messages"] if m["type"] == "error"]
    assert errors == []
