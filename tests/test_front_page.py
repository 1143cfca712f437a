"""Front-page curation: the lead, the top stories, a section's pinned story; every
change shows at once through the page cache (blog/admin/frontpage.py, public/front.py)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import ArticleStatus, AuditLog
from tests.conftest import logged_in_client
from tests.factories import make_article


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True, "MEMO_CACHE": True, "PUBLIC_CACHE_SECONDS": 600}


@pytest.fixture
def stories(app, category):
    now = utcnow()
    made = [make_article(f"Story {n}", category=category, published_at=now - timedelta(hours=n))
            for n in range(8)]  # fmt: skip
    db.session.commit()
    return made


def section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def home(client) -> str:
    return client.get("/").get_data(as_text=True)


def save(editor_client, **form):
    return editor_client.post("/admin/front-page", data=form)


def test_left_alone_the_newest_leads(client, stories):
    html = home(client)

    assert "Story 0" in section(html, 'class="lead-story"', "</section>")
    top = section(html, 'id="top-heading"', "</section>")
    assert [f"Story {n}" in top for n in range(1, 6)] == [True, True, True, True, False]


def test_a_chosen_lead_and_top_stories_show_at_once_through_the_page_cache(
    app, client, editor, stories
):
    assert "Story 0" in section(home(client), 'class="lead-story"', "</section>")  # cached now
    staff = logged_in_client(app, editor)

    response = save(staff, lead=str(stories[5].id), top=[str(stories[7].id)], count="3")

    assert response.status_code == 303
    html = home(client)
    assert "Story 5" in section(html, 'class="lead-story"', "</section>")
    top = section(html, 'id="top-heading"', "</section>")
    assert "Story 7" in top and "Story 0" not in top
    assert "Story 0" in section(html, 'id="latest-heading"', "</section>")
    assert db.session.scalar(sa.select(AuditLog.action).order_by(AuditLog.id.desc())) == (
        "front_page.update"
    )


def test_a_lead_without_a_picture_has_the_top_stories_beside_it(client, stories):
    html = home(client)

    assert 'class="front-head front-head-split"' in html


def test_a_lead_taken_back_falls_back_to_the_newest(app, client, editor, stories):
    staff = logged_in_client(app, editor)
    save(staff, lead=str(stories[3].id), count="4")
    stories[3].status = ArticleStatus.DRAFT
    db.session.commit()

    html = home(client)

    assert "Story 0" in section(html, 'class="lead-story"', "</section>")
    assert "Story 3" not in html


def test_a_draft_cannot_be_chosen(app, editor, category, stories):
    draft = make_article("Secret draft", category=category, status=ArticleStatus.DRAFT)
    db.session.commit()
    staff = logged_in_client(app, editor)

    response = save(staff, lead=str(draft.id), count="4")

    assert response.status_code == 422
    assert "not published any more" in response.get_data(as_text=True)


def test_a_bad_count_comes_back_with_a_message(app, editor, stories):
    staff = logged_in_client(app, editor)

    response = save(staff, count="99")

    assert response.status_code == 422
    assert "Show between 0 and 8 top stories." in response.get_data(as_text=True)


def test_a_pinned_story_tops_its_section_at_once(app, client, editor, category, stories):
    url = f"/category/{category.slug}"
    first = client.get(url).get_data(as_text=True)
    assert first.index("Story 0") < first.index("Story 6")
    staff = logged_in_client(app, editor)

    save(staff, count="4", **{f"pin-{category.id}": str(stories[6].id)})

    html = client.get(url).get_data(as_text=True)
    assert html.index("Story 6") < html.index("Story 0")
    assert "Pinned" in html


def test_pinning_a_story_of_another_section_is_refused(app, editor, category, stories):
    from blog.models import Category

    other = db.session.scalar(sa.select(Category).where(Category.id != category.id))
    staff = logged_in_client(app, editor)

    response = save(staff, count="4", **{f"pin-{other.id}": str(stories[0].id)})

    assert response.status_code == 422


def test_authors_cannot_curate(app, author, stories):
    staff = logged_in_client(app, author)

    assert staff.get("/admin/front-page").status_code == 403
    assert save(staff, count="2").status_code == 403
