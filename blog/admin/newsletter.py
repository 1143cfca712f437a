"""Admin: newsletter subscribers, CSV import and export, sent issues, digest preview, donations.

Editors and admins. Imported addresses (a Mailchimp or Substack export) become active
with source "import" and are never asked to confirm again, unless the file says they
unsubscribed or were cleaned (bounced) at the source: those are kept as unsubscribed or
bounced, so they are never mailed. An address that is already unsubscribed or bounced
here stays so, whatever the file says.
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from blog.admin.common import area, paginate
from blog.audit import record
from blog.auth.rules import normalize_email
from blog.cache.site import get_settings
from blog.extensions import db
from blog.jobs import committed_write, counts
from blog.mail import queue_mail
from blog.models import (
    Article,
    DonationClick,
    Job,
    JobState,
    NewsletterIssue,
    Role,
    Subscriber,
    SubscriberState,
)
from blog.settings import save_settings

bp = area("newsletter", __name__, Role.EDITOR)

EMAIL_COLUMNS = ("email address", "email", "e-mail")
MAX_IMPORT_ROWS = 100_000


@bp.get("/newsletter")
def newsletter() -> str:
    q = request.args.get("q", "").strip()[:254]
    state = request.args.get("state", "")
    query = sa.select(Subscriber).order_by(Subscriber.created_at.desc(), Subscriber.id.desc())
    if q:
        query = query.where(Subscriber.email.contains(q.lower(), autoescape=True))
    if state in set(SubscriberState):
        query = query.where(Subscriber.state == state)
    totals = dict(
        db.session.execute(
            sa.select(Subscriber.state, sa.func.count()).group_by(Subscriber.state)
        ).all()
    )
    issues = db.session.scalars(
        sa.select(NewsletterIssue).order_by(NewsletterIssue.created_at.desc()).limit(20)
    ).all()
    issue_counts = {issue.id: counts(f"issue:{issue.id}") for issue in issues}
    return render_template(
        "admin/newsletter.html", pager=paginate(query, per_page=50), q=q, state=state,
        totals=totals, states=list(SubscriberState), issues=issues, issue_counts=issue_counts,
        support=support_by_article(),
    )  # fmt: skip


def delivery_figures(issue_id: int) -> dict[str, int]:
    """An issue's mails so far: sent, pending (queued or being sent), failed, bounced."""
    found = counts(f"issue:{issue_id}")
    bounced = db.session.scalar(
        sa.select(sa.func.count()).where(
            Job.batch == f"issue:{issue_id}", Job.state == JobState.FAILED,
            Job.last_error.startswith("bounced:"),
        )
    )  # fmt: skip
    return {
        "sent": found[JobState.DONE],
        "pending": found[JobState.QUEUED] + found[JobState.RUNNING],
        "failed": found[JobState.FAILED] - bounced,
        "bounced": bounced,
    }


@bp.get("/newsletter/issues/<int:issue_id>")
def newsletter_issue(issue_id: int) -> str:
    issue = db.get_or_404(NewsletterIssue, issue_id)
    figures = delivery_figures(issue.id)
    # An alert waits for its article; until the worker fans it out it has no mails.
    waiting = db.session.scalar(
        sa.select(Job.state).where(Job.key == f"alert:{issue.id}", Job.state == JobState.QUEUED)
    )
    articles = db.session.execute(
        sa.select(Article.id, Article.title).where(Article.id.in_(issue.article_ids or []))
    ).all()
    return render_template(
        "admin/newsletter_issue.html", issue=issue, figures=figures, articles=articles,
        waiting_for_article=waiting is not None,
        sending=bool(figures["pending"] or waiting),
    )  # fmt: skip


def support_by_article() -> list[dict]:
    """Articles with donation clicks or subscribers gained, most first (top 20)."""
    clicks = dict(
        db.session.execute(
            sa.select(DonationClick.article_id, sa.func.sum(DonationClick.count))
            .where(DonationClick.article_id > 0)
            .group_by(DonationClick.article_id)
        ).all()
    )
    gained = dict(
        db.session.execute(
            sa.select(Subscriber.from_article_id, sa.func.count())
            .where(Subscriber.from_article_id.is_not(None))
            .group_by(Subscriber.from_article_id)
        ).all()
    )
    ids = sorted(set(clicks) | set(gained), key=lambda i: -(clicks.get(i, 0) + gained.get(i, 0)))
    titles = dict(
        db.session.execute(
            sa.select(Article.id, Article.title).where(Article.id.in_(ids[:20]))
        ).all()
    )
    return [
        {"title": titles.get(i, f"#{i}"), "clicks": clicks.get(i, 0), "gained": gained.get(i, 0)}
        for i in ids[:20]
    ]


