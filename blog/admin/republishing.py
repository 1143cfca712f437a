"""Admin: who republishes our stories. Views of each republished copy per site, counted
by the copy's first-party pixel (blog/trust/republish.py). Editors and admins only."""

from __future__ import annotations

from flask import render_template

from blog.admin.common import area
from blog.models import Role
from blog.trust.api import republish_counts

bp = area("republishing", __name__, Role.EDITOR)


@bp.get("/republishing")
def republishing() -> str:
    return render_template("admin/republishing.html", rows=republish_counts())
