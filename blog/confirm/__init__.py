"""Blueprint: opening email confirmation links, and asking for a new one."""
