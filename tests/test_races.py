"""Two requests creating the same tag, category, page, article slug or setting at once.

The loser of the race uses the winner's row (a tag, a setting) or gets its form back
with a message (a name or slug chosen by hand); never a 500. On SQLite writers never
overlap (BEGIN IMMEDIATE), so the race is played out deterministically on both
engines: each look-up by a unique column misses the first time it runs, while the
row is already there, exactly as if another request had committed it just after the
look-up. On PostgreSQL two real requests also run at once, held together just before
their INSERTs.
"""

import contextlib
import re
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.cache.site import get_settings
from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Article, Category, Page, Role, Setting, Tag
from tests import factories
from tests.conftest import logged_in_client, on_postgresql


@contextlib.contextmanager
def lookups_miss_once(*columns: so.InstrumentedAttribute) -> Iterator[None]:
    """Every distinct ORM SELECT filtering on one of `columns` finds nothing the first time.

    Other reads (get_or_404 by id, lists) are untouched; the same look-up run again,
    as a view does after an IntegrityError, finds the row.
    """
    wanted = {(c.class_.__table__.name, c.key) for c in columns}
    seen: set[str] = set()

    def filters_on_wanted(statement: sa.Select) -> bool:
        where = statement.whereclause
        return where is not None and any(
            isinstance(element, sa.Column) and (element.table.name, element.key) in wanted
            for element in sa.sql.visitors.iterate(where)
        )

    def miss_once(state: so.ORMExecuteState):
        if not state.is_select or state.is_relationship_load:
            return None
        if not filters_on_wanted(state.statement):
            return None
        compiled = state.statement.compile()
        params = compiled.params | dict(state.parameters or {})  # a get() passes its own
        key = f"{compiled}|{sorted(params.items())!r}"
        if key in seen:
            return None
        seen.add(key)
        return state.invoke_statement(statement=state.statement.where(sa.false()))

    sa.event.listen(so.Session, "do_orm_execute", miss_once)
    try:
        yield
    finally:
        sa.event.remove(so.Session, "do_orm_execute", miss_once)


def count(model: type, **where: str) -> int:
    query = sa.select(sa.func.count()).select_from(model).filter_by(**where)
    return db.session.scalar(query)


def article_form(category: Category, **overrides: str) -> dict:
    """The shared editor form with no tags, so a race creates only the tags it names."""
    return factories.article_form(category, **({"tags": ""} | overrides))


# ---------------------------------------------------------------- the loser uses the row


def test_an_article_uses_the_tag_another_request_just_created(client, auth, editor, category):
    factories.make_tag("Weather")
    db.session.commit()
    auth.login(editor)

    with lookups_miss_once(Tag.name, Tag.slug):
        response = client.post(
            "/admin/articles/new", data=article_form(category, tags="weather, Farming")
        )

    assert response.status_code == 303
    article = db.session.scalar(sa.select(Article))
    assert sorted(t.name for t in article.tags) == ["Farming", "Weather"]
    assert count(Tag, slug="weather") == 1
    assert count(Tag) == 2


def test_a_setting_saved_first_by_two_admins_keeps_the_later_value(client, auth, admin):
    save_settings({"tagline": "Another admin's tagline"})
    db.session.commit()
    auth.login(admin)

    with lookups_miss_once(Setting.key):
        response = client.post(
            "/admin/settings",
            data={"site_name": "The Valley Courier", "tagline": "Mine", "posts_per_page": "10"}
            | {"comment_policy": "open", "social_links": ""},
        )

    assert response.status_code == 303
    assert get_settings()["tagline"] == "Mine"
    assert count(Setting, key="tagline") == 1


# ---------------------------------------------------------------- the loser's form comes back


def test_a_category_whose_name_was_just_taken_comes_back_with_the_form(client, auth, editor):
    factories.make_category("Local Politics")
    db.session.commit()
    auth.login(editor)

    with lookups_miss_once(Category.name, Category.slug):
        response = client.post(
            "/admin/categories", data={"name": "Local Politics", "description": "Town hall"}
        )

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Another category already has this name." in text
    assert "Town hall" in text
    assert count(Category, slug="local-politics") == 1
    assert count(Category, slug="local-politics-2") == 0


def test_a_category_renamed_onto_a_name_just_taken_comes_back(client, auth, editor):
    factories.make_category("Sport")
    category = factories.make_category("Sprots")
    db.session.commit()
    auth.login(editor)

    with lookups_miss_once(Category.name, Category.slug):
        response = client.post(
            f"/admin/categories/{category.id}/edit", data={"name": "Sport", "slug": "sport"}
        )

    assert response.status_code == 422
    assert "Another category already has this name." in response.get_data(as_text=True)
    assert db.session.get(Category, category.id).name == "Sprots"


def test_a_tag_renamed_onto_a_name_just_taken_suggests_merging(client, auth, editor):
    factories.make_tag("Climate")
    tag = factories.make_tag("Climat")
    db.session.commit()
    auth.login(editor)

    with lookups_miss_once(Tag.name, Tag.slug):
        response = client.post(f"/admin/tags/{tag.id}/edit", data={"name": "Climate"})

    assert response.status_code == 422
    assert "merge into it" in response.get_data(as_text=True)
    assert db.session.get(Tag, tag.id).name == "Climat"


