"""With CSRF on (as in production), admin POSTs without a token change nothing."""

import pytest
import sqlalchemy as sa

from blog.cache.site import get_settings
from blog.extensions import db
from blog.models import Article, Category, Role, User
from tests import factories


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def log_in(client, user) -> None:
    # The login form itself needs a token; the session is set directly instead.
    with client.session_transaction() as s:
        s["_user_id"] = user.get_id()
        s["_fresh"] = True


def test_admin_posts_without_token_are_refused(client, admin, reader):
    article = factories.make_article("Keep me")
    db.session.commit()
    article_id, categories = article.id, db.session.scalar(sa.select(sa.func.count(Category.id)))
    log_in(client, admin)

    responses = [
        client.post(f"/admin/articles/{article_id}/delete"),
        client.post("/admin/categories", data={"name": "Sneaky"}),
        client.post("/admin/settings", data={"site_name": "Pwned", "posts_per_page": "5"}),
        client.post(f"/admin/users/{reader.id}/role", data={"role": str(int(Role.ADMIN))}),
        client.post(f"/admin/users/{reader.id}/deactivate"),
    ]

    assert [r.status_code for r in responses] == [400] * len(responses)
    assert db.session.get(Article, article_id) is not None
    assert db.session.scalar(sa.select(sa.func.count(Category.id))) == categories
    assert get_settings()["site_name"] != "Pwned"
    user = db.session.get(User, reader.id)
    assert user.role == Role.READER and user.active


def test_admin_post_with_token_works(client, admin):
    log_in(client, admin)
    page = client.get("/admin/categories").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]

    response = client.post("/admin/categories", data={"name": "Legit", "csrf_token": token})

    assert response.status_code == 303
    assert db.session.scalar(sa.select(Category.id).where(Category.name == "Legit"))
