"""What several model modules share."""

# SQLite would give a deleted row's id to the next row (the largest id + 1); with
# AUTOINCREMENT ids are never reused, so an old link or audit line never points at
# somebody else's comment, article or account. PostgreSQL sequences never reuse ids.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}
