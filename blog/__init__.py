"""The newsroom: a self-hostable news magazine. `create_app` builds the Flask app."""

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from blog.config import DEFAULTS
from blog.core import errors
from blog.core.keyfile import ConfigError, check_secret_key, read_secret_key


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    instance_path = os.environ.get("BLOG_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    errors.init_app(app)
    register_template_helpers(app)
    register_cli(app)
    if app.config["PROXY_COUNT"]:
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    return app


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Defaults, then instance/config.py, then BLOG_* and DATABASE_URL, then tests."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("BLOG")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'blog.sqlite3'}"
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = read_secret_key(app.instance_path)
    check_secret_key(app)
    secure = app.config.get("SECURE_COOKIES")
    if secure is None:  # automatic: a site served over HTTPS gets Secure cookies
        secure = str(app.config["SITE_URL"]).startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = bool(secure)


# Modules whose import registers job handlers and periodic functions (blog.core.jobs).
JOB_MODULES = (
    "blog.core.mail",
    "blog.core.imagework",
    "blog.newsletter.sending",
    "blog.newsletter.alerts",
    "blog.comments.notify",
    "blog.admin.review_flow",
    "blog.confirm.confirmation",
    "blog.importers.wordpress.tasks",
    "blog.audience.rollup",
    "blog.audience.weekly",
    "blog.importers.tasks",
)


def register_extensions(app: Flask) -> None:
    from blog.auth.sessions import CookieSessions, ask_to_log_in, load_user
    from blog.core import jobs
    from blog.core.cache import invalidation
    from blog.core.database import configure_engine, engine_options
    from blog.extensions import csrf, db, login_manager, migrate

    invalidation.install()
    jobs.init_app(app, JOB_MODULES)
    engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.unauthorized_handler(ask_to_log_in)
    login_manager.user_loader(load_user)
    app.session_interface = CookieSessions()
    with app.app_context():
        configure_engine(app)


def register_blueprints(app: Flask) -> None:
    from blog.admin.views import bp as admin_bp
    from blog.audience.views import bp as audience_bp
    from blog.auth.factor_views import bp as factors_bp
    from blog.auth.passkey_views import bp as passkeys_bp
    from blog.auth.views import bp as auth_bp
    from blog.comments.views import bp as comments_bp
    from blog.confirm.views import bp as confirm_bp
    from blog.donations.views import bp as donations_bp
    from blog.newsletter.views import bp as newsletter_bp
    from blog.privacy.views import bp as privacy_bp
    from blog.public.views import bp as public_bp
    from blog.trust.views import bp as trust_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(factors_bp, url_prefix="/auth")
    app.register_blueprint(passkeys_bp, url_prefix="/auth")
    app.register_blueprint(confirm_bp, url_prefix="/auth")
    app.register_blueprint(privacy_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(newsletter_bp)
    app.register_blueprint(donations_bp)
    app.register_blueprint(trust_bp)
    app.register_blueprint(audience_bp)


IMAGE_HOST = re.compile(r"https://[a-z0-9.-]+(:[0-9]{1,5})?")


def content_security_policy(image_hosts: str = "") -> str:
    """The CSP of every answer. Images only from this site and IMAGE_HOSTS (say a
    CDN, "https://cdn.example.org"): an image an import or an author pointed at any
    other host (an internal server, a tracker) is never fetched by readers' browsers.
    Audio and video only from this site (the sanitizer allows no other src either).

    Raises ConfigError for an entry that is not an https:// origin.
    """
    hosts = image_hosts.replace(",", " ").split()
    wrong = [host for host in hosts if not IMAGE_HOST.fullmatch(host.lower())]
    if wrong:
        raise ConfigError(
            f"IMAGE_HOSTS: {' '.join(wrong)} is not an https:// origin such as "
            "https://cdn.example.org"
        )
    images = " ".join(["'self'", *(host.lower() for host in hosts)])
    return (
        f"default-src 'self'; img-src {images}; media-src 'self'; object-src 'none'; "
        "base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )


def register_request_hooks(app: Flask) -> None:
    from flask_login import current_user

    from blog.audience import beacon
    from blog.core import state
    from blog.core.cache import pages
    from blog.public import redirects

    state.init_app(app)
    pages.init_app(app)
    beacon.init_app(app)  # outside the page cache: a beacon never looks a page up
    redirects.init_app(app)

    csp = content_security_policy(str(app.config.get("IMAGE_HOSTS") or ""))

    @app.after_request
    def set_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["X-Frame-Options"] = "DENY"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if pages.set_cache_headers(app, response, current_user):
            pages.store(response)
        return response


def register_template_helpers(app: Flask) -> None:
    from blog.core import templating
    from blog.public.api import publisher_json_ld
    from blog.trust import api as trust

    templating.init_app(app)
    trust.init_templates(app)
    app.add_template_global(publisher_json_ld)


def register_cli(app: Flask) -> None:
    from blog.cli import register_commands

    register_commands(app)
