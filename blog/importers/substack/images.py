"""The images of a Substack post: its export holds none, they live on Substack's hosts.

With `--fetch-images` (or the admin's box), each image on one of Substack's own image
hosts (HOSTS, nothing else: an uploaded file cannot make the server fetch any other
address) is downloaded once over https, with a time and size limit and no redirects,
and goes through blog.uploads like an admin upload (Pillow verification, re-encoding).
Without it, or when a download fails, the image becomes a link to it with its alt
text: the site's CSP (img-src 'self') would block it on the page, and nothing is lost.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from blog.importers.wordpress.images import ImageStore
from blog.importers.wordpress.report import Report

HOSTS = ("substack-post-media.s3.amazonaws.com", "substackcdn.com")
MAX_BYTES = 16 * 1024 * 1024
TIMEOUT = 20


class FetchError(Exception):
    pass


def original(url: str) -> str | None:
    """The https address of the image file on Substack's hosts (substackcdn.com's
    resizing addresses give the file they wrap), or None for any other image."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme != "https" or parts.hostname not in HOSTS:
        return None
    if parts.hostname == "substackcdn.com":
        index = parts.path.find("/https%3A")
        if index < 0:
            return None
        inner = unquote(parts.path[index + 1 :])
        return inner if urlsplit(inner).hostname in HOSTS[:1] else None
    return url.strip()


def key(url: str) -> str | None:
    """The image's name in the fetch folder (and its import record): one per file."""
    found = original(url)
    return f"{hashlib.sha256(found.encode()).hexdigest()[:32]}.img" if found else None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        raise FetchError("it redirects elsewhere")


def download(url: str) -> bytes:
    """The bytes at an https address on Substack's hosts; FetchError if not."""
    if original(url) != url:
        raise FetchError("not on Substack's image hosts")
    opener = urllib.request.build_opener(_NoRedirects)
    # https on Substack's own hosts only (checked above): no file: or other scheme.
    request = urllib.request.Request(url, headers={"User-Agent": "newsroom-import"})  # noqa: S310
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise FetchError(str(getattr(error, "reason", error))[:100]) from None
    if len(data) > MAX_BYTES:
        raise FetchError(f"larger than {MAX_BYTES // 2**20} MB")
    return data


class FetchedImages(ImageStore):
    """An ImageStore whose folder is filled by downloading, one file at a time."""

    def __init__(
        self,
        known: dict[str, str],
        report: Report,
        dry_run: bool,
        fetch: Callable[[str], bytes] | None = None,
    ):
        self.temporary = tempfile.mkdtemp(prefix="substack-images-")
        super().__init__(self.temporary, known, report, dry_run, key, "--fetch-images")
        self.fetch = fetch

    def filename(self, url: str) -> str | None:
        name = key(url)
        if name is None or name in self.known or name in self.failed:
            return super().filename(url)
        file = Path(self.temporary) / name
        if not file.exists():
            try:
                file.write_bytes((self.fetch or download)(original(url)))
            except FetchError as error:
                self.failed.add(name)
                self.report.add("images", "failed", f"{original(url)[:120]}: {error}")
                return None
        return super().filename(url)

    def close(self) -> None:
        shutil.rmtree(self.temporary, ignore_errors=True)


def link_remote_images(html: str, local: Callable[[str], str | None]) -> tuple[str, int]:
    """The body with each image on Substack's hosts copied here (`local` gives its new
    address) or, if it is not, made a link to it with its alt text; (html, links made)."""
    soup = BeautifulSoup(html, "html.parser")
    linked = 0
    for wrapper in soup.find_all("a", href=True):  # Substack's "open the full size" link
        if original(wrapper["href"]) and wrapper.find("img"):
            wrapper.unwrap()
    for image in soup.find_all("img"):
        src = image.get("src", "")
        if original(src) is None:
            continue
        for source in image.find_parents("picture")[:1]:
            for extra in source.find_all("source"):
                extra.decompose()
        moved = local(src)
        if moved:
            image["src"] = moved
            image.attrs.pop("srcset", None)
            continue
        link = soup.new_tag("a", href=original(src))
        link.string = "Image: " + ((image.get("alt") or "").strip() or "on Substack")
        image.replace_with(link)
        linked += 1
    return str(soup), linked
