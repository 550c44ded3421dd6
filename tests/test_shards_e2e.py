"""End to end, the sharded stack (issue 27): two real Prometheus shards (hashmod) remote-write
into Debian's VictoriaMetrics; vmalert evaluates the whole-picture alerts over it and sends
them, as the shards send theirs, to a real Alertmanager; a reference Prometheus scrapes the same
targets alone. The simulator serves the orchestrator's instances; one of them ("missing") is
in the registry but in no targets file, another ("victim") is killed half-way.

Alert `for` durations are shortened to tests/vmstack.FOR: with 1 s scrapes and evaluations, a
5 s `for` is at least as quick to fire on a transient as 1 m is at 15 s. The healthy window is
HEALTHY_WINDOW seconds, the 5 minutes of a deployment by default: Alertmanager is watched from
the moment the store holds every target's `up` and Alertmanager the one true alert, while the
checks that change nothing run, until the window is full; the first fault made (a killed
instance, a copied series, a stopped shard) comes after it and would end it early.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import tsedash_dashboards
from tsedash import pipeline
from tsedash.processes import ProcessGroup
from tsedash.prometheus.shards import shard_of
from tsedash.registry import load_registry
from tsedash.registry import recorded as rec
from tsedash.stack import api
from tsedash.verify import verify
from tsedash.verify.api import PrometheusAPI
from tsedash.verify.compare import LAG, RECORDED_TOLERANCE, compare, default_comparisons
from tsedash.verify.health import from_shards, from_up, overlapping

from .conftest import ROOT
from .test_e2e_prometheus import _registry_file
from .vmstack import VMStack, delete_series, query, start_vmstack, wait_until

HEALTHY_WINDOW = float(os.environ.get("TSEDASH_HEALTHY_WINDOW", "300"))
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture(scope="module")
def stack() -> Iterator[VMStack]:
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-shards-"))
    group = ProcessGroup(workdir)
    started: VMStack | None = None
    try:
        started = start_vmstack(group, load_registry(ROOT / "instances.yaml"))
        scraped = len(started.registry.instances) - 1 + len(started.registry.infrastructure)
        wait_until(
            "every scraped target's `up` in VictoriaMetrics",
            lambda: len(query(started.victoria, 'up{job!="tsedash-expected"}')) == scraped,
        )
        ready = time.monotonic()
        wanted = {("InstanceMissing", started.missing)}
        wait_until("only the true InstanceMissing", lambda: _alerts(started) == wanted)
        started.watch_alerts()  # the healthy window starts: every target up, no ramp-up alert
        time.sleep(max(0.0, ready + 6 - time.monotonic()))  # samples for the 1m rate windows
        yield started
    finally:
        if started:
            started.end_healthy_window()
        for simulator in started.simulators if started else []:
            simulator.stop()
        group.stop_all()
        assert all(m.proc.poll() is not None for m in group.started)
        shutil.rmtree(workdir, ignore_errors=True)


def _targets(url: str) -> list[dict[str, object]]:
    targets: list[dict[str, object]] = api(url, "/api/v1/targets", {"state": "active"})["data"][
        "activeTargets"
    ]
    return targets


def _keys(targets: list[dict[str, object]]) -> set[tuple[str, str]]:
    return {(t["labels"]["job"], t["labels"]["instance"]) for t in targets}  # type: ignore[index]


def test_the_shards_split_the_registry_without_overlap(stack: VMStack) -> None:
    by_shard = [_targets(url) for url in stack.shards]
    assert all(by_shard), "every shard keeps some targets"
    for shard, targets in enumerate(by_shard):  # Prometheus' hashmod is shard_of's
        kept = {
            t["discoveredLabels"]["__address__"]  # type: ignore[index]
            for t in targets
            if t["labels"]["job"] in stack.registry.services  # type: ignore[index]
        }
        assert {shard_of(a, len(by_shard)) for a in kept} == {shard}
    assert overlapping(by_shard) == set()
    services = {
        (i.service_name, i.instance_name)
        for i in stack.registry.instances
        if i.instance_name != stack.missing
    }
    union = set().union(*(_keys(t) for t in by_shard))
    assert {k for k in union if k[0] in stack.registry.services} == services
    # Infrastructure and the expected-instances list: shard 0 only.
    assert {k[0] for k in _keys(by_shard[1])} <= set(stack.registry.services)
    assert {"prometheus", "tsedash-expected"} <= {k[0] for k in _keys(by_shard[0])}


def test_health_from_up_in_the_store(stack: VMStack) -> None:
    states = {
        (s.job, s.instance): s.state
        for s in from_up(PrometheusAPI(stack.victoria, 10), stack.registry)
    }
    missing = next(i for i in stack.registry.instances if i.instance_name == stack.missing)
    assert states.pop((missing.service_name, missing.instance_name)) == "missing"
    assert set(states.values()) == {"up"}
    assert ("prometheus", "") in states
    # What the store's target API says instead: nothing at all.
    assert _targets(stack.victoria) == []


def test_health_from_the_shards_target_apis(stack: VMStack) -> None:
    api_ = PrometheusAPI(stack.victoria, 10)
    by_shards = from_shards(stack.shards)(api_, stack.registry)
    by_up = from_up(api_, stack.registry)
    assert [(s.job, s.instance, s.state) for s in by_shards] == [
        (s.job, s.instance, s.state) for s in by_up
    ]


def _alerts(stack: VMStack) -> set[tuple[str, str]]:
    return {(a["labels"]["alertname"], a["labels"].get("instance", "")) for a in stack.alerts()}


def test_store_values_equal_the_reference_prometheus(stack: VMStack) -> None:
    stack.wait_for_full_windows()
    # The stack runs VictoriaMetrics with -search.latencyOffset=1s: 8 s covers the batches.
    comparisons = default_comparisons(stack.registry, scrape_interval=1)
    report = compare(stack.victoria, stack.reference, stack.registry, comparisons, time.time() - 8)
    assert report.failures() == []
    assert report.checked > 50
    print("largest relative gaps:", report.worst)  # shown with -s; docs/scaling.md quotes them
    assert max(v for k, v in report.worst.items() if not k.startswith("raw")) < RECORDED_TOLERANCE


def test_the_per_job_buckets_carry_the_shard_label_only_in_the_store(stack: VMStack) -> None:
    shards = {s["metric"].get("shard") for s in query(stack.victoria, rec.JOB_BUCKETS)}
    assert shards == {"0", "1"}
    assert all("shard" not in s["metric"] for s in query(stack.victoria, rec.REQUESTS))


def test_verify_on_the_store_finds_data_for_every_scraped_instance(stack: VMStack) -> None:
    provisioning = stack.config_dir.parent / "provisioning"
    registry_file = _registry_file(stack.registry, stack.config_dir.parent / "instances.yaml")
    pipeline.build(registry_file, tsedash_dashboards, provisioning)
    report = verify(stack.victoria, stack.registry, provisioning, health=from_up)
    failures = report.failures()
    assert failures, "the missing instance is a finding"
    assert all(stack.missing in line for line in failures), failures


def test_the_verify_command_on_the_store_with_a_reference(stack: VMStack) -> None:
    """`tsedash verify --health up --reference URL` and `--shard-targets`: the same findings
    as the library (only the missing instance), and the values compared with the reference."""
    import json

    from click.testing import CliRunner

    from tsedash.cli import cli

    stack.wait_for_full_windows(LAG + 75)  # the command compares full windows at now - LAG
    provisioning = stack.config_dir.parent / "provisioning"
    registry_file = _registry_file(stack.registry, stack.config_dir.parent / "instances.yaml")
    pipeline.build(registry_file, tsedash_dashboards, provisioning)
    base = ["verify", "--prometheus", stack.victoria, "--registry", str(registry_file)]
    base += ["--dashboards", str(provisioning), "-o", "json"]
    runner = CliRunner()
    by_up = runner.invoke(cli, [*base, "--health", "up", "--reference", stack.reference])
    assert by_up.exit_code == 1, by_up.stderr
    doc = json.loads(by_up.stdout)
    assert doc["failures"] and all(stack.missing in line for line in doc["failures"])
    assert doc["comparison"]["checked"] > 50 and doc["comparison"]["differences"] == []
    shards = [a for url in stack.shards for a in ("--shard-targets", url)]
    by_shards = runner.invoke(cli, [*base, *shards])
    assert by_shards.exit_code == 1 and json.loads(by_shards.stdout)["comparison"] is None
    scraped = {s["instance"]: s["state"] for s in json.loads(by_shards.stdout)["scrapes"]}
    assert scraped[stack.missing] == "missing"
    assert {state for name, state in scraped.items() if name != stack.missing} == {"up"}
    both = runner.invoke(cli, [*base, *shards, "--health", "up"])
    assert both.exit_code == 2
    assert "--shard-targets and --health up exclude each other" in both.stderr


def test_a_healthy_window_raises_only_the_one_true_instance_missing(stack: VMStack) -> None:
    """Every alert Alertmanager held in HEALTHY_WINDOW seconds of the healthy stack, polled
    each second since the stack was ready (the tests above ran meanwhile): only the one true
    InstanceMissing, for the instance no targets file lists."""
    assert stack.watch is not None
    length = stack.watch.stop_after(HEALTHY_WINDOW)
    assert length >= HEALTHY_WINDOW, "a fault was made inside the window"
    assert stack.watch.errors == []
    assert stack.watch.polls > HEALTHY_WINDOW / 2  # the watch ran all along
    assert stack.watch.seen == {("InstanceMissing", stack.missing)}
    assert [a["labels"]["alertname"] for a in stack.alerts()] == ["InstanceMissing"]


def test_a_killed_instance_reaches_alertmanager_as_one_instance_down(stack: VMStack) -> None:
    stack.kill_victim()
    wanted = {("InstanceMissing", stack.missing), ("InstanceDown", stack.victim)}
    wait_until("InstanceDown for the killed instance", lambda: _alerts(stack) == wanted)
    time.sleep(5)  # a second shard or vmalert would add its copy by now
    names = sorted(a["labels"]["alertname"] for a in stack.alerts())
    assert names == ["InstanceDown", "InstanceMissing"]
    states = {
        s.instance: s.state for s in from_up(PrometheusAPI(stack.victoria, 10), stack.registry)
    }
    assert states[stack.victim] == "down"


def test_doubled_buckets_in_the_store_fail_the_comparison(stack: VMStack) -> None:
    """A third writer of the per-job buckets (a shard recorded twice): presence is fine, the
    values are not, and the comparison says which."""
    stack.end_healthy_window()
    rows = query(stack.victoria, rec.JOB_BUCKETS)
    now = int(time.time() * 1000)
    lines = []
    for row in rows:
        labels = {**row["metric"], "shard": "copy"}
        name = labels.pop("__name__")
        text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for offset in range(0, 40_000, 1000):
            lines.append(f"{name}{{{text}}} {row['value'][1]} {now - offset}")
    request = urllib.request.Request(
        f"{stack.victoria}/api/v1/import/prometheus", data="\n".join(lines).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):
        pass
    wait_until(
        "the copy visible",
        lambda: any(
            s["metric"].get("shard") == "copy" for s in query(stack.victoria, rec.JOB_BUCKETS)
        ),
    )
    report = compare(stack.victoria, stack.reference, stack.registry, at=time.time() - 2)
    buckets = [line for line in report.failures() if line.startswith("buckets per type")]
    assert buckets and all("store" in line for line in buckets)
    delete_series(stack.victoria, '{shard="copy"}')  # the store as the shards wrote it again


def test_a_stopped_shard_is_seen_in_health_and_values(stack: VMStack) -> None:
    """Shard 1 stops. The store keeps answering its series' last values for minutes, so
    health from `up` goes by the samples' age; once the store holds nothing of shard 1 (its
    series deleted: a store that misses a shard), the comparison names its instances and
    every type it recorded buckets for, though every type still has data."""
    stack.stop_shard(1)
    lost = {
        i.instance_name
        for i in stack.registry.instances
        if shard_of(i.address, len(stack.shards)) == 1
        and i.instance_name not in (stack.victim, stack.missing)
    }
    assert lost, "shard 1 scrapes more than the victim"
    api_ = PrometheusAPI(stack.victoria, 10)

    def not_up() -> set[str]:
        """Stale (no new sample: "is its shard writing?") or, once the staleness markers
        Prometheus writes as it stops have landed, missing: either way not "up"."""
        results = from_up(api_, stack.registry, max_age=5)
        return {s.instance for s in results if s.state != "up"} & lost

    assert wait_until("shard 1's instances no longer up in the store", lambda: not_up() == lost)
    names = "|".join(lost | {stack.victim})
    delete_series(stack.victoria, '{shard="1"}')
    delete_series(stack.victoria, f'{{instance=~"{names}"}}')
    report = compare(stack.victoria, stack.reference, stack.registry, at=time.time() - 1)
    failures = report.failures()
    gone = [line for line in failures if line.startswith("requests per instance")]
    assert {i for i in lost if any(f'instance="{i}"' in line for line in gone)} == lost, failures
    assert all("missing in the store" in line for line in gone)
    types = {i.service_name for i in stack.registry.instances if i.instance_name in lost}
    buckets = [line for line in failures if line.startswith("buckets per type")]
    assert {t for t in types if any(f'job="{t}"' in line for line in buckets)} == types
