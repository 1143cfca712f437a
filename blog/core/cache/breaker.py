"""A circuit breaker for the shared page cache: a hung or dead Redis costs speed, not time.

Each cache call to a hung Redis waits out its socket time-out (0.5 s), twice per page
(the get, then the set). After `CACHE_BREAKER_FAILURES` failures in a row the breaker
opens: for `CACHE_BREAKER_SECONDS` the worker neither reads nor writes the shared cache
and renders pages as if it were off. Then one request probes it again: a success closes
the breaker, a failure opens it for another cool-down. Opening is logged once (a
warning), closing once; `blog doctor` reports the cache as bypassed when its own probe
fails. One breaker per worker process: each finds out for itself, at the cost of a
few slow requests.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger("blog.cache")


class Breaker:
    """Whether to use the shared cache now; thread-safe (gunicorn threads share one)."""

    def __init__(self, failures: int = 3, cooldown: float = 30.0):
        self.failures_to_open = max(1, failures)
        self.cooldown = cooldown
        self.failures = 0
        self.open_until = 0.0  # monotonic; 0 while closed
        self.lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self.open_until > 0

    def allows(self) -> bool:
        """True while closed; when open, True for one caller once the cool-down is over
        (the probe), False for everyone else."""
        if not self.open_until:
            return True
        with self.lock:
            now = time.monotonic()
            if self.open_until and now >= self.open_until:
                self.open_until = now + self.cooldown  # others skip while this one probes
                return True
            return not self.open_until

    def succeeded(self) -> None:
        if not self.failures and not self.open_until:
            return
        with self.lock:
            if self.open_until:
                logger.warning("page cache reachable again: using it")
            self.failures, self.open_until = 0, 0.0

    def failed(self, error: Exception) -> None:
        with self.lock:
            self.failures += 1
            if self.open_until:
                self.open_until = time.monotonic() + self.cooldown  # the probe failed
            elif self.failures >= self.failures_to_open:
                self.open_until = time.monotonic() + self.cooldown
                logger.warning(
                    "page cache unavailable after %d failures, bypassed for %.0f s at a "
                    "time until a probe succeeds: %r", self.failures, self.cooldown, error,
                )  # fmt: skip
