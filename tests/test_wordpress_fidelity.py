"""What a WordPress export keeps here, item by item: threads, comments on pages, every
category, comment bodies, alt text, websites, media, Unicode slugs and the counts.

Each test builds the small export it needs with `wxr()`, imports it and looks at the
rows, the report and the pages a reader gets.
"""

import re

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Category, Comment, GuestAuthor, Page, Tag, User
from tests.shared import write_wxr

SITE = "https://fidelity.example.org"


def comment(
    wp_id: int,
    author: str,
    text: str,
    parent: int = 0,
    minute: int = 0,
    url: str = "",
    kind: str = "comment",
) -> str:
    return f"""<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>
    <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
    <wp:comment_author_email>{author.lower()}@example.org</wp:comment_author_email>
    <wp:comment_author_url>{url}</wp:comment_author_url>
    <wp:comment_date_gmt>2025-03-02 10:{minute:02d}:00</wp:comment_date_gmt>
    <wp:comment_content><![CDATA[{text}]]></wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>
    <wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>"""


def item(
    wp_id: int,
    slug: str,
    body: str = "<p>Body.</p>",
    *extra: str,
    kind: str = "post",
    title: str = "",
    status: str = "publish",
    parent: int = 0,
    url: str = "",
) -> str:
    return f"""<item>
    <title>{title or slug.replace("-", " ").capitalize()}</title>
    <link>{SITE}/{slug}/</link>
    <dc:creator><![CDATA[editor]]></dc:creator>
    <guid isPermaLink="false">{SITE}/?p={wp_id}</guid>
    <content:encoded><![CDATA[{body}]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{wp_id}</wp:post_id>
    <wp:post_date_gmt>2025-03-01 09:00:00</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name><![CDATA[{slug}]]></wp:post_name>
    <wp:status><![CDATA[{status}]]></wp:status>
    <wp:post_parent>{parent}</wp:post_parent><wp:menu_order>0</wp:menu_order>
    <wp:post_type><![CDATA[{kind}]]></wp:post_type>
    <wp:post_password></wp:post_password>
    {f"<wp:attachment_url>{url}</wp:attachment_url>" if url else ""}
    {"".join(extra)}
    </item>"""


def category(domain: str, nicename: str, name: str) -> str:
    return f'<category domain="{domain}" nicename="{nicename}"><![CDATA[{name}]]></category>'


def postmeta(key: str, value: str) -> str:
    return (
        f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key>"
        f"<wp:meta_value><![CDATA[{value}]]></wp:meta_value></wp:postmeta>"
    )


def wxr(folder, *items: str, terms: str = "", name: str = "site.xml") -> str:
    return write_wxr(folder / name, SITE, f"{terms}\n{''.join(items)}", title="Fidelity")


def run_import(runner, path: str, *args: str) -> str:
    result = runner.invoke(args=["import-wordpress", path, *args])
    db.session.remove()
    assert result.exit_code == 0, result.output
    return result.output


def row(output: str, kind: str) -> list[int]:
    """A row of the report: imported, updated, unchanged, skipped, failed."""
    line = next(line for line in output.splitlines() if line.split()[:1] == [kind])
    return [int(n) for n in line.split()[1:]]


def by_wp_id() -> dict[str, Comment]:
    from blog.models import ImportRecord

    records = db.session.scalars(sa.select(ImportRecord).where(ImportRecord.kind == "comment"))
    return {r.source_id: db.session.get(Comment, r.local_id) for r in records}


def article(slug: str) -> Article:
    return db.session.scalar(sa.select(Article).where(Article.slug == slug))


# -- threads ---------------------------------------------------------------------------

# A thread four levels deep under Alice, a second one under Bob, written in between;
# the file lists Fay's level-4 reply before the comment it answers.
THREAD = [
    comment(11, "Alice", "First thoughts.", minute=1, url="https://alice.example/"),
    comment(12, "Bob", "Another view.", minute=2, url="javascript:alert(1)"),
    comment(13, "Carol", "Answering Alice.", parent=11, minute=3),
    comment(16, "Fay", "Answering Dan.", parent=14, minute=6),
    comment(14, "Dan", "Answering Carol.", parent=13, minute=4),
    comment(15, "Erin", "Answering Bob.", parent=12, minute=5),
]


