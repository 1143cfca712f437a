"""An admin brings a WordPress post with a sound and a PDF over (issue 22): in Chromium
the sound plays from this site under its Content-Security-Policy, the PDF downloads,
and the library lists both."""

import io
import wave
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.steps import log_in
from tests.shared import write_wxr

OLD = "https://chime.example.org"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BODY = (
    "<p>The harbour bell, recorded at dawn.</p>\n\n"
    f'[audio src="{OLD}/wp-content/uploads/2025/03/chime.wav"]\n\n'
    '<!-- wp:file --><div class="wp-block-file"><a href="'
    f'{OLD}/wp-content/uploads/2025/03/bell-report.pdf">Bell report</a><a href="'
    f'{OLD}/wp-content/uploads/2025/03/bell-report.pdf" class="wp-block-file__button" '
    "download>Download</a></div><!-- /wp:file -->"
)
ITEM = f"""<item><title>Chime at dawn</title><link>{OLD}/chime-at-dawn/</link>
<dc:creator><![CDATA[editor]]></dc:creator><guid isPermaLink="false">{OLD}/?p=7</guid>
<content:encoded><![CDATA[{BODY}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>7</wp:post_id><wp:post_date_gmt>2025-03-01 06:00:00</wp:post_date_gmt>
<wp:post_name><![CDATA[chime-at-dawn]]></wp:post_name><wp:status><![CDATA[publish]]></wp:status>
<wp:post_parent>0</wp:post_parent><wp:post_type><![CDATA[post]]></wp:post_type></item>"""


def half_a_second_of_sound() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x10" * 4000)
    return out.getvalue()


def test_an_imported_sound_plays_and_its_pdf_downloads(page, site, tmp_path):
    # The server folder Tools > Import takes files from (BLOG_IMPORT_UPLOADS_DIR).
    uploads = Path(site["db"]).parent / "wp-uploads" / "2025" / "03"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "chime.wav").write_bytes(half_a_second_of_sound())
    (uploads / "bell-report.pdf").write_bytes(PDF)
    export = write_wxr(tmp_path / "chime.xml", OLD, ITEM, title="Chime")

    log_in(page, site["people"]["admin"])
    page.goto("/admin/")
    page.get_by_role("link", name="Tools: Import").click()
    page.get_by_label("WordPress export (.xml)").set_input_files(export)
    page.get_by_role("button", name="Import").click()
    report = page.get_by_role("region", name="Import report")
    expect(report).to_contain_text(f"Imported — {OLD} (WXR 1.2)", timeout=90_000)
    expect(report.get_by_role("row", name="media")).to_contain_text("2")

    page.goto("/article/chime-at-dawn")
    player = page.locator("article audio")
    expect(player).to_have_attribute("controls", "")
    # Chromium fetched the file from /uploads/ (media-src 'self') and read its length.
    player.evaluate("a => a.readyState >= 1 || new Promise(r => a.onloadedmetadata = r)")
    duration = player.evaluate("a => a.duration")
    assert 0.4 < duration < 0.6, duration
    with page.expect_download() as download:
        page.get_by_role("link", name="Bell report").click()
    assert download.value.suggested_filename.endswith(".pdf")
    expect(page.get_by_role("link", name="Download")).to_have_count(0)

    page.goto("/admin/images")
    files = page.locator("table.media-files")
    expect(files.get_by_role("row", name="chime.wav")).to_contain_text("Audio (audio/wav)")
    expect(files.get_by_role("row", name="bell-report.pdf")).to_contain_text("application/pdf")
