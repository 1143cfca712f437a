"""Comments: post, reply, edit, delete and report."""
