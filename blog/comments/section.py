"""The comment section of an article page, rendered once per comments version.

Every anonymous reader sees the same section, so it is a fragment as it stands. A
logged-in reader's section differs from the next reader's only in small, known places,
so it is also rendered once per version (content and comments; and per "may this
reader comment"), with markers where the reader's own parts go, then filled in for
each request:

- `<!--csrf-->` and `<!--started-->` in the forms' hidden fields: the reader's CSRF
  token and the comment form's signed start time (see `policy.form_started_token`);
- `<!--actions N-->report<!--own-->edit and delete<!--/actions-->` around comment N's
  buttons: the Report link everyone else gets, or Edit and Delete for its author.

Replies are written on their own page (the Reply links), so a section holds one form
whatever its length: the fill-in is a pick between two prepared strings per comment
and two replacements.

The markers cannot come from users: comment HTML passes the sanitizer, which strips HTML
comments, and every other value is escaped. A reader with comments awaiting moderation
on the article (only they see those, in their place in the thread) gets the section
rendered for them alone, through the same markers.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from blog.comments import paging, policy
from blog.comments.paging import ThreadPage, thread_page
from blog.core.cache.memo import comments_memo, fragment
from blog.extensions import db
from blog.models import Account, Article, Comment, CommentStatus

CSRF_MARK = Markup("<!--csrf-->")
STARTED_MARK = Markup("<!--started-->")
_ACTIONS = re.compile(r"<!--actions (\d+)-->(.*?)<!--own-->(.*?)<!--/actions-->", re.DOTALL)


@dataclass(frozen=True)
class Section:
    """A rendered section, in the pieces a reader's fill-in needs.

    `pieces` alternates text and the actions of one comment as other readers see them
    (text, actions, text, ..., text); `slots` says where comment N's actions are and
    `own` holds what its author gets there instead. The last text holds the comment
    form, the only place besides `own` with token markers.
    """

    pieces: tuple[str, ...]
    slots: Mapping[int, int]  # comment id -> index of its actions in `pieces`
    own: Mapping[int, str]  # comment id -> its author's Edit and Delete
    by_author: Mapping[int, frozenset[int]]  # author id -> their comments' ids
    head: str  # "".join(pieces[:-1]), kept so most readers cost one concatenation

    @property
    def html(self) -> Markup:  # as an anonymous reader gets it: no markers in it
        return Markup(self.head + self.pieces[-1])  # noqa: S704 - autoescaped render

    @property
    def nbytes(self) -> int:  # the size `fragment` accounts for
        return 2 * (len(self.head) + sum(map(len, self.pieces)) + sum(map(len, self.own.values())))


def comment_section(article: Article, viewer: Account | None) -> Markup:
    """The comment section of `article` as `viewer` (None: anonymous) sees it: the page
    of the thread that `?comments=N&order=` asks for (aborts 404 past the last page)."""
    page, order = paging.requested()
    if viewer is None:
        return fragment(
            ("comments", article.id, page, order),
            lambda: render(article, thread_page(article, page, order)).html,
            shows_comments=True,
        )
    can_comment = policy.may_comment_state(viewer)
    if has_held_comments(article, viewer):
        section = render(
            article,
            thread_page(article, page, order, viewer.id),
            member=True,
            can_comment=can_comment,
        )
    else:
        section = fragment(
            ("member-comments", article.id, can_comment, page, order),
            lambda: render(
                article, thread_page(article, page, order), member=True, can_comment=can_comment
            ),
            shows_comments=True,
        )
    return fill_in(section, viewer)


def render(
    article: Article, thread: ThreadPage, *, member: bool = False, can_comment: str = ""
) -> Section:
    """The section with markers in place of anything that belongs to one reader.

    The comment count is read afresh with the page (`thread.comment_count`): `article`
    may be the page's cached facts (`ArticlePage`), which comments do not expire.
    """
    html = render_template(  # autoescaped: the Markup below is safe
        "comments/_section.html",
        article=article,
        comment_count=thread.comment_count,
        thread=thread,
        newest_id=thread.newest_id,
        thread_url=paging.page_url,
        member=member,
        can_comment=can_comment,
        # These names shadow the template globals of the same name for this render only.
        csrf_token=lambda: CSRF_MARK,
        comment_form_started=lambda: STARTED_MARK,
    )
    by_author: dict[int, list[int]] = {}
    for item in thread.items:
        for c in (item.comment, *item.replies):
            if not c.deleted and c.author_id is not None:
                by_author.setdefault(c.author_id, []).append(c.id)
    split = _ACTIONS.split(html)  # text, comment id, report, own, text, ...
    pieces, slots, own = [split[0]], {}, {}
    for i in range(1, len(split), 4):
        comment_id = int(split[i])
        slots[comment_id] = len(pieces)
        own[comment_id] = split[i + 2]
        pieces += (split[i + 1], split[i + 3])
    head = "".join(pieces[:-1])
    if CSRF_MARK in head or STARTED_MARK in head:
        raise RuntimeError("a token marker outside the comment form and own actions")
    return Section(
        tuple(pieces),
        slots,
        own,
        {author: frozenset(ids) for author, ids in by_author.items()},
        head,
    )


def fill_in(section: Section, viewer: Account) -> Markup:
    """`section` with `viewer`'s tokens and their own comments' Edit and Delete buttons."""
    token = escape(generate_csrf())
    head = section.head
    mine = section.by_author.get(viewer.id)
    if mine:
        pieces = list(section.pieces[:-1])
        for comment_id in mine:
            pieces[section.slots[comment_id]] = section.own[comment_id].replace(CSRF_MARK, token)
        head = "".join(pieces)
    tail = section.pieces[-1].replace(CSRF_MARK, token)
    tail = tail.replace(STARTED_MARK, escape(policy.form_started_token(viewer)))
    return Markup(head + tail)  # noqa: S704 - rendered by autoescaped templates, tokens escaped


def has_held_comments(article: Article, viewer: Account) -> bool:
    """Whether `viewer` has comments awaiting moderation on `article`.

    Read from one set of every (article, author) with a held comment, kept until the
    comments version moves (any comment written does that): a query per logged-in page
    cost a twentieth of it, and the moderation queue is short next to the page views.
    """
    held = comments_memo(
        ("held",),
        lambda: frozenset(
            (article_id, author_id)
            for article_id, author_id in db.session.execute(
                sa.select(Comment.article_id, Comment.author_id)
                .where(Comment.status == CommentStatus.PENDING, Comment.author_id.is_not(None))
                .distinct()
            )
        ),
    )
    return (article.id, viewer.id) in held
