"""`tsedash registry show|check` on the default registry, and the entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from .conftest import ROOT, Result, registry_text

RunCli = Callable[..., Result]
Write = Callable[[str], Path]
DEFAULT = str(ROOT / "instances.yaml")

# The `registry show --json` contract: one object per instance, these fields at least.
CONTRACT = {
    "type": "array",
    "items": {
        "type": "object",
        "required": [
            "service_name",
            "instance_name",
            "singleton",
            "category",
            "schema_name",
            "redis_namespace",
            "discovery_key",
            "container_name",
            "address",
            "volumes",
            "source",
        ],
        "properties": {
            "singleton": {"type": "boolean"},
            "volumes": {
                "type": "object",
                "required": ["data", "logs"],
                "additionalProperties": False,
                "properties": {
                    kind: {
                        "type": "object",
                        "required": ["host", "container"],
                        "additionalProperties": False,
                        "properties": {"host": {"type": "string"}, "container": {"type": "string"}},
                    }
                    for kind in ("data", "logs")
                },
            },
        },
    },
}

# The seven instances orchestrator-docker runs (lower-case, as its Python services require).
REAL_INSTANCES = [
    "audit-correlator",
    "test-coordinator",
    "exchange-okx",
    "custodian-komainu",
    "market-data-coinmetrics",
    "risk-monitor-lh",
    "trading-engine-lh",
]


def show_json(run_cli: RunCli) -> list[dict[str, object]]:
    res = run_cli("registry", "show", "--json", "--registry", DEFAULT)
    assert (
        res.stdout == run_cli("registry", "show", "--format", "json", "--registry", DEFAULT).stdout
    )
    assert res.exit_code == 0, res.stderr
    data: list[dict[str, object]] = json.loads(res.stdout)
    return data


def test_default_registry_json_matches_the_contract(run_cli: RunCli) -> None:
    data = show_json(run_cli)
    errors = list(Draft202012Validator(CONTRACT).iter_errors(data))
    assert errors == []
    assert [d["instance_name"] for d in data] == REAL_INSTANCES


def test_default_registry_values_follow_the_adapters(run_cli: RunCli) -> None:
    by_name = {d["instance_name"]: d for d in show_json(run_cli)}
    for name, item in by_name.items():
        service = item["service_name"]
        assert item["discovery_key"] == f"services:{service}:{name}"
        assert item["container_name"] == f"trading-ecosystem-{name}"
        # The orchestrator mounts ./volumes/<instance>/{data,logs} at /app/{data,logs}.
        assert item["volumes"] == {
            "data": {"host": f"volumes/{name}/data", "container": "/app/data"},
            "logs": {"host": f"volumes/{name}/logs", "container": "/app/logs"},
        }
        # Addresses are the compose service (= the type) and HTTP_PORT 8080.
        assert item["address"] == f"{service}:8080"
    assert by_name["audit-correlator"]["schema_name"] == "audit"
    assert by_name["custodian-komainu"]["schema_name"] == "custodian_komainu"
    assert by_name["market-data-coinmetrics"]["redis_namespace"] == "market_data:coinmetrics"
    assert by_name["trading-engine-lh"]["redis_namespace"] == "trading_engine:lh"
    assert by_name["trading-engine-lh"]["derivation"] == "trading-engine-py"
    singletons = sorted(n for n, d in by_name.items() if d["singleton"])
    assert singletons == ["audit-correlator", "test-coordinator"]


def test_default_registry_declares_the_seed_ecosystem() -> None:
    raw = yaml.safe_load((ROOT / "instances.yaml").read_text())
    metrics = {m["name"] for s in raw["services"].values() for m in s.get("metrics", [])}
    assert metrics == {
        "audit_events_total",
        "trades_total",
        "settlements_total",
        "price_updates_total",
        "orders_total",
        "alerts_total",
    }
    assert [j["job"] for j in raw["infrastructure"]] == [
        "redis",
        "postgres",
        "prometheus",
        "grafana",
        "jaeger",
        "cadvisor",
    ]


OKX_WIDE = [
    "exchange-okx",
    "exchange-simulator",
    "exchange",
    "exchange_okx",
    "exchange:okx",
    "first-two-parts",
    "exchange-simulator:8080",
    "trading-ecosystem-exchange-okx",
    "services:exchange-simulator:exchange-okx",
    "yaml",
]


def test_table_is_readable_and_fits_100_columns(run_cli: RunCli) -> None:
    res = run_cli("registry", "show", "--registry", DEFAULT)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["INSTANCE", "SERVICE", "SCHEMA", "REDIS", "NAMESPACE"]
    okx = next(ln for ln in lines if ln.startswith("exchange-okx "))
    assert okx.split() == ["exchange-okx", "exchange-simulator", "exchange_okx", "exchange:okx"]
    assert lines[1].startswith("audit-correlator *")
    assert "…" not in res.stdout  # the default registry's names fit whole
    assert max(len(ln) for ln in lines) == 96
    assert "7 instances (2 singletons" in res.stdout
    assert lines[-1].startswith("-o wide adds category, derivation, address")
    assert res.stderr == ""  # the one ambiguity (risk-monitor's namespace) is acknowledged


def test_wide_table_has_every_column(run_cli: RunCli) -> None:
    res = run_cli("registry", "show", "-o", "wide", "--registry", DEFAULT)
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split()[:3] == ["INSTANCE", "SERVICE", "CATEGORY"]
    assert lines[0].endswith("DISCOVERY KEY" + " " * 43 + "SOURCE")
    assert next(ln for ln in lines if ln.startswith("exchange-okx ")).split() == OKX_WIDE
    assert max(len(ln) for ln in lines) == 263
    assert "-o wide" not in res.stdout


def test_long_names_are_shortened_to_fit(run_cli: RunCli, write_registry: Write) -> None:
    long = "exchange-" + "verylongvenuename" * 3  # 60 characters: schema and namespace too
    text = registry_text(
        f"instances:\n  - {{service: exchange-simulator, name: {long}}}\n"
        "  - {service: audit-correlator}\n"
    )
    path = write_registry(text)
    res = run_cli("registry", "show", "--registry", str(path))
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert max(len(ln) for ln in lines) == 100
    row = lines[1].split("  ")
    # The widest columns shortened in turn (the instance last): 26 + 18 + 25 + 25 + 3 * 2.
    assert [c.strip() for c in row if c] == [long[:25] + "…", "exchange-simulator"] + [
        f"exchange{sep}verylongvenuena…" for sep in "_:"
    ]
    assert lines[2].startswith("audit-correlator *")
    assert res.stdout == run_cli("registry", "show", "--registry", str(path)).stdout
    wide = run_cli("registry", "show", "-o", "wide", "--registry", str(path)).stdout
    assert "…" not in wide and long in wide


def test_a_shortened_singleton_keeps_its_mark(write_registry: Write) -> None:
    from tsedash.registry import load_registry_text
    from tsedash.registry.tables import render_table

    name = "audit-correlator-" + "x" * 40
    text = registry_text(f"instances:\n  - service: {name}\n").replace(
        "  audit-correlator:\n", f"  {name}:\n", 1
    )
    table = render_table(load_registry_text(text, "r.yaml"), width=60)
    # 17 + 16 + 6 + 15 and three separators: 60.
    assert table.splitlines()[1] == f"{name[:14]}… *  {name[:15]}…  audit   audit"
    assert len(table.splitlines()[0]) == 60
    # Never below a column's header (or 8): too narrow a terminal gets the narrowest table.
    narrowest = render_table(load_registry_text(text, "r.yaml"), width=10).splitlines()
    assert narrowest[0] == "INSTANCE  SERVICE   SCHEMA  REDIS NAMESPACE"
    assert narrowest[1] == f"{name[:5]}… *  {name[:7]}…  audit   audit"


def test_output_formats_and_aliases(run_cli: RunCli) -> None:
    as_json = json.loads(run_cli("registry", "show", "-o", "json", "--registry", DEFAULT).stdout)
    assert as_json == show_json(run_cli)
    as_yaml = run_cli("registry", "show", "-o", "yaml", "--registry", DEFAULT)
    assert yaml.safe_load(as_yaml.stdout) == as_json
    table = run_cli("registry", "show", "--format", "table", "--registry", DEFAULT).stdout
    assert table == run_cli("registry", "show", "--registry", DEFAULT).stdout
    res = run_cli("registry", "show", "--json", "-o", "yaml")
    assert res.exit_code == 2 and "--json is -o json" in res.stderr
    check = run_cli("registry", "check", "-o", "yaml", "--registry", DEFAULT)
    assert yaml.safe_load(check.stdout) == {
        "ok": True,
        "errors": [],
        "warnings": [],
        "skipped": [],
    }


def test_check_default_registry_passes_without_warnings(run_cli: RunCli) -> None:
    res = run_cli("registry", "check", "--registry", DEFAULT)
    assert res.exit_code == 0
    assert res.stdout.strip() == (
        f"{DEFAULT}: ok: 7 instances of 7 service types, 6 infrastructure jobs"
    )
    assert res.stderr == ""


def test_acknowledgement_is_what_silences_the_warning(run_cli: RunCli, tmp_path: Path) -> None:
    text = (ROOT / "instances.yaml").read_text()
    start = text.index("    acknowledge:\n      namespace-pattern:")
    end = text.index("    metrics:", start)
    bare = tmp_path / "instances.yaml"
    bare.write_text(text[:start] + text[end:])
    res = run_cli("registry", "check", "--json", "--registry", str(bare))
    payload = json.loads(res.stdout)
    assert res.exit_code == 0 and payload["ok"] is True and payload["errors"] == []
    assert [(w["code"], w["where"]) for w in payload["warnings"]] == [
        ("namespace-pattern", "instances[5] (risk-monitor-lh)")
    ]
    assert "risk:monitor-lh" in payload["warnings"][0]["message"]


def test_unknown_option_is_usage_error(run_cli: RunCli) -> None:
    res = run_cli("registry", "show", "--format", "xml")
    assert res.exit_code == 2
    assert "Invalid value for '--format'" in res.stderr


def _run(args: list[str], cwd: str = str(ROOT)) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TSEDASH_REGISTRY"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, check=False)


def test_console_script_and_build_py_use_the_default_registry() -> None:
    exe = os.path.join(os.path.dirname(sys.executable), "tsedash")
    res = _run([exe, "registry", "show", "--format", "json"])
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)) == 7
    res = _run([sys.executable, "build.py", "--help"])
    assert res.returncode == 0
    assert "Usage: tsedash build" in res.stdout


def test_console_script_bad_registry_has_no_traceback(tmp_path: object) -> None:
    exe = os.path.join(os.path.dirname(sys.executable), "tsedash")
    res = _run([exe, "registry", "check", "--registry", "does-not-exist.yaml"])
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0
