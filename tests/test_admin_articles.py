"""The admin guard, dashboard and article editor."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    AuditLog,
    CommentStatus,
    SiteState,
    SlugRedirect,
    Tag,
)
from tests import factories
from tests.factories import article_form as form_data


def version() -> int:
    return db.session.scalar(sa.select(SiteState.version).where(SiteState.id == 1))


# ---------------------------------------------------------------- guard


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert "next=" in response.headers["Location"]


def test_reader_gets_403(client, auth, reader):
    auth.login(reader)

    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/articles").status_code == 403


def test_dashboard_counts(client, auth, editor, author, category):
    factories.make_article("Live", author=author, category=category)
    factories.make_article(
        "Later", author=author, category=category, published_at=utcnow() + timedelta(days=1)
    )
    factories.make_article("Draft one", author=author, status=ArticleStatus.DRAFT)
    factories.make_article("Draft two", author=author, status=ArticleStatus.DRAFT)
    factories.make_article("Waiting", author=author, status=ArticleStatus.REVIEW)
    live = db.session.scalar(sa.select(Article).where(Article.title == "Live"))
    factories.make_comment(live, body="Please hold me", status=CommentStatus.PENDING)
    db.session.commit()
    auth.login(editor)

    response = client.get("/admin/")

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>1</strong> published" in text
    assert "<strong>1</strong> scheduled" in text
    assert "<strong>2</strong> drafts" in text
    assert "<strong>1</strong> in review" in text
    assert "<strong>1</strong> comments awaiting moderation" in text
    assert "Please hold me" in text


# ---------------------------------------------------------------- list


def test_author_lists_only_own_articles(client, auth, author, other_author, article):
    factories.make_article("Someone else's scoop", author=other_author)
    db.session.commit()
    auth.login(author)

    text = client.get("/admin/articles").get_data(as_text=True)

    assert "The harbour reopens" in text
    assert "Someone else&#39;s scoop" not in text


def test_editor_filters_and_searches(client, auth, editor, author, article):
    factories.make_article("A draft about bridges", author=author, status=ArticleStatus.DRAFT)
    db.session.commit()
    auth.login(editor)

    drafts = client.get("/admin/articles?status=draft").get_data(as_text=True)
    search = client.get("/admin/articles?q=harbour").get_data(as_text=True)

    assert "A draft about bridges" in drafts and "The harbour reopens" not in drafts
    assert "The harbour reopens" in search and "bridges" not in search
    # Case does not matter, on either engine (PostgreSQL's LIKE is case-sensitive).
    assert "The harbour reopens" in client.get("/admin/articles?q=HARBOUR").get_data(as_text=True)


# ---------------------------------------------------------------- create / edit


def test_author_creates_a_draft(client, auth, author, category):
    auth.login(author)

    response = client.post("/admin/articles/new", data=form_data(category))

    article = db.session.scalar(sa.select(Article))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/articles/{article.id}/edit"
    assert article.slug == "rain-returns-to-the-valley"
    assert article.status == ArticleStatus.DRAFT
    assert article.author_id == author.id
    assert "<strong>rained</strong>" in article.body_html
    assert "<h2>What farmers say</h2>" in article.body_html
    assert article.reading_time == 1
    assert sorted(t.slug for t in article.tags) == ["farming", "weather"]
    assert db.session.scalar(sa.select(AuditLog.action)) == "article.create"


def test_existing_tags_are_reused(client, auth, editor, category):
    factories.make_tag("Weather")
    db.session.commit()
    auth.login(editor)

    data = form_data(category, tags="weather, ,weather,  New  Tag")

    client.post("/admin/articles/new", data=data)

    assert db.session.scalar(sa.select(sa.func.count(Tag.id))) == 2
    assert db.session.scalar(sa.select(Tag.name).where(Tag.slug == "new-tag")) == "New Tag"


def test_validation_error_keeps_everything_typed(client, auth, author, category):
    auth.login(author)
    data = form_data(category, title="", body="My *precious* paragraph", tags="one, two")

    response = client.post("/admin/articles/new", data=data)

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field is required." in text
    assert "My *precious* paragraph" in text
    assert 'value="one, two"' in text
    assert "After a dry spring." in text
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0


def test_duplicate_slug_is_refused(client, auth, editor, article, category):
    auth.login(editor)

    response = client.post(
        "/admin/articles/new", data=form_data(category, slug="the-harbour-reopens")
    )

    assert response.status_code == 422
    assert "already uses this slug" in response.get_data(as_text=True)


def test_automatic_slug_avoids_collisions(client, auth, editor, article, category):
    auth.login(editor)

    client.post("/admin/articles/new", data=form_data(category, title="The harbour reopens"))

    slugs = db.session.scalars(sa.select(Article.slug).order_by(Article.id)).all()
    assert slugs == ["the-harbour-reopens", "the-harbour-reopens-2"]


def test_bad_slug_format(client, auth, editor, category):
    auth.login(editor)

    response = client.post("/admin/articles/new", data=form_data(category, slug="Not A Slug!"))

    assert response.status_code == 422
    assert "lowercase letters" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("slug", "accepted"),
    [("harbour-news", True), ("επίπεδο-2", True), ("café-owners", True), ("Επίπεδο 2", False)],
)
def test_a_typed_slug_may_keep_letters_of_any_script(app, slug, accepted):
    from types import SimpleNamespace

    from wtforms.validators import ValidationError

    from blog.admin.forms import slug_format

    try:
        slug_format(None, SimpleNamespace(data=slug))
    except ValidationError:
        assert not accepted, slug
    else:
        assert accepted, slug


def test_author_cannot_publish_by_default(client, auth, author, category):
    auth.login(author)

    response = client.post("/admin/articles/new", data=form_data(category, status="published"))

    assert response.status_code == 422
    assert "In review" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0


def test_author_submits_for_review(client, auth, author, category):
    auth.login(author)

    client.post("/admin/articles/new", data=form_data(category, status="review"))

    assert db.session.scalar(sa.select(Article.status)) == ArticleStatus.REVIEW


def test_author_may_publish_when_the_setting_allows(client, auth, author, category):
    from blog.core.settings import save_settings

    save_settings({"authors_can_publish": True})
    db.session.commit()
    auth.login(author)

    response = client.post("/admin/articles/new", data=form_data(category, status="published"))

    assert response.status_code == 303
    assert db.session.scalar(sa.select(Article)).is_public


def test_editor_publishes_and_version_moves(client, auth, editor, category):
    auth.login(editor)
    before = version()

    client.post("/admin/articles/new", data=form_data(category, status="published"))

    article = db.session.scalar(sa.select(Article))
    assert article.is_public
    assert abs((utcnow() - article.published_at).total_seconds()) < 60
    assert version() > before
    assert client.get(f"/article/{article.slug}").status_code == 200


def test_schedule_in_site_time_zone(app, client, auth, editor, category):
    app.config["TIMEZONE"] = "Europe/Berlin"
    auth.login(editor)
    when = (datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(days=2)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )

    response = client.post(
        "/admin/articles/new",
        data=form_data(
            category,
            status="scheduled",
            publish_date=when.date().isoformat(),
            publish_time="09:30",
        ),
    )

    article = db.session.scalar(sa.select(Article))
    assert response.status_code == 303
    assert article.status == ArticleStatus.PUBLISHED
    assert article.published_at == when.astimezone(ZoneInfo("UTC"))
    assert article.is_scheduled
    assert client.get(f"/article/{article.slug}").status_code == 404


@pytest.mark.parametrize(
    ("date", "time", "message"),
    [("", "", "Choose the date and time"), ("2001-01-01", "10:00", "in the future")],
)
def test_schedule_needs_a_future_time(client, auth, editor, category, date, time, message):
    auth.login(editor)

    response = client.post(
        "/admin/articles/new",
        data=form_data(category, status="scheduled", publish_date=date, publish_time=time),
    )

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_edit_keeps_a_version_and_restore_brings_it_back(client, auth, author, article, category):
    auth.login(author)
    url = f"/admin/articles/{article.id}/edit"
    original_body = article.body_source

    response = client.post(
        url,
        data=form_data(
            category,
            title="The harbour reopens",
            slug=article.slug,
            body="Rewritten.",
            status="published",
        ),
    )

    assert response.status_code == 303
    saved = db.session.get(Article, article.id)
    assert saved.body_source == "Rewritten."
    old = db.session.scalar(sa.select(ArticleVersion))
    assert old.body_source == original_body and old.editor_id == author.id

    page = client.get(f"/admin/articles/{article.id}/versions").get_data(as_text=True)
    assert "A subheading" in page

    response = client.post(f"/admin/articles/{article.id}/versions/{old.id}/restore")

    assert response.status_code == 303
    restored = db.session.get(Article, article.id)
    assert restored.body_source == original_body
    assert "<h2>A subheading</h2>" in restored.body_html
    versions = db.session.scalars(sa.select(ArticleVersion.body_source)).all()
    assert "Rewritten." in versions


def test_edit_form_shows_current_values(client, auth, author, article):
    auth.login(author)

    text = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)

    assert 'value="The harbour reopens"' in text
    assert "A subheading" in text


def test_slug_change_of_published_article_redirects(client, auth, editor, article, category):
    auth.login(editor)

    client.post(
        f"/admin/articles/{article.id}/edit",
        data=form_data(category, title=article.title, slug="harbour-open", status="published"),
    )

    assert db.session.scalar(sa.select(SlugRedirect.old_slug)) == "the-harbour-reopens"
    response = client.get("/article/the-harbour-reopens")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/article/harbour-open")


def test_other_author_cannot_edit(client, auth, other_author, article, category):
    auth.login(other_author)

    get = client.get(f"/admin/articles/{article.id}/edit")
    post = client.post(f"/admin/articles/{article.id}/edit", data=form_data(category))

    assert get.status_code == 403 and post.status_code == 403
    assert db.session.get(Article, article.id).title == "The harbour reopens"


def test_missing_article_is_404(client, auth, editor):
    auth.login(editor)

    assert client.get("/admin/articles/999/edit").status_code == 404


def test_unpublishing_moves_article_back_to_draft(client, auth, editor, article, category):
    auth.login(editor)

    client.post(
        f"/admin/articles/{article.id}/edit",
        data=form_data(category, title=article.title, slug=article.slug, status="draft"),
    )

    assert not db.session.get(Article, article.id).is_public
    assert client.get(f"/article/{article.slug}").status_code == 404


# ---------------------------------------------------------------- preview


def test_preview_renders_public_template_without_saving(client, auth, author, category):
    auth.login(author)

    response = client.post(
        "/admin/articles/preview", data=form_data(category, title="Preview me", tags="alpha")
    )

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview: this is how the article will look" in text
    assert '<h1 id="article-title">Preview me</h1>' in text
    assert "<strong>rained</strong>" in text
    assert "#alpha" in text
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Tag.id))) == 0


def test_preview_of_existing_article_changes_nothing(client, auth, author, article, category):
    auth.login(author)

    response = client.post(
        f"/admin/articles/{article.id}/preview",
        data=form_data(category, title="Changed title", body="New words"),
    )

    assert response.status_code == 200
    assert "Changed title" in response.get_data(as_text=True)
    assert db.session.get(Article, article.id).title == "The harbour reopens"


# ---------------------------------------------------------------- delete


def test_delete_needs_confirmation(client, auth, author, article):
    auth.login(author)
    article_id = article.id

    confirm = client.get(f"/admin/articles/{article_id}/delete")
    response = client.post(f"/admin/articles/{article_id}/delete")

    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.get_data(as_text=True)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/articles"
    assert db.session.get(Article, article_id) is None
    assert db.session.scalar(sa.select(AuditLog.action)) == "article.delete"


def test_other_author_cannot_delete(client, auth, other_author, article):
    auth.login(other_author)

    assert client.post(f"/admin/articles/{article.id}/delete").status_code == 403
    assert db.session.get(Article, article.id) is not None
