"""Blueprint: readers download their data; admins export or erase one person's data."""
