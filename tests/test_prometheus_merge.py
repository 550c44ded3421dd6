"""Our scrape config merged into the orchestrator's own prometheus.yml: the base is kept, only the
jobs tsedash owns change (checked with the real promtool and a real Prometheus)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tsedash.processes import ProcessGroup, find_program, free_port, http_ok
from tsedash.prometheus import PrometheusMerge, load_base, render_prometheus
from tsedash.prometheus.merge import BaseConfig
from tsedash.registry import load_registry
from tsedash.stack import api

from .conftest import ROOT, Result

RunCli = Callable[..., Result]
ORCHESTRATOR = ROOT / "tests" / "fixtures" / "orchestrator"
COMPOSE = ORCHESTRATOR / "docker-compose.yml"
BASE = ORCHESTRATOR / "prometheus" / "prometheus.yml"
REGISTRY = load_registry(ROOT / "instances.yaml")
SERVICE_TYPES = list(REGISTRY.services)
OUR_RULES = ["rules/tsedash-recording.yml", "rules/tsedash-alerts.yml"]
RELABEL = [{"source_labels": ["__service_instance"], "target_label": "instance"}]


def base_config() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BASE.read_text())
    return data


def job_names(config: dict[str, Any]) -> list[str]:
    return [job["job_name"] for job in config["scrape_configs"]]


def prometheus(run_cli: RunCli, out: Path, *args: str) -> Result:
    return run_cli(
        "prometheus", "--registry", str(ROOT / "instances.yaml"), "--out", str(out), *args
    )


def merged(run_cli: RunCli, out: Path, base: Path = BASE, *args: str) -> dict[str, Any]:
    res = prometheus(run_cli, out, "--base", str(base), *args)
    assert res.exit_code == 0, res.stderr
    config: dict[str, Any] = yaml.safe_load((out / "prometheus.yml").read_text())
    return config


def tree(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_the_fixture_has_the_orchestrators_structure() -> None:
    base = base_config()
    assert base["global"]["external_labels"] == {
        "cluster": "trading-ecosystem",
        "environment": "development",
    }
    assert base["rule_files"] == []
    assert "alerting" in base
    # Every registry service type is one of its jobs, scraped by IP with static labels.
    for name in SERVICE_TYPES:
        [job] = [j for j in base["scrape_configs"] if j["job_name"] == name]
        assert job["static_configs"][0]["targets"][0].startswith("172.20.0.")
        assert job["static_configs"][0]["labels"]["instance_name"] == name


def test_every_base_job_is_kept_in_order_and_owned_ones_replaced_in_place(
    run_cli: RunCli, tmp_path: Path
) -> None:
    base = base_config()
    config = merged(run_cli, tmp_path)
    # Same jobs in the same order; what the base lacks is appended.
    assert job_names(config) == [*job_names(base), "cadvisor", "tsedash-expected"]
    for before, after in zip(base["scrape_configs"], config["scrape_configs"], strict=False):
        name = before["job_name"]
        if name not in SERVICE_TYPES:
            assert after == before, name  # kept exactly
            continue
        svc = REGISTRY.services[name]
        assert after == {
            "job_name": name,
            "metrics_path": REGISTRY.metrics_path(svc),
            "file_sd_configs": [{"files": [f"targets/{name}.json"], "refresh_interval": "30s"}],
            "relabel_configs": RELABEL,
            # The base job's own interval and timeout stay; its static target and labels go.
            "scrape_interval": before["scrape_interval"],
            "scrape_timeout": before["scrape_timeout"],
        }, name
    tse = next(j for j in config["scrape_configs"] if j["job_name"] == "trading-system-engine")
    assert tse["metrics_path"] == "/api/v1/metrics"


def test_global_alerting_and_top_level_order_are_the_bases(run_cli: RunCli, tmp_path: Path) -> None:
    base = base_config()
    config = merged(run_cli, tmp_path)
    assert config["global"] == base["global"]  # scrape_interval, external_labels …
    assert config["global"]["external_labels"] == {
        "cluster": "trading-ecosystem",
        "environment": "development",
    }
    assert config["alerting"] == base["alerting"]
    assert list(config) == list(base)
    assert config["rule_files"] == OUR_RULES  # `rule_files: []` + ours


def test_rule_files_are_appended_once(run_cli: RunCli, tmp_path: Path) -> None:
    base = base_config()
    base["rule_files"] = ["alerts/own.yml", "rules/tsedash-alerts.yml"]
    path = tmp_path / "base.yml"
    path.write_text(yaml.safe_dump(base, sort_keys=False))
    config = merged(run_cli, tmp_path / "out", path)
    assert config["rule_files"] == [
        "alerts/own.yml",
        "rules/tsedash-alerts.yml",
        "rules/tsedash-recording.yml",
    ]


def test_infrastructure_jobs_of_the_base_are_kept_not_duplicated(
    run_cli: RunCli, tmp_path: Path
) -> None:
    base = base_config()
    config = merged(run_cli, tmp_path)
    names = job_names(config)
    assert len(names) == len(set(names))
    for infra in ("redis", "postgres", "prometheus", "grafana", "jaeger"):
        assert next(j for j in config["scrape_configs"] if j["job_name"] == infra) == next(
            j for j in base["scrape_configs"] if j["job_name"] == infra
        )
        assert not (tmp_path / "targets" / f"{infra}.json").exists()  # the base's own targets
    # cadvisor is a registry infrastructure job the base lacks: ours, with its targets file.
    cadvisor = next(j for j in config["scrape_configs"] if j["job_name"] == "cadvisor")
    assert cadvisor["file_sd_configs"][0]["files"] == ["targets/cadvisor.json"]
    assert json.loads((tmp_path / "targets" / "cadvisor.json").read_text())[0]["targets"] == [
        "cadvisor:8080"
    ]
    expected = config["scrape_configs"][-1]
    assert expected == {
        "job_name": "tsedash-expected",
        "honor_labels": True,
        "metrics_path": "/metrics",
        "static_configs": [{"targets": ["tsedash-expected:9099"]}],
    }


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_program("promtool"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_promtool_accepts_the_merged_config(run_cli: RunCli, tmp_path: Path) -> None:
    merged(run_cli, tmp_path)
    res = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS: 2 rule files found" in res.stdout  # our rules, found beside it
    # Our file_sd targets are real: job = service type, instance = instance name.
    res = promtool(
        "check", "service-discovery", "--timeout=1s", "prometheus.yml", "exchange-simulator",
        cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    [target] = json.loads(res.stdout)
    assert (target["labels"]["job"], target["labels"]["instance"]) == (
        "exchange-simulator",
        "exchange-okx",
    )
    assert target["labels"]["__scrape_timeout__"] == "5s"  # the base job's timeout


def test_the_cli_line_and_json(run_cli: RunCli, tmp_path: Path) -> None:
    res = prometheus(run_cli, tmp_path / "a", "--base", str(BASE))
    assert res.exit_code == 0, res.stderr
    assert (
        f"prometheus.yml from {BASE}: kept 9 jobs (prometheus, redis, postgres, "
        "service-registry, go-services, python-services, grafana, jaeger, otel-collector), "
        "replaced 7 (audit-correlator, custodian-simulator, exchange-simulator, "
        "market-data-simulator, risk-monitor, trading-system-engine, test-coordinator), "
        "added 2 (cadvisor, tsedash-expected); kept global, alerting; rule_files + 2"
    ) in res.stdout.splitlines()
    assert res.stdout.splitlines()[-1].startswith(f"{tmp_path / 'a'}: 18 jobs, 7 instances;")

    res = prometheus(run_cli, tmp_path / "b", "--base", str(BASE), "--json")
    assert res.exit_code == 0, res.stderr
    document = json.loads(res.stdout)
    assert document["base"] == {
        "base": str(BASE),
        "found_beside": None,
        "kept": [
            "prometheus", "redis", "postgres", "service-registry", "go-services",
            "python-services", "grafana", "jaeger", "otel-collector",
        ],
        "replaced": [
            "audit-correlator", "custodian-simulator", "exchange-simulator",
            "market-data-simulator", "risk-monitor", "trading-system-engine", "test-coordinator",
        ],
        "added": ["cadvisor", "tsedash-expected"],
        "settings": ["global", "alerting"],
        "rule_files_added": OUR_RULES,
    }  # fmt: skip
    assert "prometheus.yml" in document["written"] and document["removed"] == []
    assert json.loads(prometheus(run_cli, tmp_path / "c", "--json").stdout)["base"] is None


def test_deterministic_and_says_where_it_came_from(run_cli: RunCli, tmp_path: Path) -> None:
    merged(run_cli, tmp_path / "a")
    merged(run_cli, tmp_path / "b")
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first == second
    header = first["prometheus.yml"].decode().split("\nglobal:", 1)[0]
    assert "the base config\n#   " + str(BASE) in header
    assert f"run `tsedash prometheus --base {BASE}`" in header
    # Rewriting the same output again changes nothing.
    res = prometheus(run_cli, tmp_path / "a", "--base", str(BASE))
    assert "0 written" in res.stdout


def test_merging_our_own_output_again_changes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    merged(run_cli, tmp_path / "a")
    again = merged(run_cli, tmp_path / "b", tmp_path / "a" / "prometheus.yml")
    assert again == yaml.safe_load((tmp_path / "a" / "prometheus.yml").read_text())
    body = (tmp_path / "a" / "prometheus.yml").read_text().split("\nglobal:", 1)[1]
    assert (tmp_path / "b" / "prometheus.yml").read_text().split("\nglobal:", 1)[1] == body
    assert (tmp_path / "b" / "targets" / "cadvisor.json").is_file()  # still read by cadvisor


def test_without_a_base_the_output_is_todays(run_cli: RunCli, tmp_path: Path) -> None:
    res = prometheus(run_cli, tmp_path)
    assert res.exit_code == 0, res.stderr
    assert "prometheus.yml from" not in res.stdout
    committed = (ROOT / "deploy" / "prometheus" / "prometheus.yml").read_bytes()
    assert (tmp_path / "prometheus.yml").read_bytes() == committed
    assert render_prometheus(REGISTRY) == render_prometheus(REGISTRY, merge=None)


CUSTOM_JOB = """\
  - job_name: exchange-simulator
    kubernetes_sd_configs:
      - role: pod
    relabel_configs:
      - source_labels: [__meta_kubernetes_pod_label_app]
        regex: exchange
        action: keep
