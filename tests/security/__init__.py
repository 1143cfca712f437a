"""Tests that attack: headers, CSRF, redirects, injection, XSS, hostile input, the log."""
