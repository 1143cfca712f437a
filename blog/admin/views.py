"""The admin blueprint: its guard, role checks and dashboard.

Routes for each area live beside this module (articles, comments, taxonomy, pages,
people, site, images) and register on the `bp` defined here; they are imported at the
bottom so that importing this module registers every admin route.
"""

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from blog.extensions import db, login_manager
from blog.models import (
    Article,
    ArticleStatus,
    AuditLog,
    Comment,
    CommentReport,
    CommentStatus,
    Role,
    User,
)
from blog.types import utcnow

bp = Blueprint("admin", __name__)

PER_PAGE = 20


@bp.before_request
def require_staff():
    """Every admin page needs an author or better; no view can forget it."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.can_write:
        abort(403)
    return None


def require(role: Role) -> None:
    """Abort with 403 unless the current user has at least `role`."""
    if not current_user.has_role(role):
        abort(403)


def page_arg() -> int:
    """The ?page= argument, 1 when missing or nonsense."""
    return request.args.get("page", 1, type=int) or 1


def paginate(query: sa.Select, per_page: int = PER_PAGE):
    return db.paginate(query, page=max(1, page_arg()), per_page=per_page, error_out=False)


def reported_clause() -> sa.ColumnElement[bool]:
    """Comments with an unresolved report that are still on the site."""
    open_report = (
        sa.select(CommentReport.id)
        .where(CommentReport.comment_id == Comment.id, sa.not_(CommentReport.resolved))
        .exists()
    )
    return sa.and_(open_report, Comment.status != CommentStatus.REMOVED)


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
    return render_template(
        "admin/dashboard.html", counts=counts, awaiting=awaiting, activity=activity, mine=mine
    )


# Route modules register on `bp`; imported last because they import it from here.
from blog.admin import (  # noqa: E402, F401
    articles,
    comments,
    images,
    newsletter,
    pages,
    people,
    redirects,
    site,
    taxonomy,
    tools,
)
