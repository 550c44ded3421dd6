"""After `tsedash watch` rewrote the scrape targets: is each new instance scraped, and when?

file_sd picks a changed `targets/<job>.json` up without a restart: on its file watch or, at the
latest, at the job's `refresh_interval` (30s in our config), then Prometheus' discovery manager
passes it on within about 5 s, and the first scrape follows within one scrape interval. The
tracker polls `up{job=…}` in a background thread, so the watch loop never waits for it, and
reports each new instance's first `up == 1` with the seconds since the edit (the scrape's own
timestamp), each removed one when its `up` is gone, or that it did not happen after two
refresh intervals (plus the discovery update and a scrape interval). The refresh and scrape
intervals are read from the running Prometheus' own config (`/api/v1/status/config`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tsedash.prometheus import SERVICE_INSTANCE_LABEL
from tsedash.verify import PrometheusUnreachable, prometheus_api

Target = tuple[str, str]  # (job, instance), as `up` is labelled after relabeling
DISCOVERY_UPDATE = 5.0  # seconds: the discovery manager sends target updates at most this often
POLL = 0.5  # seconds between looks while something is pending
MAX_LINES = 10  # per edit: the rest of a large change is summed up in one line
# Prometheus' defaults when the config does not say (file_sd refresh, global scrape interval).
DEFAULT_REFRESH = 300.0
DEFAULT_SCRAPE = 60.0
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")


def read_targets(directory: Path) -> set[Target]:
    """(job, instance) of every file_sd entry in `directory` (`<job>.json`): the instance is
    the relabeled `__service_instance`, else the address (an infrastructure job)."""
    found: set[Target] = set()
    for path in sorted(directory.glob("*.json")):
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a broken file is the build's business, not the tracker's
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            labels = entry.get("labels") or {}
            for address in entry.get("targets") or []:
                found.add((path.stem, str(labels.get(SERVICE_INSTANCE_LABEL) or address)))
    return found


def seconds(duration: str) -> float:
    """A Prometheus duration (`30s`, `1m30s`, `500ms`) in seconds."""
    parts = _DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"{duration!r} is not a Prometheus duration")
    return sum(int(n) * _UNITS[u] for n, u in parts)


@dataclass(frozen=True)
class JobTiming:
    refresh: float  # file_sd refresh_interval
    scrape: float

    def patience(self) -> float:
        """How long a targets change may take to show in `up`."""
        return 2 * self.refresh + DISCOVERY_UPDATE + self.scrape

    def explain(self) -> str:
        return (
            f"2 file_sd refreshes of {self.refresh:g}s + {DISCOVERY_UPDATE:g}s discovery "
            f"+ a {self.scrape:g}s scrape"
        )


def job_timings(config_yaml: str) -> dict[str, JobTiming]:
    """Each file_sd job's refresh and scrape intervals in a Prometheus config."""
    config = yaml.safe_load(config_yaml) or {}
    default_scrape = (config.get("global") or {}).get("scrape_interval")
    out = {}
    for job in config.get("scrape_configs") or []:
        sd = job.get("file_sd_configs") or []
        if not sd:
            continue
        refresh = sd[0].get("refresh_interval")
        scrape = job.get("scrape_interval") or default_scrape
        out[str(job.get("job_name"))] = JobTiming(
            seconds(refresh) if refresh else DEFAULT_REFRESH,
            seconds(scrape) if scrape else DEFAULT_SCRAPE,
        )
    return out


@dataclass
class _Change:
    """One edit's target changes, until each is seen in Prometheus or its time is up."""

    edited_at: float  # wall clock, seconds: what the reported times count from
    written_at: float  # when the build had written the targets: what the patience counts from
    waiting: dict[Target, bool]  # target → True: added (wait for up == 1), False: removed
    timings: dict[str, JobTiming] | None = None
    last_seen: dict[Target, str] = field(default_factory=dict)
    lines: int = 0
    quiet: list[tuple[Target, float]] = field(default_factory=list)  # beyond MAX_LINES


