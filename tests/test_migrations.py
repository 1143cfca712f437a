"""The migrations build exactly the models' schema, and undo it (on SQLite and PostgreSQL)."""

import re
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from blog import create_app
from blog.core.search import search
from blog.extensions import db
from tests.conftest import base_config, empty_database


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_migration_files_are_numbered_in_chain_order():
    revisions = {}  # down_revision -> (number, revision)
    for path in (Path(__file__).parent.parent / "migrations" / "versions").glob("*.py"):
        text = path.read_text()
        ids = dict(re.findall(r"^(revision|down_revision) = ['\"]?(\w*)['\"]?$", text, re.M))
        revisions[ids["down_revision"] or "None"] = (int(path.name[:4]), ids["revision"])

    numbers, head = [], "None"
    while head in revisions:
        number, head = revisions[head]
        numbers.append(number)

    assert len(numbers) == len(revisions)  # one chain, no branch
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_upgrade_check_and_downgrade_on_an_empty_database(tmp_path):
    with empty_database(tmp_path) as uri:
        config = base_config(tmp_path / "empty.sqlite3", tmp_path)
        app = create_app(config | {"SQLALCHEMY_DATABASE_URI": uri})
        with app.app_context():
            upgrade()
            assert {"article", "comment", "user", "site_state"} <= table_names()
            if db.engine.dialect.name == "sqlite":
                assert "article_fts" in table_names()
            else:
                columns = {c["name"] for c in sa.inspect(db.engine).get_columns("article")}
                assert "search_vector" in columns

            check()  # exits non-zero if a model changed without a migration

            downgrade(revision="base")
            assert table_names() <= {"alembic_version"}
            db.engine.dispose()


def test_search_index_follows_inserts_updates_and_deletes(app):
    from tests.factories import make_article

    article = make_article("Harbour bridge reopens", body="The ferry timetable changes.")
    db.session.commit()

    def matches(word: str) -> list[int]:
        return [hit.article.id for hit in search(word, 1, 10)[0]]

    assert matches("ferry") == [article.id]
    article.body_source = "The tram timetable changes."
    db.session.commit()
    assert matches("ferry") == []
    assert matches("tram") == [article.id]
    db.session.delete(article)
    db.session.commit()
    assert matches("tram") == []
