"""The conventions people who manage Grafana as code expect, through the CLI against the
Grafana double: -o json|yaml, `context list|use|current|check`, `dashboards list|get|delete`,
`push --dry-run --detailed-exitcode`, `diff --stat`, and the "pull it" round trip."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, Result
from .grafana_double import ADMIN_TOKEN, GrafanaDouble

RunCli = Callable[..., Result]
DEVOPS, SIM = "tse-devops-docker", "tse-simulation-entity"


def env(grafana: GrafanaDouble) -> dict[str, str]:
    return {"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN}


def push(run_cli: RunCli, grafana: GrafanaDouble, out: Path, *args: str) -> Result:
    return run_cli("push", "--out", str(out), *args, env=env(grafana))


def test_push_and_restore_print_yaml_or_json_documents(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    first = push(run_cli, grafana, out, "-o", "yaml")
    assert first.exit_code == 0, first.stderr
    doc = yaml.safe_load(first.stdout)
    assert [d["action"] for d in doc["dashboards"]] == ["created", "created"]
    assert doc["url"] == grafana.url and doc["dry_run"] is False
    again = json.loads(push(run_cli, grafana, out, "--json").stdout)
    assert [d["action"] for d in again["dashboards"]] == ["unchanged", "unchanged"]
    res = run_cli("restore", DEVOPS, "--version", "1", "-o", "json", env=env(grafana))
    assert json.loads(res.stdout)["dashboards"][0]["action"] == "unchanged", res.stderr
    clash = push(run_cli, grafana, out, "--json", "-o", "yaml")
    assert clash.exit_code == 2 and "--json is -o json" in clash.stderr


@pytest.mark.parametrize("detailed", [True, False])
def test_detailed_exitcode_says_what_a_plan_holds(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, detailed: bool
) -> None:
    plan = ("--dry-run", "--detailed-exitcode") if detailed else ("--dry-run",)
    pending = push(run_cli, grafana, out, *plan)
    assert pending.exit_code == (2 if detailed else 0), pending.stderr
    assert "would-create" in pending.stdout and not grafana.state.dashboards
    assert push(run_cli, grafana, out).exit_code == 0
    assert push(run_cli, grafana, out, *plan).exit_code == 0  # nothing to do
    grafana.state.ui_edit(DEVOPS)
    refused = push(run_cli, grafana, out, *plan)
    assert refused.exit_code == (1 if detailed else 3)
    assert "refused         tse-devops-docker" in refused.stderr
    grafana.state.fault("reset", times=50)
    error = push(run_cli, grafana, out, *plan)
    assert error.exit_code == 3 and "error:" in error.stderr


def test_detailed_exitcode_needs_a_dry_run(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    res = push(run_cli, grafana, out, "--detailed-exitcode")
    assert res.exit_code == 2 and "it goes with --dry-run" in res.stderr
    assert not grafana.state.writes()


def test_diff_stat_is_one_line_per_dashboard_and_a_total(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    push(run_cli, grafana, out)
    grafana.state.ui_edit(DEVOPS)
    res = run_cli("diff", "--out", str(out), "--stat", env=env(grafana))
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert lines == [
        f" {DEVOPS:<{len(SIM)}} |     2 +-",  # scaled down only, as git does
        f" {SIM} |     0 ",
        " 1 dashboard changed, 1 insertions(+), 1 deletions(-)",
    ]
    doc = json.loads(
        run_cli("diff", "--out", str(out), "--stat", "--json", env=env(grafana)).stdout
    )
    assert doc[0] == {"uid": DEVOPS, "status": "different", "added": 1, "removed": 1}
    full = run_cli("diff", "--out", str(out), "--uid", DEVOPS, env=env(grafana))
    assert full.stdout.startswith(f"{DEVOPS}: different\n")
    assert '-  "description": "edited in the UI",' in full.stdout


def test_the_pull_advice_followed_literally_leads_to_a_push_that_succeeds(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(out.parent)  # push and pull read ./provisioning by default
    assert run_cli("push", env=env(grafana)).exit_code == 0
    grafana.state.ui_edit(DEVOPS, title="DevOps (edited in Grafana)")
    refused = run_cli("push", env=env(grafana))
    assert refused.exit_code == 3
    advice = refused.stderr.split("keep the edit with `", 1)[1].split("`", 1)[0]
    assert advice == f"tsedash pull --uid {DEVOPS}"
    pulled = run_cli(*advice.split()[1:], env=env(grafana))
    assert pulled.exit_code == 0, pulled.stderr
    written = Path("provisioning/dashboards/trading-ecosystem/devops-docker-view.json")
    assert pulled.stdout.startswith(f"wrote {written} (live copy saved to backups/{DEVOPS}/v2-")
    assert "the next `tsedash push` finds" in pulled.stderr
    after = run_cli("push", env=env(grafana))
    assert after.exit_code == 0, after.stderr
    assert f"unchanged       {DEVOPS} (version 2)" in after.stdout
    assert grafana.state.dashboards[DEVOPS].model["title"] == "DevOps (edited in Grafana)"
    assert json.loads(written.read_text())["title"] == "DevOps (edited in Grafana)"


def test_pull_as_a_document_and_its_usage_errors(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    push(run_cli, grafana, out)
    target = tmp_path / "p.json"
    res = run_cli("pull", "--uid", SIM, "--out", str(target), "-o", "json", env=env(grafana))
    doc = json.loads(res.stdout)
    assert doc["path"] == str(target) and doc["replaced_build"] is False
    assert run_cli("pull", env=env(grafana)).exit_code == 2
    both = run_cli("pull", "--datasources", "--uid", SIM, env=env(grafana))
    assert both.exit_code == 2 and "cannot go with --uid" in both.stderr


CONTEXTS = """\
# two Grafanas
contexts:
  dev:
    url: {url}
    token_env: DEV_TOKEN   # never in clear
  down: {{url: 'http://127.0.0.1:9'}}