def test_a_deep_reply_hangs_under_its_thread_and_says_whom_it_answers(
    app, runner, tmp_path, client
):
    run_import(runner, wxr(tmp_path, item(1, "threaded", "<p>Body.</p>", *THREAD)))

    c = by_wp_id()
    assert c["13"].parent_id == c["11"].id and c["13"].reply_to_id is None
    assert c["14"].parent_id == c["11"].id and c["14"].reply_to_id == c["13"].id
    assert c["16"].parent_id == c["11"].id and c["16"].reply_to_id == c["14"].id
    assert c["15"].parent_id == c["12"].id and c["15"].reply_to_id is None

    page = client.get("/article/threaded").text
    shown = re.findall(r'id="comment-(\d+)"', page)
    assert shown == [str(c[n].id) for n in ("11", "13", "14", "16", "12", "15")]
    assert (
        f'in reply to <a href="/comments/{c["14"].id}">Dan</a>' in page
        and f'in reply to <a href="/comments/{c["13"].id}">Carol</a>' in page
    )
    assert page.count("in reply to") == 2  # replies to a top-level comment need none
    assert client.get(f"/comments/{c['14'].id}").status_code == 302


def test_a_commenter_website_links_their_name_when_it_is_a_web_address(
    app, runner, tmp_path, client
):
    run_import(runner, wxr(tmp_path, item(1, "threaded", "<p>Body.</p>", *THREAD)))

    c = by_wp_id()
    assert c["11"].guest_url == "https://alice.example/" and c["12"].guest_url == ""
    page = client.get("/article/threaded").text
    assert (
        '<a class="comment-author" href="https://alice.example/" rel="nofollow ugc noopener">'
        "Alice</a>" in page
    )
    assert "javascript:" not in page


def test_a_rerun_gives_replies_imported_before_their_context(app, runner, tmp_path):
    path = wxr(tmp_path, item(1, "threaded", "<p>Body.</p>", *THREAD))
    run_import(runner, path)
    for found in by_wp_id().values():
        found.reply_to_id = None  # as a release without reply_to left them
    db.session.commit()

    output = run_import(runner, path)

    c = by_wp_id()
    assert c["16"].reply_to_id == c["14"].id
    assert row(output, "comments")[:3] == [0, 2, 4]


def test_the_export_gives_wordpress_the_deep_thread_back(app, runner, tmp_path):
    run_import(runner, wxr(tmp_path, item(1, "threaded", "<p>Body.</p>", *THREAD)))
    out = tmp_path / "out.xml"

    assert runner.invoke(args=["export-wordpress", str(out)]).exit_code == 0

    c, text = by_wp_id(), out.read_text()
    fay = text.split(f"<wp:comment_id>{c['16'].id}</wp:comment_id>")[1].split("</wp:comment>")[0]
    assert f"<wp:comment_parent>{c['14'].id}</wp:comment_parent>" in fay
    alice = text.split(f"<wp:comment_id>{c['11'].id}</wp:comment_id>")[1]
    assert "<![CDATA[https://alice.example/]]>" in alice.split("</wp:comment>")[0]


# -- what is not imported is counted and named -------------------------------------------


def test_comments_on_pages_and_pingbacks_are_counted_and_named(app, runner, tmp_path):
    path = wxr(
        tmp_path,
        item(
            1,
            "a-post",
            "<p>Body.</p>",
            comment(31, "Reader", "Kept."),
            comment(32, "Blog", "Linked.", kind="pingback"),
        ),
        item(
            201,
            "about",
            "<p>About.</p>",
            comment(33, "Visitor", "Nice page."),
            comment(34, "Other", "Me too.", parent=33),
            kind="page",
            title="About us",
        ),
        item(3, "binned", "<p>Gone.</p>", comment(35, "Late", "Hello?"), status="trash"),
    )

    output = run_import(runner, path)

    assert row(output, "comments") == [1, 0, 0, 4, 0]
    assert "comments skipped: pages here take no comments (2)" in output
    assert "comments skipped: pingback (1)" in output
    assert "comments skipped: its post was not imported (1)" in output
    for line in (
        "comment 33 “Visitor”: on page 201, and pages here take no comments; not imported",
        "comment 34 “Other”: on page 201, and pages here take no comments; not imported",
        "comment 32 “Blog”: a pingback; not imported",
        "comment 35 “Late”: its post 3 was left out; not imported",
    ):
        assert line in output, line
    assert "Reader" not in output


