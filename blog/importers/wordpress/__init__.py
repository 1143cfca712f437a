"""WordPress import (WXR 1.0 to 1.2) and export (WXR 1.2)."""
