"""The `blog` console script (`main`) and its commands, in one style: each command is a
module-level `click.command`. `setup` and `copy-data` need no app (setup writes the
secret key an app needs), so `main` adds them to the `blog` group itself; the others
run in the app context (`with_appcontext`) and `register_commands` adds them, with the
importers' commands, to `app.cli`, so `flask --app blog` lists them too. `create_user`
is the one way to add an account from a command or a test."""

import os
import secrets
import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

from blog.core.seed import seed_defaults
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Role, User


def main() -> None:
    """Entry point of the `blog` console script."""
    group = FlaskGroup(create_app=_create_app_for_cli, help="The newsroom blog.")
    group.add_command(setup_command)
    group.add_command(copy_data_command)
    group(prog_name="blog")


def _create_app_for_cli() -> Flask:
    """The app for a command; on an instance without a secret key, help still works.

    Listing the commands (`blog`, `blog --help`, `blog CMD --help`) needs the app, but
    runs nothing, so it gets a throwaway key. Any command that would run says what is
    missing in one line and exits 1, instead of a traceback. `setup` and `copy-data`
    need no app and always run.
    """
    from blog import create_app
    from blog.core.keyfile import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        arguments = sys.argv[1:]
        if not arguments or "--help" in arguments or "-h" in arguments:
            return create_app({"SECRET_KEY": secrets.token_urlsafe(48)})
        raise click.ClickException(str(error)) from None


def create_user(
    username: str, email: str, password: str, role: Role, display_name: str = ""
) -> User:
    """Add a user (the caller commits); raises ValueError when the name is invalid or taken."""
    from blog.auth.rules import normalize_email, normalize_username

    name = normalize_username(username)
    mail = normalize_email(email)
    exists = db.session.scalar(
        sa.select(User.id).where(sa.or_(User.username == name, User.email == mail))
    )
    if exists is not None:
        raise ValueError(f"a user named {name!r} or with email {mail!r} already exists")
    user = User(
        username=name,
        email=mail,
        password_hash=generate_password_hash(password),
        display_name=display_name or username,
        role=role,
        # An admin typed the address: nobody waits for a link mailed to it.
        email_confirmed_at=utcnow(),
    )
    db.session.add(user)
    return user


@click.command("setup")
@click.option("--demo", is_flag=True, help="Also add demo articles, readers and comments.")
@click.option("--admin-username", default="admin", show_default=True)
@click.option("--admin-email", default="admin@example.com", show_default=True)
def setup_command(demo: bool, admin_username: str, admin_email: str) -> None:
    """Migrate the database, write the secret key, create the first admin.

    Safe to run again: migrations are applied, missing defaults added, and an admin
    is created only when there is none. It runs before any secret key exists, so it
    is a command of the `blog` group itself rather than of the app.
    """
    from blog import create_app
    from blog.core.keyfile import write_secret_key

    instance = Flask("blog", instance_path=os.environ.get("BLOG_INSTANCE_PATH")).instance_path
    if not os.environ.get("BLOG_SECRET_KEY") and write_secret_key(instance):
        click.echo(f"Wrote a new secret key to {instance}/secret_key")
    app = create_app()
    with app.app_context():
        upgrade()
        seed_defaults()
        has_admin = db.session.scalar(sa.select(User.id).where(User.role == Role.ADMIN))
        if has_admin is None:
            password = secrets.token_urlsafe(12)
            create_user(admin_username, admin_email, password, Role.ADMIN, "Site admin")
            db.session.commit()
            click.echo("Created the first admin account (the password is shown only now):")
            click.echo(f"username: {admin_username}")
            click.echo(f"password: {password}")
            _echo_second_factor(Role.ADMIN)
        else:
            click.echo("An admin account already exists; none created.")
        if demo:
            from blog.demo.loader import load_demo

            click.echo(load_demo())


@click.command("copy-data")
@click.option(
    "--from",
    "source",
    required=True,
    help="The site's database now, e.g. sqlite:///instance/blog.sqlite3",
)
@click.option(
    "--to",
    "target",
    required=True,
    help="An empty database, e.g. postgresql+psycopg://user@host/blog",
)
def copy_data_command(source: str, target: str) -> None:
    """Copy the whole site (content, users, comments, settings) into another database.

    Runs the migrations on the target, copies every table with its ids, resets the
    id sequences, rebuilds the search index and checks the row counts. Stop the app
    servers (or keep them read-only) while it runs; the source is only read.
    """
    from blog.ops.copydata import CopyError, copy_data

    try:
        counts = copy_data(source, target, echo=click.echo)
    except CopyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Copied {sum(counts.values())} rows in {len(counts)} tables; counts match.")


@click.command("doctor")
@click.option(
    "--backups",
    type=click.Path(file_okay=False),
    default=None,
    help="Where backups go (default: instance/backups).",
)
@click.option(
    "--backup-days", default=7, show_default=True, help="A backup older than this is a failure."
)
@click.option(
    "--offline",
    is_flag=True,
    help="Skip the check that asks the running site through SITE_URL.",
)
@with_appcontext
def doctor_command(backups: str | None, backup_days: int, offline: bool) -> None:
    """Check the install: each line says OK or what to do; exit 1 on any failure."""
    from pathlib import Path

    from blog.ops.doctor import run_checks

    failures = 0
    for finding in run_checks(Path(backups) if backups else None, backup_days, not offline):
        click.echo(finding.line())
        failures += not finding.ok
    if failures:
        raise click.exceptions.Exit(1)