# -- categories, descriptions and bios -----------------------------------------------------

TERMS = """
<wp:category><wp:term_id>2</wp:term_id><wp:category_nicename>news</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[News]]></wp:cat_name>
<wp:category_description><![CDATA[What happened today.]]></wp:category_description>
</wp:category>
<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>harbour</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Harbour]]></wp:cat_name>
<wp:category_description><![CDATA[Ships and quays.]]></wp:category_description>
</wp:category>
<wp:category><wp:term_id>4</wp:term_id><wp:category_nicename>ferries</wp:category_nicename>
<wp:category_parent>harbour</wp:category_parent><wp:cat_name><![CDATA[Ferries]]></wp:cat_name>
</wp:category>
<wp:tag><wp:term_id>5</wp:term_id><wp:tag_slug>weather</wp:tag_slug>
<wp:tag_name><![CDATA[Weather]]></wp:tag_name>
<wp:tag_description><![CDATA[Rain, wind, fog.]]></wp:tag_description></wp:tag>
"""


def test_the_first_category_is_the_section_and_every_other_one_a_tag(app, runner, tmp_path, client):
    post = item(
        1,
        "three-categories",
        "<p>Body.</p>",
        category("category", "news", "News"),
        category("category", "harbour", "Harbour"),
        category("category", "ferries", "Ferries"),
        category("post_tag", "weather", "Weather"),
    )

    output = run_import(runner, wxr(tmp_path, post, terms=TERMS))

    found = article("three-categories")
    assert found.category.slug == "news"
    assert sorted(t.slug for t in found.tags) == ["ferries", "harbour", "weather"]
    assert db.session.scalar(sa.select(Category.description).where(Category.slug == "news")) == (
        "What happened today."
    )
    harbour = db.session.scalar(sa.select(Tag).where(Tag.slug == "harbour"))
    assert harbour.description == "Ships and quays."
    assert "Rain, wind, fog." in client.get("/tag/weather").text
    assert "Ships and quays." in client.get("/category/harbour").text
    # A second run changes nothing and says so.
    again = run_import(runner, wxr(tmp_path, post, terms=TERMS))
    assert row(again, "tags")[:2] == [0, 0] and row(again, "sections")[:2] == [0, 0]
    assert row(output, "tags")[0] == 3


def test_a_bio_goes_out_and_comes_back_wordpress_exports_carry_none(app, runner, tmp_path):
    from blog.models import User
    from tests.factories import make_article

    made = make_article("Bio carrier")
    made.author.bio = "Reports on the harbour since 2010."
    db.session.commit()
    out = tmp_path / "out.xml"
    assert runner.invoke(args=["export-wordpress", str(out)]).exit_code == 0
    author_xml = out.read_text().split("<wp:author>")[1].split("</wp:author>")[0]
    assert "Reports on the harbour since 2010." in author_xml
    login = made.author.username
    db.session.delete(db.session.get(User, made.author_id))
    db.session.commit()

    run_import(runner, str(out))

    user = db.session.scalar(sa.select(User).where(User.username == login))
    assert user is not None and user.bio == "Reports on the harbour since 2010."


# -- comment bodies ----------------------------------------------------------------------


