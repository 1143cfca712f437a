"""A small per-worker store of pages in front of a shared page cache (Redis, a folder).

A Redis hit costs a round trip and unpickling the page on every request; a page this
worker already fetched or stored is answered from memory. Keys are the page cache's
own, which carry the content and comments versions, so an entry can never be stale:
when a version moves, every key changes and old entries just age out. Bounded by
PAGE_CACHE_LOCAL_ENTRIES pages (least recently used go first); 0 turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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
