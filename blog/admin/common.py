"""What every admin area shares: its blueprint with a role guard, role checks, paging.

Each area (articles, comments, taxonomy, pages, people, site, images, newsletter,
redirects, tools) is a blueprint made by `area()`, nested under the admin blueprint of
blog/admin/views.py. The admin blueprint lets in authors and better; the area's guard
then asks for the area's role, so a view added to an area inherits both. A view that
needs more than its area (an author's image area, where deleting takes an editor)
calls `require()` itself.
"""

import sqlalchemy as sa
from flask import Blueprint, abort
from flask_login import current_user

from blog.core.pagination import current_page
from blog.extensions import db
from blog.models import Comment, CommentReport, CommentStatus, Role

PER_PAGE = 20


def require(role: Role) -> None:
    """Abort with 403 unless the current user has at least `role`."""
    if not current_user.has_role(role):
        abort(403)


def area(name: str, import_name: str, role: Role) -> Blueprint:
    """The blueprint of one admin area: every view in it needs `role`."""
    bp = Blueprint(name, import_name)
    bp.before_request(lambda: require(role))
    bp.area_role = role  # read by tests/test_authorization.py
    return bp


def paginate(query: sa.Select, per_page: int = PER_PAGE):
    """One page of an admin list; a page past the end is empty, a malformed one 404s."""
    return db.paginate(query, page=current_page(), per_page=per_page, error_out=False)


def reported_clause() -> sa.ColumnElement[bool]:
    """Comments with an unresolved report that are still on the site."""
    open_report = (
        sa.select(CommentReport.id)
        .where(CommentReport.comment_id == Comment.id, sa.not_(CommentReport.resolved))
        .exists()
    )
    return sa.and_(open_report, Comment.status != CommentStatus.REMOVED)
