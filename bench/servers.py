"""The bench's gunicorns, one page probed, and the workers' memory.

A server is tests/live.py's `Gunicorn` (its own process group, always stopped as a
whole, on a free port of 127.0.0.1) with sync workers and warnings-only logging, ready
when `/` answers 200: the site (`wsgi:app`) or the constant page (`bench.constant_app`).
"""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT / "bench"), str(ROOT)) if p not in sys.path]

from tests.live import Gunicorn  # noqa: E402 - the project, once the path is set

OPTIONS = ("--worker-class", "sync", "--log-level", "warning")


def gunicorn(app: str, env: dict[str, str], workdir: Path, workers: int) -> Gunicorn:
    """A gunicorn serving `app` with `env`, its log in `workdir`; enter it to start it."""
    return Gunicorn(env, workdir, workers, app=app, ready="/", options=OPTIONS)


def probe(url: str, headers: dict[str, str], timeout: float = 120.0) -> tuple[int, int]:
    """Status and size of one response; (0, 0) when none came within `timeout` seconds."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, len(error.read())
    except OSError:
        return 0, 0


def rss_mb(pids: list[int]) -> list[float]:
    """Resident memory of each process in `pids`, in MB (gone processes left out)."""
    sizes = []
    for pid in pids:
        out = subprocess.run(
            ["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, check=False
        ).stdout.strip()
        if out:
            sizes.append(int(out) / 1024)
    return sizes
