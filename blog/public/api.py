"""What other features use of the public site: the article page's context, old links."""

from blog.public.article_page import page_context
from blog.public.redirects import key_of_url

__all__ = ["key_of_url", "page_context"]
