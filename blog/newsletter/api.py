"""What other features use of the newsletter: alerts, issue previews, an account's
subscription, subscriber CSV files, paused issues and bounced addresses."""

from blog.newsletter.alerts import alert_status, sync_alert
from blog.newsletter.pausing import paused_issues, restore, resume
from blog.newsletter.sending import preview, test_key
from blog.newsletter.subscriber_csv import (
    confirmation,
    parse_subscriber_csv,
    spreadsheet_safe,
    store_import,
)
from blog.newsletter.subscriptions import account_newsletter, forget_account, owned_by

__all__ = [
    "account_newsletter",
    "alert_status",
    "confirmation",
    "forget_account",
    "owned_by",
    "parse_subscriber_csv",
    "paused_issues",
    "preview",
    "restore",
    "resume",
    "spreadsheet_safe",
    "store_import",
    "sync_alert",
    "test_key",
]
