"""Site settings editors change in the admin: their defaults and how they are saved.

Values live in the `setting` table as JSON. They are read through one cached
accessor, `blog.core.cache.site.get_settings`; saving one expires that copy in every worker
(the `setting` table's row in blog/core/cache/invalidation.py).
"""

import json
from typing import Any

from blog.core.upsert import insert
from blog.extensions import db
from blog.models import Setting

COMMENT_POLICIES = {
    "open": "Open: comments appear at once",
    "first": "Hold the first comment of a new reader for moderation",
    "all": "Hold every comment for moderation",
}

# Who must log in with a second factor: the lowest role that must (blog/auth/factors.py).
SECOND_FACTOR_POLICIES = {
    "editor": "Editors and admins",
    "admin": "Admins only",
    "author": "Every staff member (authors, editors and admins)",
    "nobody": "Nobody (each person may still add one)",
}

DEFAULTS: dict[str, Any] = {
    "site_name": "The Newsroom",
    "tagline": "Independent news, analysis and opinion",
    "about": "We are a small independent newsroom. We report what matters, plainly, "
    "and we answer to our readers, not to advertisers.",
    "donate_url": "",
    "donate_text": "Independent journalism costs money. If you value our work, "
    "please support the newsroom with a donation.",
    "social_links": {},
    # Donation choices: [{"id", "label", "frequency", "url"}], https links to the provider.
    "donate_choices": [],
    # A campaign goal: this many donation clicks since `donate_goal_since` (an ISO date;
    # empty: ever), shown as a meter on /donate; 0: no goal. Counted from the site's
    # own donation_click table, never from a payment provider.
    "donate_goal": 0,
    "donate_goal_since": "",
    "donate_goal_text": "",
    "posts_per_page": 10,
    "comment_policy": "first",
    "authors_can_publish": False,
    # Top-level comments a page of a thread shows, each with its replies.
    "comments_per_page": 50,
    # Reports by different readers after which a comment is hidden until a moderator
    # decides (0: never hidden automatically).
    "report_threshold": 3,
    # Whether a new account must open the link mailed to it before it may comment.
    "require_confirmed_email": True,
    # The pre-publish checklist's items that are on (keys of blog/admin/checklist.CHECKS).
    "publish_checklist": [],
    # The front page (blog/public/front.py): the lead's and top stories' article ids
    # (None and [] leave them to the newest), how many top stories, and each section's
    # pinned article ({"<category id>": article id}).
    "front_lead": None,
    "front_top": [],
    "front_top_count": 4,
    "section_pins": {},
    # What kind of piece an article is (blog/trust/labels.py); empty: the default list.
    "article_labels": [],
    # Shown on articles labelled Sponsored or Partner content; empty: the default text.
    "sponsored_disclosure": "",
    # The newsroom's published policies (blog/trust/policies.py): a path on this site
    # ("/pages/ethics") or an https:// address each; empty: not published.
    "policy_corrections": "",
    "policy_ethics": "",
    "policy_masthead": "",
    "policy_ownership": "",
    "policy_verification": "",
    "policy_feedback": "",
    # The publisher's logo, an upload: {"filename", "width", "height"}; empty: the shipped one.
    "logo": {},
    # The license of "Republish this story" (blog/trust/republish.py).
    "republish_license": "CC BY-ND 4.0",
    # The lowest role that must log in with a second factor: "editor" (editors and
    # admins), "admin", "author" (all staff) or "nobody" (blog/auth/factors.py).
    "second_factor_from": "editor",
}


def save_settings(changes: dict[str, Any]) -> None:
    """Store changed settings; call inside a write transaction."""
    for key, value in changes.items():
        if key not in DEFAULTS:
            raise KeyError(key)
        # An upsert, not a look-up then INSERT: a setting's row appears the first time
        # it is saved, and two admins saving at once must not both try to create it.
        statement = insert(Setting).values(key=key, value=json.dumps(value))
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[Setting.key], set_={"value": statement.excluded.value}
            )
        )
