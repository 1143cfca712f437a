"""Every mail, rendered with fixed context, against its golden file.

tests/golden/email/<case>.txt holds the subject, a blank line and the text body, exactly
as `compose` returns them (and <case>.html the HTML part, for a mail that has one). A
changed word fails here: to change a mail on purpose, change its template and its golden
file in the same commit, and read the difference.
"""

from datetime import date
from pathlib import Path

import pytest

from blog.core.mail_templates import compose

GOLDEN = Path(__file__).resolve().parent / "golden" / "email"

SITE = "The Daily Example"
LINK = "https://news.example/link/TOKEN"
RESET = "https://news.example/reset"

CASES = {
    "account_confirm-new": ("account_confirm", {"purpose": "new"}),
    "account_confirm-register": ("account_confirm", {"purpose": "register"}),
    "account_confirm-change": ("account_confirm", {"purpose": "change"}),
    "register_taken": ("register_taken", {"login": "https://news.example/login"}),
    "email_changed": ("email_changed", {"old": "old@example.org", "new": "new@example.org"}),
    "password_reset": ("password_reset", {"name": "Ada Lovelace"}),
    "unlock": ("unlock", {}),
    # Markup characters stay as typed: a text mail is not HTML.
    "reply_notice": (
        "reply_notice",
        {
            "name": "Ada Lovelace",
            "replier": "Grace <Hopper>",
            "title": "Rates & <rents>",
            "text": "I agree & disagree.\nSecond line.",
            "link": "https://news.example/c/7",
            "account": "https://news.example/account",
        },
    ),
    "newsletter_confirm": ("newsletter_confirm", {}),
    "new_device": (
        "new_device",
        {
            "name": "Ada Lovelace",
            "device": "Firefox on Linux",
            "security": "https://news.example/security",
        },
    ),  # fmt: skip
    "recovery_code_used-9": ("recovery_code_used", {"name": "Ada Lovelace", "left": 9}),
    "recovery_code_used-1": ("recovery_code_used", {"name": "Ada Lovelace", "left": 1}),
    "second_factor_reset": ("second_factor_reset", {"name": "Ada Lovelace"}),
    "audience_weekly": (
        "audience_weekly",
        {
            "first": date(2026, 11, 30),
            "last": date(2026, 12, 6),
            "views": 12345,
            "visitors": 4321,
            "top": [(1, "Rates & <rents>", "rates", 4000), (2, "Tides", "tides", 1)],
            "shares": [("newsletter", 100, 0.8), ("search", 5000, 40.5), ("social", 0, 0.0)],
            "supporters": [(1, "Rates & <rents>", "rates", 4000, 3, 2, 1)],
            "dashboard": "https://news.example/admin/audience?days=7",
        },
    ),
    "audience_weekly-quiet": (
        "audience_weekly",
        {
            "first": date(2026, 11, 30),
            "last": date(2026, 12, 6),
            "views": 0,
            "visitors": 0,
            "top": [],
            "shares": [("newsletter", 0, 0.0), ("search", 0, 0.0), ("social", 0, 0.0)],
            "supporters": [],
            "dashboard": "https://news.example/admin/audience?days=7",
        },
    ),
    "newsletter_paused": (
        "newsletter_paused",
        {
            "subject": "Rates & <rents>",
            "reason": "at DATA: 554 5.7.1 Sender address not verified",
            "sent": 0,
            "recipients": 400,
        },
    ),
}


def context(extra: dict) -> dict:
    base = {"site": SITE, "link": LINK, "reset": RESET, "hours": 48,
            "address": "reader@example.org"}  # fmt: skip
    return base | extra


@pytest.mark.parametrize("case", sorted(CASES))
def test_mail_matches_golden_file(app, case):
    name, extra = CASES[case]
    with app.app_context():
        subject, text, html = compose(name, **context(extra))
    assert f"{subject}\n\n{text}" == (GOLDEN / f"{case}.txt").read_text()
    html_golden = GOLDEN / f"{case}.html"
    assert html == (html_golden.read_text() if html_golden.exists() else None)


def test_every_mail_template_has_a_golden_case():
    templates = Path(__file__).resolve().parent.parent / "blog" / "templates" / "email"
    names = {p.stem for p in templates.glob("*.txt")}
    assert names == {name for name, _ in CASES.values()}
    assert {p.stem for p in GOLDEN.glob("*.txt")} == set(CASES)
