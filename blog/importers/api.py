"""What other features use of the importers: a WordPress import and its input error."""

from blog.importers.wordpress.importer import import_wordpress
from blog.importers.wordpress.parse import WXRError

__all__ = ["WXRError", "import_wordpress"]
