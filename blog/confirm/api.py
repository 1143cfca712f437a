"""What other features use of email confirmation: mailing a confirmation link."""

from blog.confirm.confirmation import CHANGE, queue_link

__all__ = ["CHANGE", "queue_link"]
