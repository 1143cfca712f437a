"""WordPress import (WXR 1.0-1.2) and export (WXR 1.2): `blog import-wordpress`, `blog export-wordpress`."""
