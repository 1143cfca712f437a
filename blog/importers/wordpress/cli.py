"""The `blog import-wordpress` and `blog export-wordpress` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("import-wordpress")
@click.argument("export", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--uploads",
    type=click.Path(exists=True, file_okay=False),
    help="A local copy of the site's wp-content/uploads folder.",
)
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
@click.option(
    "--map-author",
    "mappings",
    multiple=True,
    metavar="OLD=NEW",
    help="Give WordPress author OLD's posts to the existing user NEW "
    "(username or email); repeatable.",
)
@with_appcontext
def import_command(export: str, uploads: str | None, dry_run: bool, mappings: tuple) -> None:
    """Import a WordPress export (WXR): authors, sections, tags, posts, pages,
    comments, images and redirects for the old links. Safe to run again."""
    from blog.importers.wordpress.importer import Importer
    from blog.importers.wordpress.parse import WXRError

    author_map = {}
    for mapping in mappings:
        old, sep, new = mapping.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(f"{mapping!r} is not OLD=NEW", param_hint="--map-author")
        author_map[old.strip()] = new.strip()
    try:
        click.echo("Checking the file...", err=True)
        importer = Importer(export, uploads, dry_run, author_map, None)
        with click.progressbar(length=importer.total, label="Importing", file=None) as bar:
            importer.batches.progress = bar.update
            report = importer.run()
    except (WXRError, LookupError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(report.text())


@click.command("export-wordpress")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(out: str) -> None:
    """Write the whole site as a WordPress export (WXR 1.2)."""
    from blog.importers.wordpress.exporter import export_wordpress

    counts = export_wordpress(out)
    click.echo(f"Wrote {out}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


def register(app: Flask) -> None:
    """Adds the import and export commands to `app.cli`."""
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
