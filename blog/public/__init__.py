"""The public site: home, categories, tags, authors, articles, pages, search, feeds."""
