"""The closing report of an import: counts per kind and outcome, with reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

KINDS = ("authors", "sections", "tags", "posts", "pages", "comments", "images", "redirects")
# Shown only when an import counted them (audio, video and PDF files; Ghost members,
# Substack's email list).
EXTRA_KINDS = ("media", "subscribers")
OUTCOMES = ("imported", "updated", "unchanged", "skipped", "failed")


@dataclass
class Report:
    site: str = ""
    version: str = ""
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # (kind, outcome) -> n
    reasons: Counter = field(default_factory=Counter)  # (kind, outcome, reason) -> n
    dropped: Counter = field(default_factory=Counter)  # what bodies lost, by kind
    notes: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)  # items kept hidden or left out, by name
    source: str = "WordPress"  # the system exported from: WordPress, Ghost, Substack
    # Ghost: post id -> its authors' slugs in order; only the first is mapped today.
    authors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, outcome: str, reason: str = "", n: int = 1) -> None:
        self.counts[kind, outcome] += n
        if reason:
            self.reasons[kind, outcome, reason[:200]] += n

    def because(self, kind: str, outcome: str, reason: str) -> None:
        """A reason for an item already counted under (kind, outcome)."""
        self.reasons[kind, outcome, reason[:200]] += 1

    def name(self, kind: str, source_id: str, title: str, what: str) -> None:
        """Name one item in the report: `post 12 “Title”: was private; kept hidden here`."""
        self.named.append(f"{kind} {source_id} “{title}”: {what}")

    def to_json(self) -> dict:
        """The report as JSON data (a background job's payload); `from_json` reads it."""
        return {
            "site": self.site,
            "version": self.version,
            "dry_run": self.dry_run,
            "counts": [[*key, n] for key, n in self.counts.items()],
            "reasons": [[*key, n] for key, n in self.reasons.items()],
            "dropped": dict(self.dropped),
            "notes": self.notes,
            "named": self.named,
            "source": self.source,
            "authors": self.authors,
        }

    @classmethod
    def from_json(cls, data: dict) -> Report:
        report = cls(data["site"], data["version"], data["dry_run"])
        report.counts.update({tuple(row[:-1]): row[-1] for row in data["counts"]})
        report.reasons.update({tuple(row[:-1]): row[-1] for row in data["reasons"]})
        report.dropped.update(data["dropped"])
        report.notes, report.named = list(data["notes"]), list(data["named"])
        report.source = data.get("source", "WordPress")
        report.authors = dict(data.get("authors") or {})
        return report

    def version_label(self) -> str:
        """ "WXR 1.2" for WordPress, "Ghost 5.75.0" for Ghost."""
        return f"WXR {self.version}" if self.source == "WordPress" else self.version

    def count(self, kind: str, outcome: str) -> int:
        return self.counts[kind, outcome]

    def rows(self) -> list[tuple[str, list[int]]]:
        """(kind, [n per outcome]) for every kind, in a fixed order."""
        extra = [k for k in EXTRA_KINDS if any(self.counts[k, o] for o in OUTCOMES)]
        return [(kind, [self.counts[kind, o] for o in OUTCOMES]) for kind in (*KINDS, *extra)]

    def reason_lines(self, limit: int = 40) -> list[str]:
        lines = [
            f"{kind} {outcome}: {reason} ({n})"
            for (kind, outcome, reason), n in sorted(
                self.reasons.items(), key=lambda item: (-item[1], item[0])
            )
        ]
        if len(lines) > limit:
            lines = [*lines[:limit], f"... and {len(lines) - limit} other reasons"]
        return lines

    def text(self) -> str:
        head = f"{self.source} import of {self.site or 'an unnamed site'}"
        if self.version:
            head += f" ({self.version_label()})"
        if self.dry_run:
            head += ": dry run, nothing was written"
        width = max(len(k) for k in (*KINDS, *EXTRA_KINDS)) + 2
        lines = [head, "", " " * width + "".join(f"{o:>11}" for o in OUTCOMES)]
        for kind, numbers in self.rows():
            lines.append(f"{kind:<{width}}" + "".join(f"{n:>11}" for n in numbers))
        reasons = self.reason_lines()
        if reasons:
            lines += ["", "Reasons:", *(f"  {line}" for line in reasons)]
        if self.dropped:
            lines += [
                "",
                "Dropped from bodies (never executed):",
                "  " + ", ".join(f"{what} ({n})" for what, n in self.dropped.most_common()),
            ]
        if self.named:
            # Every one, however many: an editor checks each hidden item by hand.
            lines += ["", "Items kept hidden or left out:", *(f"  {line}" for line in self.named)]
        lines += self.notes
        return "\n".join(lines)

    def summary(self) -> str:
        """One line for the audit log."""
        parts = [
            f"{kind} {self.counts[kind, 'imported']}+{self.counts[kind, 'updated']}"
            for kind in ("posts", "pages", "comments", "images")
        ]
        failed = sum(self.counts[k, "failed"] for k in KINDS)
        return f"{self.site}: " + ", ".join(parts) + f" (imported+updated), {failed} failed"