"""


def test_context_list_use_current_and_a_push_without_context(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    file = tmp_path / "contexts.yaml"
    file.write_text(CONTEXTS.format(url=grafana.url))
    environ = {"TSEDASH_CONTEXTS": str(file), "DEV_TOKEN": ADMIN_TOKEN}
    none = run_cli("context", "current", env=environ)
    assert none.exit_code == 1 and f"no current context in {file}" in none.stderr
    assert run_cli("context", "list", env=environ).stdout == (
        f"  dev   {grafana.url}\n  down  http://127.0.0.1:9\n"
    )
    used = run_cli("context", "use", "dev", env=environ)
    assert used.exit_code == 0 and used.stdout == f"current context: dev ({file})\n"
    assert "# never in clear" in file.read_text()
    assert run_cli("context", "current", env=environ).stdout == "dev\n"
    listing = json.loads(run_cli("context", "list", "-o", "json", env=environ).stdout)
    assert listing == {
        "current": "dev",
        "contexts": {"dev": grafana.url, "down": "http://127.0.0.1:9"},
    }
    assert run_cli("context", "list", env=environ).stdout.startswith(f"* dev   {grafana.url}")
    res = run_cli("push", "--out", str(out), env=environ)  # no --context, no URL: dev
    assert res.exit_code == 0 and f"grafana {grafana.url}" in res.stdout
    bad = run_cli("context", "use", "prod", env=environ)
    assert bad.exit_code == 2 and "no context 'prod'" in bad.stderr


def test_context_check_reports_or_exits_3_or_2(
    run_cli: RunCli, grafana: GrafanaDouble, tmp_path: Path
) -> None:
    file = tmp_path / "contexts.yaml"
    file.write_text(CONTEXTS.format(url=grafana.url) + "current-context: dev\n")
    environ = {"TSEDASH_CONTEXTS": str(file), "DEV_TOKEN": ADMIN_TOKEN}
    ok = run_cli("context", "check", env=environ)
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout == (
        f"dev: ok: Grafana 12.2.0 at {grafana.url}, database ok, org 'Org 1', API "
        "dashboard.grafana.app/v1\n"
    )
    doc = json.loads(run_cli("context", "check", "dev", "-o", "json", env=environ).stdout)
    assert doc["version"] == "12.2.0" and doc["context"] == "dev"
    down = run_cli("context", "check", "down", "--timeout", "1", env=environ)
    assert down.exit_code == 3 and "error:" in down.stderr
    bad = run_cli("context", "check", "dev", env={"TSEDASH_CONTEXTS": str(file)})
    assert bad.exit_code == 2 and "`token_env` names DEV_TOKEN, which is not set" in bad.stderr
    wrong = run_cli("context", "check", "dev", env={**environ, "DEV_TOKEN": "glsa_wrong"})
    assert wrong.exit_code == 3 and "401" in wrong.stderr


def test_dashboards_list_get_delete(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    push(run_cli, grafana, out)
    grafana.state.ui_edit(SIM)
    listed = run_cli("dashboards", "list", env=env(grafana))
    assert listed.exit_code == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert rows[0] == ["UID", "TITLE", "FOLDER", "VERSION", "PUSHED"]
    assert rows[1][0] == DEVOPS and rows[1][-2:] == ["1", "yes"]
    assert rows[2][0] == SIM and rows[2][-2:] == ["2", "no"]
    doc = json.loads(run_cli("dashboards", "list", "-o", "json", env=env(grafana)).stdout)
    assert doc[0] == {
        "uid": DEVOPS,
        "title": "DevOps Docker View",
        "folder": "trading-ecosystem",
        "version": 1,
        "pushed": True,
    }
    got = run_cli("dashboards", "get", SIM, env=env(grafana))
    assert json.loads(got.stdout)["description"] == "edited in the UI"
    assert (
        yaml.safe_load(run_cli("dashboards", "get", SIM, "-o", "yaml", env=env(grafana)).stdout)[
            "uid"
        ]
        == SIM
    )
    bk = tmp_path / "bk"
    refused = run_cli("dashboards", "delete", SIM, "--backups", str(bk), env=env(grafana))
    assert refused.exit_code == 1 and "not pushed by tsedash" in refused.stderr
    plan = run_cli("dashboards", "delete", DEVOPS, SIM, "--force", "--dry-run", env=env(grafana))
    assert plan.exit_code == 0 and plan.stdout.count("would-delete") == 2
    assert set(grafana.state.dashboards) == {DEVOPS, SIM}
    done = run_cli(
        "dashboards", "delete", DEVOPS, SIM, "--force", "--backups", str(bk), "-o", "json",
        env=env(grafana),
    )  # fmt: skip
    outcomes = json.loads(done.stdout)
    assert [o["action"] for o in outcomes] == [
        "deleted",
        "deleted",
    ] and not grafana.state.dashboards
    assert "backup" not in outcomes[0] and outcomes[1]["backup"].startswith(f"{bk}/{SIM}/v2-")
    gone = run_cli("dashboards", "delete", DEVOPS, env=env(grafana))
    assert gone.exit_code == 3 and "not found in Grafana" in gone.stderr


def test_a_retry_after_notice_is_printed_once_at_the_end(
    run_cli: RunCli, grafana: GrafanaDouble
) -> None:
    grafana.state.fault("status", path="/api/health", status=503, retry_after=3600)
    res = run_cli("context", "check", "--url", grafana.url, "--timeout", "1", env=env(grafana))
    assert res.stderr.count("warning:") == 1 and "Retry-After" in res.stderr, res.stderr


def test_pull_datasources_as_a_document(
    run_cli: RunCli, grafana: GrafanaDouble, tmp_path: Path
) -> None:
    from .grafana_double import datasource

    grafana.state.datasources = {1: [datasource("Prometheus", True, uid="prom")]}
    registry = tmp_path / "instances.yaml"
    registry.write_text((ROOT / "instances.yaml").read_text())
    res = run_cli(
        "pull", "--datasources", "--registry", str(registry), "-o", "json", env=env(grafana)
    )
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["datasources"][0]["uid"] == "prom" and doc["datasources"][0]["default"] is True
    assert "uid: prom" in registry.read_text()
