"""What push, restore and diff say, as lines (the command prints them, colouring the diffs)
and as documents (-o json|yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tsedash.grafana.sync import DiffResult, PushReport

BAR = 40  # the widest +/- bar of `diff --stat`


@dataclass(frozen=True)
class Line:
    text: str
    err: bool = False  # a failure: on stderr
    diff: bool = False  # a line of a unified diff (coloured on a terminal)
    indent: str = ""


def _diff(text: str, indent: str = "", err: bool = False) -> list[Line]:
    return [Line(line, err, True, indent) for line in text.splitlines()]


def push_lines(url: str, api: str, report: PushReport) -> list[Line]:
    """One line per dashboard (each failure on stderr, with its diff), then the counts."""
    out = [Line(f"grafana {url} ({api}): folder {report.folder_uid} {report.folder}")]
    counts: dict[str, int] = {}
    for o in report.outcomes:
        version = f" (version {o.version})" if o.version else ""
        detail = f": {o.detail}" if o.detail else ""
        backup = f"; live copy saved to {o.backup}" if o.backup else ""
        out.append(Line(f"  {o.action:<15} {o.uid}{version}{detail}{backup}", o.action.fails))
        out += _diff(o.diff, "      ", o.action.fails)
        counts[str(o.action)] = counts.get(str(o.action), 0) + 1
    summary = ", ".join(f"{n} {a}" for a, n in sorted(counts.items()))
    return [*out, Line(f"{summary}; {report.writes} writes, {report.requests} requests")]


@dataclass(frozen=True)
class Stat:
    uid: str
    added: int
    removed: int


def diff_stat(results: list[DiffResult]) -> list[Stat]:
    """Lines added and removed per dashboard (git's --stat), from the unified diffs."""
    out = []
    for r in results:
        lines = [ln for ln in r.diff.splitlines() if not ln.startswith(("+++", "---"))]
        added = sum(ln.startswith("+") for ln in lines)
        out.append(Stat(r.uid, added, sum(ln.startswith("-") for ln in lines)))
    return out


def diff_lines(results: list[DiffResult], stat: bool) -> list[Line]:
    """Each dashboard's status and diff; with `stat` one line each, `uid | n +++--`, scaled
    to a bar of at most BAR signs as git does, and the total."""
    if not stat:
        return [line for r in results for line in [Line(f"{r.uid}: {r.status}"), *_diff(r.diff)]]
    stats = diff_stat(results)
    width = max([len(s.uid) for s in stats] or [0])
    most = max([s.added + s.removed for s in stats] or [0])
    out = []
    for s in stats:
        total = s.added + s.removed
        scale = min(1.0, BAR / most) if most else 1.0
        plus, minus = round(s.added * scale), round(s.removed * scale)
        out.append(Line(f" {s.uid:<{width}} | {total:>5} {'+' * plus}{'-' * minus}"))
    changed = sum(1 for s in stats if s.added + s.removed)
    added, removed = sum(s.added for s in stats), sum(s.removed for s in stats)
    word = "dashboard" if changed == 1 else "dashboards"
    return [*out, Line(f" {changed} {word} changed, {added} insertions(+), {removed} deletions(-)")]


def diff_document(results: list[DiffResult], stat: bool) -> list[dict[str, Any]]:
    """The diff as a document: each dashboard's uid, status, counts and (without --stat) diff."""
    return [
        {
            "uid": r.uid,
            "status": r.status,
            "added": s.added,
            "removed": s.removed,
            **({} if stat else {"diff": r.diff}),
        }
        for r, s in zip(results, diff_stat(results), strict=True)
    ]
