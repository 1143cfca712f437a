"""Ghost's members CSV (Members → Export) as newsletter subscribers, keeping consent.

Only a member whose row says they get the emails (`subscribed_to_emails`, Ghost 4-6,
or `subscribed`, Ghost 3, is true) becomes a subscriber: active, with source
"import", which the newsletter takes as consent given at the source and never asks
to confirm again (blog/newsletter/subscriber_csv.py). A member who is not subscribed is
never added; one imported earlier who has since unsubscribed at Ghost is stopped. An
address that unsubscribed or bounced here stays so.
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from blog.auth.api import normalize_email
from blog.extensions import db
from blog.importers.ghost.parse import GhostError
from blog.importers.wordpress.report import Report
from blog.models import Subscriber, SubscriberState
from blog.newsletter.api import store_import

MAX_ROWS = 500_000
SUBSCRIBED_COLUMNS = ("subscribed_to_emails", "subscribed")
TRUE = ("true", "1", "yes")


def read_members(path: str) -> dict[str, bool]:
    """{address: subscribed} from a Ghost members CSV; raises GhostError."""
    try:
        with open(path, encoding="utf-8-sig", errors="strict", newline="") as stream:
            reader = csv.reader(io.StringIO(stream.read()))
            header = [h.strip().lower() for h in next(reader, None) or []]
            if "email" not in header:
                raise GhostError('the members file has no "email" column (Ghost: Members → Export)')
            column = header.index("email")
            subscribed = next((header.index(c) for c in SUBSCRIBED_COLUMNS if c in header), None)
            if subscribed is None:
                raise GhostError(
                    'the members file has no "subscribed_to_emails" column: without it no '
                    "one's consent is known, so no one is imported"
                )
            deleted = header.index("deleted_at") if "deleted_at" in header else None
            members: dict[str, bool] = {}
            for line, row in enumerate(reader, start=2):
                if line > MAX_ROWS:
                    raise GhostError(f"the members file has more than {MAX_ROWS} rows")
                try:
                    address = normalize_email(
                        row[column].strip()[:254] if column < len(row) else ""
                    )
                except ValueError:
                    continue
                yes = subscribed < len(row) and row[subscribed].strip().lower() in TRUE
                if deleted is not None and deleted < len(row) and row[deleted].strip():
                    yes = False  # a member deleted at Ghost is no subscriber
                members[address] = members.get(address, False) or yes
            return members
    except (UnicodeDecodeError, csv.Error) as error:
        raise GhostError("the members file is not a UTF-8 CSV file") from error


def store_members(members: dict[str, bool], report: Report) -> None:
    """Add the subscribed members; stop the earlier imported ones who are no longer.
    Inside the write transaction."""
    imported = set(
        db.session.scalars(sa.select(Subscriber.email).where(Subscriber.source == "import"))
    )
    rows = {a: SubscriberState.ACTIVE for a, yes in members.items() if yes}
    stop = (a for a, yes in members.items() if not yes and a in imported)
    rows |= {a: SubscriberState.UNSUBSCRIBED for a in stop}
    added, stopped = store_import(rows)
    unchanged = len(rows) - len(added) - stopped
    if added:
        report.add("subscribers", "imported", n=len(added))
    if unchanged > 0:
        report.add("subscribers", "unchanged", n=unchanged)
    if stopped:
        report.add("subscribers", "updated", "unsubscribed at the source since", n=stopped)
    refused = sum(1 for yes in members.values() if not yes)
    if refused:
        report.add("subscribers", "skipped", "not subscribed to emails at the source", n=refused)
