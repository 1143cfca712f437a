"""What other features use of donations: the appeal's choices."""

from blog.donations.appeal import choices

__all__ = ["choices"]