@click.command("deploy-config")
@click.option("--domain", required=True, help="The site's public host name.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="deploy/out",
    show_default=True,
    help="Folder for the filled-in files.",
)
@click.option("--name", default="newsroom", show_default=True, help="Unit and site name.")
@click.option("--user", default="newsroom", show_default=True, help="The account it runs as.")
@click.option("--workers", default=4, show_default=True, help="gunicorn workers.")
@click.option("--upstream", multiple=True, default=["127.0.0.1:8000"], show_default=True,
              help="An app server, host:port; repeat for several, this one first.")  # fmt: skip
@with_appcontext
def deploy_config_command(
    domain: str, out_dir: str, name: str, user: str, workers: int, upstream: tuple[str, ...]
) -> None:
    """Write the nginx site, systemd units and logrotate file for this install."""
    from pathlib import Path

    from blog.ops.deployconfig import DeployError, DeploySettings, write

    try:
        settings = DeploySettings.from_app(
            current_app.config, domain, name=name, user=user, workers=workers,
            upstreams=list(upstream), instance=current_app.instance_path,
        )  # fmt: skip
        paths = write(settings, Path(out_dir))
    except DeployError as error:
        raise click.ClickException(str(error)) from error
    for path in paths:
        click.echo(f"wrote {path}")
    click.echo('Next: see docs/operators.md, "Deploying on one server".')


@click.command("create-user")
@click.argument("username")
@click.argument("email")
@click.option("--role", type=click.Choice([r.label for r in Role]), default="reader")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(username: str, email: str, role: str, password: str) -> None:
    """Add a user with a role."""
    from blog.auth.rules import password_problem

    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    try:
        user = create_user(username, email, password, Role.from_label(role))
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {role} {user.username}")
    _echo_second_factor(Role.from_label(role))


def _echo_second_factor(role: Role) -> None:
    """Tell whoever made a staff account about the second factor its role needs."""
    from blog.auth.factors import required_role

    needed = required_role()
    if needed is not None and role >= needed:
        click.echo(
            "This role must log in with a second factor: at the first login (password "
            "first) the site asks to set up an authenticator app or a passkey, and shows "
            "ten recovery codes to keep. Lost phone and codes: `blog reset-2fa USERNAME`."
        )


@click.command("reset-2fa")
@click.argument("username")
@with_appcontext
def reset_2fa_command(username: str) -> None:
    """Remove a user's second factors and recovery codes and log them out everywhere
    (for someone who lost their phone and their codes); audited and mailed to them."""
    from blog.auth.api import normalize_username, reset_second_factors

    user = db.session.scalar(sa.select(User).where(User.username == normalize_username(username)))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    reset_second_factors(user)
    click.echo(
        f"Removed the second factors of {user.username} and ended their sessions; they were "
        "mailed. They log in with their password and set up a new factor."
    )


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Add the demo articles, readers and comments (skips what is already there)."""
    from blog.demo.loader import load_demo

    seed_defaults()
    click.echo(load_demo())


@click.command("backup")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the archive (default: instance/backups).",
)
@with_appcontext
def backup_command(out_dir: str | None) -> None:
    """Consistent online copy of the database plus uploads, as one archive."""
    from blog.ops.backup import BackupError, backup

    target = out_dir or os.path.join(current_app.instance_path, "backups")
    try:
        archive = backup(
            current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.instance_path, target
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {archive}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.confirmation_option(prompt="Replace the current database and uploads with this backup?")
@with_appcontext
def restore_command(archive: str) -> None:
    """Check a backup archive, then put it in place (stop the app servers first)."""
    from blog.ops.backup import BackupError, restore

    db.engine.dispose()
    try:
        kept = restore(
            archive, current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.instance_path
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {archive}; the previous database is kept at {kept}")


@click.command("reindex")
@click.option(
    "--images",
    is_flag=True,
    help="Make missing image variants and size the images in bodies instead.",
)
@with_appcontext
def reindex_command(images: bool) -> None:
    """Rebuild the full-text search index (or, with --images, the image variants)."""
    if images:
        from blog.core.imagesets import add_missing_variants, refit_bodies

        with_variants, skipped = add_missing_variants(click.progressbar)
        click.echo(f"Made variants for {with_variants} images; {skipped} skipped")
        click.echo(f"Sized the images of {refit_bodies(click.progressbar)} bodies")
        return
    from blog.core.search import reindex

    click.echo(f"Reindexed {reindex()} articles")


@click.command("send-due")
@click.option("--limit", type=int, default=None, help="Stop after about this many jobs.")
@with_appcontext
def send_due_command(limit: int | None) -> None:
    """Run the queued jobs that are due (mail, digests) once, then exit (cron, timer)."""
    from blog.core.worker import run_due

    counts = run_due(limit=limit)
    click.echo(f"{counts.done} done, {counts.retried} to retry, {counts.failed} failed")


@click.command("worker")
@click.option("--poll", type=float, default=5.0, show_default=True,
              help="Seconds to wait when nothing is due.")  # fmt: skip
@with_appcontext
def worker_command(poll: float) -> None:
    """Run queued jobs until stopped (SIGTERM or Ctrl-C ends it after the current job)."""
    import signal
    import threading

    from blog.core.worker import work

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    counts = work(stop, poll=poll)
    click.echo(f"{counts.done} done, {counts.retried} to retry, {counts.failed} failed")


APP_COMMANDS = [
    doctor_command,
    deploy_config_command,
    create_user_command,
    reset_2fa_command,
    demo_command,
    backup_command,
    restore_command,
    reindex_command,
    send_due_command,
    worker_command,
]


def register_commands(app: Flask) -> None:
    """Adds the app's commands (and the importers') to `app.cli`."""
    from blog.audience.cli import rollup_command
    from blog.importers.ghost.cli import register as register_ghost
    from blog.importers.substack.cli import register as register_substack
    from blog.importers.wordpress.cli import register as register_wordpress

    for command in APP_COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(rollup_command)
    register_wordpress(app)
    register_ghost(app)
    register_substack(app)
