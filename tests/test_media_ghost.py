"""Ghost's file, audio and video cards come over with their files (issue 22).

On the real Ghost 5.130.6 and 6.65.0 exports (tests/ghost/ghost-real-*.json), whose
`media-cards` post holds a file card (tide-table.pdf) and an audio card (storm.mp3),
with a copy of Ghost's content/ folder given by `--content` (or found beside
`--images`).
"""

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, MediaFile
from tests.shared import GHOST

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\xff\xfb\x90\x44" + b"storm" * 200
PDF = b"%PDF-1.4\n% tide table\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x02" * 400
VIDEO_CARD = (
    '<figure class="kg-card kg-video-card kg-width-regular"><div class="kg-video-container">'
    '<video src="__GHOST_URL__/content/media/2026/12/waves.mp4" poster="https://img.spacergif'
    '.org/v1/1920x1080/0a/spacer.png" width="1920" height="1080" playsinline preload="metadata"'
    " style=\"background: transparent url('__GHOST_URL__/content/media/2026/12/waves_thumb.jpg"
    '\') 50% 50% / cover no-repeat;"></video><div class="kg-video-overlay"><button '
    'class="kg-video-large-play-icon" aria-label="Play video"></button></div><div '
    'class="kg-video-player-container"><div class="kg-video-player"><span '
    'class="kg-video-current-time">0:00</span></div></div></div><figcaption>Waves at the '
    "pier</figcaption></figure>"
)


@pytest.fixture(params=("5.130.6", "6.65.0"))
def real(request) -> Path:
    return GHOST / f"ghost-real-{request.param}.json"


def content_folder(root: Path, *, video: bool = False) -> Path:
    """A copy of Ghost's content/ with the media cards' files (and no images)."""
    for path, data in [
        ("files/2026/12/tide-table.pdf", PDF),
        ("media/2026/12/storm.mp3", MP3),
        *([("media/2026/12/waves.mp4", MP4)] if video else []),
    ]:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (root / "images").mkdir(exist_ok=True)
    return root


def edited(real: Path, folder: Path, change) -> Path:
    data = json.loads(real.read_text())
    post = next(p for p in data["db"][0]["data"]["posts"] if p["slug"] == "media-cards")
    change(post)
    path = folder / "edited.json"
    path.write_text(json.dumps(data))
    return path


def run(runner, *args) -> str:
    result = runner.invoke(args=["import-ghost", *map(str, args)])
    db.session.remove()
    assert result.exit_code == 0, result.output
    return result.output


def media_cards() -> Article:
    return db.session.scalar(sa.select(Article).where(Article.slug == "media-cards"))


def rows() -> dict[str, MediaFile]:
    return {m.original_name: m for m in db.session.scalars(sa.select(MediaFile))}


def test_file_and_audio_cards_come_with_their_files(app, runner, tmp_path, real):
    output = run(runner, real, "--content", content_folder(tmp_path / "content"))

    files = rows()
    pdf, mp3 = files["tide-table.pdf"].filename, files["storm.mp3"].filename
    folder = Path(app.instance_path) / "uploads"
    assert (folder / pdf).read_bytes() == PDF and (folder / mp3).read_bytes() == MP3
    source = media_cards().body_source
    assert f"[Tide table PDF](/uploads/{pdf})\n\nThis week" in source
    player = f'<audio controls src="/uploads/{mp3}"><a href="/uploads/{mp3}">Storm sounds</a>'
    assert player in source
    assert "*Storm sounds*" in source
    for gone in ("content/files", "content/media", "0:00", "1×", "Download"):
        assert gone not in source, gone
    assert "file not copied" not in output
    assert re.search(r"^media\s+2\s+0\s+0\s+0\s+0$", output, re.M), output

    client = app.test_client()
    page = client.get("/article/media-cards")
    assert page.status_code == 200
    assert f'<audio controls preload="metadata" src="/uploads/{mp3}">' in page.text
    assert "media-src 'self'" in page.headers["Content-Security-Policy"]
    old = client.get("/content/media/2026/12/storm.mp3")
    assert old.status_code == 301 and old.headers["Location"] == f"/uploads/{mp3}"
    download = client.get(f"/uploads/{pdf}")
    assert download.data == PDF and download.headers["Content-Disposition"].startswith("attachment")

    again = run(runner, real, "--content", tmp_path / "content")

    assert sorted(p.name for p in folder.iterdir()) == sorted([pdf, mp3])
    assert len(rows()) == 2 and media_cards().body_source == source
    assert not re.search(r"^media", again, re.M), again


def test_an_images_folder_named_images_finds_the_files_beside_it(app, runner, tmp_path, real):
    content = content_folder(tmp_path / "content")

    run(runner, real, "--images", content / "images")

    assert set(rows()) == {"tide-table.pdf", "storm.mp3"}


def test_a_lexical_only_body_keeps_its_media_cards(app, runner, tmp_path, real):
    path = edited(real, tmp_path, lambda post: post.update(html=None))

    run(runner, path, "--content", content_folder(tmp_path / "content"))

    source = media_cards().body_source
    pdf, mp3 = rows()["tide-table.pdf"].filename, rows()["storm.mp3"].filename
    assert f"[Tide table PDF](/uploads/{pdf})" in source and "This week" in source
    assert f'<audio controls src="/uploads/{mp3}">' in source and "*Storm sounds*" in source


def test_a_video_card_becomes_a_player_with_its_caption(app, runner, tmp_path, real):
    path = edited(real, tmp_path, lambda post: post.update(html=post["html"] + VIDEO_CARD))

    run(runner, path, "--content", content_folder(tmp_path / "content", video=True))

    mp4 = rows()["waves.mp4"]
    assert mp4.content_type == "video/mp4"
    html = media_cards().body_html
    assert f'<video controls preload="metadata" src="/uploads/{mp4.filename}">' in html
    assert "<em>Waves at the pier</em>" in html
    assert "spacergif" not in html and "waves_thumb" not in html and "0:00" not in html


def test_cards_whose_files_are_missing_are_dropped_and_counted(app, runner, tmp_path, real):
    content = tmp_path / "content"
    (content / "media").mkdir(parents=True)

    output = run(runner, real, "--content", content)

    assert rows() == {}
    source = media_cards().body_source
    assert "content/files" not in source and "Storm sounds" not in source
    assert "Ghost file card (file not copied) (1)" in output
    assert "Ghost audio card (file not copied) (1)" in output
    assert "media failed: missing in the --content folder: media/2026/12/storm.mp3 (1)" in output


def test_pages_with_players_pass_the_nu_html_checker(app, runner, tmp_path, real):
    import subprocess

    from tests.tools import VNU_JAR, java, tool

    path = edited(real, tmp_path, lambda post: post.update(html=post["html"] + VIDEO_CARD))
    run(runner, path, "--content", content_folder(tmp_path / "content", video=True))
    page = app.test_client().get("/article/media-cards")
    assert "<audio controls" in page.text and "<video controls" in page.text
    (tmp_path / "page.html").write_text(page.text)

    result = subprocess.run(
        [java(), "-Xss4m", "-jar", str(tool(VNU_JAR)), "--errors-only", "--format", "json",
         "--exit-zero-always", str(tmp_path / "page.html")],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip

    errors = [m["message"] for m in json.loads(result.stderr)["messages"] if m["type"] == "error"]
    assert errors == []
