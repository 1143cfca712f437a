"""What other features use of the newsletter: alerts, issue previews, an account's
subscription."""

from blog.newsletter.alerts import alert_status, sync_alert
from blog.newsletter.sending import preview, test_key
from blog.newsletter.subscriptions import account_newsletter, forget_account

__all__ = [
    "account_newsletter",
    "alert_status",
    "forget_account",
    "preview",
    "sync_alert",
    "test_key",
]
