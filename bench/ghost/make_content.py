# ruff: noqa: E501, E731, SIM105, SIM115 - a one-off driver script, not project code
"""Fill a fresh, running Ghost (5.x or 6.x, SQLite) with test content through its Admin
API and save its JSON export and members CSV: how tests/ghost/ghost-real-*.json were made
(docs/ghost.md, "Tried against a real Ghost"). Not part of the test suite.

    GBASE=http://127.0.0.1:2368 GDB=/path/to/content/ghost.db GOUT=/tmp/out GVER=v5.0 \
        python bench/ghost/make_content.py
    python bench/ghost/trim.py /tmp/out/export.json tests/ghost/ghost-real-VERSION.json

Staff users beyond the owner are written straight into Ghost's database (invitations
need working mail), and so is the email-only post's `sent` status.
"""

import http.cookiejar
import io
import json
import os
import secrets
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from PIL import Image

BASE = os.environ.get("GBASE", "http://127.0.0.1:2368")
API = BASE + "/ghost/api/admin"
DB = os.environ.get("GDB", "/tmp/ghost-real/content-data/ghost.db")
OUT = os.environ.get("GOUT", "/tmp/ghost-real/work")
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def call(method, path, body=None, raw=False, ctype="application/json", data=None):
    if body is not None:
        data = json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)
    req.add_header("Origin", BASE)
    req.add_header("Accept-Version", os.environ.get("GVER", "v5.0"))
    if data is not None:
        req.add_header("Content-Type", ctype)
    try:
        with opener.open(req) as r:
            text = r.read()
    except urllib.error.HTTPError as e:
        print(method, path, e.code, e.read()[:800].decode(), file=sys.stderr)
        raise
    if raw:
        return text
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


OWNER = ("Mira Sørensen", "owner@harbour.example", "Correct-horse-battery-9")
try:
    call(
        "POST",
        "/authentication/setup/",
        {
            "setup": [
                {
                    "name": OWNER[0],
                    "email": OWNER[1],
                    "password": OWNER[2],
                    "blogTitle": "Harbour Gazette",
                }
            ]
        },
    )
except urllib.error.HTTPError:
    pass
call("POST", "/session/", {"username": OWNER[1], "password": OWNER[2]})
me = call("GET", "/users/me/")["users"][0]
call(
    "PUT",
    f"/users/{me['id']}/",
    {"users": [{"id": me["id"], "bio": "Harbour reporter since 2009.", "slug": "mira"}]},
)

# Two more staff users straight into the database (invites need working mail).
con = sqlite3.connect(DB)
roles = dict(con.execute("select name, id from roles"))
now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
users = {}
for name, slug, email, bio in [
    ("Jon Eriksen", "jon", "jon@harbour.example", "Covers the council."),
    ("Ana Lima", "ana_lima", "ana@harbour.example", ""),
]:
    row = con.execute("select id from users where email=?", (email,)).fetchone()
    if row:
        users[slug] = row[0]
        continue
    uid = secrets.token_hex(12)
    con.execute(
        "insert into users (id,name,slug,password,email,bio,status,visibility,created_at) values (?,?,?,?,?,?,?,?,?)",
        (
            uid,
            name,
            slug,
            "$2a$10$notarealhashnotarealhashnotarealhashnotarealhash0",
            email,
            bio or None,
            "active",
            "public",
            now,
        ),
    )
    con.execute(
        "insert into roles_users (id, role_id, user_id) values (?,?,?)",
        (secrets.token_hex(12), roles["Author"], uid),
    )
    users[slug] = uid
con.commit()


def png(name, size, color):
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG" if name.endswith("jpg") else "PNG")
    b = "----gb" + secrets.token_hex(8)
    body = (
        (
            f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\nContent-Type: image/{"jpeg" if name.endswith("jpg") else "png"}\r\n\r\n'
        ).encode()
        + buf.getvalue()
        + f'\r\n--{b}\r\nContent-Disposition: form-data; name="ref"\r\n\r\n{name}\r\n--{b}--\r\n'.encode()
    )
    return call("POST", "/images/upload/", data=body, ctype=f"multipart/form-data; boundary={b}")[
        "images"
    ][0]["url"]


harbour = png("harbour.jpg", (1600, 1000), "navy")
quay = png("quay.png", (800, 500), "teal")
inline = png("crane.jpg", (1200, 800), "maroon")
print("images", harbour, quay, inline)