def test_a_comment_body_shows_no_markdown_debris(app, runner, tmp_path, client):
    body = (
        "<h1>Header one</h1>\n\nSome text.\n\n"
        '<img src="https://cdn.example.org/cat.jpg" alt="A sleeping cat">\n\n'
        '<a href="https://example.org/big.jpg"><img src="https://example.org/s.jpg" alt="Big"></a>'
    )
    run_import(runner, wxr(tmp_path, item(1, "with-comment", "<p>B.</p>", comment(41, "Al", body))))

    html = by_wp_id()["41"].body_html
    assert "<strong>Header one</strong>" in html and "#" not in html
    assert (
        '<a href="https://cdn.example.org/cat.jpg" rel="nofollow ugc noopener">A sleeping cat</a>'
        in html
    )
    assert '<a href="https://example.org/big.jpg" rel="nofollow ugc noopener">Big</a>' in html
    assert "!" not in html
    assert "Header one" in client.get("/article/with-comment").text


# -- featured images and their alt text ----------------------------------------------------


def uploads(folder, *names: str, width: int = 60) -> str:
    from PIL import Image

    for name in names:
        path = folder / "uploads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (width, width * 2 // 3), "teal").save(path)
    return str(folder / "uploads")


CAT_URL = f"{SITE}/wp-content/uploads/2025/03/cat.jpg"


def test_featured_image_alt_text_comes_from_the_attachment_and_goes_back_on_it(
    app, runner, tmp_path
):
    attachment = item(
        50,
        "cat",
        "",
        postmeta("_wp_attachment_image_alt", "A cat on a wall"),
        kind="attachment",
        status="inherit",
        parent=1,
        url=CAT_URL,
    )
    post = item(1, "with-a-cat", "<p>Body.</p>", postmeta("_thumbnail_id", "50"))
    run_import(
        runner, wxr(tmp_path, post, attachment), "--uploads", uploads(tmp_path, "2025/03/cat.jpg")
    )

    found = article("with-a-cat")
    assert found.image is not None and found.image_alt == "A cat on a wall"

    out = tmp_path / "out.xml"
    assert runner.invoke(args=["export-wordpress", str(out)]).exit_code == 0
    items = out.read_text().split("<item>")[1:]
    post_xml = next(i for i in items if "<wp:post_type><![CDATA[post]]>" in i)
    image_xml = next(i for i in items if "<wp:post_type><![CDATA[attachment]]>" in i)
    assert "_wp_attachment_image_alt" not in post_xml
    assert "<wp:meta_key><![CDATA[_wp_attachment_image_alt]]></wp:meta_key>" in image_xml
    assert "A cat on a wall" in image_xml


# -- other losses --------------------------------------------------------------------------

GREEK = "%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2"  # επίπεδο-2, as WordPress writes it


def test_audio_bare_embeds_and_unicode_slugs_are_kept(app, runner, tmp_path, client):
    body = (
        "Listen:\n\n[audio https://media.example.org/talk.mp3]\n\n"
        "https://www.youtube.com/watch?v=abc123&amp;t=5\n\nThe end."
    )
    path = wxr(
        tmp_path,
        item(1, GREEK, body, title="Greek post"),
        item(201, GREEK, "<p>Σελίδα.</p>", kind="page", title="Greek page"),
    )

    output = run_import(runner, path)

    post = client.get("/article/επίπεδο-2")
    assert post.status_code == 200
    assert '<a href="https://media.example.org/talk.mp3">' in post.text
    assert '<a href="https://www.youtube.com/watch?v=abc123&amp;t=5">' in post.text
    assert "[audio] (kept as a link) (1)" in output
    assert "embedded address (kept as a link) (1)" in output
    assert client.get("/pages/επίπεδο-2").status_code == 200
    assert db.session.scalar(sa.select(Page.slug).where(Page.title == "Greek page")) == "επίπεδο-2"
    assert client.get(f"/{GREEK}/").headers["Location"] == f"/article/{GREEK.upper()}"


