"""What other features use of the newsletter: alerts, issue previews, an account's
subscription, subscriber CSV files."""

from blog.newsletter.alerts import alert_status, sync_alert
from blog.newsletter.sending import preview, test_key
from blog.newsletter.subscriber_csv import (
    confirmation,
    parse_subscriber_csv,
    spreadsheet_safe,
    store_import,
)
from blog.newsletter.subscriptions import account_newsletter, forget_account

__all__ = [
    "account_newsletter",
    "alert_status",
    "confirmation",
    "forget_account",
    "parse_subscriber_csv",
    "preview",
    "spreadsheet_safe",
    "store_import",
    "sync_alert",
    "test_key",
]