tiers = call("GET", "/tiers/?limit=all")["tiers"]
print("tiers", [(t["name"], t["type"], t["id"]) for t in tiers])
paid = [t for t in tiers if t["type"] == "paid"]
try:
    gold = call(
        "POST",
        "/tiers/",
        {
            "tiers": [
                {
                    "name": "Gold",
                    "monthly_price": 900,
                    "yearly_price": 9000,
                    "currency": "eur",
                    "visibility": "public",
                }
            ]
        },
    )["tiers"][0]
except urllib.error.HTTPError:
    gold = paid[0]


def text(t, fmt=0):
    return {
        "detail": 0,
        "format": fmt,
        "mode": "normal",
        "style": "",
        "text": t,
        "type": "extended-text",
        "version": 1,
    }


def para(*children):
    return {
        "children": list(children),
        "direction": "ltr",
        "format": "",
        "indent": 0,
        "type": "paragraph",
        "version": 1,
    }


def heading(t, tag="h2"):
    return {
        "children": [text(t)],
        "direction": "ltr",
        "format": "",
        "indent": 0,
        "type": "extended-heading",
        "version": 1,
        "tag": tag,
    }


def link(t, url):
    return {
        "children": [text(t)],
        "direction": "ltr",
        "format": "",
        "indent": 0,
        "type": "link",
        "version": 1,
        "rel": None,
        "target": None,
        "title": None,
        "url": url,
    }


def lexical(*nodes):
    return json.dumps(
        {
            "root": {
                "children": list(nodes),
                "direction": "ltr",
                "format": "",
                "indent": 0,
                "type": "root",
                "version": 1,
            }
        }
    )


cards = lexical(
    para(
        text("The harbour master closed the "),
        text("inner basin", 1),
        text(" at dawn. "),
        link("See the pier", BASE + "/new-pier/"),
        text("."),
    ),
    heading("What the crews saw"),
    {
        "type": "image",
        "version": 1,
        "src": quay,
        "width": 800,
        "height": 500,
        "title": "",
        "alt": "The quay at dawn",
        "caption": '<span style="white-space: pre-wrap;">The quay, 6 a.m.</span>',
        "cardWidth": "regular",
        "href": "",
    },
    {
        "type": "bookmark",
        "version": 1,
        "url": "https://example.org/tides",
        "metadata": {
            "icon": "https://example.org/favicon.ico",
            "title": "Tide tables",
            "description": "Tides for the week.",
            "author": "Port office",
            "publisher": "Example",
            "thumbnail": "https://example.org/thumb.jpg",
        },
        "caption": "",
    },
    {
        "type": "callout",
        "version": 1,
        "calloutText": '<p><span style="white-space: pre-wrap;">Ferries are cancelled until noon.</span></p>',
        "calloutEmoji": "💡",
        "backgroundColor": "grey",
    },
    {
        "type": "html",
        "version": 1,
        "html": '<div class="tide" onclick="alert(1)">Tide table: 06:12 high</div><script>alert(2)</script>',
    },
    {
        "type": "button",
        "version": 1,
        "buttonText": "Read the port notice",
        "alignment": "center",
        "buttonUrl": "https://example.org/notice",
    },
    {
        "type": "embed",
        "version": 1,
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "embedType": "video",
        "html": '<iframe width="200" height="113" src="https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed" frameborder="0" allowfullscreen title="Storm video"></iframe>',
        "metadata": {
            "title": "Storm video",
            "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
            "thumbnail_width": 480,
            "thumbnail_height": 360,
        },
        "caption": "Waves at the wall",
    },
    {"type": "horizontalrule", "version": 1},
    {
        "type": "codeblock",
        "version": 1,
        "code": "if tide > 3:\n    close()",
        "language": "python",
        "caption": "",
    },
    {
        "type": "toggle",
        "version": 1,
        "heading": "<span>Why close?</span>",
        "content": "<p><span>Waves over 3 m.</span></p>",
    },
    {
        "type": "gallery",
        "version": 1,
        "images": [
            {
                "row": 0,
                "src": inline,
                "width": 1200,
                "height": 800,
                "fileName": "crane.jpg",
                "alt": "A crane",
                "caption": "The crane",
            },
            {
                "row": 0,
                "src": quay,
                "width": 800,
                "height": 500,
                "fileName": "quay.png",
                "alt": "Quay again",
                "caption": "",
            },
        ],
        "caption": "",
    },
    {
        "type": "header",
        "version": 2,
        "size": "small",
        "style": "dark",
        "buttonEnabled": False,
        "buttonUrl": "",
        "buttonText": "",
        "header": "<span>Storm special</span>",
        "subheader": "<span>Live</span>",
        "backgroundImageSrc": "",
        "accentColor": "#FF1A75",
        "alignment": "center",
        "backgroundColor": "#000000",
        "backgroundImageWidth": None,
        "backgroundImageHeight": None,
        "backgroundSize": "cover",
        "textColor": "#FFFFFF",
        "buttonColor": "#ffffff",
        "buttonTextColor": "#000000",
        "layout": "full",
        "swapped": False,
    },
    {
        "type": "signup",
        "version": 1,
        "alignment": "left",
        "backgroundColor": "#F0F0F0",
        "backgroundImageSrc": "",
        "backgroundSize": "cover",
        "textColor": "#000000",
        "buttonColor": "accent",
        "buttonTextColor": "#FFFFFF",
        "buttonText": "Subscribe",
        "disclaimer": "<span>No spam.</span>",
        "header": "<span>Sign up</span>",
        "labels": [],
        "layout": "wide",
        "subheader": "<span>Get the news</span>",
        "successMessage": "Email sent!",
        "swapped": False,
    },
    {
        "type": "markdown",
        "version": 1,
        "markdown": "A **markdown** card with a [link](https://example.org/md).",
    },
    para(text("The end "), text("in italics", 2), text(".")),
    {
        "children": [
            {
                "children": [text("Ferries wait")],
                "direction": "ltr",
                "format": "",
                "indent": 0,
                "type": "listitem",
                "version": 1,
                "value": 1,
            },
            {
                "children": [text("Cargo waits")],
                "direction": "ltr",
                "format": "",
                "indent": 0,
                "type": "listitem",
                "version": 1,
                "value": 2,
            },
        ],
        "direction": "ltr",
        "format": "",
        "indent": 0,
        "type": "list",
        "version": 1,
        "listType": "bullet",
        "start": 1,
        "tag": "ul",
    },
)


