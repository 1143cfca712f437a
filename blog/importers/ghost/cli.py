"""The `blog import-ghost` command."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("import-ghost")
@click.argument("export", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--images",
    type=click.Path(exists=True, file_okay=False),
    help="A local copy of the site's content/images folder.",
)
@click.option(
    "--content",
    type=click.Path(exists=True, file_okay=False),
    help="A local copy of the site's whole content folder: images, and the files of "
    "file, audio and video cards (content/files, content/media).",
)
@click.option(
    "--members",
    type=click.Path(exists=True, dir_okay=False),
    help="Ghost's members CSV (Members → Export): the subscribed ones become subscribers.",
)
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
@with_appcontext
def import_command(
    export: str, images: str | None, content: str | None, members: str | None, dry_run: bool
) -> None:
    """Import a Ghost JSON export (Ghost 4, 5, 6): authors, tags, posts, pages,
    images and redirects for the old links; members-only and paid posts stay hidden.
    Safe to run again."""
    from blog.importers.ghost.importer import GhostImporter
    from blog.importers.ghost.members import read_members, store_members
    from blog.importers.ghost.parse import GhostError

    try:
        click.echo("Checking the file...", err=True)
        rows = read_members(members) if members else None
        importer = GhostImporter(export, images, dry_run, content=content)
        with click.progressbar(length=importer.total, label="Importing", file=None) as bar:
            importer.batches.progress = bar.update
            report = importer.run(
                None if rows is None else lambda report: store_members(rows, report)
            )
    except GhostError as error:
        raise click.ClickException(str(error)) from error
    click.echo(report.text())


def register(app: Flask) -> None:
    app.cli.add_command(import_command)
