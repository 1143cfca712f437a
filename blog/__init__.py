"""The newsroom: a self-hostable news magazine. `create_app` builds the Flask app."""

import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from blog.config import DEFAULTS

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
# The friendly error pages: title and what the reader should know.
ERROR_PAGES = {
    400: ("Bad request", "The request could not be understood. If you submitted a form, "
          "go back and try again."),
    403: ("Forbidden", "You do not have permission to see this page."),
    404: ("Page not found", "We could not find that page. It may have moved or never existed."),
    405: ("Method not allowed", "That address does not accept this kind of request."),
    413: ("Too large", "What you sent is larger than this site accepts. "
          "Please send something smaller."),
    429: ("Too many attempts", "You have made too many attempts. "
          "Please wait a little and try again."),
    500: ("Something went wrong", "An error occurred on our side. Nothing you did caused it; "
          "please try again in a moment."),
}  # fmt: skip
ERROR_CODES = tuple(ERROR_PAGES)
KNOWN_BAD_SECRETS = {"dev", "secret", "changeme", "change-me", "development", "test"}


class ConfigError(RuntimeError):
    pass


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    instance_path = os.environ.get("BLOG_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_error_pages(app)
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


def read_secret_key(instance_path: str) -> str | None:
    path = Path(instance_path) / SECRET_KEY_FILE
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def write_secret_key(instance_path: str) -> bool:
    """Create instance/secret_key (owner-only) once; False if it already existed."""
    path = Path(instance_path) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(48))
    return True


def check_secret_key(app: Flask) -> None:
    """Refuse to start without a real secret key, except in debug or testing."""
    key = app.config.get("SECRET_KEY")
    weak = not key or len(str(key)) < 32 or str(key).lower() in KNOWN_BAD_SECRETS
    if not weak:
        return
    if app.debug or app.testing:
        if not key:
            # A throwaway key: sessions end when the process does, which is fine here.
            app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
        return
    raise ConfigError(
        "No usable secret key (it must be at least 32 characters and not a well-known "
        "value). Run `blog setup` to write one to instance/secret_key, or set the "
        "BLOG_SECRET_KEY environment variable."
    )


def register_extensions(app: Flask) -> None:
    from blog.cache import invalidation
    from blog.database import configure_engine, engine_options
    from blog.extensions import csrf, db, login_manager, migrate

    invalidation.install()
    engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    with app.app_context():
        configure_engine(app)

    @login_manager.user_loader
    def load_user(user_id: str):  # noqa: ANN202
        from blog.models import User

        id_part, _, token = user_id.partition(":")
        if not id_part.isdigit() or not token:
            return None
        user = db.session.get(User, int(id_part))
        if user is None or not user.active:
            return None
        # Logout, a password change or deactivation rotate the token: old cookies die.
        if not hmac.compare_digest(user.session_token, token):
            return None
        return user


def register_blueprints(app: Flask) -> None:
    from blog.admin.views import bp as admin_bp
    from blog.auth.views import bp as auth_bp
    from blog.comments.views import bp as comments_bp
    from blog.donations.views import bp as donations_bp
    from blog.newsletter.views import bp as newsletter_bp
    from blog.public.views import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(comments_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(newsletter_bp)
    app.register_blueprint(donations_bp)


CSP = (
    "default-src 'self'; img-src 'self' https:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def register_request_hooks(app: Flask) -> None:
    from flask_login import current_user

    from blog import redirects
    from blog.cache import pages

    pages.init_app(app)
    redirects.init_app(app)

    @app.after_request
    def set_headers(response):  # noqa: ANN001, ANN202
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["X-Frame-Options"] = "DENY"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if pages.set_cache_headers(app, response, current_user):
            pages.store(response)
        return response


def render_error(error: HTTPException):  # noqa: ANN201
    """The friendly page for an HTTP error (rolls the session back on 5xx)."""
    from blog.extensions import db

    code = error.code or 500
    if code == 404 and request_ctx.url_adapter is not None:
        from blog.redirects import old_link_response

        moved = old_link_response()
        if moved is not None:
            return moved
    if code >= 500:
        db.session.rollback()
    if code == 403:
        from blog.security_log import security_log

        security_log("forbidden", method=request.method, path=request.full_path.rstrip("?"))
    # Keep headers the error carries for clients, such as 429's Retry-After.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() in ("retry-after", "allow")]
    if request_ctx.url_adapter is None:
        # The Host header was refused (TRUSTED_HOSTS): no URL can be built for it.
        return f"{code} {error.name}", code, [("Content-Type", "text/plain"), *headers]
    title, message = ERROR_PAGES.get(code, (error.name, ""))
    # A view's own explanation (when to retry, the size limit) beats the generic one.
    if error.description and error.description != type(error).description and code < 500:
        message = error.description
    return render_template("errors/error.html", title=title, message=message), code, headers


def register_error_pages(app: Flask) -> None:
    for code in ERROR_CODES:
        app.register_error_handler(code, render_error)

    def number_too_large(error: OverflowError):  # noqa: ANN202
        # An id or page number past the database's 64-bit integers, typed into a URL,
        # query or form (?page=99999999999999999999): bad input, not a server error.
        from blog.extensions import db

        db.session.rollback()
        return render_error(BadRequest())

    app.register_error_handler(OverflowError, number_too_large)

    def out_of_range(error: Exception):  # noqa: ANN202
        # PostgreSQL's form of the same input: "integer out of range" (SQLSTATE 22003),
        # and for its 32-bit integer columns already past 2**31.
        if getattr(getattr(error, "orig", None), "sqlstate", None) == "22003":
            return number_too_large(error)
        raise error

    from sqlalchemy.exc import DataError

    app.register_error_handler(DataError, out_of_range)


def register_template_helpers(app: Flask) -> None:
    from blog import templating

    templating.init_app(app)


def register_cli(app: Flask) -> None:
    from blog.cli import register_commands

    register_commands(app)
