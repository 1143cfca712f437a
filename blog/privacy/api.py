"""What other features use of privacy: a reader's data counted, exported or erased."""

from blog.privacy.personal_data import KEPT, comments_field, counts, erase, export, json_download

__all__ = ["KEPT", "comments_field", "counts", "erase", "export", "json_download"]
