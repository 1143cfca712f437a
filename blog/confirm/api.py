"""What other features use of email confirmation: mailing a confirmation link,
registering a sign-up that waits for its link."""

from blog.confirm.confirmation import CHANGE, hours, queue_link, register

__all__ = ["CHANGE", "hours", "queue_link", "register"]
