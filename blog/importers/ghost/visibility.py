"""How each Ghost status and visibility arrives here: nothing Ghost kept from the
public (members-only, paid, tiers, drafts, email-only posts) becomes public. The same
rules as blog/importers/wordpress/visibility.py: such an item arrives as a draft (a
page unpublished), named in the report."""

from __future__ import annotations

STATUSES = ("published", "draft", "scheduled", "sent")
HIDDEN_VISIBILITY = {
    "members": "was for members only",
    "paid": "was for paying members only",
    "tiers": "was for some tiers only",
}
HIDDEN_STATUS = {
    "draft": "was a draft",
    "sent": "was sent by email only, never on the site",
}


def visibility(post_type: str, status: str, shown_to: str, email_only: bool) -> tuple[str, str]:
    """(how the item arrives, why it is hidden): "public", "scheduled", "hidden" or
    "left out". Any visibility but "public" (Ghost 4's NQL filters such as
    `product:gold` too) hides the item."""
    if status not in STATUSES:
        return "left out", f"has the unknown status {status!r}"
    if shown_to != "public":
        return "hidden", HIDDEN_VISIBILITY.get(
            shown_to, f"was only for readers matching {shown_to[:60]!r}"
        )
    if status in HIDDEN_STATUS:
        return "hidden", HIDDEN_STATUS[status]
    if email_only:
        return "hidden", HIDDEN_STATUS["sent"]
    if status == "scheduled":
        if post_type == "page":
            return "hidden", "was scheduled (pages here are not scheduled)"
        return "scheduled", ""
    return "public", ""
