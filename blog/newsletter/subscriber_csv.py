"""Subscriber lists as CSV: reading a Mailchimp or Substack export, storing what it
holds, and the cells of the admin's export.

Imported addresses become active with source "import" and are never asked to confirm
again, unless the file says they unsubscribed or were cleaned (bounced) at the source:
those are kept as unsubscribed or bounced, so they are never mailed. An address that is
already unsubscribed or bounced here stays so, whatever the file says.
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from blog.auth.api import normalize_email
from blog.extensions import db
from blog.models import Subscriber, SubscriberState

EMAIL_COLUMNS = ("email address", "email", "e-mail")
MAX_IMPORT_ROWS = 100_000


def store_import(rows: dict[str, str]) -> tuple[dict[str, str], int]:
    """Add the new addresses in their states; stop earlier imported ones the file stops.
    (the added {address: state}, how many were stopped). Inside the write transaction.

    The source's stop wins over an earlier import of the same address (Mailchimp's
    three files, in any order); an address that subscribed here stays as it is.
    """
    # Every address at once: an IN list of 100,000 passes SQLite's parameter limit.
    existing = dict(db.session.execute(sa.select(Subscriber.email, Subscriber.source)).all())
    added = {a: state for a, state in rows.items() if a not in existing}
    db.session.add_all(Subscriber(email=a, state=s, source="import") for a, s in added.items())
    stopped = 0
    for state in STOPPED:
        stop = [a for a, s in rows.items() if s == state and existing.get(a) == "import"]
        for start in range(0, len(stop), 500):
            stopped += db.session.execute(
                sa.update(Subscriber)
                .where(Subscriber.email.in_(stop[start : start + 500]),
                       Subscriber.state == SubscriberState.ACTIVE)
                .values(state=state, sections=[], alerts=False)
            ).rowcount  # fmt: skip
    return added, stopped


# What a source's status column says, lower-cased -> the state it is imported in; rows
# with any other status (Mailchimp's pending, non-subscribed, archived) are skipped.
SOURCE_STATES = {
    "subscribed": SubscriberState.ACTIVE,
    "active": SubscriberState.ACTIVE,
    "unsubscribed": SubscriberState.UNSUBSCRIBED,
    "cleaned": SubscriberState.BOUNCED,
    "bounced": SubscriberState.BOUNCED,
}
STOPPED = (SubscriberState.UNSUBSCRIBED, SubscriberState.BOUNCED)
STATUS_COLUMNS = ("status", "member status", "email marketing", "email marketing status")
# Mailchimp exports each section of an audience as its own file; these columns name it.
FILE_STATES = {"unsub_time": SubscriberState.UNSUBSCRIBED, "clean_time": SubscriberState.BOUNCED}


def parse_subscriber_csv(stream) -> tuple[dict[str, str], list[str]]:
    """({valid unique address: state to import it in}, "line N: why" for each bad row).

    The state is active unless the file says otherwise: a status column (unsubscribed,
    cleaned) or Mailchimp's unsubscribed or cleaned export (UNSUB_TIME, CLEAN_TIME).
    An address listed twice keeps its stop. ValueError if the file is unusable.
    """
    try:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.reader(text)
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValueError("the file is not a UTF-8 CSV file") from error
    if not header:
        raise ValueError("the file is empty")
    names = [h.strip().lower() for h in header]
    column = next((names.index(c) for c in EMAIL_COLUMNS if c in names), None)
    if column is None:
        raise ValueError('no "Email Address" (Mailchimp) or "email" (Substack) column')
    status_column = next((names.index(c) for c in STATUS_COLUMNS if c in names), None)
    file_state = next((s for c, s in FILE_STATES.items() if c in names), SubscriberState.ACTIVE)
    addresses: dict[str, str] = {}
    problems: list[str] = []
    try:
        for line, row in enumerate(reader, start=2):
            if line > MAX_IMPORT_ROWS:
                problems.append(f"line {line}: stopped, at most {MAX_IMPORT_ROWS} rows a file")
                break
            raw = row[column].strip() if column < len(row) else ""
            state = file_state
            if status_column is not None and status_column < len(row) and row[status_column]:
                status = row[status_column].strip().lower()
                if status not in SOURCE_STATES:
                    problems.append(
                        f"line {line}: status “{status[:30]}” is not subscribed; skipped"
                    )
                    continue
                state = (
                    SOURCE_STATES[status] if file_state == SubscriberState.ACTIVE else file_state
                )
            try:
                if len(raw) > 254:
                    raise ValueError("longer than 254 characters")
                address = normalize_email(raw)
            except ValueError as error:
                problems.append(f"line {line}: {str(error)[:120] or 'not an address'}")
                continue
            if addresses.get(address) not in STOPPED:
                addresses[address] = state
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"unreadable CSV ({error})") from error
    return addresses, problems


# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); an address may legally start with "=" or "+".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """`value` as a CSV cell no spreadsheet runs: a formula-like start gets a leading '."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def confirmation(subscriber: Subscriber) -> str:
    """How the address was confirmed: "yes" (its owner, here), "imported" (brought from
    another list as active, where consent was given) or "no"."""
    if subscriber.confirmed_at is not None:
        return "yes"
    return "imported" if subscriber.source == "import" else "no"