def simple(t):
    return lexical(para(text(t)))


def post(kind="posts", **fields):
    fields.setdefault("status", "published")
    found = call(
        "GET", f"/{kind}/?filter=slug:{urllib.parse.quote(fields['slug'])}&formats=lexical"
    )[kind]
    if found:
        return found[0]
    return call("POST", f"/{kind}/", {kind: [fields]})[kind][0]


storm = post(
    title="Storm closes the harbour",
    slug="storm-closes-the-harbour",
    lexical=cards,
    feature_image=harbour,
    feature_image_alt="Waves over the harbour wall",
    feature_image_caption="<span>Photo: Mira Sørensen</span>",
    custom_excerpt="The inner basin closed at dawn.",
    meta_title="Storm: harbour closed",
    meta_description="The inner basin closed at dawn on Friday.",
    codeinjection_head="<script>console.log('head')</script>",
    codeinjection_foot="<style>.x{}</style>",
    og_title="OG storm",
    twitter_title="TW storm",
    tags=[
        {"name": "Harbour News", "description": "Ships, quays and the people on them."},
        {"name": "Weather", "description": "Rain, wind, tides."},
        {"name": "#breaking"},
    ],
    authors=[{"id": me["id"]}, {"id": users["jon"]}, {"id": users["ana_lima"]}],
    published_at="2024-03-01T10:00:00.000Z",
)
post(
    title="Members briefing",
    slug="members-briefing",
    lexical=lexical(
        para(text("Free preview for everyone.")),
        {"type": "paywall", "version": 1},
        para(text("Only for members: the secret plan.")),
    ),
    visibility="members",
    tags=[{"name": "Harbour News"}],
)
post(
    title="Paid investigation",
    slug="paid-investigation",
    lexical=simple("Paid secret: the money trail."),
    visibility="paid",
    tags=[{"name": "Weather"}],
)
post(
    title="Gold tier letter",
    slug="gold-tier-letter",
    lexical=simple("Tier secret: gold only."),
    visibility="tiers",
    tiers=[{"id": gold["id"]}],
)
post(
    title="Unfinished draft",
    slug="unfinished-draft",
    lexical=simple("Draft secret: not ready."),
    status="draft",
)
post(
    title="New pier opens",
    slug="new-pier",
    lexical=simple("Opening day."),
    status="scheduled",
    published_at="2030-05-01T09:00:00.000Z",
    authors=[{"id": users["jon"]}],
)
post(
    title="Email only dispatch",
    slug="email-only-dispatch",
    lexical=simple("Email secret: only subscribers got this."),
    status="draft",
    email_only=True,
)
post(
    title="Café owners meet",
    slug="café-owners",
    lexical=lexical(
        para(text("Ünïcode slug.")),
        {
            "type": "image",
            "version": 1,
            "src": inline,
            "width": 1200,
            "height": 800,
            "alt": "Crane at night",
            "caption": "",
            "cardWidth": "wide",
            "href": "",
        },
    ),
    tags=[{"name": "Weather"}],
    published_at="2024-02-20T08:30:00.000Z",
)
# source=html (Ghost converts it to lexical)
found = call("GET", "/posts/?filter=slug:old-harbour-history")["posts"]
if not found:
    call(
        "POST",
        "/posts/?source=html",
        {
            "posts": [
                {
                    "title": "Old Harbour history",
                    "slug": "old-harbour-history",
                    "status": "published",
                    "published_at": "2023-11-11T11:11:11.000Z",
                    "html": '<p>Written in <b>HTML</b> via source=html.</p><p><img src="https://images.unsplash.com/photo-1?w=2000" alt="Unsplash shot"></p>',
                    "feature_image": "https://images.unsplash.com/photo-1500000000000?w=2000",
                    "tags": [{"name": "History"}],
                }
            ]
        },
    )
