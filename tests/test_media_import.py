"""Audio, video and PDF files from WordPress: copied, checked, played, served, exported.

Issue 22, "Moving in loses nothing": an export's mp3 and mov attachments, `[audio]` and
`[video]` shortcodes and Gutenberg audio, video and file blocks come over as files of
this site (blog/core/media.py), each once, and bodies play them.
"""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.core.media import sniff
from blog.extensions import db
from blog.models import Article, MediaFile
from tests.shared import write_wxr

SITE = "https://media.example.org"
UPLOADS = f"{SITE}/wp-content/uploads/2025/03"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x0f" + b"\xff\xfb\x90\x64" + bytes(range(256)) * 8
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isommp42" + b"\x00" * 300
MOV = b"\x00\x00\x00\x14ftypqt  \x20\x05\x03\x00qt  " + b"\x01" * 500
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
NAME = re.compile(r"/uploads/([0-9a-f]{32}\.(?:mp3|m4a|mov|pdf))")


def item(wp_id: int, slug: str, body: str = "", kind: str = "post", url: str = "") -> str:
    return f"""<item><title>{slug.capitalize()}</title><link>{SITE}/{slug}/</link>
    <dc:creator><![CDATA[editor]]></dc:creator>
    <guid isPermaLink="false">{SITE}/?p={wp_id}</guid>
    <content:encoded><![CDATA[{body}]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{wp_id}</wp:post_id>
    <wp:post_date_gmt>2025-03-01 09:00:00</wp:post_date_gmt>
    <wp:post_name><![CDATA[{slug}]]></wp:post_name>
    <wp:status><![CDATA[{"inherit" if kind == "attachment" else "publish"}]]></wp:status>
    <wp:post_parent>0</wp:post_parent><wp:post_type><![CDATA[{kind}]]></wp:post_type>
    {f"<wp:attachment_url>{url}</wp:attachment_url>" if url else ""}
    </item>"""


BODY = (
    f'<p>Listen.</p>\n\n[audio src="{UPLOADS}/talk.mp3"]\n\n[audio {UPLOADS}/interview.m4a]\n\n'
    f'<!-- wp:video {{"id":72}} --><figure class="wp-block-video"><video controls '
    f'src="{UPLOADS}/clip.mov"></video><figcaption>The flood</figcaption></figure>'
    "<!-- /wp:video -->\n\n"
    f'<!-- wp:file {{"id":73}} --><div class="wp-block-file"><object '
    f'class="wp-block-file__embed" data="{UPLOADS}/report.pdf" type="application/pdf">'
    f'</object><a id="f73" href="{UPLOADS}/report.pdf">Annual report</a><a '
    f'href="{UPLOADS}/report.pdf" class="wp-block-file__button" download>Download</a></div>'
    "<!-- /wp:file -->"
)


def folder_with(tmp_path: Path, **files: bytes) -> str:
    root = tmp_path / "wp-uploads"
    for name, data in files.items():
        path = root / "2025" / "03" / name.replace("_", ".")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return str(root)


def run_import(runner, path: str, *args: str) -> str:
    result = runner.invoke(args=["import-wordpress", path, *args])
    db.session.remove()
    assert result.exit_code == 0, result.output
    return result.output


def stored(app) -> dict[str, bytes]:
    folder = Path(app.instance_path) / "uploads"
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


def body_of(slug: str) -> Article:
    return db.session.scalar(sa.select(Article).where(Article.slug == slug))


@pytest.fixture
def export(tmp_path) -> str:
    items = [
        item(1, "listen", BODY),
        item(70, "talk", kind="attachment", url=f"{UPLOADS}/talk.mp3"),
        item(74, "keynote", kind="attachment", url=f"{UPLOADS}/keynote.mov"),
    ]
    return write_wxr(tmp_path / "site.xml", SITE, "".join(items), title="Media")