def test_gallery_images_are_found_on_every_run(app, runner, tmp_path):
    attachment = item(50, "cat", "", kind="attachment", status="inherit", parent=1, url=CAT_URL)
    post = item(1, "gallery", '<p>Look.</p>\n\n[gallery ids="50"]')
    folder = uploads(tmp_path, "2025/03/cat.jpg")
    path = wxr(tmp_path, post, attachment)

    first = run_import(runner, path, "--uploads", folder)
    second = run_import(runner, path, "--uploads", folder)

    for output in (first, second):
        assert "images failed" not in output, output
        assert row(output, "images")[4] == 0
    assert row(first, "images")[0] == 1
    assert "/uploads/" in article("gallery").body_html


def test_counts_say_what_happened_on_a_first_and_a_second_run(app, runner, tmp_path):
    from tests.factories import make_page

    make_page("Taken", slug="taken")
    db.session.add(Tag(name="Weather", slug="weather-here"))
    db.session.commit()
    post = item(1, "rainy", "<p>Rain.</p>", category("post_tag", "weather", "Weather"))
    page = item(201, "taken", "<p>Page.</p>", kind="page")
    path = wxr(tmp_path, post, page)

    first = run_import(runner, path)
    second = run_import(runner, path)

    assert row(first, "pages")[0] == 1 and row(second, "pages")[:3] == [0, 0, 1]
    assert 'pages imported: slug "taken" was taken here; renamed "taken-2" (1)' in first
    assert row(first, "tags")[0] == 0 and row(second, "tags")[0] == 0
    assert [t.slug for t in article("rainy").tags] == ["weather-here"]


# -- old links ---------------------------------------------------------------------------

JANE = """<wp:author><wp:author_id>2</wp:author_id><wp:author_login>jane_editor</wp:author_login>
<wp:author_email>jane@fidelity.example.org</wp:author_email></wp:author>"""


def test_old_wordpress_links_go_to_the_nearest_page_here(app, runner, tmp_path, client):
    attachment = item(
        50, "cat-photo", "", kind="attachment", status="inherit", parent=1, url=CAT_URL
    )
    post = item(
        1,
        "long-read",
        '<p>Look.</p><img src="' + CAT_URL + '" alt="cat">',
        category("category", "news", "News"),
        category("post_tag", "weather", "Weather"),
    )
    path = wxr(tmp_path, post, attachment, terms=JANE + TERMS)
    run_import(runner, path, "--uploads", uploads(tmp_path, "2025/03/cat.jpg"))
    image = article("long-read").body_html.split('src="')[1].split('"')[0]

    for old, new in [
        ("/author/jane_editor/", "/author/jane_editor"),
        ("/?feed=rss2", "/feed.xml"),
        ("/?feed=comments-rss2", "/feed.xml"),
        ("/feed/atom/", "/feed.xml"),
        ("/comments/feed/", "/feed.xml"),
        ("/tag/weather/feed/", "/tag/weather"),
        ("/category/news/feed/", "/category/news/feed.xml"),
        ("/page/2/", "/?page=2"),
        ("/category/news/page/2/", "/category/news?page=2"),
        ("/long-read/2/", "/article/long-read"),
        ("/long-read/feed/", "/article/long-read"),
        ("/2025/03/", "/"),
        ("/?attachment_id=50", image),
        ("/cat-photo/", image),
    ]:
        response = client.get(old)
        assert (response.status_code, response.headers.get("Location")) == (301, new), old
    assert client.get("/author/jane_editor").status_code == 200
    assert client.get("/?p=999").status_code == 404
    assert client.get("/?attachment_id=77").status_code == 404
    assert client.get("/?p=abc").status_code == 200  # not an id: the front page
    assert client.get("/never-was/2/").status_code == 404


# -- the export ----------------------------------------------------------------------------


def exported_items(runner, tmp_path) -> list[str]:
    out = tmp_path / "export.xml"
    assert runner.invoke(args=["export-wordpress", str(out)]).exit_code == 0
    return out.read_text().split("<item>")[1:]


def field(item_xml: str, name: str) -> str:
    found = re.search(rf"<{name}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{name}>", item_xml, re.S)
    return found[1] if found else ""


