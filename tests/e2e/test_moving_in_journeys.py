"""An admin moves a Ghost site and a Substack publication over in Tools > Import; the
public posts and old links work, the members-only and paid ones stay hidden."""

import zipfile
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.steps import log_in

TESTS = Path(__file__).resolve().parents[1]
GHOST4 = TESTS / "ghost" / "ghost-4.json"
MEMBERS = TESTS / "ghost" / "members.csv"
SUBSTACK = TESTS / "substack" / "export"


def test_admin_imports_a_ghost_export_and_members(page, site):
    log_in(page, site["people"]["admin"])
    page.goto("/admin/")
    page.get_by_role("link", name="Tools: Import").click()
    page.get_by_role("link", name="import from Ghost").click()

    page.get_by_label("Ghost export (.json)").set_input_files(str(GHOST4))
    page.get_by_label("Members CSV (optional; Members → Export)").set_input_files(str(MEMBERS))
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("region", name="Import progress")).to_be_visible()
    report = page.get_by_role("region", name="Import report")
    expect(report).to_contain_text("Imported — ghost:The Harbour Gazette", timeout=90_000)
    expect(report).to_contain_text("“Filtered by product”: was only for readers matching")
    expect(report.get_by_role("row", name="subscribers")).to_contain_text("2")

    page.goto("/old-harbour-history/")
    expect(page).to_have_url(f"{site['url']}/article/old-harbour-history")
    expect(page.locator("h1")).to_have_text("Old harbour history")
    response = page.goto("/filtered-by-product/")
    assert response.status == 404
    response = page.goto("/article/filtered-by-product")
    assert response.status == 404


def test_admin_imports_a_substack_export(page, site, tmp_path):
    export = tmp_path / "substack.zip"
    with zipfile.ZipFile(export, "w") as out:
        for file in sorted(SUBSTACK.rglob("*")):
            if file.is_file():
                out.write(file, file.relative_to(SUBSTACK).as_posix())
    log_in(page, site["people"]["admin"])
    page.goto("/admin/tools/import/substack")
    page.get_by_label("Substack export (.zip)").set_input_files(str(export))
    page.get_by_role("button", name="Import").click()

    report = page.get_by_role("region", name="Import report")
    expect(report).to_contain_text("Imported — substack:harbourgazette", timeout=90_000)
    expect(report).to_contain_text("“Paid deep dive”: was for paying subscribers only")

    page.goto("/p/first-issue")
    expect(page).to_have_url(f"{site['url']}/article/first-issue")
    # Not copied without "fetch images": a link to it, never an image the CSP blocks.
    expect(page.get_by_role("link", name="Image: Boats in the basin")).to_have_count(1)
    expect(page.get_by_role("heading", name="What comes next", level=2)).to_be_visible()
    assert page.goto("/p/paid-deep-dive").status == 404
