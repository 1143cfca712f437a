"""Operators' tools: backups, copying a site between databases, deployment files, the doctor."""
