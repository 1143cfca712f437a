"""What other features use of the public site: the article page's context, old links,
the feeds' article list (`latest`), and the publisher's JSON-LD that every page carries
(`publisher_json_ld`)."""

from markupsafe import Markup

from blog.core.cache.memo import fragment
from blog.core.templating import json_script
from blog.public.article_page import page_context
from blog.public.queries import FEED_LIMIT, latest
from blog.public.redirects import key_of_url
from blog.public.structured import publisher_ld

__all__ = ["FEED_LIMIT", "key_of_url", "latest", "page_context", "publisher_json_ld"]


def publisher_json_ld() -> Markup:
    """The NewsMediaOrganization as JSON for a <script> element, once per content version."""
    return fragment(("publisher-ld",), lambda: json_script(publisher_ld()))
