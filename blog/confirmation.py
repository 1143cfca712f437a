"""Confirmed email addresses (work in progress)."""
