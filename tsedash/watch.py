"""`tsedash watch`: rebuild when an input changes, push when asked, keep the last good output.

Each cycle runs `tsedash build` (and `tsedash push`) as a fresh process: a change to the
dashboard code is picked up like a change to the registry, and a broken edit fails that
process only. The build itself is all-or-nothing (registry, validation and lint errors write
nothing), so `provisioning/` keeps the last good files, byte for byte. Inputs are polled by
size and modification time, which needs no file-system events and works on every mount.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Snapshot = dict[Path, tuple[int, int]]
CONTENT_PACKAGES = ("tsedash_dashboards", "tsedash_panels")


def content_dirs() -> list[Path]:
    """Where the dashboard code lives (the installed content packages), without importing it."""
    dirs = []
    for name in CONTENT_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            dirs.append(Path(spec.origin).parent)
    return dirs


def watched_files(files: Iterable[Path], dirs: Iterable[Path]) -> Snapshot:
    """Size and modification time of each file, and of every file under the directories
    (Python, JSON and YAML: what a build reads); a missing file is simply absent."""
    out: Snapshot = {}
    candidates = list(files)
    for directory in dirs:
        if directory.is_dir():
            candidates += [
                p
                for p in sorted(directory.rglob("*"))
                if p.suffix in (".py", ".json", ".yaml", ".yml")
            ]
    for path in candidates:
        try:
            st = path.stat()
        except OSError:
            continue
        out[path] = (st.st_mtime_ns, st.st_size)
    return out


@dataclass
class Cycle:
    """What one rebuild did, as one line."""

    line: str
    wrote: bool = False


@dataclass
class Watcher:
    build_args: Sequence[str]  # arguments of `tsedash build` (out, registry, lint…)
    files: Sequence[Path]
    dirs: Sequence[Path]
    push_args: Sequence[str] | None = None  # arguments of `tsedash push`, with a context
    interval: float = 0.5
    echo: Callable[[str], None] = print
    clock: Callable[[], str] = field(default=lambda: time.strftime("%H:%M:%S"))

    def run(self, cycles: int | None = None) -> None:
        """Build now, then after every change; `cycles` bounds the rebuilds (tests)."""
        done = 0
        seen = watched_files(self.files, self.dirs)
        self._cycle("start")
        while cycles is None or done < cycles:
            time.sleep(self.interval)
            now = watched_files(self.files, self.dirs)
            if now == seen:
                continue
            changed = sorted(p for p in {*now, *seen} if now.get(p) != seen.get(p))
            time.sleep(self.interval / 2)  # an editor writing in several steps settles
            seen = watched_files(self.files, self.dirs)
            self._cycle(_names(changed))
            done += 1

    def _cycle(self, why: str) -> Cycle:
        started = time.perf_counter()
        built = _tsedash(["build", *self.build_args, "--json"])
        took = time.perf_counter() - started
        if built.returncode != 0:
            first = _first_line(built.stderr) or f"build exited {built.returncode}"
            cycle = Cycle(f"{first} (previous output kept)")
        else:
            summary = json.loads(built.stdout)
            written, unchanged = len(summary["written"]), len(summary["unchanged"])
            cycle = Cycle(
                f"built {written} written, {unchanged} unchanged in {took:.1f}s",
                wrote=written > 0,
            )
            if self.push_args is not None and (cycle.wrote or why == "start"):
                cycle.line += "; " + self._push()
        self.echo(f"{self.clock()} {why}: {cycle.line}")
        return cycle

    def _push(self) -> str:
        assert self.push_args is not None
        pushed = _tsedash(["push", *self.push_args, "--json"])
        try:
            summary = json.loads(pushed.stdout)
        except json.JSONDecodeError:
            return f"push failed: {_first_line(pushed.stderr) or f'exit {pushed.returncode}'}"
        counts: dict[str, int] = {}
        for dash in summary["dashboards"]:
            counts[dash["action"]] = counts.get(dash["action"], 0) + 1
        shown = ", ".join(f"{n} {a}" for a, n in sorted(counts.items()))
        return f"pushed: {shown}" + ("" if pushed.returncode == 0 else " (push exit 3)")


def _tsedash(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tsedash", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _first_line(text: str) -> str:
    """The first error line (warnings may come before it), with how many more there are."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    errors = [ln for ln in lines if "error" in ln] or lines
    if not errors:
        return ""
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return errors[0] + more


def _names(paths: list[Path]) -> str:
    shown = ", ".join(p.name for p in paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
