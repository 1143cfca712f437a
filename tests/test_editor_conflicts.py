"""Two people editing the same article: a save from an older version never overwrites."""

import re

import pytest
import sqlalchemy as sa

from blog.admin.article_conflict import word_diff
from blog.extensions import db
from blog.models import Article, ArticleVersion
from tests.conftest import AuthActions
from tests.factories import article_form


def opened_version(client, article_id: int) -> str:
    """The editor's hidden base_version, as a browser opening the editor would send it."""
    page = client.get(f"/admin/articles/{article_id}/edit").get_data(as_text=True)
    found = re.search(r'name="base_version" type="hidden" value="([^"]*)"', page)
    assert found, "the editor form carries no base_version"
    return found.group(1).replace("&#43;", "+")


@pytest.fixture
def two_editors(app, client, auth, editor, admin, article):
    """`editor` and `admin` in two browsers, each with the article's editor open."""
    auth.login(editor)
    other = app.test_client()
    AuthActions(other).login(admin)
    return (client, opened_version(client, article.id)), (other, opened_version(other, article.id))


def edit(client, article, category, version, **fields):
    data = article_form(
        category, title=article.title, slug=article.slug, status="published", **fields
    )
    data["base_version"] = version
    return client.post(f"/admin/articles/{article.id}/edit", data=data)


def stored(article_id: int) -> Article:
    db.session.expire_all()
    return db.session.get(Article, article_id)


def test_a_save_from_an_older_version_shows_both_texts(two_editors, article, category, admin):
    (first, first_version), (second, second_version) = two_editors
    second_save = edit(second, article, category, second_version, body="The ferry is back today.")
    assert second_save.status_code == 303

    response = edit(first, article, category, first_version, body="The ferry returns <soon>.")

    assert response.status_code == 409
    assert stored(article.id).body_source == "The ferry is back today."
    page = response.get_data(as_text=True)
    assert "The ferry returns &lt;soon&gt;." in page  # their form, kept and escaped
    assert "The ferry <del>is back today.</del><ins>returns &lt;soon&gt;.</ins>" in page
    assert admin.username in page
    assert f"/admin/articles/{article.id}/edit" in page  # keep theirs


def test_keep_mine_after_a_conflict_saves(two_editors, article, category):
    (first, first_version), (second, second_version) = two_editors
    edit(second, article, category, second_version, body="Theirs.")
    conflict = edit(first, article, category, first_version, body="Mine.")
    new_version = (
        re.search(
            r'name="base_version" type="hidden" value="([^"]*)"', conflict.get_data(as_text=True)
        )
        .group(1)
        .replace("&#43;", "+")
    )
    assert new_version != first_version

    response = edit(first, article, category, new_version, body="Mine.")

    assert response.status_code == 303
    assert stored(article.id).body_source == "Mine."
    kept = db.session.scalars(sa.select(ArticleVersion.body_source)).all()
    assert "Theirs." in kept


def test_a_save_from_the_current_version_saves(two_editors, article, category):
    (first, first_version), _ = two_editors

    response = edit(first, article, category, first_version, body="Only one editor saved.")

    assert response.status_code == 303
    assert stored(article.id).body_source == "Only one editor saved."
    # And the next save from the page it redirected to works too.
    again = edit(first, article, category, opened_version(first, article.id), body="Twice.")
    assert again.status_code == 303


@pytest.mark.parametrize(
    ("theirs", "mine", "label"),
    [
        ({"title": "Harbour open again"}, {"title": "The harbour is open"}, "Title"),
        ({"summary": "Boats are back."}, {"summary": "Ferries return."}, "Summary"),
        ({"tags": "ferries"}, {"tags": "boats"}, "Tags"),
    ],
)
def test_changes_to_other_fields_are_conflicts_too(
    two_editors, article, category, theirs, mine, label
):
    (first, first_version), (second, second_version) = two_editors
    body = article.body_source
    second_save = edit_fields(second, article, category, second_version, body=body, **theirs)
    assert second_save.status_code == 303
    after_second = stored(article.id)
    snapshot = (after_second.title, after_second.summary, [t.name for t in after_second.tags])

    response = edit_fields(first, article, category, first_version, body=body, **mine)

    assert response.status_code == 409
    now = stored(article.id)
    assert (now.title, now.summary, [t.name for t in now.tags]) == snapshot
    page = response.get_data(as_text=True)
    assert f'<th scope="row">{label}</th>' in page
    assert f"<ins>{next(iter(mine.values()))}</ins>" in page


def edit_fields(client, article, category, version, **fields):
    data = article_form(category, slug=article.slug, status="published")
    data.setdefault("title", article.title)
    data.update(fields)
    data["base_version"] = version
    return client.post(f"/admin/articles/{article.id}/edit", data=data)


def test_a_conflict_page_keeps_the_form_with_the_new_version(two_editors, article, category):
    (first, first_version), (second, second_version) = two_editors
    edit(second, article, category, second_version, body="Theirs.")

    response = edit(first, article, category, first_version, body="Mine, typed for an hour.")

    page = response.get_data(as_text=True)
    assert "Mine, typed for an hour.</textarea>" in page
    assert f'value="{first_version}"' not in page.replace("&#43;", "+")


def test_the_body_diff_marks_words_not_letters():
    runs = word_diff(
        "Boats leave every hour.\n\nNot at night.", "Boats leave each hour.\n\nNot at night."
    )

    assert runs == [
        ("same", "Boats leave "),
        ("del", "every "),
        ("ins", "each "),
        ("same", "hour.\n\nNot at night."),
    ]


def test_an_unreadable_version_is_treated_as_a_conflict(client, auth, editor, article, category):
    auth.login(editor)

    response = edit(client, article, category, "yesterday", body="Mine.")

    assert response.status_code == 409
    assert stored(article.id).body_source != "Mine."
