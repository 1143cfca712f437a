"""Labels, datelines and correction notes (issue 26)."""

import json
import re
from datetime import timedelta

import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, ArticleCorrection, AuditLog
from tests import factories


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


# ---------------------------------------------------------------- labels and datelines


def test_label_shows_above_the_headline_in_lists_and_as_the_schema_type(client, category):
    story = factories.make_article("A view from the quay", category=category, label="Opinion",
                                   dateline="LISBON")  # fmt: skip
    db.session.commit()

    page = client.get(f"/article/{story.slug}").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    section = client.get(f"/category/{category.slug}").get_data(as_text=True)

    assert page.index('<p class="label label-opinion">Opinion</p>') < page.index("<h1")
    assert 'class="label label-opinion">Opinion<' in home
    assert 'class="label label-opinion">Opinion<' in section
    assert json_ld(page)["@type"] == "OpinionNewsArticle"
    assert '<span class="dateline">LISBON</span>, <span>Published' in page


def test_each_label_maps_to_its_schema_subtype():
    from blog.trust.api import schema_type

    assert schema_type("Analysis") == "AnalysisNewsArticle"
    assert schema_type("Review") == "ReviewNewsArticle"
    assert schema_type("Explainer") == "BackgroundNewsArticle"
    assert schema_type("News") == "ReportageNewsArticle"
    assert schema_type("Sponsored") == "AdvertiserContentArticle"
    assert schema_type("Our own label") == "NewsArticle"
    assert schema_type("") == "NewsArticle"


def test_sponsored_piece_discloses_and_marks_outbound_links(client, category):
    body = (
        "See [the brand](https://brand.example/offer) and "
        "[our guide](http://newsroom.test/pages/ethics) or [mail](mailto:ads@newsroom.test)."
    )
    story = factories.make_article("Paid for", category=category, label="Sponsored", body=body)
    plain = factories.make_article("Not paid", category=category, body=body)
    db.session.commit()

    paid = client.get(f"/article/{story.slug}").get_data(as_text=True)
    free = client.get(f"/article/{plain.slug}").get_data(as_text=True)

    assert 'class="disclosure"' in paid and "Paid content" in paid
    outbound = re.search(r'<a [^>]*href="https://brand.example/offer"[^>]*>', paid).group(0)
    assert "sponsored" in re.search(r'rel="([^"]*)"', outbound).group(1).split()
    own = re.search(r'<a [^>]*href="http://newsroom.test/pages/ethics"[^>]*>', paid).group(0)
    assert "sponsored" not in own
    assert "sponsored" not in re.search(r'<a [^>]*href="mailto:[^"]*"[^>]*>', paid).group(0)
    assert 'class="disclosure"' not in free and "sponsored" not in free.split("<main", 1)[1]


def test_sponsored_links_keeps_other_rel_words():
    from blog.trust.api import sponsored_links

    html = '<a href="https://x.example/" rel="nofollow">x</a>'
    assert sponsored_links(html) == '<a href="https://x.example/" rel="nofollow sponsored">x</a>'


def test_editor_saves_label_and_dateline(client, auth, editor, category):
    auth.login(editor)

    response = client.post(
        "/admin/articles/new",
        data=factories.article_form(category, title="Labelled", label="Analysis",
                                    dateline="  PORTO  "),
    )  # fmt: skip

    assert response.status_code == 303
    story = db.session.scalar(sa.select(Article).where(Article.title == "Labelled"))
    assert (story.label, story.dateline) == ("Analysis", "PORTO")


def test_a_label_outside_the_list_gets_the_form_back(client, auth, editor, category):
    auth.login(editor)

    response = client.post(
        "/admin/articles/new",
        data=factories.article_form(category, title="Kept title", label="Made up"),
    )

    assert response.status_code == 422
    assert "Kept title" in response.get_data(as_text=True)


def test_the_newsroom_edits_the_label_list(client, auth, editor, category):
    from blog.core.settings import save_settings

    save_settings({"article_labels": ["News", "Letter from abroad"]})
    db.session.commit()
    auth.login(editor)

    form = client.get("/admin/articles/new").get_data(as_text=True)

    assert '<option value="Letter from abroad">' in form
    assert '<option value="Opinion">' not in form


