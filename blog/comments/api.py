"""What other features use of comments: the section under an article, thread pages,
reply notices."""

from blog.comments.notify import reply_became_visible
from blog.comments.paging import ThreadPage, page_url
from blog.comments.section import comment_section

__all__ = ["ThreadPage", "comment_section", "page_url", "reply_became_visible"]
