"""No inline script or style anywhere: every page the app serves, and every template.

The Content-Security-Policy forbids inline script and style, so any that slipped into
a template would be a broken page in the browser; this finds it before a browser does.
"""

import re
from pathlib import Path

import pytest

from tests.security.helpers import EXTRA_URLS, build, local, login, own_script, parse, rules

TEMPLATES = Path(__file__).resolve().parents[2] / "blog" / "templates"

# Pages only reachable with a query string or an extra step.


def inline_code(html: str) -> list[str]:
    found = []
    for el in parse(html).iter():
        if not isinstance(el.tag, str):
            continue
        name = local(el.tag)
        is_data = (el.get("type") or "").lower() == "application/ld+json"
        if name == "script" and not is_data and not own_script(el):
            found.append(f"<script {el.attrib}>")
        if name == "style":
            found.append("<style>")
        for attr in el.attrib:
            attr_name = local(attr).lower()
            if attr_name.startswith("on") or attr_name == "style":
                found.append(f"{attr_name}= on <{name}>")
    return found


@pytest.mark.parametrize("who", ["admin", "reader", "anonymous"])
def test_no_page_has_inline_script_or_style(app, client, world, who):
    if who != "anonymous":
        login(client, world.admin if who == "admin" else world.reader)
    actor = world.reader if who == "reader" else world.admin
    urls = [build(app, rule, world, actor) for rule in rules(app, "GET")] + EXTRA_URLS
    pages = 0

    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.mimetype != "text/html":
            continue
        assert inline_code(response.get_data(as_text=True)) == [], url
        pages += 1

    assert pages >= (20 if who == "admin" else 8)


def test_the_article_page_has_exactly_its_json_ld_block(app, client, world):
    html = client.get(f"/article/{world.article.slug}").get_data(as_text=True)

    every = [el for el in parse(html).iter() if isinstance(el.tag, str) and el.tag == "script"]
    scripts = [el for el in every if el.get("src") is None]

    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    # the only file: the audience counter, from the site itself
    assert [s.get("src").split("?")[0] for s in every if s.get("src")] == ["/static/count.js"]
    assert "</" not in (scripts[0].text or "")  # tojson escapes "<", so it cannot end early


HANDLER = re.compile(r"""(?<![\w-])on[a-z]+\s*=""", re.IGNORECASE)
STYLE_ATTR = re.compile(r"""(?<![\w-])style\s*=""", re.IGNORECASE)
# Inline script: none. The site's own files (<script src="/static/...">) are allowed, as
# is JSON-LD data; the CSP (script-src 'self') is the same rule in the browser.
SCRIPT = re.compile(
    r"<script\b(?![^>]*(?:type=\"application/ld\+json\"|\bsrc=\"\{\{))", re.IGNORECASE
)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
TEMPLATE_FILES = sorted(p for p in TEMPLATES.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    "path", TEMPLATE_FILES, ids=[str(p.relative_to(TEMPLATES)) for p in TEMPLATE_FILES]
)
def test_templates_have_no_inline_script_handlers_or_styles(path):
    text = path.read_text()

    for pattern in (HANDLER, STYLE_ATTR, SCRIPT, STYLE_TAG):
        assert not pattern.search(text), f"{path.name}: {pattern.search(text).group(0)!r}"


def test_the_template_scan_would_catch_offenders():
    assert HANDLER.search('<img src=x onerror="go()">')
    assert HANDLER.search("{{ field(form.x, onclick='go()') }}")
    assert not HANDLER.search('<form action="/x" method="post">')
    assert STYLE_ATTR.search('<p style="color:red">')
    assert SCRIPT.search("<script>alert(1)</script>")
    assert not SCRIPT.search('<script type="application/ld+json">{}</script>')
    assert not SCRIPT.search('<script src="{{ progress_script }}" defer></script>')
    assert SCRIPT.search('<script src="https://cdn.example/x.js"></script>')
    assert STYLE_TAG.search("<style>p{}</style>")


def test_the_page_scan_allows_only_the_sites_own_script_files():
    assert inline_code('<script src="/static/passkeys.js?v=1" defer></script>') == []
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<script src="/static/x.js">alert(1)</script>')
    assert inline_code('<script src="https://cdn.example/x.js"></script>')
    assert inline_code('<script src="//cdn.example/static/x.js"></script>')
    assert inline_code('<script src="data:text/javascript,alert(1)"></script>')