# ---------------------------------------------------------------- corrections


def test_editor_adds_a_correction_readers_see_at_the_top(client, auth, editor, category):
    story = factories.make_article(
        "Pier length", category=category, published_at=utcnow() - timedelta(minutes=10)
    )
    db.session.commit()
    before = client.get(f"/article/{story.slug}").get_data(as_text=True)
    modified = json_ld(before)["dateModified"]
    auth.login(editor)

    response = client.post(
        f"/admin/articles/{story.id}/corrections",
        data={"kind": "correction", "text": "The pier is 40 m long, not 400 m."},
    )
    auth.logout()
    page = client.get(f"/article/{story.slug}").get_data(as_text=True)
    feed = client.get("/feed.xml").get_data(as_text=True)
    listing = client.get("/corrections").get_data(as_text=True)

    assert response.status_code == 303
    assert page.index("The pier is 40 m long") < page.index('class="prose article-body"')
    assert json_ld(page)["dateModified"] > modified
    db.session.expire_all()
    story = db.session.get(Article, story.id)
    assert f"<updated>{story.updated_at.isoformat(timespec='seconds')}</updated>" in feed
    assert "The pier is 40 m long" in listing and f"/article/{story.slug}#notes" in listing
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "article.note"))
    assert "40 m" in entry.detail


def test_updates_and_clarifications_follow_the_body(client, category):
    story = factories.make_article("Storm", category=category)
    db.session.add(ArticleCorrection(article_id=story.id, kind="update", text="Ferries run again."))
    db.session.commit()

    page = client.get(f"/article/{story.slug}").get_data(as_text=True)

    assert page.index('class="prose article-body"') < page.index("Ferries run again.")


def test_corrections_page_lists_newest_first_and_only_public_articles(client, category):
    old = factories.make_article("Old story", category=category)
    new = factories.make_article("New story", category=category)
    draft = factories.make_article("Draft story", category=category, status="draft")
    now = utcnow()
    fix = ArticleCorrection
    db.session.add_all([
        fix(article_id=old.id, text="First fix.", created_at=now - timedelta(days=2)),
        fix(article_id=new.id, text="Second fix.", created_at=now - timedelta(days=1)),
        fix(article_id=draft.id, text="Hidden fix.", created_at=now),
    ])  # fmt: skip
    db.session.commit()

    html = client.get("/corrections").get_data(as_text=True)

    assert html.index("Second fix.") < html.index("First fix.")
    assert "Hidden fix." not in html


def test_removing_a_note_needs_a_reason_and_is_audited(client, auth, editor, category):
    story = factories.make_article("Fixed", category=category)
    note = ArticleCorrection(article_id=story.id, kind="correction", text="A wrong date.")
    db.session.add(note)
    db.session.commit()
    note_id = note.id
    auth.login(editor)

    refused = client.post(f"/admin/articles/{story.id}/corrections/{note_id}/remove", data={})
    assert refused.status_code == 422
    assert db.session.get(ArticleCorrection, note_id) is not None

    done = client.post(
        f"/admin/articles/{story.id}/corrections/{note_id}/remove",
        data={"reason": "Added to the wrong article"},
    )

    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(ArticleCorrection, note_id) is None
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "article.note_remove"))
    assert "A wrong date." in entry.detail and "Added to the wrong article" in entry.detail
    history = client.get(f"/admin/articles/{story.id}/corrections").get_data(as_text=True)
    assert "removed" in history and "A wrong date." in history


def test_notes_go_only_on_published_articles(client, auth, editor, category):
    draft = factories.make_article("Draft", category=category, status="draft")
    db.session.commit()
    auth.login(editor)

    response = client.post(
        f"/admin/articles/{draft.id}/corrections", data={"kind": "correction", "text": "No."}
    )

    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ArticleCorrection.id))) == 0


def test_authors_cannot_add_or_remove_notes(client, auth, author, article):
    auth.login(author)

    response = client.post(
        f"/admin/articles/{article.id}/corrections", data={"kind": "correction", "text": "Mine."}
    )

    assert response.status_code == 403
