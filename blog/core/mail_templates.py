"""Mail bodies as templates: `compose` renders blog/templates/email/<name>.txt (+ .html)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from jinja2 import TemplateNotFound


def compose(name: str, /, **context: Any) -> tuple[str, str, str | None]:
    """(subject, text, html or None) of the mail `name`, rendered with `context`.

    `email/<name>.txt` holds the subject on its first line, one blank line, then the
    body; `text` is that body and always ends with one newline. `email/<name>.html`,
    when it exists, is the HTML part (rendered with the same context; it has no subject
    line). Templates are found through the app's Jinja loader, so an app context is
    needed; no request context is, and no context processor runs, so a worker renders
    the same mail a view would. The .txt is not autoescaped (Flask escapes .html only).
    `name` is positional-only, so a template may use a `name` of its own. Raises
    jinja2.TemplateNotFound when there is no .txt.
    """
    env = current_app.jinja_env
    rendered = env.get_template(f"email/{name}.txt").render(**context)
    subject, blank, text = rendered.partition("\n\n")
    if not blank or "\n" in subject:
        raise ValueError(f"email/{name}.txt must start with one subject line and a blank line")
    try:
        html: str | None = env.get_template(f"email/{name}.html").render(**context)
    except TemplateNotFound:
        html = None
    return subject, text.rstrip("\n") + "\n", html