class ScrapeTracker:
    """Follows target changes in Prometheus in a background thread; one line per outcome."""

    def __init__(
        self,
        prometheus: str,
        echo: Callable[[str], None],
        clock: Callable[[], str] = lambda: time.strftime("%H:%M:%S"),
        timeout: float = 10.0,
    ) -> None:
        self.url = prometheus
        self.echo = echo
        self.clock = clock
        self.timeout = timeout
        self._changes: list[_Change] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="tsedash scrapes", daemon=True)
        self._thread.start()

    def expect(self, added: set[Target], removed: set[Target], edited_at: float) -> None:
        """Called by the watch loop once the build wrote the targets; returns at once."""
        if not added and not removed:
            return
        waiting = {t: True for t in sorted(added)} | {t: False for t in sorted(removed)}
        with self._lock:
            self._changes.append(_Change(edited_at, time.time(), waiting))
        self._wake.set()

    def idle(self) -> bool:
        with self._lock:
            return not self._changes

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self._thread.join(timeout=5)

    # --- the thread --------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(None if self.idle() else POLL)
            self._wake.clear()
            with self._lock:
                changes = list(self._changes)
            for change in changes:
                try:
                    self._look(change)
                except PrometheusUnreachable as exc:
                    for target in change.waiting:
                        change.last_seen[target] = str(exc)
                    self._give_up_when_due(change)
                except Exception as exc:  # an answer we cannot read: say so, drop that edit
                    self._say(f"cannot follow the targets in {self.url}: {exc}")
                    change.waiting.clear()
                if not change.waiting:
                    with self._lock:
                        self._changes.remove(change)

    def _look(self, change: _Change) -> None:
        if change.timings is None:
            config = prometheus_api(self.url, "/api/v1/status/config", {}, self.timeout)
            change.timings = job_timings(str((config.get("data") or {}).get("yaml", "")))
            self._unknown_jobs(change)
        for job in sorted({job for job, _ in change.waiting}):
            up = self._up(job)
            for (j, instance), added in list(change.waiting.items()):
                if j != job:
                    continue
                value = up.get(instance)
                if added and value == 1.0:
                    self._resolved(change, (job, instance), self._scraped_at(job, instance))
                elif not added and value is None:
                    self._resolved(change, (job, instance), time.time())
                else:
                    change.last_seen[(job, instance)] = (
                        "no target yet" if value is None else f"up == {value:g}"
                    )
        self._give_up_when_due(change)

    def _unknown_jobs(self, change: _Change) -> None:
        """A job the running Prometheus has no file_sd config for: it will never scrape it."""
        assert change.timings is not None
        for target in [t for t, added in change.waiting.items() if added]:
            if target[0] not in change.timings:
                del change.waiting[target]
                self._say(
                    f"not scraped: {target[1]} ({target[0]}): the running Prometheus has no "
                    f"file_sd job {target[0]!r}; reload it with the new prometheus.yml"
                )

    def _up(self, job: str) -> dict[str, float]:
        body = prometheus_api(
            self.url, "/api/v1/query", {"query": f"up{{job={_quoted(job)}}}"}, self.timeout
        )
        result = (body.get("data") or {}).get("result") or []
        return {s["metric"].get("instance", ""): float(s["value"][1]) for s in result}

    def _scraped_at(self, job: str, instance: str) -> float:
        """The time of the scrape that wrote the `up` sample (not the query's)."""
        query = f"timestamp(up{{job={_quoted(job)},instance={_quoted(instance)}}})"
        body = prometheus_api(self.url, "/api/v1/query", {"query": query}, self.timeout)
        result = (body.get("data") or {}).get("result") or []
        return float(result[0]["value"][1]) if result else time.time()

    def _resolved(self, change: _Change, target: Target, at: float) -> None:
        added = change.waiting.pop(target)
        took = max(0.0, at - change.edited_at)
        if change.lines < MAX_LINES:
            change.lines += 1
            job, instance = target
            if added:
                self._say(f"scraped: {instance} ({job}) up == 1 {took:.1f}s after the edit")
            else:
                self._say(f"unscraped: {instance} ({job}) gone {took:.1f}s after the edit")
        else:
            change.quiet.append((target, took))

    def _give_up_when_due(self, change: _Change) -> None:
        now = time.time()
        late = []
        for target in list(change.waiting):
            timing = (change.timings or {}).get(target[0]) or JobTiming(30.0, 15.0)
            if now - change.written_at > timing.patience():
                late.append((target, change.waiting.pop(target), timing))
        for (job, instance), added, timing in late[:MAX_LINES]:
            state = change.last_seen.get((job, instance), "not looked at yet")
            what = "not scraped" if added else "still scraped"
            self._say(
                f"{what}: {instance} ({job}) {now - change.edited_at:.0f}s after the edit "
                f"({timing.explain()}); last seen: {state}"
            )
        if len(late) > MAX_LINES:
            self._say(f"not as expected: {len(late) - MAX_LINES} more targets")
        if not change.waiting and change.quiet:
            slowest = max(t for _, t in change.quiet)
            self._say(
                f"and {len(change.quiet)} more as expected, the last {slowest:.1f}s after the edit"
            )
            change.quiet.clear()

    def _say(self, line: str) -> None:
        self.echo(f"{self.clock()} {line}")


def _quoted(value: str) -> str:
    """A PromQL string literal."""
    return json.dumps(value)


def target_changes(added: set[Target], removed: set[Target]) -> str:
    """`targets: +a, +b, -c` for a cycle line (at most three names, then a count)."""
    names = [f"+{i}" for _, i in sorted(added)] + [f"-{i}" for _, i in sorted(removed)]
    if not names:
        return ""
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return "targets: " + ", ".join(names[:3]) + more
