"""How each WordPress status and post password arrives here: nothing WordPress hid
becomes public. Public names: POST_STATUS, visibility(), hidden_status()."""

from __future__ import annotations

from blog.models import ArticleStatus

POST_STATUS = {
    "publish": ArticleStatus.PUBLISHED,
    "future": ArticleStatus.PUBLISHED,  # a future date: scheduled
    "draft": ArticleStatus.DRAFT,
    "pending": ArticleStatus.REVIEW,
    "private": ArticleStatus.DRAFT,
}
# What WordPress showed nobody, and why; such an item arrives hidden here (an article
# as a draft or in review, a page unpublished) and is named in the report.
HIDDEN_STATUS = {
    "private": "was private",
    "draft": "was a draft",
    "pending": "was pending review",
}
# Statuses that are not content anyone wrote to keep: named in the report, not imported.
LEFT_OUT_STATUS = {
    "trash": "was in the trash",
    "auto-draft": "was an auto-draft WordPress made, never saved",
    "inherit": "is a revision or attachment record",
}


def visibility(post_type: str, status: str, password: str) -> tuple[str, str]:
    """(how the item arrives, why it is hidden) for a WordPress status and password.

    How: "public", "scheduled", "hidden" or "left out". Nothing WordPress hid becomes
    public: a post password, however the post was published, makes it hidden.
    """
    if status in LEFT_OUT_STATUS or status not in POST_STATUS:
        return "left out", LEFT_OUT_STATUS.get(status, f"has the unknown status {status!r}")
    if password:
        return "hidden", "was password-protected"
    if status in HIDDEN_STATUS:
        return "hidden", HIDDEN_STATUS[status]
    if status == "future" and post_type == "page":
        return "hidden", "was scheduled (pages here are not scheduled)"
    return ("scheduled" if status == "future" else "public"), ""


def hidden_status(status: str) -> ArticleStatus:
    """The status a hidden WordPress post gets: in review if it was pending, else draft."""
    return ArticleStatus.REVIEW if status == "pending" else ArticleStatus.DRAFT