def test_audio_video_and_files_are_copied_played_and_served(app, runner, tmp_path, export):
    keynote = MOV + b"keynote"
    folder = folder_with(
        tmp_path, talk_mp3=MP3, interview_m4a=M4A, clip_mov=MOV, report_pdf=PDF,
        keynote_mov=keynote,
    )  # fmt: skip

    output = run_import(runner, export, "--uploads", folder)

    rows = {row.original_name: row for row in db.session.scalars(sa.select(MediaFile))}
    assert set(rows) == {"talk.mp3", "interview.m4a", "clip.mov", "report.pdf", "keynote.mov"}
    files = stored(app)
    assert files[rows["talk.mp3"].filename] == MP3
    assert files[rows["keynote.mov"].filename] == keynote  # an attachment no post shows
    assert rows["clip.mov"].content_type == "video/quicktime"
    assert rows["interview.m4a"].content_type == "audio/mp4"
    assert rows["report.pdf"].byte_size == len(PDF)
    assert re.search(r"^media\s+5\s+0\s+0\s+0\s+0$", output, re.M), output

    html = body_of("listen").body_html
    talk, clip = rows["talk.mp3"].filename, rows["clip.mov"].filename
    assert f'<audio controls preload="metadata" src="/uploads/{talk}">' in html
    assert f'<video controls preload="metadata" src="/uploads/{clip}">' in html
    assert f'<a href="/uploads/{rows["report.pdf"].filename}">Annual report</a>' in html
    assert "Download</a>" not in html and "<object" not in html
    assert SITE not in html
    source = body_of("listen").body_source
    assert f'<audio controls src="/uploads/{talk}"><a href="/uploads/{talk}">talk.mp3</a>' in source

    client = app.test_client()
    page = client.get("/article/listen")
    assert page.status_code == 200 and f'src="/uploads/{talk}"' in page.text
    answer = client.get(f"/uploads/{talk}")
    assert answer.status_code == 200 and answer.data == MP3
    assert answer.headers["Content-Type"] == "audio/mpeg"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Disposition"].startswith("inline")
    part = client.get(f"/uploads/{talk}", headers={"Range": "bytes=0-2"})
    assert part.status_code == 206 and part.data == b"ID3"  # players seek
    pdf = client.get(f"/uploads/{rows['report.pdf'].filename}")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.data == PDF
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    # The old addresses and the attachment's page go to the copies.
    old = client.get("/wp-content/uploads/2025/03/talk.mp3")
    assert old.status_code == 301 and old.headers["Location"] == f"/uploads/{talk}"
    assert (
        client.get("/?attachment_id=74").headers["Location"].endswith(rows["keynote.mov"].filename)
    )


def test_a_second_run_copies_nothing_again(app, runner, tmp_path, export):
    folder = folder_with(
        tmp_path, talk_mp3=MP3, interview_m4a=M4A, clip_mov=MOV, report_pdf=PDF,
        keynote_mov=MOV + b"k",
    )  # fmt: skip
    run_import(runner, export, "--uploads", folder)
    first, html = stored(app), body_of("listen").body_html

    output = run_import(runner, export, "--uploads", folder)

    assert stored(app) == first
    assert db.session.scalar(sa.select(sa.func.count(MediaFile.id))) == 5
    assert body_of("listen").body_html == html
    assert not re.search(r"^media", output, re.M), output  # nothing new to count


def test_the_same_bytes_under_two_names_are_one_file(app, runner, tmp_path):
    body = f"[audio {UPLOADS}/a.mp3]\n\n[audio {UPLOADS}/copy-of-a.mp3]"
    path = write_wxr(tmp_path / "site.xml", SITE, item(1, "twice", body))
    folder = folder_with(tmp_path, a_mp3=MP3, **{"copy-of-a_mp3": MP3})

    run_import(runner, path, "--uploads", folder)

    names = db.session.scalars(sa.select(MediaFile.filename)).all()
    assert len(names) == 1 and list(stored(app)) == names
    assert body_of("twice").body_html.count(f'src="/uploads/{names[0]}"') == 2


@pytest.mark.parametrize(
    "data, why",
    [
        (b"<html><script>alert(1)</script></html>", "not an audio, video or PDF file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an audio, video or PDF file"),
        (MP3 * 40, "larger than MEDIA_MAX_BYTES"),
    ],
)
def test_a_file_that_is_not_what_it_says_stays_a_link_and_is_counted(
    app, runner, tmp_path, data, why
):
    app.config["MEDIA_MAX_BYTES"] = 10_000
    path = write_wxr(tmp_path / "site.xml", SITE, item(1, "fake", f"[audio {UPLOADS}/fake.mp3]"))

    output = run_import(runner, path, "--uploads", folder_with(tmp_path, fake_mp3=data))

    assert db.session.scalar(sa.select(sa.func.count(MediaFile.id))) == 0
    assert stored(app) == {}
    assert f'<a href="{UPLOADS}/fake.mp3">' in body_of("fake").body_html
    assert f"media failed: 2025/03/fake.mp3: {why}" in output
    assert "[audio] (kept as a link) (1)" in output


def test_a_missing_file_keeps_todays_link_and_is_counted(app, runner, tmp_path):
    body = f'<!-- wp:audio --><figure class="wp-block-audio"><audio src="{UPLOADS}/gone.mp3">'
    body += "</audio></figure><!-- /wp:audio -->"
    path = write_wxr(tmp_path / "site.xml", SITE, item(1, "gone", body))

    output = run_import(runner, path, "--uploads", folder_with(tmp_path, other_mp3=MP3))

    assert f'<a href="{UPLOADS}/gone.mp3">' in body_of("gone").body_html
    assert "media failed: missing in the --uploads folder: 2025/03/gone.mp3 (1)" in output
    assert "audio (kept as a link) (1)" in output


