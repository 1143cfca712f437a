"""Config layering, the secret key rules, SQLite settings and the write transaction."""

import contextvars
import os
import stat

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.core.assets import STATIC, static_version
from blog.core.cache.versions import current_version
from blog.core.database import begin_write, writing
from blog.core.keyfile import ConfigError, write_secret_key
from blog.core.settings import save_settings
from blog.core.state import request_state
from blog.extensions import db
from blog.models import SiteState
from blog.ops.deployconfig import TEMPLATES
from tests import factories


@pytest.fixture
def env(monkeypatch, tmp_path):
    for key in list(os.environ):
        if key.startswith("BLOG_") or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    return monkeypatch


def test_refuses_to_start_without_a_secret_key(env):
    with pytest.raises(ConfigError, match="blog setup"):
        create_app()


@pytest.mark.parametrize("key", ["dev", "short-key", "changeme"])
def test_refuses_a_short_or_well_known_key(env, key):
    env.setenv("BLOG_SECRET_KEY", key)
    with pytest.raises(ConfigError):
        create_app()


def test_debug_and_testing_start_with_a_throwaway_key(env):
    app = create_app({"TESTING": True})
    assert len(app.config["SECRET_KEY"]) >= 32


def test_secret_key_file_is_written_once_owner_only(env, tmp_path):
    assert write_secret_key(str(tmp_path)) is True
    first = (tmp_path / "secret_key").read_text()
    assert write_secret_key(str(tmp_path)) is False
    assert (tmp_path / "secret_key").read_text() == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert create_app().config["SECRET_KEY"] == first


def test_config_layers_defaults_instance_file_environment_then_test_mapping(env, tmp_path):
    write_secret_key(str(tmp_path))
    (tmp_path / "config.py").write_text(
        "POSTS_LIMIT = 'instance'\nSITE_URL = 'https://from.instance'\n"
    )
    assert create_app().config["SITE_URL"] == "https://from.instance"
    assert create_app().config["COMMENT_MAX_LINKS"] == 2  # a default

    env.setenv("BLOG_SITE_URL", "https://from.env")
    env.setenv("BLOG_COMMENT_MAX_LINKS", "4")
    app = create_app()
    assert app.config["SITE_URL"] == "https://from.env"
    assert app.config["COMMENT_MAX_LINKS"] == 4  # parsed as JSON

    assert create_app({"SITE_URL": "https://from.test"}).config["SITE_URL"] == "https://from.test"


def test_database_url_selects_the_database(env, tmp_path):
    write_secret_key(str(tmp_path))
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"].endswith("other.sqlite3")


@pytest.mark.sqlite_only
def test_every_sqlite_connection_gets_wal_foreign_keys_and_busy_timeout(app):
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == app.config["SQLITE_BUSY_TIMEOUT_MS"]
        assert pragma("synchronous") == 1  # NORMAL


@pytest.mark.sqlite_only
def test_begin_write_starts_an_immediate_transaction(app):
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with app.test_request_context(method="POST"):
        db.session.scalar(sa.select(SiteState.version))
        begin_write()
        save_settings({"tagline": "Written"})
        db.session.commit()
    assert "BEGIN" in statements
    assert "BEGIN IMMEDIATE" in statements
    assert statements.index("BEGIN IMMEDIATE") > statements.index("BEGIN")


def test_a_content_write_moves_the_version_seen_by_the_next_request(app):
    def in_a_request(action):
        # A fresh context, as each request gets in a real server.
        def run():
            with app.app_context(), app.test_request_context():
                return action()

        return contextvars.Context().run(run)

    def bump():
        version = current_version()
        with writing():
            save_settings({"tagline": "Moved"})
            db.session.commit()
        return version

    before = in_a_request(bump)
    assert in_a_request(current_version) == before + 1


@pytest.mark.parametrize(
    ("site_url", "override", "secure"),
    [
        ("http://127.0.0.1:5000", None, False),
        ("https://news.example", None, True),
        ("https://news.example", False, False),
        ("http://127.0.0.1:5000", True, True),
    ],
)
def test_secure_cookies_follow_the_site_url_unless_forced(env, site_url, override, secure):
    config = {"TESTING": True, "SITE_URL": site_url, "SECURE_COOKIES": override}
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure


def test_trusted_hosts_refuse_other_host_headers(app):
    app.config["TRUSTED_HOSTS"] = ["news.example"]
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "news.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


def test_wsgi_entry_point_refuses_debug(env, tmp_path):
    import importlib
    import sys

    write_secret_key(str(tmp_path))
    env.setenv("BLOG_DEBUG", "true")
    sys.modules.pop("wsgi", None)
    with pytest.raises(RuntimeError, match="debug"):
        importlib.import_module("wsgi")
    sys.modules.pop("wsgi", None)


