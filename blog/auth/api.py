"""What other features use of accounts: the rules for usernames, emails and passwords."""

from blog.auth.rules import normalize_email, normalize_username

__all__ = ["normalize_email", "normalize_username"]
