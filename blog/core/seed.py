"""The site's starting furniture: the default categories and pages.

Used by `blog setup`, the demo, the bench generator and the tests.
"""

import sqlalchemy as sa

from blog.core.content import render_page, slugify
from blog.extensions import db
from blog.models import Category, Page

DEFAULT_CATEGORIES = [
    ("Blog", "Notes from the newsroom and longer personal pieces."),
    ("Business", "Companies, markets, work and the economy."),
    ("Entertainment", "Film, music, television, books and the arts."),
    ("Environment", "Climate, nature, energy and the places we live."),
    ("Health", "Medicine, public health and well-being."),
    ("Latest News", "What happened today, reported as it happens."),
    ("News Analysis", "The story behind the headlines, explained."),
    ("Opinion", "Arguments and commentary from our writers and guests."),
    ("Science", "Discoveries, research and how we know what we know."),
    ("Sports", "Results, people and the business of sport."),
    ("Technology", "Software, devices, the internet and their effect on us."),
    ("World", "Reporting from every continent."),
]

DEFAULT_PAGES = [
    (
        "About",
        "about",
        "## Who we are\n\nWe are an independent newsroom run by a small team of editors "
        "and reporters. We are funded by our readers.\n\n## What we do\n\n- Report the "
        "news plainly\n- Explain what it means\n- Correct our mistakes in the open\n",
    ),
    (
        "Donate",
        "donate",
        "## Support independent journalism\n\nWe have no paywall and no billionaire "
        "owner. Every article is paid for by readers who give what they can.\n\n"
        "Your donation pays for reporting, editing and fact-checking.\n",
    ),
    (
        "Privacy",
        "privacy",
        "## Privacy\n\nWe set one session cookie when you log in and none when you only "
        "read. We keep your email address to let you reset your password and, if you "
        "ask, to tell you about replies. We never sell or share it.\n\n"
        "## What we count\n\nWe count how many times each article, section and tag page "
        "is read, on our own server, with no cookie and no third party. For each view we "
        "keep the page, the day, the kind of site that sent you (a search engine, a social "
        "network, our newsletter, or none) with that site's name, and a campaign tag if "
        "the link had one. We never store your IP address or your browser's details. To "
        "count visitors rather than views, we mix your IP address and browser name with a "
        "random key that changes every day and keep only the result; the key is deleted "
        "the next day, so nobody, us included, can link it back to you or follow you from "
        "one day to the next. If your browser sends Do Not Track or Global Privacy "
        "Control, we count the view and skip even that. Staff, robots and crawlers are not "
        "counted. Day-by-day details are deleted after 30 days; only daily totals stay.\n",
    ),
]


def seed_defaults() -> None:
    """The twelve categories and the About, Donate and Privacy pages, if missing."""
    if db.session.scalar(sa.select(sa.func.count(Category.id))) == 0:
        for position, (name, description) in enumerate(DEFAULT_CATEGORIES):
            db.session.add(
                Category(name=name, slug=slugify(name), description=description, position=position)
            )
    for position, (title, slug, body) in enumerate(DEFAULT_PAGES):
        if db.session.scalar(sa.select(Page.id).where(Page.slug == slug)) is None:
            db.session.add(
                Page(
                    title=title,
                    slug=slug,
                    body_source=body,
                    body_html=render_page(body),
                    position=position,
                )
            )
    db.session.commit()