@pytest.mark.sqlite_only
def test_writers_queue_on_a_file_lock_released_when_the_transaction_ends(app):
    import fcntl

    lock_path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + ".writelock"

    def lock_is_free() -> bool:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    def write_and_check():
        with app.app_context(), app.test_request_context(method="POST"):
            begin_write()
            save_settings({"tagline": "Locked"})
            held_during = not lock_is_free()
            db.session.commit()
            return held_during, lock_is_free()

    held_during, free_after = contextvars.Context().run(write_and_check)
    assert held_during is True
    assert free_after is True


def test_rotated_secret_key_keeps_sessions_during_the_grace_period(app, client, auth, reader):
    auth.login(reader)
    assert client.get("/auth/account").status_code == 200
    old_key = app.config["SECRET_KEY"]

    app.config["SECRET_KEY"] = "a-brand-new-secret-key-of-enough-length-0123456789"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert client.get("/auth/account").status_code == 200  # the old cookie still verifies

    app.config["SECRET_KEY_FALLBACKS"] = []
    response = client.get("/auth/account")
    assert response.status_code == 302  # grace period over: log in again
    assert "/auth/login" in response.headers["Location"]


def test_writing_ends_its_transaction_however_the_block_ends(app):
    from blog.models import Setting

    def run(action):
        with app.app_context(), app.test_request_context(method="POST"):
            try:
                with writing() as write:
                    assert request_state().writing is True
                    save_settings({"tagline": action})
                    if action == "committed":
                        db.session.commit()
                    elif action == "raised":
                        raise RuntimeError("boom")
                    elif action == "refused":
                        write.refuse("Taken", 409, field="slug")
                        raise AssertionError("refuse() returned")
                    # "abandoned": the block ends without committing
            except RuntimeError:
                pass
            assert not request_state().writing  # the next read needs no write lock
            assert not db.session().in_transaction()
            if action == "refused":
                assert write.refused.message == "Taken"
                assert write.refused.status == 409
                assert write.refused.details == {"field": "slug"}
            else:
                assert write.refused is None

    for action in ("committed", "refused", "abandoned", "raised"):
        contextvars.Context().run(run, action)

    db.session.expire_all()
    saved = db.session.get(Setting, "tagline")
    assert saved is not None and "committed" in saved.value  # the other two rolled back


def test_a_refused_form_renders_after_its_write_so_other_writers_do_not_wait(
    app, client, auth, editor
):
    """A page form refused inside its write (slug taken) is rendered once the write
    lock is released: while it renders, a write from another worker completes."""
    import threading

    from flask import before_render_template

    from blog.core.database import _no_render_in_write
    from blog.models import Setting

    factories.make_page("Corrections")
    db.session.commit()
    auth.login(editor)
    other_writer_done = []

    def write_elsewhere():
        with app.app_context(), app.test_request_context(method="POST"):
            with writing():
                save_settings({"tagline": "Written during the render"})
                db.session.commit()
            other_writer_done.append(True)

    def while_rendering(_app, template, context, **_extra):
        if template.name == "admin/page_form.html":
            other = threading.Thread(target=contextvars.Context().run, args=(write_elsewhere,))
            other.start()
            other.join(timeout=5)

    # The lock itself is under test here, not the guard that fails renders inside writes.
    before_render_template.disconnect(_no_render_in_write, app)
    before_render_template.connect(while_rendering, app)
    try:
        response = client.post(
            "/admin/pages/new",
            data={"title": "Our corrections", "slug": "corrections", "body": "Kept *text*"},
        )
    finally:
        before_render_template.disconnect(while_rendering, app)
        before_render_template.connect(_no_render_in_write, app)

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Another page already uses this slug." in text
    assert "Kept *text*" in text
    assert other_writer_done == [True]
    db.session.expire_all()
    assert "Written during the render" in db.session.get(Setting, "tagline").value


def test_a_template_rendered_inside_a_write_fails_under_testing(app):
    from flask import render_template

    with (
        app.test_request_context(method="POST"),
        pytest.raises(RuntimeError, match="inside a write transaction"),
        writing(),
    ):
        render_template("errors/error.html")


def test_files_beside_the_package_are_found_from_the_modules_that_read_them():
    """Modules that find files by their own location (moving one broke this once)."""
    assert (STATIC / "style.css").is_file()
    assert static_version("style.css")
    assert (TEMPLATES / "newsroom.nginx.conf").is_file()