def test_a_page_whose_slug_was_just_taken_comes_back_with_the_form(client, auth, editor):
    factories.make_page("Corrections")
    db.session.commit()
    auth.login(editor)

    with lookups_miss_once(Page.slug):
        response = client.post(
            "/admin/pages/new", data={"title": "Corrections", "body": "My *own* text"}
        )

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Another page took the slug" in text
    assert "My *own* text" in text
    assert count(Page, slug="corrections") == 1


def test_an_article_whose_slug_was_just_taken_comes_back_then_saves(client, auth, editor, category):
    factories.make_article("Rain returns to the valley", category=category)
    db.session.commit()
    auth.login(editor)
    data = article_form(category, tags="Weather")

    with lookups_miss_once(Article.slug):
        refused = client.post("/admin/articles/new", data=data)

    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Another article took the slug" in text
    assert "It **rained** at last." in text
    assert count(Article) == 1
    assert count(Tag) == 0

    saved = client.post("/admin/articles/new", data=data)

    assert saved.status_code == 303
    assert count(Article, slug="rain-returns-to-the-valley-2") == 1


def test_an_article_saved_by_someone_else_at_once_comes_back_unsaved(
    client, auth, editor, category, monkeypatch
):
    """An IntegrityError that is not about the slug (the article itself changed under
    the editor): 409 with the form as typed, nothing saved."""
    from blog.admin import articles

    def conflict(*_args, **_kwargs):
        raise sa.exc.IntegrityError("UPDATE article", {}, Exception("conflict"))

    auth.login(editor)
    monkeypatch.setattr(articles, "write_article", conflict)

    response = client.post("/admin/articles/new", data=article_form(category))

    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this article at the same moment" in text
    assert "It **rained** at last." in text
    assert count(Article) == 0


# ---------------------------------------------------------------- two requests at once


@contextlib.contextmanager
def held_before_insert(table: str, requests: int) -> Iterator[None]:
    """Each request's first INSERT INTO `table` waits until all of them have got there.

    So every request has looked up and missed the row before any of them adds it.
    """
    barrier = threading.Barrier(requests)
    held: set[int] = set()
    insert = re.compile(rf'\s*INSERT INTO "?{table}"?\s', re.IGNORECASE)

    def hold(_conn, _cursor, statement, _params, _context, _many) -> None:
        if insert.match(statement) and threading.get_ident() not in held:
            held.add(threading.get_ident())
            barrier.wait(timeout=20)

    sa.event.listen(db.engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", hold)


def at_once(app, posts: list[tuple]) -> list:
    """Run each (client, url, data) POST in its own thread; the responses, in order.

    A request that raised (TESTING propagates a 500's exception) gives its exception.
    """
    responses: list = [None] * len(posts)

    def post(index: int, client, url: str, data: dict) -> None:
        with app.app_context():
            try:
                responses[index] = client.post(url, data=data)
            except Exception as error:  # reported by the assertions
                responses[index] = error

    threads = [threading.Thread(target=post, args=(i, *p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


postgresql_only = pytest.mark.skipif(
    not on_postgresql(),
    reason="SQLite serialises writers (BEGIN IMMEDIATE), so two requests cannot race there",
)


@postgresql_only
def test_two_editors_adding_the_same_new_tags_at_once_share_them(app, editor, category):
    other = factories.make_user(Role.EDITOR, username="eddie")
    db.session.commit()
    first, second = logged_in_client(app, editor), logged_in_client(app, other)

    with held_before_insert("tag", 2):
        responses = at_once(
            app,
            [
                (
                    first,
                    "/admin/articles/new",
                    article_form(category, title="Storm", tags="Storm, Flood"),
                ),
                (
                    second,
                    "/admin/articles/new",
                    article_form(category, title="Flood", tags="flood, storm"),
                ),
            ],
        )

    assert [getattr(r, "status_code", r) for r in responses] == [303, 303]
    for article in db.session.scalars(sa.select(Article)):
        assert sorted(t.slug for t in article.tags) == ["flood", "storm"]
    assert count(Tag) == 2


@postgresql_only
def test_two_editors_creating_the_same_category_at_once(app, editor, category):
    other = factories.make_user(Role.EDITOR, username="eddie")
    db.session.commit()
    first, second = logged_in_client(app, editor), logged_in_client(app, other)
    data = {"name": "Local Politics", "description": ""}

    with held_before_insert("category", 2):
        responses = at_once(
            app, [(first, "/admin/categories", data), (second, "/admin/categories", data)]
        )

    assert sorted((getattr(r, "status_code", r) for r in responses), key=str) == [303, 422]
    refused = next(r for r in responses if r.status_code == 422)
    assert "Another category already has this name." in refused.get_data(as_text=True)
    assert count(Category, name="Local Politics") == 1
