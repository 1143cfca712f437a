"""The content pipeline: Markdown in, sanitized HTML out; slugs, excerpts, reading time."""

import re

import pytest

from blog.core.content import (
    excerpt,
    reading_time,
    render_article,
    render_comment,
    slugify,
    unique_slug,
)


def test_article_markdown_keeps_structure():
    html = render_article(
        "## Heading\n\nSome *text* and **bold**.\n\n- one\n- two\n\n> quoted\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ `code`\n\n![alt](https://img.test/x.png)"
    )
    for fragment in [
        "<h2>Heading</h2>",
        "<em>text</em>",
        "<strong>bold</strong>",
        "<ul>",
        "<li>one</li>",
        "<blockquote>",
        "<table>",
        "<td>1</td>",
        "<s>gone</s>",
        "<code>code</code>",
        '<img src="https://img.test/x.png" alt="alt">',
    ]:
        assert fragment in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<svg><script>alert(1)</script></svg>",
        "<math><mi>x</mi></math>",
        "<style>body{}</style>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="jav&#x61;script:alert(1)">x</a>',
        "<iframe src=https://evil.test></iframe>",
    ],
)
def test_article_html_drops_scripts_handlers_and_bad_schemes(source):
    html = render_article(source).lower()
    for bad in ["<script", "onerror=", "<svg", "<math", "<style", "<iframe"]:
        assert bad not in html
    # Refused links stay visible as text, never as a link or image.
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*(javascript|data)", html)


def test_article_html_keeps_only_the_allowlisted_attributes():
    html = render_article('<p lang="en" title="t" id="x" class="c" style="color:red">a</p>')

    assert "<p>a</p>" in html  # no generic attributes, not even the sanitizer's default ones


def test_figure_is_allowed_in_articles():
    html = render_article(
        '<figure><img src="https://a.test/i.jpg" alt="A"><figcaption>Cap</figcaption></figure>'
    )
    assert "<figure>" in html and "<figcaption>Cap</figcaption>" in html


def test_comments_allow_a_smaller_set_and_mark_links():
    html = render_comment("## Big\n\n![i](https://a.test/i.png) [site](https://a.test) *ok*")
    assert "<h2" not in html and "<img" not in html
    assert '<a href="https://a.test" rel="nofollow ugc noopener">site</a>' in html
    assert "<em>ok</em>" in html


def test_comment_bare_urls_become_nofollow_links_and_are_counted():
    source = "see https://example.com and www.example.org and [c](https://c.example.net)"
    assert render_comment(source).count('rel="nofollow ugc noopener"') == 3
    assert render_comment(source).count("<a ") == 3  # what policy.too_many_links counts


def test_comments_escape_raw_html():
    assert "&lt;b&gt;" in render_comment("<b>hi</b>")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("Crème brûlée à Paris", "creme-brulee-a-paris"),
        ("Straße & Øresund", "strasse-and-oresund"),
        ("  --Spaces--  ", "spaces"),
        ("日本語", ""),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_unique_slug_appends_a_number():
    taken = {"news", "news-2"}
    assert unique_slug("News", taken.__contains__) == "news-3"
    assert unique_slug("日本語", taken.__contains__, fallback="article") == "article"


def test_excerpt_and_reading_time():
    html = "<p>" + "word " * 460 + "</p>"
    assert reading_time(html) == 2
    assert reading_time("<p>short</p>") == 1
    text = excerpt(html, 30)
    assert len(text) <= 30 and text.endswith("…")
