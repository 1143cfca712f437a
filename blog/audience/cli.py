"""The `blog audience-rollup` command: roll counted views up and prune old ones, once."""

import click
from flask.cli import with_appcontext

from blog.audience.rollup import prune, roll_up


@click.command("audience-rollup")
@with_appcontext
def rollup_command() -> None:
    """Roll raw views up into daily counts and drop those past retention (the worker
    does this every minute; this is for a site without one, or to see numbers now)."""
    rolled = roll_up(max_slices=10_000)
    pruned = prune()
    click.echo(f"{rolled} views rolled up, {pruned} old views deleted")
