"""Does the coherence test notice each row of the invalidation table? (not part of CI)

For every row of `blog.core.cache.invalidation.EXPIRES` that expires something (an insert,
a delete or a column of a table), run the coherence test that writes each row alone
(tests/coherence/test_rows_alone.py, in-process page cache) with that one row narrowed to
NONE, and report which mutants it kills. A row whose mutant survives is one no page
depends on, so it is wider than it needs to be (or the test misses a page).

    .venv/bin/python bench/expires_mutation.py [--only table[.column]] [--jobs 1]
"""

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from blog.core.cache.invalidation import EXPIRES, NONE  # noqa: E402

PLUGIN = "bench.expires_mutant"


def rows(only: str | None) -> list[str]:
    found = []
    for table, rule in EXPIRES.items():
        if rule.insert != NONE:
            found.append(f"{table}.<insert>")
        if rule.delete != NONE:
            found.append(f"{table}.<delete>")
        found += [f"{table}.{column}" for column, scope in rule.update.items() if scope != NONE]
    return [r for r in found if not only or r == only or r.startswith(only + ".")]


def run(row: str) -> tuple[str, bool, float]:
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-x", "-n", "0", "-p", "no:cacheprovider",
            "-p", PLUGIN, "tests/coherence/test_rows_alone.py",
        ],
        cwd=ROOT,
        env=os.environ | {"BLOG_EXPIRES_MUTANT": row, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )  # fmt: skip
    return row, result.returncode != 0, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    todo = rows(args.only)
    killed = []
    with ThreadPoolExecutor(args.jobs) as pool:
        for row, failed, seconds in pool.map(run, todo):
            killed += [row] if failed else []
            print(f"{'killed  ' if failed else 'SURVIVED'} {row} ({seconds:.0f} s)", flush=True)
    print(f"\n{len(killed)} of {len(todo)} rows: removing it makes the coherence test fail")


if __name__ == "__main__":
    main()