def test_the_export_gives_wordpress_every_image_dates_and_authors(app, runner, tmp_path):
    from blog.models import ArticleStatus, Role, Upload
    from tests.factories import make_article, make_page, make_user

    owner = make_user(Role.ADMIN, username="owner")
    photo = Upload(filename="harbour.jpg", content_type="image/jpeg", width=800, height=600)
    db.session.add(photo)
    db.session.flush()
    make_article(
        "Shows a photo",
        body="Before.\n\n![The harbour at dawn](/uploads/harbour.jpg)\n\n[More](/pages/about-us)",
    )
    make_article("Same photo on top", image_id=photo.id, image_alt="The harbour at dawn")
    make_article("Unfinished", status=ArticleStatus.DRAFT)
    make_page("About us")
    db.session.commit()

    items = exported_items(runner, tmp_path)

    site = app.config["SITE_URL"]
    shows = next(i for i in items if field(i, "title") == "Shows a photo")
    body = field(shows, "content:encoded")
    assert f'src="{site}/uploads/harbour.jpg"' in body and 'src="/uploads' not in body
    assert f'href="{site}/pages/about-us"' in body
    attachments = [i for i in items if field(i, "wp:post_type") == "attachment"]
    assert len(attachments) == 1  # one per image, however many articles show it
    assert field(attachments[0], "wp:attachment_url") == f"{site}/uploads/harbour.jpg"
    assert "The harbour at dawn" in attachments[0].split("_wp_attachment_image_alt")[1]
    top = next(i for i in items if field(i, "title") == "Same photo on top")
    thumbnail = top.split("_thumbnail_id")[1].split("</wp:postmeta>")[0]
    assert f"<![CDATA[{field(attachments[0], 'wp:post_id')}]]>" in thumbnail
    draft = next(i for i in items if field(i, "title") == "Unfinished")
    assert "0000-00-00" not in draft and field(draft, "wp:post_date")[:2] == "20"
    page = next(i for i in items if field(i, "title") == "About us")
    assert field(page, "dc:creator") == owner.username
    assert field(page, "wp:post_date")[:2] == "20"


def test_a_resized_image_link_goes_to_the_nearest_size_here(app, runner, tmp_path, client):
    post = item(1, "big-cat", f'<p>Look.</p><img src="{CAT_URL}" alt="cat">')
    folder = uploads(tmp_path, "2025/03/cat.jpg", width=1000)
    run_import(runner, wxr(tmp_path, post), "--uploads", folder)
    stem = article("big-cat").body_html.split('src="/uploads/')[1].split(".jpg")[0]

    small = client.get("/wp-content/uploads/2025/03/cat-300x200.jpg")
    large = client.get("/wp-content/uploads/2025/03/cat-1024x683.jpg")

    assert small.status_code == 301 and small.headers["Location"] == f"/uploads/{stem}-480.jpg"
    assert client.get(small.headers["Location"]).status_code == 200
    assert large.headers["Location"] == f"/uploads/{stem}.jpg"
    assert client.get("/wp-content/uploads/2025/03/dog-300x200.jpg").status_code == 404


def test_footnotes_are_kept_and_other_files_are_named(app, runner, tmp_path):
    body = (
        '<!-- wp:paragraph --><p>A claim<sup data-fn="f1" class="fn"><a href="#f1" id="f1-link">'
        "1</a></sup>.</p><!-- /wp:paragraph --><!-- wp:footnotes /-->"
    )
    notes = '[{"id":"f1","content":"The <em>source</em> of it."}]'
    post = item(1, "with-notes", body, postmeta("footnotes", notes))
    audio = item(
        60,
        "talk",
        "",
        kind="attachment",
        status="inherit",
        parent=1,
        url=f"{SITE}/wp-content/uploads/2025/03/talk.mp3",
    )

    output = run_import(runner, wxr(tmp_path, post, audio))

    html = article("with-notes").body_html
    assert "A claim[1]." in html and "<li>The <em>source</em> of it.</li>" in html
    assert "#f1" not in html
    # Without a copy of wp-content/uploads the mp3 cannot come (tests/test_media_import.py).
    assert "media skipped: no --uploads folder given (1)" in output
    assert f"attachment 60 “Talk”: {SITE}/wp-content/uploads/2025/03/talk.mp3; not copied" in output


