"""Bylines: who an article credits, in order, staff accounts and guest contributors.

An article without byline rows credits its author (`Article.credits`), so every path
that makes articles (the editor, the demo, the importers) works before it sets any.
`set_bylines` is the one way to set them; `credited_clause` selects what a person is
credited on, for author pages and for who may edit an article.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import url_for

from blog.core.content import slugify
from blog.extensions import db
from blog.models import Account, Article, ArticleByline, GuestAuthor, Role, User

Person = User | GuestAuthor
MAX_BYLINES = 4  # the editor's slots; set_bylines takes any number


def set_bylines(article: Article, people: Sequence[Person]) -> None:
    """Credit `people` on `article`, in that order (duplicates dropped); an empty list
    goes back to crediting the author. Call inside a write transaction; the caller
    commits. Importers call it after flushing the article."""
    seen: set[tuple[bool, int]] = set()
    ordered = []
    for person in people:
        key = (person.is_guest, person.id)
        if key not in seen:
            seen.add(key)
            ordered.append(person)
    current = [(b.person.is_guest, b.person.id) for b in article.bylines if b.person]
    if current == [(p.is_guest, p.id) for p in ordered]:
        return
    article.bylines.clear()
    db.session.flush()  # the old positions go before new rows take them
    for position, person in enumerate(ordered):
        article.bylines.append(
            ArticleByline(
                position=position,
                user_id=None if person.is_guest else person.id,
                guest_id=person.id if person.is_guest else None,
            )
        )
    db.session.flush()


def credited_clause(user_id: int) -> sa.ColumnElement[bool]:
    """Articles that credit the account `user_id`: in their bylines, or as the author
    of an article without bylines."""
    in_bylines = sa.select(ArticleByline.article_id).where(ArticleByline.user_id == user_id)
    any_byline = sa.select(ArticleByline.id).where(ArticleByline.article_id == Article.id)
    return sa.or_(
        Article.id.in_(in_bylines),
        sa.and_(Article.author_id == user_id, ~any_byline.exists()),
    )


def guest_clause(guest_id: int) -> sa.ColumnElement[bool]:
    return Article.id.in_(
        sa.select(ArticleByline.article_id).where(ArticleByline.guest_id == guest_id)
    )


def may_edit(article: Article, user: Account) -> bool:
    """Editors edit every article; an author edits the ones they wrote or are credited on."""
    if user.is_editor:
        return True
    return article.author_id == user.id or any(b.user_id == user.id for b in article.bylines)


def person_url(person: Person, external: bool = False) -> str:
    """The public profile of a credited person: /author/<username> or /contributors/<slug>."""
    if person.is_guest:
        return url_for("public.contributor", slug=person.slug, _external=external)
    return url_for("public.author", username=person.username, _external=external)


def person_key(person: Person) -> str:
    """How the editor's byline slots name a person: "u<id>" or "g<id>"."""
    return f"{'g' if person.is_guest else 'u'}{person.id}"


def byline_choices() -> list[tuple[str, str]]:
    """Every person a byline slot may name: staff who write, then guests."""
    staff = db.session.scalars(
        sa.select(User).where(User.role >= Role.AUTHOR).order_by(User.display_name, User.username)
    ).all()
    guests = db.session.scalars(sa.select(GuestAuthor).order_by(GuestAuthor.name)).all()
    return (
        [("", "—")]
        + [(person_key(u), f"{u.name} ({u.username})") for u in staff]
        + [(person_key(g), f"{g.name} (guest)") for g in guests]
    )


def people_from_keys(keys: Sequence[str]) -> list[Person] | None:
    """The people the slots name, in order, blanks skipped; None if one no longer exists."""
    people: list[Person] = []
    for key in keys:
        if not key:
            continue
        kind, _, number = key[:1], None, key[1:]
        if kind not in ("u", "g") or not number.isdigit():
            return None
        found = db.session.get(GuestAuthor if kind == "g" else User, int(number))
        if found is None or (kind == "u" and found.role < Role.AUTHOR):
            return None
        people.append(found)
    return people


def guest_slug(name: str, taken) -> str:
    """A free slug for a new guest made from their name."""
    base = slugify(name) or "contributor"
    slug, n = base, 2
    while taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug
