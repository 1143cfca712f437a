"""What other features use of the importers: a WordPress import queued as a job, found
again for its progress page, and its report."""

from blog.importers.wordpress.report import Report
from blog.importers.wordpress.tasks import find as find_import
from blog.importers.wordpress.tasks import imports_folder
from blog.importers.wordpress.tasks import start as start_import

__all__ = ["Report", "find_import", "imports_folder", "start_import"]
