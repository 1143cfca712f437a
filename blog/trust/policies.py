"""The newsroom's published policies: which settings hold them, their schema.org
properties on the NewsMediaOrganization, and the logo uploaded in settings."""

from __future__ import annotations

from flask import current_app, url_for

from blog.core.cache.site import get_settings

# setting key, label in the admin, schema.org property of NewsMediaOrganization
POLICIES = [
    ("policy_corrections", "Corrections policy", "correctionsPolicy"),
    ("policy_ethics", "Ethics policy", "ethicsPolicy"),
    ("policy_masthead", "Masthead", "masthead"),
    ("policy_ownership", "Ownership and funding", "ownershipFundingInfo"),
    ("policy_verification", "Verification and fact-checking", "verificationFactCheckingPolicy"),
    ("policy_feedback", "How to send feedback", "actionableFeedbackPolicy"),
]


def absolute(link: str) -> str:
    """A policy link as an absolute URL (paths are on this site)."""
    if link.startswith("/"):
        return current_app.config["SITE_URL"].rstrip("/") + link
    return link


def policy_links() -> dict[str, str]:
    """schema.org property -> absolute URL, for the policies the newsroom has linked."""
    site = get_settings()
    return {prop: absolute(site[key]) for key, _, prop in POLICIES if site.get(key)}


def uploaded_logo() -> tuple[str, int, int] | None:
    """(absolute URL, width, height) of the logo uploaded in settings, else None."""
    logo = get_settings().get("logo") or {}
    if not logo.get("filename"):
        return None
    url = url_for("public.upload", filename=logo["filename"])
    return current_app.config["SITE_URL"].rstrip("/") + url, logo["width"], logo["height"]
