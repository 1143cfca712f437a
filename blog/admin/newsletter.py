"""Admin: newsletter subscribers, CSV import and export, sent issues, digest preview, donations.

Editors and admins. What a subscriber CSV means (which addresses become active, which
stay stopped) is decided in blog/newsletter/subscriber_csv.py; these are its views.
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
from blog.auth.api import sudo_required
from blog.core.audit import record
from blog.core.cache.site import get_settings
from blog.core.jobs import committed_write, counts
from blog.core.mail import queue_mail
from blog.core.settings import save_settings
from blog.donations.api import goal_since
from blog.extensions import db
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
from blog.newsletter.api import (
    confirmation,
    parse_subscriber_csv,
    paused_issues,
    preview,
    restore,
    resume,
    spreadsheet_safe,
    store_import,
    test_key,
)

bp = area("newsletter", __name__, Role.EDITOR)


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
        support=support_by_article(), paused=paused_issues(),
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


@bp.post("/newsletter/issues/<int:issue_id>/resume")
def newsletter_resume(issue_id: int) -> Response:
    """Send the rest of an issue the mail server refused, once its settings are fixed."""
    issue = db.get_or_404(NewsletterIssue, issue_id)
    if issue.paused_at is None:
        flash(f"“{issue.subject}” is not paused.", "info")
        return redirect(url_for("admin.newsletter.newsletter"), 303)
    with committed_write():
        waiting = resume(issue.id)
        record("newsletter.resume", issue, f"{waiting} mails due again")
    flash(f"Sending of “{issue.subject}” resumed: {waiting} mails are on their way.", "success")
    return redirect(url_for("admin.newsletter.newsletter"), 303)


@bp.post("/newsletter/subscribers/<int:subscriber_id>/restore")
def newsletter_restore(subscriber_id: int) -> Response:
    """Make a bounced address active again (a bounce that was the server's fault)."""
    subscriber = db.get_or_404(Subscriber, subscriber_id)
    with committed_write():
        restored = restore(subscriber)
        if restored:
            record("subscriber.restore", subscriber, subscriber.email)
    if restored:
        flash(f"{subscriber.email} is active again and gets the next issues.", "success")
    else:
        flash(f"{subscriber.email} was not bounced; nothing changed.", "info")
    return redirect(url_for("admin.newsletter.newsletter", state=SubscriberState.BOUNCED), 303)


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


@bp.get("/newsletter/export.csv")
@sudo_required
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
    kind = "daily" if request.args.get("kind") == "daily" else "weekly"
    return render_template("admin/newsletter_preview.html", kind=kind, preview=preview(kind))


@bp.post("/newsletter/test")
def newsletter_test() -> Response:
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


def parse_goal(form) -> tuple[dict, list[str]]:
    """The campaign goal's fields -> (settings, problems); an empty goal is no goal."""
    goal, since = form.get("goal", "").strip(), form.get("goal_since", "").strip()
    text = form.get("goal_text", "").strip()
    problems = []
    if goal and (not goal.isdigit() or not 0 <= int(goal) <= 10_000_000):
        problems.append("The goal is a whole number of donation clicks (0 for none).")
    if since and goal_since(since) is None:
        problems.append("The start date is a date such as 2026-12-01, or empty.")
    if len(text) > 200:
        problems.append("The goal's sentence is at most 200 characters.")
    values = {"donate_goal": int(goal) if goal.isdigit() else 0, "donate_goal_since": since,
              "donate_goal_text": text}  # fmt: skip
    return values, problems


@bp.route("/donations", methods=["GET", "POST"])
def donations() -> Response | tuple:
    settings = get_settings()
    current = settings.get("donate_choices") or []
    text = "\n".join(f"{c['id']} | {c['label']} | {c['frequency']} | {c['url']}" for c in current)
    goal = {"goal": str(settings.get("donate_goal") or ""),
            "goal_since": settings.get("donate_goal_since") or "",
            "goal_text": settings.get("donate_goal_text") or ""}  # fmt: skip
    if request.method == "POST":
        text = request.form.get("choices", "")[:10_000]
        goal = {name: request.form.get(name, "")[:1000] for name in goal}
        choices, problems = parse_choices(text)
        goal_values, goal_problems = parse_goal(request.form)
        problems += goal_problems
        if problems:
            return render_template("admin/donations.html", text=text, goal=goal,
                                   problems=problems), 422  # fmt: skip
        with committed_write():
            save_settings({"donate_choices": choices, **goal_values})
            record("settings.update", None, "donate_choices " + json.dumps(len(choices)))
        flash("Donation choices saved.", "success")
        return redirect(url_for("admin.newsletter.donations"), 303)
    return render_template("admin/donations.html", text=text, goal=goal, problems=[]), 200