post("pages", title="About us", slug="about", lexical=simple("We report on the harbour."))
post(
    "pages",
    title="Members page",
    slug="members-page",
    lexical=simple("Members page secret."),
    visibility="members",
)
post(
    "pages",
    title="Draft page",
    slug="draft-page",
    lexical=simple("Draft page secret."),
    status="draft",
)

# Email-only "sent": Ghost sets status sent after mailing; no mail here, so mimic it in the DB.
con.execute(
    "update posts set status='sent', published_at=? where slug='email-only-dispatch'",
    ("2024-03-05 07:00:00",),
)
con.commit()

# Site code injection
try:
    call(
        "PUT",
        "/settings/",
        {"settings": [{"key": "codeinjection_head", "value": "<script>window.x=1</script>"}]},
    )
except urllib.error.HTTPError:
    pass

# Members: one subscribed, one not, one with a label/note
nl = call("GET", "/newsletters/")["newsletters"]
for email, name, subscribed in [
    ("ana@reader.example", "Ana", True),
    ("ben@reader.example", "Ben", False),
    ("Cleo@Reader.example", "Cleo", True),
]:
    try:
        call(
            "POST",
            "/members/",
            {
                "members": [
                    {
                        "email": email,
                        "name": name,
                        "note": "test",
                        "labels": [{"name": "vip"}] if name == "Cleo" else [],
                        "newsletters": [{"id": nl[0]["id"]}] if subscribed else [],
                    }
                ]
            },
        )
    except urllib.error.HTTPError:
        pass


# Cards restricted to members, paid members or email, in a public post.
def text(t):
    return {
        "detail": 0,
        "format": 0,
        "mode": "normal",
        "style": "",
        "text": t,
        "type": "extended-text",
        "version": 1,
    }


def para(t):
    return {
        "children": [text(t)],
        "direction": "ltr",
        "format": "",
        "indent": 0,
        "type": "paragraph",
        "version": 1,
    }


