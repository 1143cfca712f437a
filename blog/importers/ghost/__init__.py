"""The Ghost importer: `blog import-ghost EXPORT.json [--members members.csv]`."""
