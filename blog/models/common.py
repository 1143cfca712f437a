"""What several model modules share."""

# SQLite would give a deleted row's id to the next row (the largest id + 1); with
# AUTOINCREMENT ids are never reused, so an old link, signed token, export or audit line
# never points at somebody else's row. PostgreSQL sequences never reuse ids. Every table
# whose ids a URL, a signed link or an export names uses it.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}
