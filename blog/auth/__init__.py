"""Accounts: register, log in and out, password reset, the reader's own account."""
