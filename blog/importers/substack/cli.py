"""The `blog import-substack` command."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("import-substack")
@click.argument("export", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--author",
    metavar="USER",
    help="Credit the posts to this existing user (username or email).",
)
@click.option("--no-subscribers", is_flag=True, help="Leave the email list out.")
@click.option(
    "--fetch-images",
    is_flag=True,
    help="Copy the posts' images from Substack's image hosts (else they become links).",
)
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
@with_appcontext
def import_command(
    export: str, author: str | None, no_subscribers: bool, fetch_images: bool, dry_run: bool
) -> None:
    """Import a Substack export (.zip): posts, redirects for /p/<slug>, and the email
    list's subscribers; paid-only posts stay hidden. Safe to run again."""
    from blog.importers.substack.archive import SubstackError
    from blog.importers.substack.importer import SubstackImporter

    try:
        click.echo("Checking the file...", err=True)
        importer = SubstackImporter(export, dry_run, author, fetch_images=fetch_images)
        try:
            with click.progressbar(length=importer.total, label="Importing", file=None) as bar:
                importer.batches.progress = bar.update
                report = importer.run(subscribers=not no_subscribers)
        finally:
            importer.close()
    except (SubstackError, LookupError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(report.text())


def register(app: Flask) -> None:
    app.cli.add_command(import_command)
