"""Who works on an article next and by when (its assignment), and the dashboard's "my work".

An assignment is a row beside the article (blog/models/desk.py), edited by its own
small form under the editor, so the article form and its lost-update check stay as
they are. Editors assign anyone on the staff; an author may take an article of theirs
or set its due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TimeField
from wtforms.validators import Optional

from blog.admin.forms import options
from blog.core.templating import site_zone
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, ArticleAssignment, ArticleStatus, Role, User


class AssignmentForm(FlaskForm):
    class Meta:
        csrf = False  # the app-wide CSRFProtect checks the POST (see notes.NoteForm)

    assignee_id = SelectField("Assigned to", coerce=int, default=0)
    due_date = DateField("Due date", validators=[Optional()])
    due_time = TimeField("Due time", validators=[Optional()])


def staff() -> list[User]:
    return db.session.scalars(
        sa.select(User).where(User.role >= Role.AUTHOR, User.active).order_by(User.username)
    ).all()


def assignment_form(article: Article, formdata=None) -> AssignmentForm:
    """The form for `article`'s assignment, filled from the row unless `formdata` is given."""
    row = db.session.get(ArticleAssignment, article.id)
    data = {}
    if row is not None:
        data["assignee_id"] = row.assignee_id or 0
        if row.due_at is not None:
            local = row.due_at.astimezone(site_zone())
            data["due_date"], data["due_time"] = local.date(), local.time().replace(tzinfo=None)
    form = AssignmentForm(formdata=formdata, data=data, prefix="assign")
    people = staff() if current_user.is_editor else [current_user]
    # An author keeps an editor's choice of assignee while setting the due time.
    if row is not None and row.assignee is not None and row.assignee not in people:
        people = [*people, row.assignee]
    form.assignee_id.choices = options([(0, "Nobody")] + [(u.id, u.name) for u in people])
    return form


def due_of(form: AssignmentForm) -> datetime | None:
    """The due time the form asks for, as UTC; a date alone means the end of that day."""
    if form.due_date.data is None:
        if form.due_time.data is not None:
            form.due_date.errors = [*form.due_date.errors, "Choose the day it is due."]
        return None
    chosen = form.due_time.data or time(23, 59)
    return datetime.combine(form.due_date.data, chosen, tzinfo=site_zone()).astimezone(
        utcnow().tzinfo
    )


def assign(article: Article, assignee_id: int | None, due_at: datetime | None) -> str:
    """Write the assignment (inside `writing()`); returns the audit log's detail."""
    row = db.session.get(ArticleAssignment, article.id)
    if row is None:
        row = ArticleAssignment(article_id=article.id)
        db.session.add(row)
    row.assignee_id = assignee_id
    row.due_at = due_at
    row.assigned_by_id = current_user.id
    db.session.flush()
    who = db.session.get(User, assignee_id).name if assignee_id else "nobody"
    when = due_at.astimezone(site_zone()).strftime("%-d %B %Y %H:%M") if due_at else "no time"
    return f"{article.title}: {who}, due {when}"


@dataclass
class MyWork:
    assigned: list[tuple[Article, ArticleAssignment]]
    review: list[Article]
    due_today: list[tuple[Article, ArticleAssignment]]


def _visible(query: sa.Select) -> sa.Select:
    """Editors see every article; an author their own and those assigned to them."""
    if current_user.is_editor:
        return query
    return query.where(
        sa.or_(
            Article.author_id == current_user.id,
            ArticleAssignment.assignee_id == current_user.id,
        )
    )


def my_work(limit: int = 10) -> MyWork:
    """The dashboard's "my work": unfinished articles assigned to me, articles in review
    (an editor's to decide, an author's own), and what is due today; three queries."""
    not_public = sa.not_(Article.is_public_clause())
    pairs = sa.select(Article, ArticleAssignment).join(
        ArticleAssignment, ArticleAssignment.article_id == Article.id
    )
    assigned = db.session.execute(
        pairs.where(ArticleAssignment.assignee_id == current_user.id, not_public)
        .order_by(ArticleAssignment.due_at.is_(None), ArticleAssignment.due_at, Article.id)
        .limit(limit)
    ).all()
    review = sa.select(Article).where(Article.status == ArticleStatus.REVIEW)
    if not current_user.is_editor:
        review = review.where(Article.author_id == current_user.id)
    in_review = db.session.scalars(
        review.options(so.joinedload(Article.author))
        .order_by(Article.updated_at.desc(), Article.id.desc())
        .limit(limit)
    ).all()
    today = datetime.now(site_zone()).date()
    start, end = day_bounds(today)
    due = db.session.execute(
        _visible(
            pairs.where(
                ArticleAssignment.due_at >= start, ArticleAssignment.due_at < end, not_public
            )
        )
        .order_by(ArticleAssignment.due_at, Article.id)
        .limit(limit)
    ).all()
    return MyWork([tuple(r) for r in assigned], list(in_review), [tuple(r) for r in due])


def day_bounds(day: date, days: int = 1) -> tuple[datetime, datetime]:
    """UTC bounds of `days` local days from `day` in the site's time zone."""
    start = datetime.combine(day, time(0), tzinfo=site_zone())
    end = datetime.combine(day + timedelta(days=days), time(0), tzinfo=site_zone())
    return start.astimezone(utcnow().tzinfo), end.astimezone(utcnow().tzinfo)