vis = lambda non, seg: {
    "web": {"nonMember": non, "memberSegment": seg},
    "email": {"memberSegment": "status:free,status:-free"},
}
lex = json.dumps(
    {
        "root": {
            "children": [
                para("Everyone reads this."),
                {
                    "type": "html",
                    "version": 1,
                    "html": "<p>Paid-only card: the leaked figure.</p>",
                    "visibility": vis(False, "status:-free"),
                },
                {
                    "type": "html",
                    "version": 1,
                    "html": "<p>Free-members card: the member tip.</p>",
                    "visibility": vis(False, "status:free"),
                },
                {
                    "type": "html",
                    "version": 1,
                    "html": "<p>Anonymous-only card: please sign up.</p>",
                    "visibility": vis(True, ""),
                },
                {
                    "type": "html",
                    "version": 1,
                    "html": "<p>Email-only card: newsletter extra.</p>",
                    "visibility": vis(False, ""),
                },
                {
                    "type": "callout",
                    "version": 1,
                    "calloutText": "<p>Members callout secret.</p>",
                    "calloutEmoji": "",
                    "backgroundColor": "grey",
                    "visibility": vis(False, "status:free,status:-free"),
                },
                para("The end."),
            ],
            "direction": "ltr",
            "format": "",
            "indent": 0,
            "type": "root",
            "version": 1,
        }
    }
)
found = call("GET", "/posts/?filter=slug:gated-cards")["posts"]
if not found:
    call(
        "POST",
        "/posts/",
        {
            "posts": [
                {
                    "title": "Gated cards",
                    "slug": "gated-cards",
                    "status": "published",
                    "lexical": lex,
                    "published_at": "2024-03-03T09:00:00.000Z",
                }
            ]
        },
    )


# File, audio, product and email cards.
def upload(path, name, data, ctype):
    b = "----gb" + secrets.token_hex(8)
    body = (
        (
            f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\nContent-Type: {ctype}\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{b}--\r\n".encode()
    )
    try:
        r = call("POST", path, data=body, ctype=f"multipart/form-data; boundary={b}")
        print(r)
        return list(r.values())[0][0]["url"]
    except Exception as e:
        print("upload failed", path, e)
        return None


pdf = upload(
    "/files/upload/",
    "tide-table.pdf",
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "application/pdf",
)
mp3 = upload(
    "/media/upload/",
    "storm.mp3",
    b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 200,
    "audio/mpeg",
)


def text(t):
    return {
        "detail": 0,
        "format": 0,
        "mode": "normal",
        "style": "",
        "text": t,
        "type": "extended-text",
        "version": 1,
    }


def para(t):
    return {
        "children": [text(t)],
        "direction": "ltr",
        "format": "",
        "indent": 0,
        "type": "paragraph",
        "version": 1,
    }


nodes = [para("Media cards follow.")]
if pdf:
    nodes.append(
        {
            "type": "file",
            "version": 1,
            "src": pdf,
            "fileTitle": "Tide table PDF",
            "fileCaption": "This week",
            "fileName": "tide-table.pdf",
            "fileSize": 60,
        }
    )
if mp3:
    nodes.append(
        {
            "type": "audio",
            "version": 1,
            "src": mp3,
            "title": "Storm sounds",
            "duration": 10,
            "mimeType": "audio/mpeg",
            "thumbnailSrc": "",
            "showDownload": True,
            "loop": False,
        }
    )
nodes.append(
    {
        "type": "product",
        "version": 1,
        "productImageSrc": "",
        "productImageWidth": None,
        "productImageHeight": None,
        "productTitle": "<span>Harbour mug</span>",
        "productDescription": "<p><span>A mug with the harbour.</span></p>",
        "productRatingEnabled": True,
        "productStarRating": 4,
        "productButtonEnabled": True,
        "productButton": "Buy",
        "productUrl": "https://example.org/mug",
    }
)
nodes.append({"type": "email", "version": 1, "html": "<p>Hey {first_name}, email only text.</p>"})
nodes.append(
    {
        "type": "email-cta",
        "version": 1,
        "html": "<p>Email CTA text.</p>",
        "alignment": "left",
        "showButton": False,
        "showDividers": True,
        "buttonText": "",
        "buttonUrl": "",
        "segment": "status:free",
    }
)
nodes.append(para("Media end."))
lex = json.dumps(
    {
        "root": {
            "children": nodes,
            "direction": "ltr",
            "format": "",
            "indent": 0,
            "type": "root",
            "version": 1,
        }
    }
)
if not call("GET", "/posts/?filter=slug:media-cards")["posts"]:
    call(
        "POST",
        "/posts/",
        {
            "posts": [
                {
                    "title": "Media cards",
                    "slug": "media-cards",
                    "status": "published",
                    "lexical": lex,
                    "published_at": "2024-03-04T09:00:00.000Z",
                }
            ]
        },
    )
export = call("GET", "/db/", raw=True)
open(f"{OUT}/export.json", "wb").write(export)
csv = call("GET", "/members/upload/", raw=True)
open(f"{OUT}/members.csv", "wb").write(csv)
print("exported", len(export), len(csv))
