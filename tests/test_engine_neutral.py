"""The Restarts panel gives the same answer on Prometheus and on VictoriaMetrics (issue 27).

The same samples go into both engines: backfilled into Debian's Prometheus with `promtool tsdb
create-blocks-from openmetrics`, imported into Debian's VictoriaMetrics through
/api/v1/import/prometheus. Then the panel's own expression (tsedash.queries.restarts, with
Grafana's macros expanded) runs on both at the same instants. One instance per case: steady,
restarted once and twice inside the range, restarted before it, and first scraped inside the
range (a new series is not a restart), once without and once with a restart after that.

MetricsQL's `changes()` counts a series that starts inside the window as one change (its
rollupChanges counts the first sample when there is none before the window); its `resets()`
does not. The old expression, `changes(...[$__range])`, is run too, to show the difference.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tsedash.processes import ProcessGroup, find_program, http_ok
from tsedash.queries import restarts
from tsedash.queries.expand import expand, macro_values
from tsedash.registry import exposition as ex
from tsedash.stack import LOOPBACK, api, distinct_free_ports, run_prometheus

SCRAPE = 15  # seconds between samples
RANGE = 3600  # the dashboard's range, seconds
HISTORY = 2 * RANGE  # samples from END - HISTORY to END
DAY = 86_400
JOB = "exchange-simulator"


@dataclass(frozen=True)
class Case:
    """One instance: scraped from `first_scraped` on, its process started at `starts` (both
    in seconds before END); `restarts` is the right answer over the range ending at END."""

    instance: str
    first_scraped: int
    starts: tuple[int, ...]
    restarts: int

    def start_time_at(self, ago: int) -> int | None:
        """process_start_time_seconds as scraped `ago` seconds before END (relative)."""
        if ago > self.first_scraped:
            return None
        return -min(s for s in self.starts if s >= ago)


CASES = (
    Case("steady", HISTORY, (DAY,), 0),
    Case("restarted-before-the-range", HISTORY, (DAY, 5400 + 4), 0),
    Case("restarted-once", HISTORY, (DAY, 1800 + 4), 1),
    Case("restarted-twice", HISTORY, (DAY, 2400 + 4, 1200 + 4), 2),
    Case("first-scraped-inside", 1500, (1500 + 3,), 0),
    Case("first-scraped-inside-then-restarted", 1500, (1500 + 3, 600 + 4), 1),
    # One sample, at END: younger than a step of the subquery, which may then hold no point
    # of it; the panel still shows it, with 0.
    Case("first-scraped-at-the-end", 0, (3,), 0),
)
NEW_SERIES = {"first-scraped-inside", "first-scraped-inside-then-restarted"}
NEW_SERIES |= {"first-scraped-at-the-end"}


@dataclass(frozen=True)
class Engines:
    prometheus: str
    victoria: str
    end: int  # Unix seconds: the instant the range ends at


def _samples(end: int) -> Iterator[tuple[str, float, int]]:
    """(labels, value, Unix seconds) of every case's start-time series."""
    for case in CASES:
        labels = f'job="{JOB}",instance="{case.instance}"'
        for ago in range(HISTORY, -1, -SCRAPE):
            relative = case.start_time_at(ago)
            if relative is not None:
                yield labels, float(end + relative), end - ago


def _backfill_prometheus(group: ProcessGroup, end: int, port: int) -> str:
    lines = [f"# TYPE {ex.START_TIME} gauge"]
    lines += [f"{ex.START_TIME}{{{lab}}} {v:.0f} {t}" for lab, v, t in _samples(end)]
    source = group.workdir / "samples.om"
    source.write_text("\n".join([*lines, "# EOF", ""]))
    data = group.workdir / "prometheus-data"  # where run_prometheus keeps it
    subprocess.run(
        [find_program("promtool"), "tsdb", "create-blocks-from", "openmetrics", source, data],
        check=True,
        capture_output=True,
    )
    config = group.workdir / "prometheus.yml"
    config.write_text("global: {scrape_interval: 15s}\n")  # no targets: the backfill only
    return run_prometheus(group, config, port)


