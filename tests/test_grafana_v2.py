"""push / diff / pull / restore / prune with --schema v2, against the double's
`dashboard.grafana.app/v2` (over real sockets), and the double's v2 behaviour itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import tsedash_dashboards
from tsedash import pipeline
from tsedash.grafana.sync import content_hash, marker_hash

from .conftest import Result
from .dashboard_helpers import FIXTURE
from .grafana_double import ADMIN_TOKEN, GrafanaDouble
from .test_grafana_push import DEVOPS, SIM, env

RunCli = Callable[..., Result]
V1 = "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"
V2 = "/apis/dashboard.grafana.app/v2/namespaces/default/dashboards"


def push(run_cli: RunCli, grafana: GrafanaDouble, out: Path, *args: str) -> Result:
    return run_cli("push", "--out", str(out), *args, env=env(grafana))


def v2(run_cli: RunCli, grafana: GrafanaDouble, out: Path, *args: str) -> Result:
    return push(run_cli, grafana, out, "--schema", "v2", *args)


def stored_api(grafana: GrafanaDouble, uid: str) -> str:
    return grafana.state.dashboards[uid].versions[-1].api


def test_push_v2_creates_v2_dashboards_then_writes_nothing(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    first = v2(run_cli, grafana, out)
    assert first.exit_code == 0, first.stderr
    assert "(dashboard.grafana.app/v2)" in first.stdout
    assert "created         tse-devops-docker (version 1)" in first.stdout
    [create, _] = [r for r in grafana.state.requests if r.method == "POST" and r.path == V2]
    body = create.body
    assert body["metadata"]["name"] == DEVOPS
    assert body["metadata"]["annotations"]["grafana.app/folder"] == "trading-ecosystem"
    assert {"elements", "layout", "variables", "timeSettings"} <= set(body["spec"])
    assert "uid" not in body["spec"] and "panels" not in body["spec"]
    # the version note carries the hash of the v2 spec with its uid, as a re-read shows it
    note = body["metadata"]["annotations"]["grafana.app/message"]
    assert marker_hash(note) == content_hash({**body["spec"], "uid": DEVOPS})
    assert stored_api(grafana, DEVOPS) == "v2"
    before = len(grafana.state.writes())
    again = v2(run_cli, grafana, out)
    assert again.exit_code == 0 and "2 unchanged; 0 writes" in again.stdout
    assert len(grafana.state.writes()) == before
    diff = run_cli("diff", "--out", str(out), "--schema", "v2", env=env(grafana))
    assert diff.exit_code == 0 and f"{SIM}: equal" in diff.stdout


@pytest.mark.parametrize("conversion_fails", [False, True])
def test_switching_schema_updates_our_own_dashboards_both_ways(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, conversion_fails: bool
) -> None:
    """Read across v1/v2, Grafana converts (or reports that it could not): either way the
    dashboard is ours, checked as it is stored, so the switch is an update, not a refusal."""
    grafana.state.conversion_fails = conversion_fails
    assert push(run_cli, grafana, out).exit_code == 0
    to_v2 = v2(run_cli, grafana, out)
    assert to_v2.exit_code == 0, to_v2.stderr
    assert "2 updated" in to_v2.stdout and stored_api(grafana, SIM) == "v2"
    stored_reads = [
        r for r in grafana.state.requests if r.method == "GET" and r.path == f"{V1}/{SIM}"
    ]
    assert stored_reads, "the v1-stored dashboard is hashed as stored"
    back = push(run_cli, grafana, out)
    assert back.exit_code == 0, back.stderr
    assert "2 updated" in back.stdout and stored_api(grafana, SIM) == "v1"


def test_an_edit_to_a_v1_dashboard_blocks_the_switch_to_v2(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    assert push(run_cli, grafana, out).exit_code == 0
    grafana.state.ui_edit(SIM, user="alice@example.com")
    res = v2(run_cli, grafana, out)
    assert res.exit_code == 3
    assert "refused         tse-simulation-entity (version 2): edited in Grafana" in res.stderr
    assert "by alice@example.com" in res.stderr
    assert stored_api(grafana, SIM) == "v1" and stored_api(grafana, DEVOPS) == "v2"


def test_an_edit_after_a_v2_push_is_refused_forced_with_a_backup_and_restored(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    assert v2(run_cli, grafana, out).exit_code == 0
    grafana.state.ui_edit(DEVOPS, user="bob@example.com")
    plan = v2(run_cli, grafana, out, "--dry-run")
    assert plan.exit_code == 3
    assert '-  "description": "edited in the UI",' in plan.stderr  # the plan's diff, in v2
    backups = tmp_path / "bk"
    forced = v2(run_cli, grafana, out, "--force", "--backups", str(backups))
    assert forced.exit_code == 0, forced.stderr
    [backup] = (backups / DEVOPS).glob("*.json")
    saved = json.loads(backup.read_text())
    assert saved["description"] == "edited in the UI" and "elements" in saved
    restore = ["restore", DEVOPS, "--backup", str(backup)]
    wrong = run_cli(*restore, env=env(grafana))
    assert wrong.exit_code == 2
    assert "holds a schema v2 dashboard: restore it --schema v2" in wrong.stderr
    res = run_cli(*restore, "--schema", "v2", env=env(grafana))
    assert res.exit_code == 0, res.stderr
    assert grafana.state.dashboards[DEVOPS].model["description"] == "edited in the UI"
    assert stored_api(grafana, DEVOPS) == "v2"
    # and a version from the history, through the v2 API
    res = run_cli("restore", DEVOPS, "--version", "1", "--schema", "v2", env=env(grafana))
    assert res.exit_code == 0, res.stderr
    assert grafana.state.dashboards[DEVOPS].model["description"].startswith("Health of every")


def test_a_save_between_our_read_and_write_is_a_conflict(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    assert v2(run_cli, grafana, out).exit_code == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(FIXTURE.read_text().replace("title: Trades,", "title: Fills,"))
    pipeline.build(changed, tsedash_dashboards, out, extras=None)
    grafana.state.fault("race", path=f"{V2}/{SIM}", method="PUT", uid=SIM)
    res = v2(run_cli, grafana, out)
    assert res.exit_code == 3
    assert "conflict        tse-simulation-entity: changed in Grafana while we pushed" in res.stderr
    assert "409" in res.stderr


def test_prune_in_v2_deletes_only_our_last_push(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    assert v2(run_cli, grafana, out).exit_code == 0
    only_sim = out / "dashboards" / "trading-ecosystem" / "devops-docker-view.json"
    only_sim.unlink()
    res = v2(run_cli, grafana, out, "--prune")
    assert res.exit_code == 0, res.stderr
    assert "deleted         tse-devops-docker: not built any more" in res.stdout
    assert set(grafana.state.dashboards) == {SIM}
    assert any(r.method == "DELETE" and r.path == f"{V2}/{DEVOPS}" for r in grafana.state.requests)


def test_pull_v2_saves_the_v2_resource_build_writes(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    assert v2(run_cli, grafana, out).exit_code == 0
    v2_out = str(out.parent / "v2")
    built = run_cli("build", "--registry", str(FIXTURE), "--out", v2_out, "--schema", "v2")
    assert built.exit_code == 0, built.stderr
    target = tmp_path / "pulled.json"
    res = run_cli("pull", "--uid", SIM, "--schema", "v2", "--out", str(target), env=env(grafana))
    assert res.exit_code == 0, res.stderr
    pulled = json.loads(target.read_text())
    assert pulled["apiVersion"] == "dashboard.grafana.app/v2"
    assert pulled["metadata"] == {
        "name": SIM,
        "annotations": {"grafana.app/folder": "trading-ecosystem"},
    }
    assert pulled["spec"]["title"] == "Simulation Entity View" and "elements" in pulled["spec"]
    assert "version" not in pulled["spec"] and "uid" not in pulled["spec"]
    built = json.loads(
        (out.parent / "v2" / "dashboards-v2" / "simulation-entity-view.json").read_text()
    )
    assert pulled == built  # what we pushed comes back as `build --schema v2` wrote it


def test_a_grafana_without_v2_and_the_legacy_api_are_clear_errors(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    grafana.state.api_versions = ["v1"]  # Grafana 12
    res = v2(run_cli, grafana, out)
    assert res.exit_code == 3
    assert "does not serve dashboard.grafana.app/v2 (it lists v1 at /apis)" in res.stderr
    assert "need Grafana 13 or later" in res.stderr
    res = v2(run_cli, grafana, out, "--api", "legacy")
    assert res.exit_code == 2 and "cannot go with --api legacy" in res.stderr
    assert not grafana.state.writes()


def test_the_legacy_api_on_a_v2_dashboard_names_the_v2_api(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    assert v2(run_cli, grafana, out).exit_code == 0
    res = push(run_cli, grafana, out, "--api", "legacy")
    assert res.exit_code == 3
    assert (
        "406" in res.stderr
        and f"/apis/dashboard.grafana.app/v2/namespaces/default/dashboards/{SIM}" in res.stderr
    )


def test_a_dashboard_v2_cannot_hold_is_refused_before_any_request(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    path = out / "dashboards" / "trading-ecosystem" / "devops-docker-view.json"
    model = json.loads(path.read_text())
    model["templating"]["list"].append({"type": "adhoc", "name": "filters"})
    path.write_text(json.dumps(model))
    res = v2(run_cli, grafana, out)
    assert res.exit_code == 1
    # Grafana's own conversion fails on an ad hoc variable without a datasource uid
    assert "ad hoc variable 'filters' has no datasource uid" in res.stderr
    assert not grafana.state.writes()


# --- the double's v2 -------------------------------------------------------------------------


def _get(grafana: GrafanaDouble, path: str) -> tuple[int, dict[str, object]]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        grafana.url + path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_double_reports_conversion_and_refuses_shapes_like_grafana(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    assert push(run_cli, grafana, out, "--uid", SIM).exit_code == 0
    assert v2(run_cli, grafana, out, "--uid", DEVOPS).exit_code == 0
    code, body = _get(grafana, f"{V2}/{SIM}")
    assert code == 200 and body["status"] == {
        "conversion": {"storedVersion": "v1", "failed": False}
    }
    assert "elements" in body["spec"]  # type: ignore[operator]
    code, body = _get(grafana, f"{V2}/{DEVOPS}")
    assert code == 200 and body["status"] == {} and body["apiVersion"] == "dashboard.grafana.app/v2"
    code, body = _get(grafana, f"/api/dashboards/uid/{DEVOPS}")
    assert code == 406 and "/apis/dashboard.grafana.app/v2/" in str(body["message"])
    code, _ = _get(grafana, f"/api/dashboards/uid/{SIM}")
    assert code == 200


def test_a_v2_rewrite_tsedash_does_not_predict_is_saved_again_with_its_marker(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    """Grafana's v2 save only strips byte order marks and fills an empty layout (mutate.go),
    which ours never need; whatever else a server rewrites (the typed v2 decoding could add
    a default), the copy read back carries our marker: push twice writes nothing the second
    time, and an edit is still refused."""
    grafana.state.rewrite = lambda spec: spec.update(liveNow=False)
    first = v2(run_cli, grafana, out)
    assert first.exit_code == 0, first.stderr
    assert "Grafana stored it rewritten (/liveNow: absent → false); saved again" in first.stdout
    assert grafana.state.dashboards[SIM].model["liveNow"] is False
    again = v2(run_cli, grafana, out)
    assert again.exit_code == 0 and "2 unchanged; 0 writes" in again.stdout
    diff = run_cli("diff", "--out", str(out), "--schema", "v2", env=env(grafana))
    assert diff.exit_code == 0 and f"{DEVOPS}: equal" in diff.stdout
    grafana.state.ui_edit(DEVOPS, user="bob@example.com")
    res = v2(run_cli, grafana, out)
    assert res.exit_code == 3 and "by bob@example.com" in res.stderr
