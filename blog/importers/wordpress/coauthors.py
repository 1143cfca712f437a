"""Co-Authors Plus: an item's `author` terms as the people its byline credits, in order.

The plugin exports each co-author as `<category domain="author" nicename="cap-NAME">`
whose text is the login: a login of the export's own authors is that account here;
any other is one of the plugin's guest authors and becomes a guest contributor (no
account), found again by its slug on a re-run. Items without such terms keep the
single author of `<dc:creator>`.
"""

from __future__ import annotations

from urllib.parse import unquote

import sqlalchemy as sa

from blog.core.content import slugify
from blog.extensions import db
from blog.importers.wordpress.report import Report
from blog.models import GuestAuthor, User

PREFIX = "cap-"


def coauthors(
    users: dict[str, int], report: Report, terms: list[tuple[str, str, str]]
) -> list[User | GuestAuthor]:
    """The people credited by `terms`; `users` maps the export's logins to user ids."""
    people: list[User | GuestAuthor] = []
    for domain, nicename, text in terms:
        if domain != "author":
            continue
        login = (text or "").strip()
        if login in users:
            people.append(db.session.get(User, users[login]))
            continue
        slug = unquote(nicename).strip().removeprefix(PREFIX) or login
        slug = slugify(slug, 80) or slugify(login, 80)
        if not slug:
            continue
        guest = db.session.scalar(sa.select(GuestAuthor).where(GuestAuthor.slug == slug))
        if guest is None:
            name = " ".join(login.replace("-", " ").replace("_", " ").split()).title()
            guest = GuestAuthor(slug=slug, name=(name or slug)[:80])
            db.session.add(guest)
            db.session.flush()
            report.add("authors", "imported", "a Co-Authors Plus guest, without an account")
        people.append(guest)
    return people
