"""Load on one URL and the state of the CPUs around it.

`run_wrk` drives a URL with wrk (`--latency`) and `parse_wrk` reads its output;
`run_python` is a small threaded load generator for machines without wrk. Both return
requests/s, p50 ms, p99 ms and the error count. `wait_for_idle` waits for other work on
the shared cores to stop before a run (`cpu_busy` reads /proc/stat).
"""

from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import threading
import time
import urllib.request
from pathlib import Path


def percentiles(milliseconds: list[float]) -> tuple[float, float]:
    """p50 and p99 of `milliseconds` (0.0, 0.0 when empty)."""
    if not milliseconds:
        return 0.0, 0.0
    ordered = sorted(milliseconds)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> tuple[float, float, float, int]:
    """requests/s, p50 ms, p99 ms and error count from `wrk --latency` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        # Sync workers close every connection; wrk counts some of those closes as read
        # errors although the response arrived. Only connect errors and timeouts count.
        errors += int(socket_errors.group(1)) + int(socket_errors.group(4))
    return rps, p50, p99, errors


def run_wrk(
    wrk: str, url: str, headers: dict[str, str], seconds: int, threads: int, connections: int
) -> tuple[float, float, float, int]:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
    command.append("--latency")
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    return parse_wrk(done.stdout)


def run_python(
    url: str, headers: dict[str, str], seconds: int, connections: int
) -> tuple[float, float, float, int]:
    """A small threaded load generator for machines without wrk (less precise)."""
    parsed = urllib.request.urlparse(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        mine, failed = [], 0
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
            started = time.perf_counter()
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                mine.append((time.perf_counter() - started) * 1000)
            except OSError:
                failed += 1
            finally:
                connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(seconds + 30)
    elapsed = time.monotonic() - started
    if not latencies:
        return 0.0, 0.0, 0.0, errors[0]
    p50, p99 = percentiles(latencies)
    return len(latencies) / elapsed, p50, p99, errors[0]


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of all CPU time spent busy over `seconds` (from /proc/stat), 0.0 to 1.0."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    total = max(1, total1 - total0)
    return 1.0 - (idle1 - idle0) / total


def wait_for_idle(limit: float, threshold: float = 0.10) -> float:
    """Wait (up to `limit` seconds) until other processes leave the CPUs alone.

    Other work on the same cores (a test suite, a build) lowers every figure; the
    ratios are measured in the same run but noise still grows. Returns the last load.
    """
    deadline = time.monotonic() + limit
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        print(f"  the CPUs are {busy:.0%} busy with other work; waiting...", flush=True)
        busy = cpu_busy(2.0)
    return busy
