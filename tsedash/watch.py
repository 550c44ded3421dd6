"""`tsedash watch`: rebuild when an input changes, push when asked, keep the last good output.

Each cycle runs `tsedash build` (and `tsedash push`) as a fresh process: a change to the
dashboard code is picked up like a change to the registry, and a broken edit fails that
process only. The build writes everything the registry decides — the dashboards and, with
`--deploy DIR`, the scrape targets, rules, expected instances and deploy files — and is
all-or-nothing (registry, validation and lint errors write nothing), so the last good files
stay byte for byte. Inputs are polled by size and modification time, which needs no
file-system events and works on every mount. When a cycle changed the scrape targets, a
`ScrapeTracker` (tsedash.scrapewatch) follows them in the running Prometheus in the background.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsedash import remote
from tsedash.errors import InputError
from tsedash.pipeline.inputs import BaseChoice, BuildInputs, SourceSpec, default_extras
from tsedash.scrapewatch import ScrapeTracker, Target, read_targets, target_changes

Snapshot = dict[Path, tuple[int, int]]
CONTENT_PACKAGES = ("tsedash_dashboards", "tsedash_panels")
SHOWN = 4  # written files named on a cycle line
LIVE = ("prometheus/targets/", "prometheus/expected/")  # under the deploy directory


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


@dataclass(frozen=True)
class WatchPlan:
    """What each cycle builds (the build's inputs and options) and pushes."""

    inputs: BuildInputs
    out: Path = Path("provisioning")
    lint: bool = True  # strict
    deploy: Path | None = Path("deploy")
    push: tuple[str, ...] | None = None  # `tsedash push` arguments, with a context

    def build_args(self) -> list[str]:
        """`tsedash build` arguments: the inputs as options, then how to build (quiet: a
        cycle is one line, without the migration report)."""
        args = [*self.inputs.argv(self.deploy is not None), "--out", str(self.out)]
        args += ["--lint", "--strict"] if self.lint else []
        return args + (["--deploy", str(self.deploy)] if self.deploy else []) + ["-q"]

    def watching(self) -> str:
        """What `tsedash watch` says before its first cycle."""
        files, dirs = self.files(), self.dirs()
        return f"watching {len(files)} files and {len(dirs)} directories; Ctrl-C stops"

    def files(self) -> list[Path]:
        return self.inputs.files(self.deploy is not None)

    def dirs(self) -> list[Path]:
        return [*self.inputs.dirs(), *content_dirs()]


def plan_watch(
    sources: SourceSpec,
    extras: Path | None,
    base: BaseChoice,
    out: Path,
    no_lint: bool,
    deploy_out: Path,
    no_deploy: bool,
    prometheus_url: str | None,
    context: str | None,
    contexts_file: Path | None,
) -> tuple[WatchPlan, str | None]:
    """`tsedash watch`'s options as a plan and the Prometheus to follow (refused, exit 2,
    before any cycle when they cannot go together or the URL cannot be sent)."""
    inputs = BuildInputs(sources, default_extras(extras), None, base)
    if no_deploy and (prometheus_url or base != BaseChoice()):
        raise InputError(
            "--prometheus, --base, --no-base and --replace-job need the deploy "
            "directory: drop --no-deploy"
        )
    url = remote.check_url(prometheus_url, "--prometheus") if prometheus_url else None
    push: tuple[str, ...] | None = None
    if context:  # a wrong name, file or secret fails now, not at every cycle
        from tsedash.grafana.contexts import checked_context

        checked_context(context, contexts_file)
        push = ("--out", str(out), "--context", context)
        push += ("--contexts", str(contexts_file)) if contexts_file else ()
    return WatchPlan(inputs, out, not no_lint, None if no_deploy else deploy_out, push), url


def watch(
    plan: WatchPlan,
    say: Callable[[str], None],
    interval: float = 0.5,
    prometheus_url: str | None = None,
    cycles: int | None = None,
) -> None:
    """Build now and after every change to the plan's files, following target changes in
    the Prometheus at `prometheus_url` when given."""
    targets = plan.deploy / "prometheus" / "targets" if plan.deploy else None
    tracker = ScrapeTracker(prometheus_url, say) if prometheus_url else None
    push = list(plan.push) if plan.push is not None else None
    watcher = Watcher(plan.build_args(), plan.files(), plan.dirs(), push, interval, say,
                      targets=targets, tracker=tracker)  # fmt: skip
    try:
        watcher.run(cycles)
    finally:
        if tracker is not None:
            tracker.close()


def run_watch(
    plan: WatchPlan,
    say: Callable[[str], None],
    interval: float = 0.5,
    prometheus_url: str | None = None,
    cycles: int | None = None,
) -> None:
    """`watch` until Ctrl-C or SIGTERM (`kill`, `docker stop`: stopped alike), then "stopped";
    `say` is called under a lock (the scrape tracker's lines come from its own thread)."""
    lock = threading.Lock()

    def said(line: str) -> None:
        with lock:
            say(line)

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        watch(plan, said, interval, prometheus_url, cycles)
    except KeyboardInterrupt:
        say("stopped")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


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
    targets: Path | None = None  # the file_sd directory the build writes (DIR/prometheus/targets)
    tracker: ScrapeTracker | None = None  # follows target changes in a running Prometheus

    def run(self, cycles: int | None = None) -> None:
        """Build now, then after every change; `cycles` bounds the rebuilds (tests)."""
        done = 0
        seen = watched_files(self.files, self.dirs)
        self._cycle("start", time.time())
        while cycles is None or done < cycles:
            time.sleep(self.interval)
            now = watched_files(self.files, self.dirs)
            if now == seen:
                continue
            changed = sorted(p for p in {*now, *seen} if now.get(p) != seen.get(p))
            # When the edit was saved (the newest changed file), what the scrape times count from.
            edited_at = max((now[p][0] / 1e9 for p in changed if p in now), default=time.time())
            time.sleep(self.interval / 2)  # an editor writing in several steps settles
            seen = watched_files(self.files, self.dirs)
            self._cycle(_names(changed), edited_at)
            done += 1

    def _cycle(self, why: str, edited_at: float) -> Cycle:
        before = self._targets()
        started = time.perf_counter()
        built = _tsedash(["build", *self.build_args, "--json"])
        took = time.perf_counter() - started
        if built.returncode != 0:
            first = _first_line(built.stderr) or f"build exited {built.returncode}"
            cycle = Cycle(f"{first} (previous output kept)")
        else:
            summary = json.loads(built.stdout)
            dashboards_written = bool(summary["written"])  # what a push would send
            cycle = Cycle(f"built {_counts(summary)} in {took:.1f}s", wrote=dashboards_written)
            if self.push_args is not None and (cycle.wrote or why == "start"):
                cycle.line += "; " + self._push()
            after = self._targets()
            added, removed = after - before, before - after
            if added or removed:
                cycle.line += "; " + target_changes(added, removed)
                if self.tracker is not None:
                    self.tracker.expect(added, removed, edited_at)
        self.echo(f"{self.clock()} {why}: {cycle.line}")
        return cycle

    def _targets(self) -> set[Target]:
        return read_targets(self.targets) if self.targets is not None else set()

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


def _counts(summary: dict[str, Any]) -> str:
    """`2 written (targets/exchange-simulator.json, expected/metrics), 31 unchanged`: the
    provisioning files and, with --deploy, the deployment artefacts together."""
    sections = [summary, *([summary["deploy"]] if summary.get("deploy") else [])]
    written = sorted((rel for section in sections for rel in section["written"]), key=_live_first)
    unchanged = sum(len(section["unchanged"]) for section in sections)
    removed = sum(len(section["removed"]) for section in sections)
    shown = ", ".join(_short(rel) for rel in written[:SHOWN])
    shown += f" and {len(written) - SHOWN} more" if len(written) > SHOWN else ""
    names = f" ({shown})" if shown else ""
    gone = f", {removed} removed" if removed else ""
    return f"{len(written)} written{names}, {unchanged} unchanged{gone}"


def _live_first(rel: str) -> tuple[int, str]:
    """Scrape targets and expected instances first: a running Prometheus reads them live."""
    rank = next((i for i, prefix in enumerate(LIVE) if rel.startswith(prefix)), len(LIVE))
    return (rank, rel)


def _short(rel: str) -> str:
    """The last two parts of a written path: `targets/exchange-simulator.json`."""
    return "/".join(Path(rel).parts[-2:])


def _names(paths: list[Path]) -> str:
    shown = ", ".join(p.name for p in paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