@pytest.mark.parametrize(
    "url",
    [
        f"{SITE}/wp-content/uploads/../../secret.mp3",
        f"{SITE}/wp-content/uploads/2025/%2e%2e/%2e%2e/../secret.mp3",
        "javascript:alert(1)//x.mp3",
        "data:audio/mpeg;base64,SUQz",
        "https://10.0.0.7/private/talk.mp3",  # no upload of the old site: not even a link
    ],
)
def test_a_hostile_media_address_copies_nothing_and_never_fails(app, runner, tmp_path, url):
    (tmp_path / "secret.mp3").write_bytes(MP3)  # beside the uploads folder, not in it
    body = f'[audio src="{url}"]\n\n<video src="{url}"></video>'
    path = write_wxr(tmp_path / "site.xml", SITE, item(1, "hostile", body))

    run_import(runner, path, "--uploads", folder_with(tmp_path, talk_mp3=MP3))

    assert db.session.scalar(sa.select(sa.func.count(MediaFile.id))) == 0
    html = body_of("hostile").body_html
    assert "javascript:" not in html and "data:" not in html and "10.0.0.7" not in html
    assert "<audio" not in html and "<video" not in html


def test_a_dry_run_copies_no_file(app, runner, tmp_path, export):
    folder = folder_with(tmp_path, talk_mp3=MP3, clip_mov=MOV)

    run_import(runner, export, "--uploads", folder, "--dry-run")

    assert stored(app) == {}
    assert db.session.scalar(sa.select(sa.func.count(MediaFile.id))) == 0


@pytest.mark.parametrize(
    "head, name, ext",
    [
        (MP3, "a.mp3", ".mp3"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 60, "a.mp3", ".mp3"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 60, "a.pdf", None),  # a frame sync alone: by name
        (M4A, "a.mp4", ".m4a"),
        (MOV, "a.mp4", ".mov"),
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 40, "a.m4a", ".m4a"),
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 40, "a.bin", ".mp4"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", "old.mov", ".mov"),
        (b"OggS\x00\x02" + b"\x00" * 40, "a.oga", ".ogg"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "a.wav", ".wav"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "a.wav", None),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "a.webm", ".webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", "a.webm", None),
        (PDF, "a.mp3", ".pdf"),
        (b"<svg onload=alert(1)>", "a.mp3", None),
        (b"", "a.mp3", None),
    ],
)
def test_a_file_is_known_by_its_first_bytes_not_its_name(head, name, ext):
    assert sniff(head[:64], name) == ext


def test_the_export_sends_media_to_wordpress_and_they_come_back(
    app, runner, tmp_path, migrated_db, article
):
    from xml.etree import ElementTree

    from blog.core.content import render_article
    from tests.conftest import standalone_app

    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    talk, orphan = f"{9:032x}.mp3", f"{10:032x}.pdf"
    (folder / talk).write_bytes(MP3)
    (folder / orphan).write_bytes(PDF)
    for name, kind in ((talk, "audio/mpeg"), (orphan, "application/pdf")):
        db.session.add(MediaFile(filename=name, content_type=kind, sha256=name[:32] * 2))
    article.body_source = f'Hear it:\n\n<audio controls src="/uploads/{talk}"></audio>\n'
    article.body_html = render_article(article.body_source)
    db.session.commit()
    out = tmp_path / "site.xml"

    assert runner.invoke(args=["export-wordpress", str(out)]).exit_code == 0

    site = app.config["SITE_URL"].rstrip("/")
    channel = ElementTree.parse(out).getroot().find("channel")
    wp = "{http://wordpress.org/export/1.2/}"
    attachments = {
        i.findtext(f"{wp}attachment_url"): i.findtext(f"{wp}post_parent")
        for i in channel.iter("item")
        if i.findtext(f"{wp}post_type") == "attachment"
    }
    assert attachments == {
        f"{site}/uploads/{talk}": str(article.id),
        f"{site}/uploads/{orphan}": "0",
    }
    assert f'src="{site}/uploads/{talk}"' in out.read_text()

    (tmp_path / "other").mkdir()
    with standalone_app(tmp_path / "other", migrated_db) as other:
        result = other.test_cli_runner().invoke(
            args=["import-wordpress", str(out), "--uploads", str(folder)]
        )
        assert result.exit_code == 0, result.output
        db.session.remove()
        copies = {m.original_name: m.filename for m in db.session.scalars(sa.select(MediaFile))}
        there = Path(other.instance_path) / "uploads"
        assert (there / copies[f"{9:032x}.mp3"]).read_bytes() == MP3
        assert (there / copies[f"{10:032x}.pdf"]).read_bytes() == PDF
        moved = db.session.scalar(sa.select(Article).where(Article.slug == article.slug))
        assert f'src="/uploads/{copies[f"{9:032x}.mp3"]}"' in moved.body_html
