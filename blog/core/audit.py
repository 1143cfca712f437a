"""The admin audit trail: `record()` notes who did what to which object."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from blog.extensions import db
from blog.models import AuditLog


def record(action: str, obj: Any = None, detail: str = "", actor_id: int | None = None) -> AuditLog:
    """Add an AuditLog row for the current user in the caller's transaction.

    `action` is a short dotted verb such as "article.publish"; `obj` any model with an
    `id` (flushed first if it has none yet). The caller commits, so the entry is stored
    exactly when the change it describes is. `actor_id` names who acted where no
    user is logged in (a background job started by an admin).
    """
    object_type, object_id = "", None
    if obj is not None:
        if getattr(obj, "id", None) is None:
            db.session.flush()
        object_type = type(obj).__name__.lower()
        object_id = obj.id
    if actor_id is None and getattr(current_user, "is_authenticated", False):
        actor_id = current_user.id  # a background job names its actor instead
    entry = AuditLog(
        actor_id=actor_id,
        action=action[:60],
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    db.session.add(entry)
    return entry
