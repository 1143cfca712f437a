"""What other features use of the importers: a WordPress, Ghost or Substack import
queued as a job, found again for its progress page, and its report."""

from blog.importers.substack.archive import SubstackError
from blog.importers.substack.archive import open_export as open_substack
from blog.importers.tasks import find as find_other
from blog.importers.tasks import start as start_other
from blog.importers.wordpress.report import Report
from blog.importers.wordpress.tasks import find as find_import
from blog.importers.wordpress.tasks import imports_folder
from blog.importers.wordpress.tasks import start as start_import

__all__ = [
    "Report",
    "SubstackError",
    "find_import",
    "find_other",
    "imports_folder",
    "open_substack",
    "start_import",
    "start_other",
]
