"""An admin brings over a real Ghost 5.130.6 export (tests/ghost/ghost-real-5.130.6.json)
in Tools > Import: the public posts read cleanly, the cards Ghost showed only to members
and the members-only posts stay hidden, and the report says so."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import running_site
from tests.e2e.steps import log_in

GHOST = Path(__file__).resolve().parents[1] / "ghost"
REAL = GHOST / "ghost-real-5.130.6.json"
MEMBERS = GHOST / "members-real-5.130.6.csv"


@pytest.fixture(scope="module")
def site(tmp_path_factory, mailbox):
    """A site of its own: the real export's slugs (storm-closes-the-harbour,
    old-harbour-history) are the ones the WordPress and Ghost journeys look up on the
    shared site."""
    with running_site(tmp_path_factory, mailbox) as running:
        yield running


def test_admin_imports_a_real_ghost_export(page, site):
    log_in(page, site["people"]["admin"])
    page.goto("/admin/")
    page.get_by_role("link", name="Tools: Import").click()
    page.get_by_role("link", name="import from Ghost").click()

    page.get_by_label("Ghost export (.json)").set_input_files(str(REAL))
    page.get_by_label("Members CSV (optional; Members → Export)").set_input_files(str(MEMBERS))
    page.get_by_role("button", name="Import").click()

    report = page.get_by_role("region", name="Import report")
    expect(report).to_contain_text("Imported — ghost:Harbour Gazette", timeout=90_000)
    expect(report).to_contain_text("“Paid investigation”: was for paying members only")
    expect(report).to_contain_text("Ghost card for members only (left out)")
    expect(report.get_by_role("row", name="subscribers")).to_contain_text("2")

    page.goto("/gated-cards/")
    expect(page).to_have_url(f"{site['url']}/article/gated-cards")
    expect(page.get_by_text("Everyone reads this.", exact=True)).to_be_visible()
    expect(page.get_by_text("the leaked figure")).to_have_count(0)

    page.goto("/article/storm-closes-the-harbour")
    expect(page.get_by_role("link", name="Tide tables")).to_have_attribute(
        "href", "https://example.org/tides"
    )
    expect(page.get_by_text("No spam.")).to_have_count(0)
    assert page.goto("/paid-investigation/").status == 404
