"""The sharded stack's files (tsedash.prometheus.shards), checked by the real tools: promtool
for every shard's config and rules, `vmalert -dryRun` for every rule file, amtool for
Alertmanager's config; every rule in exactly one tier."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tsedash.encode import dump_json
from tsedash.errors import InputError
from tsedash.processes import find_program
from tsedash.prometheus.rules import alert_rules, recording_file
from tsedash.prometheus.shards import (
    ALERTMANAGER_FILE,
    GLOBAL_ALERTS_FILE,
    SHARD_ALERTS_FILE,
    SHARD_LABEL,
    render_sharded,
    scaling_of,
    shard_config,
    shard_config_file,
    shard_configs,
    shard_of,
    shard_recording_file,
    write_sharded,
)
from tsedash.registry import RegistryError, load_registry, load_registry_text
from tsedash.registry import recorded as rec
from tsedash_dashboards import build_all

from .conftest import ROOT

GLOBAL = "http://victoria-metrics:8428"


def _registry() -> Any:
    return load_registry(ROOT / "instances.yaml")


def _run(program: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_program(program), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sharded")
    write_sharded(_registry(), out, 2, GLOBAL, alertmanager="alertmanager:9093")
    return out


def _rules(path: Path) -> list[dict[str, Any]]:
    return [r for g in yaml.safe_load(path.read_text())["groups"] for r in g["rules"]]


@pytest.mark.parametrize("shard", [0, 1])
def test_promtool_accepts_every_shard(written: Path, shard: int) -> None:
    res = _run("promtool", "check", "config", shard_config_file(shard), cwd=written)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS: 2 rule files found" in res.stdout


def test_vmalert_dry_run_accepts_every_rule_file(written: Path) -> None:
    files = sorted(str(p.relative_to(written)) for p in (written / "rules").glob("*.yml"))
    assert len(files) == 4  # two shards' recording rules, the shards' alerts, vmalert's
    for file in files:
        res = _run("vmalert", "-dryRun", f"-rule={file}", cwd=written)
        assert res.returncode == 0, file + res.stdout + res.stderr


def test_vmalert_dry_run_refuses_a_broken_rule(tmp_path: Path) -> None:
    """The check above can fail: a rule vmalert cannot parse exits non-zero."""
    broken = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "sum(up"}]}]}
    (tmp_path / "broken.yml").write_text(yaml.safe_dump(broken))
    res = _run("vmalert", "-dryRun", "-rule=broken.yml", cwd=tmp_path)
    assert res.returncode != 0


def test_amtool_accepts_the_alertmanager_config(written: Path) -> None:
    res = _run("amtool", "check-config", ALERTMANAGER_FILE, cwd=written)
    assert res.returncode == 0, res.stdout + res.stderr


def test_every_rule_runs_in_exactly_one_tier(written: Path) -> None:
    single = [r["alert"] for g in alert_rules(_registry())["groups"] for r in g["rules"]]
    shards = [r["alert"] for r in _rules(written / SHARD_ALERTS_FILE)]
    vmalert = [r["alert"] for r in _rules(written / GLOBAL_ALERTS_FILE)]
    assert sorted(shards + vmalert) == sorted(single)
    assert set(vmalert) == {
        "InstanceMissing",
        "ExpectedInstancesUnknown",
        "InfrastructureDown",
        "InfrastructureMissing",
    }
    assert not any("record" in r for r in _rules(written / GLOBAL_ALERTS_FILE))


def test_only_the_per_job_buckets_carry_the_shard_label(written: Path) -> None:
    single = recording_file(_registry())["groups"][0]["rules"]
    for shard in (0, 1):
        rules = _rules(written / shard_recording_file(shard))
        labelled = {r["record"]: r["labels"] for r in rules if "labels" in r}
        assert labelled == {rec.JOB_BUCKETS: {SHARD_LABEL: str(shard)}}
        # Otherwise the very rules of one Prometheus.
        assert [{k: v for k, v in r.items() if k != "labels"} for r in rules] == single


def test_service_jobs_are_split_and_the_rest_is_on_shard_zero() -> None:
    registry = _registry()
    configs = shard_configs(registry, 3, GLOBAL)
    infra = {j.job for j in registry.infrastructure} | {"tsedash-expected"}
    for shard, config in enumerate(configs):
        jobs = {j["job_name"]: j for j in config["scrape_configs"]}
        assert set(registry.services) <= set(jobs)
        assert (set(jobs) - set(registry.services)) == (infra if shard == 0 else set())
        for service in registry.services:
            hashmod, keep = jobs[service]["relabel_configs"][:2]
            assert hashmod["action"] == "hashmod" and hashmod["modulus"] == 3
            assert keep == {"source_labels": [hashmod["target_label"]], "regex": str(shard),
                            "action": "keep"}  # fmt: skip
        assert config["remote_write"] == [{"url": f"{GLOBAL}/api/v1/write"}]
        assert "alerting" not in config  # no Alertmanager given
        assert "external_labels" not in config.get("global", {})


def test_shard_of_spreads_many_addresses_evenly() -> None:
    counts = [0, 0, 0, 0]
    for k in range(4000):
        counts[shard_of(f"exchange-{k}:8080", 4)] += 1
    assert all(900 < c < 1100 for c in counts), counts


def test_one_shard_is_the_single_server_plus_remote_write() -> None:
    files = render_sharded(_registry(), 1, GLOBAL)
    config = yaml.safe_load(files[shard_config_file(0)])
    assert all(
        j["relabel_configs"][1]["regex"] == "0"
        for j in config["scrape_configs"]
        if "relabel_configs" in j and j["relabel_configs"][0].get("action") == "hashmod"
    )


@pytest.mark.parametrize(
    ("shards", "url", "message"),
    [
        (0, GLOBAL, "shards must be between 1 and 64"),
        (65, GLOBAL, "shards must be between 1 and 64"),
        (2, "victoria:8428", "is not an http(s) URL"),
    ],
)
def test_bad_settings_are_refused(shards: int, url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        shard_configs(_registry(), shards, url)


def test_a_shard_outside_the_count_is_refused() -> None:
    with pytest.raises(ValueError, match=r"shard 2 is not one of 0\.\.1"):
        shard_config(_registry(), 2, 2, GLOBAL)


SCALING = "scaling: {shards: 2, global_url: 'http://vm:8428', recording_interval: 30s}\n"


def _with(section: str) -> Any:
    return load_registry_text((ROOT / "instances.yaml").read_text() + section, "instances.yaml")


def test_the_registry_sets_shards_store_and_recording_interval() -> None:
    registry = _with(SCALING)
    assert scaling_of(registry) == (2, "http://vm:8428")
    assert scaling_of(registry, 4, "http://other:8428") == (4, "http://other:8428")
    files = render_sharded(registry, 2, "http://vm:8428")
    for name in (shard_recording_file(0), shard_recording_file(1)):
        assert yaml.safe_load(files[name])["groups"][0]["interval"] == "30s"
    assert recording_file(registry)["groups"][0]["interval"] == "30s"
    # Unset: no interval of its own, as before.
    assert "interval" not in recording_file(_registry())["groups"][0]
    assert scaling_of(_registry()) == (1, "")


def test_shards_without_a_store_are_refused() -> None:
    with pytest.raises(InputError, match="2 shards need the global store's URL"):
        scaling_of(_registry(), 2)
    with pytest.raises(RegistryError, match="global_url"):
        _with("scaling: {shards: 2}\n")
    with pytest.raises(RegistryError, match="scaling"):
        _with("scaling: {shards: 0, global_url: 'http://vm:8428'}\n")


def test_the_dashboards_are_byte_identical_on_a_sharded_registry() -> None:
    """Nothing a dashboard holds depends on the shards: the same bytes, with and without
    `scaling:` (both with raw queries and with `recording_rules: true`)."""
    text = (ROOT / "instances.yaml").read_text()
    recorded = text.replace(
        "container_prefix: trading-ecosystem-}",
        "container_prefix: trading-ecosystem-, recording_rules: true}",
    )
    assert recorded != text
    for base in (text, recorded):
        one = load_registry_text(base, "instances.yaml")
        sharded = load_registry_text(base + SCALING, "instances.yaml")
        assert [dump_json(m) for _, m in build_all(one)] == [
            dump_json(m) for _, m in build_all(sharded)
        ]


def test_the_prometheus_command_writes_the_shards(tmp_path: Path, run_cli: Any) -> None:
    out = tmp_path / "prom"
    url = "http://127.0.0.1:8428"
    res = run_cli("prometheus", "--shards", "2", "--global-url", url, "--out", str(out))
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[-1].startswith(f"{out}: 2 shards writing to {url}, 7 instances;")
    assert {p.name for p in out.iterdir()} >= {"shard-0.yml", "shard-1.yml", "alertmanager.yml"}
    for shard in (0, 1):
        config = yaml.safe_load((out / f"shard-{shard}.yml").read_text())
        assert config["remote_write"] == [{"url": f"{url}/api/v1/write"}]
    doc = run_cli(
        "prometheus", "--shards", "2", "--global-url", url, "--out", str(out), "-o", "json"
    )
    assert json_of(doc)["written"] == [] and "shard-0.yml" in json_of(doc)["unchanged"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shards", "2"], "2 shards need the global store's URL"),
        (["--alertmanager", "am:9093"], "--alertmanager applies to shards"),
        (["--shards", "2", "--global-url", "h:1"], "is not an http(s) URL"),
        (
            ["--shards", "2", "--global-url", "http://vm:8428", "--base", "x.yml"],
            "--base and --replace-job apply to one Prometheus",
        ),
    ],
)
def test_the_prometheus_command_refuses_what_shards_cannot_do(
    tmp_path: Path, run_cli: Any, args: list[str], message: str
) -> None:
    (tmp_path / "x.yml").write_text("scrape_configs: []\n")
    res = run_cli("prometheus", *args, "--out", str(tmp_path / "p"))
    assert res.exit_code == 2 and message in res.stderr, res.stderr
    assert not (tmp_path / "p").exists()


def test_deploy_shards_adds_the_overlay_and_one_shard_does_not(
    tmp_path: Path, run_cli: Any
) -> None:
    sharded = run_cli("deploy", "--shards", "2", "--out", str(tmp_path / "a"))
    single = run_cli("deploy", "--out", str(tmp_path / "b"))
    assert sharded.exit_code == single.exit_code == 0, sharded.stderr + single.stderr
    assert (tmp_path / "a" / "docker-compose.sharded.yml").is_file()
    assert sorted(p.name for p in (tmp_path / "a" / "prometheus-shards").glob("shard-*.yml")) == [
        "shard-0.yml",
        "shard-1.yml",
    ]
    assert not (tmp_path / "b" / "docker-compose.sharded.yml").exists()
    single_files = {
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    }
    changed = {
        rel
        for rel in single_files
        if (tmp_path / "a" / rel).read_bytes() != (tmp_path / "b" / rel).read_bytes()
    }
    assert len(single_files) > 20
    assert changed == {Path(".tsedash-deploy-files")}  # the record of what was written


def json_of(res: Any) -> Any:
    import json

    return json.loads(res.stdout)


BUSY = "count_over_time(vector(1)[10m:1ms])"  # 600,000 steps: CPU without any series


def test_the_benchmark_finds_rule_evaluation_in_a_real_cpu_profile(tmp_path: Path) -> None:
    """benchmarks/shards.py's figure: the CPU samples of Prometheus' rule goroutines, read
    from the Go profile of a real Prometheus whose only work is one recording and one alerting
    rule of the same cost."""
    import urllib.request

    from benchmarks.shards import attribute
    from tsedash.processes import ProcessGroup, free_port
    from tsedash.stack import run_prometheus

    rules = {
        "groups": [
            {
                "name": "busy",
                "interval": "1s",
                "rules": [
                    {"record": "busy", "expr": BUSY},
                    {"alert": "Busy", "expr": f"{BUSY} < 0"},
                ],
            }
        ]
    }
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump({"rule_files": ["rules.yml"]}))
    group = ProcessGroup(tmp_path)
    try:
        url = run_prometheus(group, tmp_path / "prometheus.yml", free_port())
        with urllib.request.urlopen(f"{url}/debug/pprof/profile?seconds=3", timeout=30) as resp:
            cpu = attribute(resp.read(), 3)
    finally:
        group.stop_all()
    assert cpu.rules > 0.4 * cpu.process  # most of it; garbage collection is the rest
    assert 0.2 * cpu.rules < cpu.alerts < 0.8 * cpu.rules  # the alert is about half of it
