"""`blog import-substack`: posts and their audiences, redirects, re-runs, the email
list's consent, and zips that are not exports, bombs or climb out of their folder."""

import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Redirect, Role, Subscriber, SubscriberState
from tests import factories
from tests.shared import substack_zip as make_zip


def run(runner, *args):
    result = runner.invoke(args=["import-substack", *map(str, args)])
    db.session.remove()
    return result


def row(output: str, kind: str) -> list[int]:
    line = next(line for line in output.splitlines() if line.split()[:1] == [kind])
    return [int(n) for n in line.split()[1:]]


def article(slug: str) -> Article | None:
    return db.session.scalar(sa.select(Article).where(Article.slug == slug))


@pytest.fixture
def export(tmp_path) -> Path:
    return make_zip(tmp_path / "export.zip")


@pytest.fixture
def imported(app, runner, export):
    result = run(runner, export)
    assert result.exit_code == 0, result.output
    return result


def test_public_post_keeps_body_date_and_subtitle(imported):
    first = article("first-issue")
    assert first.is_public and first.published_at.isoformat() == "2023-12-01T09:00:00+00:00"
    assert first.summary == "Why we started the Gazette"
    assert "**first issue**" in first.body_source
    assert "## What comes next" in first.body_source  # Substack's <h3>: the body's top level
    # Not copied (no --fetch-images): a link to it, never an image the CSP blocks.
    assert "<img" not in first.body_html
    assert (
        "[Image: Boats in the basin](https://substack-post-media.s3.amazonaws.com/public/images/boats.jpeg)"
        in first.body_source
    )
    for bad in ("<script", "<form", "<input", "alert("):
        assert bad not in first.body_html
    assert article("harbour-podcast").is_public


def test_audiences_other_than_everyone_and_drafts_stay_hidden(imported, client):
    for slug in ("paid-deep-dive", "founders-letter", "half-written", "subscribers-note"):
        found = article(slug)
        assert found.status == "draft" and found.published_at is None, slug
    out = imported.output
    assert "“Paid deep dive”: was for paying subscribers only; kept hidden here" in out
    assert "“Founders letter”: was for founding members only" in out
    assert "“Half written”: was never published (a draft)" in out
    assert "“Subscribers note”: was for subscribers only" in out
    assert "“Lost body”: has no posts/<id>.html; not imported" in out
    for path in ("/", "/feed.xml", "/sitemap.xml"):
        body = client.get(path).get_data(as_text=True)
        assert "budget is short" not in body and "Paid deep dive" not in body
        assert "Founders only secret" not in body and "Free subscribers secret" not in body
    assert client.get("/p/paid-deep-dive").status_code == 404


def test_old_addresses_redirect(imported, client):
    response = client.get("/p/first-issue")
    assert response.status_code == 301 and response.location.endswith("/article/first-issue")
    assert (
        db.session.scalar(sa.select(Redirect.origin).where(Redirect.source == "/p/first-issue"))
        == "substack"
    )


def test_email_list_subscribers_keep_their_consent(imported):
    subscribers = {s.email: s for s in db.session.scalars(sa.select(Subscriber))}
    # cleo turned emails off at Substack: never subscribed here.
    assert set(subscribers) == {"ana@reader.example", "ben@reader.example"}
    assert all(s.state == SubscriberState.ACTIVE and s.source == "import"
               for s in subscribers.values())  # fmt: skip


def test_rerun_changes_nothing(imported, runner, export):
    again = run(runner, export)
    assert again.exit_code == 0, again.output
    assert row(again.output, "posts") == [0, 0, 6, 1, 0]
    assert row(again.output, "subscribers")[0] == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 6


def test_author_option_credits_an_existing_user(app, runner, export):
    user = factories.make_user(Role.AUTHOR, username="mira_s")
    result = run(runner, export, "--author", "mira_s", "--no-subscribers")
    assert result.exit_code == 0, result.output
    assert article("first-issue").author_id == user.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0
    missing = run(runner, export, "--author", "nobody")
    assert missing.exit_code == 1 and "there is no user 'nobody' here" in missing.output


def test_dry_run_writes_nothing(app, runner, export):
    result = run(runner, export, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Substack import of substack:harbourgazette: dry run" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0


def bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("posts.csv", "post_id,title\n")
        out.writestr("posts/1.bomb.html", b"\0" * (20 * 1024 * 1024))
    return path


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda p: p.write_bytes(b"PK\x03\x04 broken") and p, "not a .zip file"),
        (lambda p: p.write_text("post_id,title\n") and p, "not a .zip file"),
        (lambda p: make_zip(p, skip=("posts.csv",)), "has no posts.csv"),
        (lambda p: make_zip(p, {"../../evil.html": b"x"}), "outside its folder"),
        (lambda p: make_zip(p, {"/etc/passwd": b"x"}), "outside its folder"),
        (bomb, "zip bomb"),
    ],
)
def test_bad_files_get_a_clear_message(app, runner, tmp_path, build, message):
    result = run(runner, build(tmp_path / "export.zip"))
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0


def test_fetch_images_copies_only_from_substacks_hosts(app, runner, export, monkeypatch):
    import io

    from PIL import Image

    from blog.importers.substack import images

    asked = []

    def download(url: str) -> bytes:
        asked.append(url)
        if url.endswith("boats.jpeg"):
            out = io.BytesIO()
            Image.new("RGB", (640, 480), "navy").save(out, "JPEG")
            return out.getvalue()
        raise images.FetchError("404")

    monkeypatch.setattr(images, "download", download)
    result = run(runner, export, "--fetch-images")
    assert result.exit_code == 0, result.output
    assert asked == ["https://substack-post-media.s3.amazonaws.com/public/images/boats.jpeg"]
    first = article("first-issue")
    assert "/uploads/" in first.body_html and 'alt="Boats in the basin"' in first.body_html
    assert "substack-post-media" not in first.body_html and "substackcdn" not in first.body_html
    assert row(result.output, "images")[0] == 1
    again = run(runner, export, "--fetch-images")
    assert len(asked) == 1 and row(again.output, "posts")[2] == 6  # fetched once


def test_only_substack_image_addresses_are_ever_fetched():
    from blog.importers.substack.images import FetchError, download, original

    cdn = "https://substackcdn.com/image/fetch/w_424,c_limit/https%3A%2F%2Fsubstack-post-media.s3.amazonaws.com%2Fpublic%2Fimages%2Fa.png"
    assert original(cdn) == "https://substack-post-media.s3.amazonaws.com/public/images/a.png"
    for url in (
        "http://substack-post-media.s3.amazonaws.com/public/images/a.png",
        "https://169.254.169.254/latest/meta-data/",
        "https://substackcdn.com/image/fetch/w_1/https%3A%2F%2Fevil.example%2Fa.png",
        "file:///etc/passwd",
        "https://substack-post-media.s3.amazonaws.com.evil.example/a.png",
    ):
        assert original(url) is None, url
        with pytest.raises(FetchError):
            download(url)
