"""A small per-worker store of pages in front of a shared page cache (Redis, a folder).

A Redis hit costs a round trip and unpickling the page on every request; a page this
worker already fetched or stored is answered from memory. Keys are the page cache's
own, which carry the content and comments versions, so an entry can never be stale:
when a version moves, every key changes and old entries just age out. Bounded by
PAGE_CACHE_LOCAL_ENTRIES pages (least recently used go first); 0 turns it off.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class LocalPages:
    """A thread-safe LRU of at most `entries` pages."""

    def __init__(self, entries: int):
        self.entries = entries
        self.pages: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: Any) -> None:
        with self.lock:
            self.pages[key] = entry
            self.pages.move_to_end(key)
            while len(self.pages) > self.entries:
                self.pages.popitem(last=False)


class RecentVersions:
    """This worker's last read of the versions, reused for `seconds` by page-cache hits.

    On PostgreSQL the versions read is a round trip to the server, most of the cost of
    a hit (bench/README.md). Reused for a tenth of a second (PAGE_CACHE_VERSIONS_SECONDS)
    it is read at most ten times a second per worker, however busy; an anonymous page
    is then at most that much older on this server than the database (the edge adds
    its own second anyway). A write this worker commits forgets it (`forget`), so whoever
    saved sees the change at once here; 0 reads the versions on every request.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.value: Any = None
        self.read_at = 0.0

    def get(self, read: Callable[[], Any]) -> Any:
        value, now = self.value, time.monotonic()
        if value is not None and now - self.read_at < self.seconds:
            return value
        value = read()
        self.value, self.read_at = value, now
        return value

    def forget(self) -> None:
        self.value = None