"""


def _with_custom_job(tmp_path: Path) -> Path:
    text = BASE.read_text()
    start = text.index("  - job_name: 'exchange-simulator'")
    end = text.index("  - job_name: 'market-data-simulator'")
    path = tmp_path / "custom.yml"
    path.write_text(text[:start] + CUSTOM_JOB + "\n" + text[end:])
    return path


def test_an_owned_job_of_unknown_shape_is_an_error(run_cli: RunCli, tmp_path: Path) -> None:
    base = _with_custom_job(tmp_path)
    out = tmp_path / "out"
    merged(run_cli, out)  # an earlier good output, which the failure must not touch
    before = tree(out)
    res = prometheus(run_cli, out, "--base", str(base))
    assert res.exit_code == 2
    line = base.read_text().splitlines().index("  - job_name: exchange-simulator") + 1
    assert res.stderr.splitlines() == [
        f"{base}:{line}: error: scrape_configs[6] (job 'exchange-simulator'): tsedash replaces "
        "this job (a registry service type) but does not know its kubernetes_sd_configs, "
        "relabel_configs: replacing it would drop them; pass --replace-job exchange-simulator "
        "to replace it anyway, or rename the job"
    ]
    assert tree(out) == before

    config = merged(run_cli, out, base, "--replace-job", "exchange-simulator")
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "exchange-simulator")
    assert "kubernetes_sd_configs" not in job and job["relabel_configs"] == RELABEL
    assert job_names(config).index("exchange-simulator") == 6  # same place

    res = prometheus(run_cli, out, "--base", str(base), "--replace-job", "redis")
    assert res.exit_code == 2
    assert "--replace-job redis: not a job tsedash replaces" in res.stderr


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (None, 0, "the Prometheus base config: file not found"),
        (
            "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: [a\n",
            5,
            "YAML syntax error",
        ),
        ("- job_name: a\n", 1, "not a Prometheus config: the document is a list"),
        ("scrape_configs:\n  job_name: a\n", 1, "scrape_configs: is not a list of jobs"),
        ("scrape_configs:\n  - static_configs: []\n", 2, "scrape_configs[0]: has no job_name"),
        (
            "scrape_configs:\n  - job_name: a\n  - job_name: a\n",
            3,
            "scrape_configs[1]: job 'a' is defined twice (first at line 2)",
        ),
        ("rule_files: alerts.yml\n", 1, "rule_files: is not a list of file names"),
        ("global: {a: 1, a: 2}\n", 1, "duplicate key 'a'"),
    ],
)
def test_a_bad_base_is_one_line_and_writes_nothing(
    run_cli: RunCli, tmp_path: Path, text: str | None, line: int, reason: str
) -> None:
    base = tmp_path / "base.yml"
    if text is not None:
        base.write_text(text)
    out = tmp_path / "out"
    prometheus(run_cli, out)
    before = tree(out)
    res = prometheus(run_cli, out, "--base", str(base))
    assert res.exit_code == 2
    [message] = res.stderr.splitlines()
    where = f"{base}:{line}: error: " if line else f"{base}: error: "
    assert message.startswith(where), message
    assert reason in message
    assert res.stdout == ""
    assert tree(out) == before


def test_scrape_interval_with_a_base_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    res = prometheus(run_cli, tmp_path, "--base", str(BASE), "--scrape-interval", "5s")
    assert res.exit_code == 2
    assert "keeps its own global section" in res.stderr
    assert not tmp_path.joinpath("prometheus.yml").exists()


def test_deploy_finds_the_base_beside_the_orchestrators_compose_file(
    run_cli: RunCli, tmp_path: Path
) -> None:
    registry = ["--registry", str(ROOT / "instances.yaml"), "--compose", str(COMPOSE)]
    res = run_cli("deploy", *registry, "--out", str(tmp_path / "d"))
    assert res.exit_code == 0, res.stderr
    assert f"prometheus.yml from {BASE} (found beside {COMPOSE}): kept 9 jobs" in res.stdout
    merged(run_cli, tmp_path / "p")
    deployed = (tmp_path / "d" / "prometheus" / "prometheus.yml").read_bytes()
    assert deployed == (tmp_path / "p" / "prometheus.yml").read_bytes()

    # --no-base: today's file; --base: another base wins over the one beside.
    res = run_cli("deploy", *registry, "--out", str(tmp_path / "n"), "--no-base")
    assert res.exit_code == 0 and "prometheus.yml from" not in res.stdout
    assert (tmp_path / "n" / "prometheus" / "prometheus.yml").read_bytes() == (
        ROOT / "deploy" / "prometheus" / "prometheus.yml"
    ).read_bytes()
    other = _with_custom_job(tmp_path)
    res = run_cli("deploy", *registry, "--out", str(tmp_path / "o"), "--base", str(other))
    assert res.exit_code == 2 and f"{other}:" in res.stderr  # the given base was read
    res = run_cli("deploy", *registry, "--out", str(tmp_path / "j"), "--json")
    assert json.loads(res.stdout)["base"]["found_beside"] == str(COMPOSE)


def test_build_deploy_merges_and_rebuilds_when_the_base_changes(
    run_cli: RunCli, tmp_path: Path
) -> None:
    orchestrator = tmp_path / "orchestrator"
    shutil.copytree(ORCHESTRATOR, orchestrator)
    base = orchestrator / "prometheus" / "prometheus.yml"
    args = [
        "build", "--registry", str(ROOT / "instances.yaml"),
        "--compose", str(orchestrator / "docker-compose.yml"),
        "--out", str(tmp_path / "prov"), "--deploy", str(tmp_path / "d"), "--json",
    ]  # fmt: skip
    res = run_cli(*args)
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["deploy"]["base"]["found_beside"] == str(
        orchestrator / "docker-compose.yml"
    )
    written = tmp_path / "d" / "prometheus" / "prometheus.yml"
    assert "external_labels" in written.read_text()
    # An edit of the base is an input of the build: the next build merges it.
    base.write_text(
        base.read_text()
        + "  - job_name: 'node'\n    static_configs:\n      - targets: ['172.20.0.90:9100']\n"
    )
    res = run_cli(*args)
    assert res.exit_code == 0, res.stderr
    assert "node" in job_names(yaml.safe_load(written.read_text()))
    res = run_cli("build", "--out", str(tmp_path / "x"), "--base", str(base))
    assert res.exit_code == 2 and "apply with --deploy" in res.stderr


def test_load_base_keeps_unknown_keys_and_their_order(tmp_path: Path) -> None:
    path = tmp_path / "base.yml"
    path.write_text(
        "remote_write:\n  - url: http://thanos:19291/api/v1/receive\n"
        "global: {scrape_interval: 30s}\n"
        "scrape_configs:\n  - job_name: own\n    static_configs: [{targets: ['a:1']}]\n"
        "storage: {tsdb: {out_of_order_time_window: 10m}}\n"
    )
    base = load_base(path)
    assert isinstance(base, BaseConfig) and base.job_lines == (5,)
    config = yaml.safe_load(
        render_prometheus(REGISTRY, merge=PrometheusMerge(base))["prometheus.yml"]
    )
    assert list(config) == ["remote_write", "global", "rule_files", "scrape_configs", "storage"]
    assert config["remote_write"] == [{"url": "http://thanos:19291/api/v1/receive"}]
    assert config["storage"] == {"tsdb": {"out_of_order_time_window": "10m"}}
    assert config["global"] == {"scrape_interval": "30s"}
    assert job_names(config) == [
        "own",
        *SERVICE_TYPES,
        *(j.job for j in REGISTRY.infrastructure),
        "tsedash-expected",
    ]


def test_a_real_prometheus_loads_the_merged_config(run_cli: RunCli, tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    merged(run_cli, config_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    group = ProcessGroup(tmp_path)
    try:
        group.start(
            "prometheus",
            [
                find_program("prometheus"),
                f"--config.file={config_dir / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            ready=lambda: http_ok(f"{url}/-/ready"),
        )
        loaded = yaml.safe_load(api(url, "/api/v1/status/config")["data"]["yaml"])
        assert loaded["global"]["external_labels"] == {
            "cluster": "trading-ecosystem",
            "environment": "development",
        }
        assert job_names(loaded) == [*job_names(base_config()), "cadvisor", "tsedash-expected"]
        # Our file_sd targets reach the scrape manager (its first sync takes ~5 s).
        deadline = time.monotonic() + 10
        ours: list[tuple[str, str]] = []
        while time.monotonic() < deadline and not ours:
            targets = api(url, "/api/v1/targets")["data"]["activeTargets"]
            ours = sorted(
                (t["labels"]["job"], t["labels"]["instance"])
                for t in targets
                if t["scrapePool"] == "exchange-simulator"
            )
            time.sleep(0.2)
        assert ours == [("exchange-simulator", "exchange-okx")]
    finally:
        group.stop_all()
