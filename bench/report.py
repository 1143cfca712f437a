"""The bench's report: the Markdown tables, the ratios, the machine line, the files.

`fmt_table` is one size's table (requests/s, p50, p99, ratio to the constant page, path,
size); `size_report` wraps it in the header (size, time, machine, load) and the footer
(constant runs, other CPU work, worker RSS, the rows' notes); `fmt_sizes` puts several
sizes side by side. `save` writes a report to bench/results/ (ignored by git).
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rows import Result

RESULTS = Path(__file__).resolve().parent / "results"
VENV_BIN = Path(sys.executable).parent


@dataclass
class SizeRun:
    articles: int
    results: list[Result]  # the constant's summary first
    constant_runs: list[float]
    report: str
    problems: list[str]


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gunicorn = subprocess.run(
        [str(VENV_BIN / "gunicorn"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {gunicorn}, SQLite {sqlite3.sqlite_version}"
    )


def ratio_text(ratio: float) -> str:
    """Two decimals, three below 0.1 (a comment row's 0.013 is not 0.01)."""
    return f"{ratio:.3f}" if ratio < 0.1 else f"{ratio:.2f}"


def fmt_table(results: list[Result]) -> str:
    lines = [
        "| page | requests/s | p50 | p99 | ratio to constant | path | size |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        if r.rps is None:
            lines.append(f"| {r.row.name} | – | – | – | – | `{r.path}` | {r.note or r.status} |")
            continue
        if r.rps == 0:
            lines.append(
                f"| {r.row.name} | 0 (no request finished in the run) | – | – | 0.00 "
                f"| `{r.path}` | {r.size / 1024:.1f} KB |"
            )
            continue
        ratio = r.rps / r.reference if r.reference else 0.0
        unit = f" {r.unit}" if r.unit else ""
        note = f" ({r.errors} errors)" if r.errors else ""
        size = f"{r.size / 1024:.1f} KB" if r.size else "–"
        lines.append(
            f"| {r.row.name} | {r.rps:,.0f}{unit}{note} | {r.p50_ms:.2f} ms | {r.p99_ms:.2f} ms "
            f"| {ratio_text(ratio)} | `{r.path}` | {size} |"
        )
    return "\n".join(lines)


def fmt_sizes(runs: list[SizeRun]) -> str:
    """One table across sizes: each cell is requests/s and the ratio of that size's run."""
    lines = [
        "| page | " + " | ".join(f"{run.articles:,} articles" for run in runs) + " |",
        "|---|" + "---:|" * len(runs),
    ]
    names = list(dict.fromkeys(r.row.name for run in runs for r in run.results))
    for name in names:
        cells = []
        for run in runs:
            found = next((r for r in run.results if r.row.name == name), None)
            if found is None or not found.rps:
                cells.append("–" if found is None else found.note[:40] or "0")
                continue
            ratio = found.rps / found.reference if found.reference else 0.0
            unit = f" {found.unit}" if found.unit else ""
            errors = f", {found.errors} errors" if found.errors else ""
            cells.append(
                f"{found.rps:,.0f}{unit}, p50 {found.p50_ms:.1f} ms{errors}, "
                f"**{ratio_text(ratio)}**"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def size_report(
    args: argparse.Namespace,
    wrk: str | None,
    articles: int,
    values: dict[str, str],
    results: list[Result],
    constant_runs: list[float],
    busy_before: list[float],
    rss: dict[str, list[float]],
) -> str:
    """One size's report; `results` start with the constant page's summary."""
    header = (
        f"{articles:,} articles ({values['article']} has the article row), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}, "
        f"{machine()}, load: {'wrk' if wrk else 'python'} -t{args.threads} "
        f"-c{args.connections} -d{args.seconds}s "
        + (
            f"(median of {args.interleave} interleaved pairs), "
            if args.interleave
            else f"(best of {args.repeat}), "
        )
        + f"gunicorn {args.workers} sync workers, page cache {args.cache}"
    )
    footer = (
        f"constant page runs (req/s): {', '.join(f'{x:,.0f}' for x in constant_runs)}; "
        + (
            "each page's ratio is to the constant run just before it. "
            if args.paired
            else "ratios are to their mean. "
        )
        + f"Other CPU work before each page: at most {max(busy_before, default=0):.0%}, "
        f"median {statistics.median(busy_before or [0]):.0%}. "
        f"search word `{values['word']}` is in {values['word_docs']} articles. "
        "Worker RSS after the run: "
        + "; ".join(
            f"{name} " + ", ".join(f"{mb:.0f} MB" for mb in sizes) for name, sizes in rss.items()
        )
    )
    pages = results[1:]
    notes = "".join(f"\n\n{r.note}" for r in pages if r.row.posting)
    notes += "".join(
        f"\n\n{r.row.name}: {r.note}" for r in pages if not r.row.posting and r.note and r.rps
    )
    return f"{header}\n\n{fmt_table(results)}\n\n{footer}{notes}\n"


def sizes_report(runs: list[SizeRun]) -> str:
    """The table across sizes, then every size's own report."""
    combined = (
        f"All sizes, {datetime.now(UTC):%Y-%m-%d %H:%M UTC}, {machine()}; each cell: "
        "requests/s (or comments/s), p50, **ratio to the constant run just before it "
        "in the same size's run**; the constant row gives the mean of its runs.\n\n"
        + fmt_sizes(runs)
        + "\n"
    )
    return combined


def save(text: str, name: str) -> Path:
    """Write `text` to bench/results/<time>-<name>.md and say so."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{name}.md"
    out.write_text(text)
    print(f"saved {out}")
    return out
