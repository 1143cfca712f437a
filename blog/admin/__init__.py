"""The editorial admin: articles, categories, tags, pages, comments, users, settings."""
