"""The demo newsroom's published standards: six original example pages (corrections,
ethics, masthead, ownership and funding, verification, feedback), linked from
Admin > Standards so the publisher's structured data names them."""

from __future__ import annotations

import sqlalchemy as sa

from blog.core.cache.site import get_settings
from blog.core.content import render_page
from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Page

POLICY_PAGES = [
    (
        "policy_corrections",
        "Corrections policy",
        "corrections-policy",
        "## When we get it wrong\n\nWe correct errors of fact as soon as we know of them. "
        "A correction is dated and shown at the top of the article; a clarification or "
        "an update follows the text. We never change a published fact without saying so.\n\n"
        "Every correction is listed on [our corrections page](/corrections).\n\n"
        "## Tell us\n\nWrite to the duty editor at corrections@newsroom.example. We answer "
        "every message within two working days.\n",
    ),
    (
        "policy_ethics",
        "Ethics policy",
        "ethics-policy",
        "## What we owe readers\n\n- We name our sources unless naming them would put "
        "them at risk, and we say why when we do not.\n- We do not accept gifts, trips "
        "or payment from people we report on.\n- Staff declare interests to the editor; "
        "a reporter with a stake in a story does not write it.\n- Sponsored pieces are "
        "labelled as such and written by no one in the newsroom.\n",
    ),
    (
        "policy_masthead",
        "Masthead",
        "masthead",
        "## Who makes this newsroom\n\n- **Editor:** Hanna Brook\n- **News editor:** "
        "Tomas Reed\n- **Reporters:** Priya Lane, Sam Okafor\n- **Data and verification:** "
        "Ines Varga\n\nWe are a newsroom of five, based in Harrowfield.\n",
    ),
    (
        "policy_ownership",
        "Ownership and funding",
        "ownership-and-funding",
        "## Who owns us\n\nThe newsroom is owned by a members' cooperative of its readers "
        "and staff; no member holds more than one vote.\n\n## Who pays\n\nReaders' "
        "donations pay for most of our work. We publish every gift above 1,000 a year "
        "with the donor's name, and no donor sees a story before it is published.\n",
    ),
    (
        "policy_verification",
        "Verification and fact-checking",
        "verification",
        "## How we check\n\nEvery number is checked against its source by a second person "
        "before it is published. Photographs from readers are traced to who took them. "
        "A claim we cannot confirm is reported as a claim, with who made it.\n",
    ),
    (
        "policy_feedback",
        "Send us feedback",
        "feedback",
        "## Talk to us\n\nComment under any article once you have an account, or write to "
        "letters@newsroom.example. The editor reads every message and answers the ones "
        "that ask a question. Tips go to tips@newsroom.example.\n",
    ),
]


def add_policy_pages() -> int:
    """Add the missing policy pages (kept out of the footer) and link every policy
    setting still empty to its page. Call inside a write transaction; returns how many
    pages were added."""
    added = 0
    links = {}
    current = get_settings()
    for key, title, slug, body in POLICY_PAGES:
        if db.session.scalar(sa.select(Page.id).where(Page.slug == slug)) is None:
            db.session.add(
                Page(
                    title=title,
                    slug=slug,
                    body_source=body,
                    body_html=render_page(body),
                    in_footer=False,
                    position=50 + added,
                )  # fmt: skip
            )
            added += 1
        if not current.get(key):
            links[key] = f"/pages/{slug}"
    if links:
        save_settings(links)
    return added
