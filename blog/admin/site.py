"""Admin: site settings and the audit log. Admins only."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from blog.admin.common import area, paginate
from blog.admin.forms import SettingsForm, format_social_links, parse_social_links
from blog.auth.api import sudo_required
from blog.core.audit import record
from blog.core.cache.site import get_settings
from blog.core.content import clean_text
from blog.core.database import writing
from blog.core.settings import DEFAULTS, save_settings
from blog.extensions import db
from blog.models import AuditLog, Role

bp = area("site", __name__, Role.ADMIN)

TEXT_KEYS = ("site_name", "tagline", "about", "donate_url", "donate_text")


@bp.route("/settings", methods=["GET", "POST"])
@sudo_required
def settings() -> Response | tuple:
    current = get_settings()
    if request.method == "GET":
        data = dict(current)
        data["social_links"] = format_social_links(current.get("social_links") or {})
        form = SettingsForm(data=data)
        return render_template("admin/settings.html", form=form), 200
    form = SettingsForm()
    if not form.validate():
        return render_template("admin/settings.html", form=form), 422
    values = {key: clean_text(getattr(form, key).data or "").strip() for key in TEXT_KEYS}
    values["site_name"] = " ".join(values["site_name"].split())
    values["social_links"] = parse_social_links(form.social_links.data or "")
    values["posts_per_page"] = form.posts_per_page.data
    values["comment_policy"] = form.comment_policy.data
    values["authors_can_publish"] = bool(form.authors_can_publish.data)
    for key in ("comments_per_page", "report_threshold"):  # left empty: unchanged
        number = getattr(form, key).data
        values[key] = current[key] if number is None else number
    values["require_confirmed_email"] = bool(form.require_confirmed_email.data)
    if form.second_factor_from.raw_data:
        values["second_factor_from"] = form.second_factor_from.data
    changed = {k: v for k, v in values.items() if k in DEFAULTS and current.get(k) != v}
    if changed:
        with writing():
            save_settings(changed)
            record("settings.update", None, ", ".join(sorted(changed)))
            db.session.commit()
        flash("Settings saved; every page shows them from now on.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("admin.site.settings"), 303)


@bp.get("/audit")
def audit() -> str:
    query = sa.select(AuditLog).options(so.joinedload(AuditLog.actor))
    action = request.args.get("action", "").strip()[:60]
    if action:
        query = query.where(AuditLog.action.startswith(action, autoescape=True))
    pager = paginate(query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()), per_page=50)
    return render_template("admin/audit.html", pager=pager, action=action)
