# ruff: noqa: E501, E731, SIM105, SIM115 - a one-off driver script, not project code
"""A trimmed, anonymised copy of a real Ghost export (see make_content.py): only our own
test content, no password hashes, keys or session secrets, no Ghost sample posts."""

import json
import sys

src, dst = sys.argv[1], sys.argv[2]
doc = json.load(open(src))
data = doc["db"][0]["data"]
# Ghost's own sample content (its "Coming soon" post and its About text) is not ours.
sample = {p["id"] for p in data["posts"] if p["slug"] == "coming-soon"}
data["posts"] = [p for p in data["posts"] if p["id"] not in sample]
for p in data["posts"]:
    if p["slug"] == "about":
        p["title"] = "About us"
        p["mobiledoc"] = json.dumps(
            {
                "version": "0.3.1",
                "atoms": [],
                "cards": [["hr", {}]],
                "markups": [["a", ["href", "https://example.org/"]]],
                "sections": [
                    [1, "p", [[0, [], 0, "We report on the harbour. "], [0, [0], 1, "Our site"]]],
                    [1, "h3", [[0, [], 0, "Access"]]],
                    [10, 0],
                ],
            }
        )
        p["html"] = (
            '<p>We report on the harbour. <a href="https://example.org/">Our site</a></p><h3 id="access">Access</h3><hr>'
        )
        p["plaintext"] = "We report on the harbour. Our site\n\nAccess"
        p["lexical"] = None
for table in ("posts_tags", "posts_authors", "posts_meta", "posts_products"):
    data[table] = [r for r in data[table] if r["post_id"] not in sample]
used = {r["tag_id"] for r in data["posts_tags"]}
data["tags"] = [t for t in data["tags"] if t["id"] in used]
for user in data["users"]:
    user["password"] = "<removed>"
    user["last_seen"] = None
KEEP = {
    "title",
    "description",
    "locale",
    "timezone",
    "codeinjection_head",
    "codeinjection_foot",
    "is_private",
    "default_content_visibility",
}
data["settings"] = [s for s in data["settings"] if s["key"] in KEEP]
for s in data["settings"]:
    s["id"] = s["id"]
for table in (
    "newsletters",
    "custom_theme_settings",
    "snippets",
    "offers",
    "offer_redemptions",
    "stripe_products",
    "stripe_prices",
    "benefits",
    "products_benefits",
):
    data.pop(table, None)
for product in data.get("products", []):
    product["monthly_price_id"] = product["yearly_price_id"] = None
text = json.dumps(doc, indent=1, ensure_ascii=False)
for secret in ("_secret", "private_key", "session_", "_hash", "$2a$"):
    assert secret not in text, secret
open(dst, "w").write(text + "\n")
print(len(text), [p["slug"] for p in data["posts"]])
