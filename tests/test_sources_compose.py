"""Instances from docker-compose files, merged with instances.yaml."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tsedash.registry import RegistryError
from tsedash.registry.merge import load_sources
from tsedash.registry.sources.compose import interpolate, load_compose, read_dotenv

from .conftest import ROOT, Result, line_of

RunCli = Callable[..., Result]
FIX = ROOT / "tests" / "fixtures" / "compose"
BASE, OVERRIDE = FIX / "docker-compose.yml", FIX / "docker-compose.override.yml"
TYPES = """\
version: 1
categories: {central: Central, exchange: Exchanges, custodian: Custodians}
services:
  audit-correlator: {category: central, singleton: true}
  exchange-simulator: {category: exchange}
  custodian-simulator: {category: custodian}
instances: []
"""


@pytest.fixture
def types(tmp_path: Path) -> Path:
    path = tmp_path / "instances.yaml"
    path.write_text(TYPES)
    return path


def test_seed_audit_correlator_block() -> None:
    [audit] = [d for d in load_compose([BASE], 8080, environ={}) if d.name == "audit-correlator"]
    assert audit.service == "audit-correlator"
    assert audit.address == "audit-correlator:8083"  # HTTP_PORT wins over the ports entry
    assert audit.container_name == "trading-ecosystem-audit-correlator"
    assert (audit.file, audit.line) == (str(BASE), line_of(BASE.read_text(), "  audit-correlator:"))
    assert audit.source == f"compose:{BASE}"


def test_mapping_environment_interpolation_and_dotenv() -> None:
    found = {d.name: d for d in load_compose([BASE], 8080, environ={})}
    assert set(found) == {"audit-correlator", "exchange-OKX"}  # redis/postgres ignored
    okx = found["exchange-OKX"]
    assert okx.address == "exchange-okx:9001"  # ${OKX_PORT:-8080} from .env, long port syntax
    assert okx.container_name == "exchange-okx"  # no container_name: the service key


def test_shell_environment_wins_over_dotenv() -> None:
    found = {
        d.name: d
        for d in load_compose([BASE], 8080, environ={"OKX_PORT": "7000", "OKX_SUFFIX": "Okx2"})
    }
    assert found["exchange-Okx2"].address == "exchange-okx:7000"


def test_several_files_merge_in_order() -> None:
    found = {d.name: d for d in load_compose([BASE, OVERRIDE], 8080, environ={})}
    assert set(found) == {
        "audit-correlator",
        "exchange-OKX",
        "exchange-Binance",
        "custodian-Komainu",
    }
    assert found["exchange-OKX"].container_name == "te-okx"  # the override's container_name
    assert found["exchange-OKX"].file == str(BASE)  # declared in the first file
    assert found["exchange-Binance"].address == "exchange-binance:8085"  # from expose
    assert found["custodian-Komainu"].address == "custodian-komainu:8080"  # registry default


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${A:-x}", {}, "x"),
        ("${A:-x}", {"A": ""}, "x"),
        ("${A-x}", {"A": ""}, ""),
        ("${A-x}", {}, "x"),
        ("$A/${B}", {"A": "1", "B": "2"}, "1/2"),
        ("costs $$5", {}, "costs $5"),
        ("${A}", {}, ""),
        ("${A:-${B:-x}}", {}, "x"),  # a default may hold a variable, as in compose
        ("${A:-${B}}-y", {"B": "b"}, "b-y"),
        ("${A-${B}}", {"A": ""}, ""),
        ("$1 ${ ${1} $", {}, "$1 ${ ${1} $"),  # not variables: kept as written
    ],
)
def test_interpolation_like_compose(text: str, env: dict[str, str], expected: str) -> None:
    assert interpolate(text, env, "f", 1) == expected


def test_required_variable_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "compose.yml"
    path.write_text(
        "services:\n  x:\n    image: a\n    environment:\n      SERVICE_NAME: ${NAME:?set NAME}\n"
    )
    with pytest.raises(RegistryError) as info:
        load_compose([path], 8080, environ={})
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(path), 5)
    assert "set NAME" in problem.message


def test_dotenv_format(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("# c\nexport A=1\nB='two words'\nC=\"3\"\nnot a line\n")
    assert read_dotenv(tmp_path / ".env") == {"A": "1", "B": "two words", "C": "3"}


def test_dotenv_values_are_interpolated_as_compose_does(tmp_path: Path) -> None:
    """From the lines above, then the environment; a single-quoted value as written."""
    (tmp_path / ".env").write_text("A=1\nB=${A}${HOME_DIR}\nC='${A}'\nD=\"${A}-${B}\"\nA=2\n")
    assert read_dotenv(tmp_path / ".env", {"HOME_DIR": "/h", "A": "shell"}) == {
        "A": "2",
        "B": "1/h",
        "C": "${A}",
        "D": "1-1/h",
    }


def test_compose_only_instances_join_the_registry(types: Path) -> None:
    reg = load_sources(types, [BASE, OVERRIDE]).registry
    assert [(i.instance_name, i.source.split(":")[0]) for i in reg.instances] == [
        ("audit-correlator", "compose"),
        ("exchange-OKX", "compose"),
        ("exchange-Binance", "compose"),
        ("custodian-Komainu", "compose"),
    ]
    okx = reg.instances[1]
    assert (okx.schema_name, okx.redis_namespace, okx.address) == (
        "exchange_okx",
        "exchange:OKX",
        "exchange-okx:9001",
    )


def test_registry_flag_recognises_a_compose_file(
    run_cli: RunCli, types: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(types.parent)  # instances.yaml (the types) in the working directory
    res = run_cli("registry", "show", "--format", "json", "--registry", str(BASE))
    assert res.exit_code == 0, res.stderr
    assert {d["instance_name"]: d["source"] for d in json.loads(res.stdout)} == {
        "audit-correlator": f"compose:{BASE}",
        "exchange-OKX": f"compose:{BASE}",
    }


def test_registry_flag_compose_without_types(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    res = run_cli("registry", "check", "--registry", str(BASE))
    assert res.exit_code == 2
    assert "a compose file gives instances, not service types" in res.stderr


def test_yaml_and_compose_agree_and_fill_in_the_address(run_cli: RunCli) -> None:
    res = run_cli(
        "registry",
        "show",
        "--format",
        "json",
        "--registry",
        str(ROOT / "tests" / "fixtures" / "seed-registry.yaml"),
        "--compose",
        str(BASE),
    )
    assert res.exit_code == 0, res.stderr
    by = {d["instance_name"]: d for d in json.loads(res.stdout)}
    assert by["exchange-OKX"]["address"] == "exchange-okx:9001"
    assert by["exchange-OKX"]["source"] == f"yaml,compose:{BASE}"
    assert by["exchange-Binance"]["source"] == "yaml"


def test_conflicting_type_names_both_sources(types: Path, tmp_path: Path) -> None:
    types.write_text(
        TYPES.replace(
            "instances: []", "instances:\n  - {service: custodian-simulator, name: exchange-OKX}"
        )
    )
    with pytest.raises(RegistryError) as info:
        load_sources(types, [BASE])
    [problem] = info.value.errors
    assert problem.file == str(BASE)
    assert "is a exchange-simulator here but a custodian-simulator in yaml" in problem.message
    assert f"{types}:{line_of(types.read_text(), 'name: exchange-OKX')}" in problem.message


def test_conflicting_address(types: Path) -> None:
    types.write_text(
        TYPES.replace(
            "instances: []",
            "instances:\n  - {service: exchange-simulator, name: exchange-OKX, address: 'okx:1'}",
        )
    )
    with pytest.raises(RegistryError) as info:
        load_sources(types, [BASE])
    assert "is at exchange-okx:9001 here but at okx:1 in yaml" in info.value.errors[0].message


def test_unknown_type_says_how_to_declare_it(types: Path) -> None:
    types.write_text(TYPES.replace("  custodian-simulator: {category: custodian}\n", ""))
    with pytest.raises(RegistryError) as info:
        load_sources(types, [BASE, OVERRIDE])
    [problem] = info.value.errors
    assert problem.file == str(OVERRIDE)
    assert "service type 'custodian-simulator' is not declared" in problem.message
    assert "add it under `services:`" in problem.message


def test_registry_checks_run_on_the_merged_result(types: Path) -> None:
    # exchange-okx (yaml) and exchange-OKX (compose): one instance spelt two ways.
    types.write_text(
        TYPES.replace(
            "instances: []", "instances:\n  - {service: exchange-simulator, name: exchange-okx}"
        )
    )
    with pytest.raises(RegistryError) as info:
        load_sources(types, [BASE])
    [problem] = info.value.errors
    assert problem.file == str(BASE)
    line = line_of(types.read_text(), "name: exchange-okx")
    assert (
        f"instance 'exchange-OKX' and 'exchange-okx' ({types}:{line}) differ only in case"
        in problem.message
    )


ORCHESTRATOR = ROOT / "tests" / "fixtures" / "orchestrator" / "docker-compose.yml"
REAL = {
    "audit-correlator": "audit-correlator",
    "test-coordinator": "test-coordinator",
    "exchange-okx": "exchange-simulator",
    "custodian-komainu": "custodian-simulator",
    "market-data-coinmetrics": "market-data-simulator",
    "risk-monitor-lh": "risk-monitor",
    "trading-engine-lh": "trading-system-engine",
}


# TYPES with the other four service types the orchestrator runs.
SEVEN_TYPES = TYPES.replace(
    "services:\n",
    "services:\n"
    + "".join(
        f"  {t}: {{category: exchange}}\n"
        for t in (
            "risk-monitor",
            "trading-system-engine",
            "test-coordinator",
            "market-data-simulator",
        )
    ),
)


def test_the_orchestrators_compose_with_the_default_registry(run_cli: RunCli) -> None:
    args = ["registry", "show", "--registry", str(ROOT / "instances.yaml")]
    res = run_cli(*args, "--compose", str(ORCHESTRATOR), "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert res.stderr == ""
    shown = json.loads(res.stdout)
    assert {d["instance_name"]: d["service_name"] for d in shown} == REAL
    for item in shown:
        name = item["instance_name"]
        assert item["address"] == f"{item['service_name']}:8080"
        assert item["source"] == f"yaml,compose:{ORCHESTRATOR}"
        assert item["container_name"] == f"trading-ecosystem-{name}"
        assert item["volumes"]["data"] == {"host": f"volumes/{name}/data", "container": "/app/data"}


def test_the_orchestrators_compose_alone_finds_the_seven(types: Path) -> None:
    types.write_text(SEVEN_TYPES)
    found = load_sources(types, [ORCHESTRATOR]).registry.instances
    assert {i.instance_name: i.service_name for i in found} == REAL
    okx = next(i for i in found if i.instance_name == "exchange-okx")
    assert (okx.address, okx.container_name) == (
        "exchange-simulator:8080",
        "trading-ecosystem-exchange-okx",
    )
    # Where the compose file mounts the instance's directories, not where we would.
    assert okx.volumes["logs"].host == "volumes/exchange-okx/logs"
    assert okx.line == line_of(ORCHESTRATOR.read_text(), "  exchange-simulator:")


def test_compose_mounts_merge_by_target_as_compose_does(tmp_path: Path, types: Path) -> None:
    override = tmp_path / "override.yml"
    override.write_text(
        "services:\n  exchange-simulator:\n    volumes:\n      - /srv/okx-data:/app/data\n"
    )
    types.write_text(SEVEN_TYPES)
    found = load_sources(types, [ORCHESTRATOR, override]).registry.instances
    okx = next(i for i in found if i.instance_name == "exchange-okx")
    assert okx.volumes["data"].host == "/srv/okx-data"
    assert okx.volumes["logs"].host == "volumes/exchange-okx/logs"  # kept: another target


def test_missing_compose_file(types: Path) -> None:
    with pytest.raises(RegistryError, match="compose file not found"):
        load_sources(types, [types.parent / "nope.yml"])


def test_merge_keeps_warnings_it_does_not_recompute() -> None:
    """Only the instance checks' warnings are recomputed on the merged set; others stay."""
    import dataclasses

    from tsedash.registry import Problem, Severity, load_registry
    from tsedash.registry.merge import merge
    from tsedash.registry.sources.discovered import Discovered

    registry = load_registry(ROOT / "instances.yaml")
    other = Problem("instances.yaml", 1, "services", "a future warning", Severity.WARNING, "other")
    registry = dataclasses.replace(registry, warnings=(*registry.warnings, other))
    found = Discovered("exchange-simulator", "exchange-okx", None, "compose:x.yml", "x.yml")
    merged = merge(registry, [found])
    assert other in merged.warnings
    assert [i.instance_name for i in merged.instances] == [
        i.instance_name for i in registry.instances
    ]
