"""Column types for old migrations, which import `blog.types`; the code uses blog.core.types."""

from blog.core.types import UTCDateTime, utcnow

__all__ = ["UTCDateTime", "utcnow"]