def _import_victoria(group: ProcessGroup, end: int, port: int) -> str:
    url = f"http://{LOOPBACK}:{port}"
    group.start(
        "victoria-metrics",
        [
            find_program("victoria-metrics"),
            f"-httpListenAddr={LOOPBACK}:{port}",
            f"-storageDataPath={group.workdir / 'victoria-data'}",
            "-retentionPeriod=1y",
            "-search.disableCache",  # answers computed from the imported samples only
        ],
        ready=lambda: http_ok(f"{url}/health"),
    )
    text = "\n".join(f"{ex.START_TIME}{{{lab}}} {v:.0f} {t * 1000}" for lab, v, t in _samples(end))
    request = urllib.request.Request(
        f"{url}/api/v1/import/prometheus", data=text.encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):
        pass
    with urllib.request.urlopen(f"{url}/internal/force_flush", timeout=10):
        pass  # the imported samples searchable now, not after the next flush
    return url


@pytest.fixture(scope="module")
def engines() -> Iterator[Engines]:
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-engines-"))
    group = ProcessGroup(workdir)
    # An hour back, on a whole minute: far from VictoriaMetrics' latency offset and from
    # Prometheus' head block, the same subquery step alignment on every run.
    end = int(time.time()) // 60 * 60 - RANGE
    try:
        prometheus_port, victoria_port = distinct_free_ports(2)
        yield Engines(
            _backfill_prometheus(group, end, prometheus_port),
            _import_victoria(group, end, victoria_port),
            end,
        )
    finally:
        group.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def _query(url: str, expr: str, at: float) -> dict[str, float]:
    body = api(url, "/api/v1/query", {"query": expr, "time": f"{at:.3f}"})
    assert body["status"] == "success", body
    return {s["metric"]["instance"]: float(s["value"][1]) for s in body["data"]["result"]}


def _panel_expr(interval: str, time_range: str = f"{RANGE}s") -> str:
    """The Restarts panel's expression as Grafana sends it (every instance selected)."""
    macros = macro_values(rate_interval="1m", interval=interval, time_range=time_range)
    return expand(restarts(JOB).expr, {**macros, "service": ".*", "instance": ".*"})


def _both(engines: Engines, expr: str, at: float) -> tuple[dict[str, float], dict[str, float]]:
    return _query(engines.prometheus, expr, at), _query(engines.victoria, expr, at)


EXPECTED = {case.instance: float(case.restarts) for case in CASES}


@pytest.mark.parametrize("interval", ["15s", "1m", "5m"])
@pytest.mark.parametrize("shift", [0, 7, 43])
def test_the_restarts_panel_gives_the_right_count_on_both_engines(
    engines: Engines, interval: str, shift: int
) -> None:
    """`shift` moves the instant (and with it the range) off the samples' grid; `interval`
    is Grafana's `$__interval`, the subquery's step (restarts here are 10 m or more apart)."""
    prometheus, victoria = _both(engines, _panel_expr(interval), engines.end + shift)
    assert prometheus == EXPECTED
    assert victoria == EXPECTED


def test_the_old_changes_expression_counts_a_new_series_on_victoria_metrics_only(
    engines: Engines,
) -> None:
    old = f'changes({ex.START_TIME}{{job="{JOB}"}}[{RANGE}s])'
    prometheus, victoria = _both(engines, old, engines.end)
    assert prometheus == EXPECTED
    assert victoria != prometheus
    assert {i for i in EXPECTED if victoria[i] != EXPECTED[i]} == NEW_SERIES
    assert all(victoria[i] == EXPECTED[i] + 1 for i in NEW_SERIES)


def test_a_restart_at_the_start_of_the_range_counts_on_victoria_metrics_only(
    engines: Engines,
) -> None:
    """The documented limit, one step wide: MetricsQL's `resets` compares the range's
    first point with the one before the range, PromQL looks inside the range only. A restart
    between the two (here the once-restarted instance's, 2 s after the range starts, before
    its first point) is counted by VictoriaMetrics alone."""
    restart = engines.end - (1800 + 4)
    at = restart - 2 + 1200  # a 20 m range starting 2 s before the restart
    prometheus, victoria = _both(engines, _panel_expr("15s", "1200s"), at)
    assert prometheus["restarted-once"] == 0
    assert victoria["restarted-once"] == 1