@pytest.mark.parametrize(
    "src",
    [
        "https://intranet.corp/photo.jpg",
        "https://10.0.0.12/photo.jpg",
        "https://192.168.1.5/photo.jpg",
        "http://localhost:8080/photo.jpg",
        "https://127.0.0.1/photo.jpg",
        "https://[fd00::1]/photo.jpg",
        "https://files/photo.jpg",
        "https://nas.local/photo.jpg",
        "https://wiki.home.arpa/photo.jpg",
        "https://169.254.169.254/latest/meta-data",
    ],
)
def test_an_image_on_a_non_public_host_is_dropped_and_counted(src):
    from blog.importers.wordpress.convert import to_markdown

    converted = to_markdown(f'<p>Before <img src="{src}" alt="The old server room"> after.</p>')

    assert src not in converted.markdown and "](" not in converted.markdown
    assert "The old server room" in converted.markdown
    assert converted.dropped["image on a non-public host"] == 1


def test_an_image_on_another_host_becomes_a_link_named_by_its_alt():
    """The CSP shows images from this site and IMAGE_HOSTS only: anything else would be
    a broken picture and a console error, so it arrives as a link, counted."""
    from blog.importers.wordpress.convert import to_markdown

    converted = to_markdown(
        '<p><img src="https://images.example.org/a.jpg" alt="A harbour at dawn"></p>'
        '<p><a href="https://images.example.org/big.jpg">'
        '<img src="https://images.example.org/small.jpg" alt="Zoom"></a></p>'
        '<p><img src="https://images.example.org/b.jpg"></p>'
    )

    assert "[A harbour at dawn](https://images.example.org/a.jpg)" in converted.markdown
    assert "[Zoom](https://images.example.org/big.jpg)" in converted.markdown
    assert "[Image](https://images.example.org/b.jpg)" in converted.markdown
    assert "![" not in converted.markdown and "small.jpg" not in converted.markdown
    assert converted.dropped["image on another host (kept as a link)"] == 3


def test_an_image_on_an_allowed_image_host_stays(app):
    from blog.importers.wordpress.convert import to_markdown

    app.config["IMAGE_HOSTS"] = "https://cdn.example.org https://images.example.org"
    converted = to_markdown('<p><img src="https://images.example.org/a.jpg" alt="A"></p>')

    assert "![A](https://images.example.org/a.jpg)" in converted.markdown
    assert not converted.dropped


# -- co-authors (issue 26) -------------------------------------------------------------


def test_co_authors_become_bylines_in_order_and_guests_have_no_account(app, runner, tmp_path):
    accounts = db.session.scalar(sa.select(sa.func.count(User.id)))
    path = wxr(
        tmp_path,
        item(
            101,
            "two-bylines",
            "<p>Body.</p>",
            category("category", "news", "News"),
            category("author", "cap-jane-doe", "jane-doe"),
            category("author", "cap-editor", "editor"),
        ),
        item(102, "one-byline", "<p>Body.</p>", category("category", "news", "News")),
    )

    output = run_import(runner, path)
    rerun = run_import(runner, path)

    story = db.session.scalar(sa.select(Article).where(Article.slug == "two-bylines"))
    names = [(p.is_guest, p.name) for p in story.credits]
    editor = db.session.scalar(sa.select(User).where(User.username == "editor"))
    assert names == [(True, "Jane Doe"), (False, editor.name)]
    guest = db.session.scalar(sa.select(GuestAuthor).where(GuestAuthor.slug == "jane-doe"))
    assert guest is not None
    # The export's one author became an account; the guest did not.
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == accounts + 1
    assert row(output, "authors")[0] == 2  # the export's author and the guest
    assert db.session.scalar(sa.select(sa.func.count(GuestAuthor.id))) == 1  # not twice
    assert "Traceback" not in rerun
    single = db.session.scalar(sa.select(Article).where(Article.slug == "one-byline"))
    assert [p.username for p in single.credits] == ["editor"]
