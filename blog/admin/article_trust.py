"""The article editor's trust fields, read and written: label, dateline, bylines and
the featured image's focal point.

Kept beside article_editor.py so the editor form's other code stays as it was: the
editor calls `prepare`, `initial`, `parse` (before the write transaction) and `write`
(inside it). Only editors set bylines; an author's save leaves them as they are.
"""

from __future__ import annotations

from flask_login import current_user

from blog.admin.forms import BYLINE_SLOTS, options
from blog.models import Article
from blog.trust.api import byline_choices, labels, people_from_keys, person_key, set_bylines


def prepare(form, article: Article | None) -> None:
    names = labels()
    if article is not None and article.label and article.label not in names:
        names.append(article.label)  # a label since removed from the list is kept
    form.label.choices = options([("", "No label"), *((n, n) for n in names)])
    choices = options(byline_choices())
    for slot in form.bylines:
        slot.choices = choices


def initial(article: Article) -> dict:
    keys = [person_key(p) for p in article.credits][:BYLINE_SLOTS]
    return {
        "label": article.label,
        "dateline": article.dateline,
        "focus_x": article.image_focus_x,
        "focus_y": article.image_focus_y,
        "republishable": article.republishable,
        "bylines": keys + [""] * (BYLINE_SLOTS - len(keys)),
    }


def parse(form) -> dict | None:
    """The trust fields as values to write, or None (with field errors) when invalid.
    `bylines` is None when this user may not set them."""
    parsed = {
        "label": form.label.data or "",
        "dateline": " ".join((form.dateline.data or "").split()),
        "republishable": bool(form.republishable.data),
        "focus": (
            50 if form.focus_x.data is None else form.focus_x.data,
            50 if form.focus_y.data is None else form.focus_y.data,
        ),
    }
    parsed["bylines"] = None
    if current_user.is_editor:
        keys = [slot.data or "" for slot in form.bylines]
        valid = {value for value, _ in byline_choices()}
        if any(k not in valid for k in keys):
            form.form_errors.append("Choose each byline from the list.")
            return None
        parsed["bylines"] = [k for k in keys if k]
    return parsed


def write(article: Article, parsed: dict) -> bool:
    """Copy the trust fields onto `article` (flushed); False when a chosen person was
    deleted meanwhile (the caller refuses the save)."""
    article.label = parsed["label"]
    article.dateline = parsed["dateline"]
    article.image_focus_x, article.image_focus_y = parsed["focus"]
    article.republishable = parsed["republishable"]
    if parsed["bylines"] is None:
        return True
    people = people_from_keys(parsed["bylines"])
    if people is None:
        return False
    set_bylines(article, people)
    return True