@bp.post("/newsletter/import")
def newsletter_import() -> Response:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a CSV file to import.", "error")
        return redirect(url_for("admin.newsletter.newsletter"), 303)
    try:
        rows, problems = parse_subscriber_csv(upload.stream)
    except ValueError as error:
        flash(f"Nothing imported: {error}", "error")
        return redirect(url_for("admin.newsletter.newsletter"), 303)
    with committed_write():
        added, stopped = store_import(rows)
        active = sum(1 for state in added.values() if state == SubscriberState.ACTIVE)
        record("newsletter.import", None,
               f"{active} active and {len(added) - active} stopped added, {stopped} stopped, "
               f"{len(problems)} bad rows")  # fmt: skip
    message = f"Imported {active} new subscribers; {len(rows) - len(added)} were already here."
    if len(added) > active:
        message += (f" {len(added) - active} addresses that unsubscribed or bounced at the "
                    "source are kept as such and never mailed.")  # fmt: skip
    if stopped:
        message += f" {stopped} earlier imported subscribers are now unsubscribed or bounced."
    flash(message, "success")
    for problem in problems[:20]:
        flash(problem, "error")
    if len(problems) > 20:
        flash(f"... and {len(problems) - 20} more bad rows.", "error")
    return redirect(url_for("admin.newsletter.newsletter"), 303)


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


@bp.get("/newsletter/export.csv")
def newsletter_export() -> Response:
    """Every subscriber as CSV, with how each address was confirmed (`confirmation`)."""

    def rows():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["email", "state", "confirmed", "frequency", "source", "created_at", "confirmed_at"]
        )
        query = sa.select(Subscriber).order_by(Subscriber.id).execution_options(yield_per=500)
        for s in db.session.scalars(query):
            confirmed_at = s.confirmed_at.isoformat() if s.confirmed_at else ""
            cells = [s.email, s.state, confirmation(s), s.frequency, s.source,
                     s.created_at.isoformat(), confirmed_at]  # fmt: skip
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
            yield out.getvalue()
            out.seek(0)
            out.truncate()

    headers = {"Content-Disposition": "attachment; filename=subscribers.csv"}
    return Response(stream_with_context(rows()), mimetype="text/csv", headers=headers)


@bp.get("/newsletter/preview")
def newsletter_preview() -> str:
    from blog.newsletter.sending import preview

    kind = "daily" if request.args.get("kind") == "daily" else "weekly"
    return render_template("admin/newsletter_preview.html", kind=kind, preview=preview(kind))


@bp.post("/newsletter/test")
def newsletter_test() -> Response:
    from blog.newsletter.sending import preview, test_key

    kind = "daily" if request.form.get("kind") == "daily" else "weekly"
    found = preview(kind)
    if found is None:
        flash("Nothing was published since the last digest: there is nothing to send.", "info")
        return redirect(url_for("admin.newsletter.newsletter_preview", kind=kind), 303)
    with committed_write():
        queue_mail(current_user.email, f"[Test] {found['subject']}", found["text"],
                   key=test_key(current_user.id), html=found["html"])  # fmt: skip
    flash(f"A test of the {kind} digest is on its way to your address.", "success")
    return redirect(url_for("admin.newsletter.newsletter_preview", kind=kind), 303)


def parse_choices(text: str) -> tuple[list[dict], list[str]]:
    """Lines "id | label | frequency | https URL" -> (choices, problems)."""
    found, problems = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4:
            problems.append(f"line {n}: four parts separated by | are needed")
            continue
        key, label, frequency, url = parts
        target = urlsplit(url)
        if target.scheme != "https" or not target.netloc:
            problems.append(f"line {n}: the link must be an https:// address")
        elif not key.replace("-", "").isalnum() or not key.isascii() or len(key) > 40:
            problems.append(f"line {n}: the id is letters, digits and hyphens (at most 40)")
        elif frequency not in ("one-off", "monthly", "yearly"):
            problems.append(f"line {n}: frequency is one-off, monthly or yearly")
        else:
            found.append({"id": key, "label": label[:80], "frequency": frequency, "url": url})
    return found, problems


@bp.route("/donations", methods=["GET", "POST"])
def donations() -> Response | tuple:
    current = get_settings().get("donate_choices") or []
    text = "\n".join(f"{c['id']} | {c['label']} | {c['frequency']} | {c['url']}" for c in current)
    if request.method == "POST":
        text = request.form.get("choices", "")[:10_000]
        choices, problems = parse_choices(text)
        if problems:
            return render_template("admin/donations.html", text=text, problems=problems), 422
        with committed_write():
            save_settings({"donate_choices": choices})
            record("settings.update", None, "donate_choices " + json.dumps(len(choices)))
        flash("Donation choices saved.", "success")
        return redirect(url_for("admin.newsletter.donations"), 303)
    return render_template("admin/donations.html", text=text, problems=[]), 200
