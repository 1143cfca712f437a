"""The demo articles: one Markdown file each in blog/demo/articles/, with front matter.

A file starts with a header of `key: value` lines between two `---` lines, then the
body in Markdown:

    ---
    title: Mell footbridge reopens after eight months of repairs
    category: Latest News
    author: tomasz_wren
    days_ago: 1.2
    tags: River Mell, Town council, Transport
    summary: The footbridge between Mill Lane and the station car park is open again.
    image: demo/footbridge.jpg
    image_alt: The footbridge at dawn
    ---

    Pedestrians and cyclists were back on the Mell footbridge...

`author` is a demo username (blog.demo.people); `days_ago` places the article in time
relative to the moment the demo is loaded, a negative value schedules it in the future;
`image` and `image_alt` are optional. Files load in name order (the number prefix).
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

REQUIRED = ("title", "category", "author", "days_ago", "tags", "summary")
OPTIONAL = ("image", "image_alt")


@dataclass(frozen=True)
class DemoArticle:
    title: str
    category: str
    author: str
    days_ago: float
    tags: tuple[str, ...]
    summary: str
    body: str
    image: str = ""
    image_alt: str = ""


def parse(text: str, name: str = "<text>") -> DemoArticle:
    """One article file; ValueError naming the file when its header is malformed."""
    if not text.startswith("---\n") or "\n---\n" not in text[3:]:
        raise ValueError(f"{name}: no front matter between --- lines")
    header, _, body = text[4:].partition("\n---\n")
    fields: dict[str, str] = {}
    for line in header.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in REQUIRED + OPTIONAL or key in fields:
            raise ValueError(f"{name}: bad front matter line {line!r}")
        fields[key] = value.strip()
    missing = [key for key in REQUIRED if key not in fields]
    if missing:
        raise ValueError(f"{name}: front matter lacks {', '.join(missing)}")
    tags = tuple(t.strip() for t in fields.pop("tags").split(",") if t.strip())
    days_ago = float(fields.pop("days_ago"))
    return DemoArticle(**fields, days_ago=days_ago, tags=tags, body=body.lstrip("\n"))


@cache
def demo_articles() -> tuple[DemoArticle, ...]:
    folder = files("blog.demo") / "articles"
    paths = sorted((p for p in folder.iterdir() if p.name.endswith(".md")), key=lambda p: p.name)
    return tuple(parse(p.read_text(encoding="utf-8"), p.name) for p in paths)
