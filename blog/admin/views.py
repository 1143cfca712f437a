"""The admin blueprint: the door every admin page goes through, and the dashboard.

Its guard lets in authors and better. Each area beside this module (articles,
calendar, comments, desk, frontpage, images, imports, newsletter, pages, people,
redirects, site, taxonomy, tools) is a blueprint of its own with its role guard
(blog/admin/common.py), nested here: its endpoints are `admin.<area>.<view>`, its URLs
stay under /admin.
"""

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, render_template
from flask_login import current_user

from blog.admin import (
    articles,
    audience,
    calendar,
    comments,
    contributors,
    corrections,
    desk,
    frontpage,
    images,
    imports,
    newsletter,
    pages,
    people,
    redirects,
    republishing,
    site,
    standards,
    taxonomy,
    tools,
)
from blog.admin.assignments import my_work
from blog.admin.common import reported_clause
from blog.core.types import utcnow
from blog.donations.api import are_examples, choices
from blog.extensions import db, login_manager
from blog.models import (
    Article,
    ArticleStatus,
    AuditLog,
    Comment,
    CommentStatus,
    User,
)

bp = Blueprint("admin", __name__)
AREAS = (articles, audience, calendar, comments, desk, frontpage, images, newsletter, pages,
         people, redirects, site, taxonomy, tools, imports, contributors, corrections,
         standards, republishing)  # fmt: skip
for _area in AREAS:
    bp.register_blueprint(_area.bp)


@bp.before_request
def require_staff():
    """Every admin page needs an author or better; no view can forget it."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.can_write:
        abort(403)
    return None


@bp.get("/")
def dashboard() -> str:
    now = utcnow()
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(Article.is_public_clause()),
            sa.func.count().filter(
                Article.status == ArticleStatus.PUBLISHED, Article.published_at > now
            ),
            sa.func.count().filter(Article.status == ArticleStatus.DRAFT),
            sa.func.count().filter(Article.status == ArticleStatus.REVIEW),
        ).select_from(Article)
    ).one()
    pending = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(Comment.status == CommentStatus.PENDING)
    )
    reported = db.session.scalar(sa.select(sa.func.count(Comment.id)).where(reported_clause()))
    new_users = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.created_at >= now - timedelta(days=7))
    )
    counts = {
        "published": row[0],
        "scheduled": row[1],
        "draft": row[2],
        "review": row[3],
        "pending": pending,
        "reported": reported,
        "new_users": new_users,
    }
    awaiting = []
    if current_user.is_editor:
        awaiting = db.session.scalars(
            sa.select(Comment)
            .where(sa.or_(Comment.status == CommentStatus.PENDING, reported_clause()))
            .options(so.joinedload(Comment.author), so.joinedload(Comment.article))
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(10)
        ).all()
    activity = []
    if current_user.is_admin:
        activity = db.session.scalars(
            sa.select(AuditLog)
            .options(so.joinedload(AuditLog.actor))
            .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
            .limit(10)
        ).all()
    mine = db.session.scalars(
        sa.select(Article)
        .where(Article.author_id == current_user.id)
        .options(so.joinedload(Article.category))
        .order_by(Article.updated_at.desc())
        .limit(5)
    ).all()
    to_set_up = ""
    if current_user.is_editor:
        found = choices()
        to_set_up = ("examples" if found else "none") if are_examples(found) else ""
    return render_template(
        "admin/dashboard.html",
        counts=counts,
        awaiting=awaiting,
        activity=activity,
        mine=mine,
        work=my_work(),
        donations_to_set_up=to_set_up,
    )
