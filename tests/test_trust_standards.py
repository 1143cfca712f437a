"""The newsroom's standards (issue 26): policies and logo in settings, the publisher's
NewsMediaOrganization data, the demo's example policy pages."""

import io
import json
import re

from PIL import Image

from blog.core.settings import save_settings
from blog.extensions import db
from tests import factories


def blocks(html: str) -> list:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = [json.loads(b) for b in found]
    return [item for d in data for item in (d if isinstance(d, list) else [d])]


def png(width=300, height=300) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, "PNG")
    out.seek(0)
    return out


POLICIES = {
    "policy_corrections": "/pages/corrections-policy",
    "policy_ethics": "https://standards.example/ethics",
    "policy_masthead": "/pages/masthead",
    "policy_ownership": "/pages/ownership",
    "policy_verification": "/pages/verification",
    "policy_feedback": "/pages/feedback",
}


def test_admin_links_policies_and_every_page_names_them(client, auth, admin, category):
    auth.login(admin)

    response = client.post(
        "/admin/standards",
        data={**POLICIES, "republish_license": "CC BY-ND 4.0", "article_labels": "News\nOpinion"},
    )
    auth.logout()
    story = factories.make_article("A story", category=category)
    db.session.commit()

    assert response.status_code == 303
    home = blocks(client.get("/").get_data(as_text=True))
    org = next(b for b in home if b["@type"] == "NewsMediaOrganization")
    assert org["correctionsPolicy"] == "http://newsroom.test/pages/corrections-policy"
    assert org["ethicsPolicy"] == "https://standards.example/ethics"
    assert org["masthead"] == "http://newsroom.test/pages/masthead"
    assert org["ownershipFundingInfo"] == "http://newsroom.test/pages/ownership"
    assert org["verificationFactCheckingPolicy"] == "http://newsroom.test/pages/verification"
    assert org["actionableFeedbackPolicy"] == "http://newsroom.test/pages/feedback"
    article = blocks(client.get(f"/article/{story.slug}").get_data(as_text=True))[0]
    assert article["publisher"]["masthead"] == org["masthead"]
    section = blocks(client.get(f"/category/{category.slug}").get_data(as_text=True))
    assert section[-1]["@type"] == "NewsMediaOrganization"
    assert section[-1]["correctionsPolicy"] == org["correctionsPolicy"]


def test_a_bad_policy_link_gets_the_form_back(client, auth, admin):
    auth.login(admin)

    response = client.post(
        "/admin/standards",
        data={"policy_ethics": "javascript:alert(1)", "republish_license": "CC BY-ND 4.0"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "a full https:// address" in html and "javascript:alert(1)" in html


def test_an_uploaded_logo_is_the_publishers_logo(client, auth, admin):
    auth.login(admin)

    response = client.post(
        "/admin/standards",
        data={"republish_license": "CC BY-ND 4.0", "logo_file": (png(), "logo.png")},
        content_type="multipart/form-data",
    )
    auth.logout()

    assert response.status_code == 303
    org = blocks(client.get("/").get_data(as_text=True))[1]
    assert re.fullmatch(r"http://newsroom\.test/uploads/[0-9a-f]+\.png", org["logo"]["url"])
    assert (org["logo"]["width"], org["logo"]["height"]) == (300, 300)
    assert client.get(org["logo"]["url"].removeprefix("http://newsroom.test")).status_code == 200


def test_authors_and_editors_cannot_change_standards(client, auth, editor):
    auth.login(editor)

    assert client.get("/admin/standards").status_code == 403


def test_demo_ships_a_page_for_each_policy(app, client):
    from blog.core.database import writing
    from blog.demo.policies import POLICY_PAGES, add_policy_pages

    save_settings({"policy_ethics": "https://elsewhere.example/ethics"})
    db.session.commit()
    with writing():
        assert add_policy_pages() == len(POLICY_PAGES) == 6
        db.session.commit()

    org = blocks(client.get("/").get_data(as_text=True))[1]
    assert org["ethicsPolicy"] == "https://elsewhere.example/ethics"  # kept as the admin set it
    for _key, title, slug, _body in POLICY_PAGES:
        page = client.get(f"/pages/{slug}")
        assert page.status_code == 200 and title in page.get_data(as_text=True)
    assert org["masthead"] == "http://newsroom.test/pages/masthead"
