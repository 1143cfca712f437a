"""The migrations build exactly the models' schema, and undo it."""

import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from blog import create_app
from blog.extensions import db
from tests.conftest import base_config


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_check_and_downgrade_on_an_empty_database(tmp_path):
    app = create_app(base_config(tmp_path / "empty.sqlite3", tmp_path))
    with app.app_context():
        upgrade()
        assert {"article", "comment", "user", "article_fts", "site_state"} <= table_names()

        check()  # exits non-zero if a model changed without a migration

        downgrade(revision="base")
        assert table_names() <= {"alembic_version"}
        db.engine.dispose()


def test_search_index_follows_inserts_updates_and_deletes(app):
    from tests.factories import make_article

    article = make_article("Harbour bridge reopens", body="The ferry timetable changes.")
    db.session.commit()

    def matches(word: str) -> list[int]:
        return list(
            db.session.scalars(
                sa.text("SELECT rowid FROM article_fts WHERE article_fts MATCH :q"), {"q": word}
            )
        )

    assert matches("ferry") == [article.id]
    article.body_source = "The tram timetable changes."
    db.session.commit()
    assert matches("ferry") == []
    assert matches("tram") == [article.id]
    db.session.delete(article)
    db.session.commit()
    assert matches("tram") == []
