"""push / diff / pull against the Grafana API double, over real sockets: every scenario
against both dashboard APIs (the legacy /api/dashboards of Grafana 10-11, the resource API
/apis/dashboard.grafana.app/v1 that tsedash picks when Grafana lists it)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tsedash_dashboards
from tsedash import pipeline
from tsedash.grafana.sync import content_hash, marker_hash, normalise

from .conftest import Result
from .dashboard_helpers import FIXTURE
from .grafana_double import ADMIN_TOKEN, BASIC, VIEWER_TOKEN, GrafanaDouble, Recorded

RunCli = Callable[..., Result]
DEVOPS, SIM = "tse-devops-docker", "tse-simulation-entity"


RESOURCE = "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"


@pytest.fixture(params=["legacy", "resource"])
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaDouble]:
    with GrafanaDouble() as double:
        double.state.resource_api = request.param == "resource"
        double.mode = request.param  # type: ignore[attr-defined]
        yield double


def legacy(grafana: GrafanaDouble) -> bool:
    return not grafana.state.resource_api


def saves(grafana: GrafanaDouble, since: int = 0) -> list[Recorded]:
    """The dashboard writes, in either API."""
    return [
        r
        for r in grafana.state.requests[since:]
        if (r.method == "POST" and r.path == "/api/dashboards/db")
        or (r.method in ("POST", "PUT") and r.path.startswith(RESOURCE))
    ]


def saved_uid(r: Recorded) -> str:
    return str(
        r.body["dashboard"]["uid"] if r.path == "/api/dashboards/db" else r.body["metadata"]["name"]
    )


def env(grafana: GrafanaDouble, token: str | None = ADMIN_TOKEN, **extra: str) -> dict[str, str]:
    values = {"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": token or "", **extra}
    values.setdefault("GRAFANA_USER", "")
    values.setdefault("GRAFANA_PASSWORD", "")
    return values


def push(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, *args: str, **env_extra: str
) -> Result:
    token = env_extra.pop("token", ADMIN_TOKEN)
    return run_cli("push", "--out", str(out), *args, env=env(grafana, token, **env_extra))


def test_first_push_creates_folder_and_dashboards_then_nothing(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    first = push(run_cli, grafana, out)
    assert first.exit_code == 0, first.stderr
    assert "folder trading-ecosystem created" in first.stdout
    assert "created         tse-devops-docker (version 1)" in first.stdout
    state = grafana.state
    assert state.folders["trading-ecosystem"]["title"] == "Trading Ecosystem"
    assert {u: s.folder_uid for u, s in state.dashboards.items()} == {
        DEVOPS: "trading-ecosystem",
        SIM: "trading-ecosystem",
    }
    assert state.writes()[0].path == "/api/folders"
    assert [(r.method, saved_uid(r)) for r in saves(grafana)] == [("POST", DEVOPS), ("POST", SIM)]
    assert len(state.writes()) == 3
    api = "legacy" if legacy(grafana) else "dashboard.grafana.app/v1"
    assert f"grafana {grafana.url} ({api}): folder" in first.stdout
    # Grafana rewrote what it saved (its defaults and clean-up): the version message carries
    # the hash of what it stores, which is what we computed (one write per dashboard).
    stored = state.dashboards[DEVOPS]
    built = json.loads((out / "dashboards/trading-ecosystem/devops-docker-view.json").read_text())
    assert normalise(stored.model) == grafana.state.as_saved(built) != normalise(built)
    assert marker_hash(stored.versions[-1].message) == content_hash(stored.model)
    writes_before = len(state.writes())
    second = push(run_cli, grafana, out)
    assert second.exit_code == 0
    assert "2 unchanged; 0 writes" in second.stdout
    assert len(state.writes()) == writes_before


def test_changing_one_metric_writes_exactly_that_dashboard(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    assert push(run_cli, grafana, out).exit_code == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(FIXTURE.read_text().replace("title: Trades,", "title: Fills,"))
    pipeline.build(changed, tsedash_dashboards, out, extras=None)
    live_revision = grafana.state.dashboards[SIM].versions[-1].resource_version
    before = len(grafana.state.requests)
    res = push(run_cli, grafana, out)
    assert res.exit_code == 0, res.stderr
    writes = saves(grafana, before)
    assert [saved_uid(w) for w in writes] == [SIM]
    if legacy(grafana):
        assert writes[0].body["overwrite"] is False
        assert writes[0].body["dashboard"]["version"] == 1  # the version we read: a race is a 412
    else:  # an update of what we read: a write in between makes it a 409
        assert writes[0].method == "PUT" and writes[0].path == f"{RESOURCE}/{SIM}"
        assert writes[0].body["metadata"]["resourceVersion"] == live_revision
        assert writes[0].body["metadata"]["annotations"]["grafana.app/folder"] == (
            "trading-ecosystem"
        )
        assert "id" not in writes[0].body["spec"] and "version" not in writes[0].body["spec"]
    assert "updated         tse-simulation-entity (version 2)" in res.stdout


def test_ui_edit_is_refused_with_editor_and_time(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    push(run_cli, grafana, out)
    grafana.state.ui_edit(DEVOPS, user="alice@example.com")
    edited = json.dumps(grafana.state.dashboards[DEVOPS].model)
    before = len(grafana.state.writes())
    res = push(run_cli, grafana, out, "--backups", str(tmp_path / "bk"))
    assert res.exit_code == 3
    assert (
        "refused         tse-devops-docker (version 2): edited in Grafana since our last push"
        in res.stderr
    )
    assert "by alice@example.com at 20" in res.stderr
    assert len(grafana.state.writes()) == before
    assert json.dumps(grafana.state.dashboards[DEVOPS].model) == edited
    assert not (tmp_path / "bk").exists()


def test_force_saves_the_live_copy_then_overwrites(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    push(run_cli, grafana, out)
    grafana.state.ui_edit(DEVOPS)
    live = grafana.state.dashboards[DEVOPS].model
    res = push(run_cli, grafana, out, "--force", "--backups", str(tmp_path / "bk"))
    assert res.exit_code == 0, res.stderr
    [backup] = (tmp_path / "bk" / DEVOPS).glob("v2-*.json")
    # The live copy as the API serves it (the resource API has no numeric id).
    served = live if legacy(grafana) else {k: v for k, v in live.items() if k != "id"}
    assert json.loads(backup.read_text()) == served
    assert f"live copy saved to {backup}" in res.stdout
    model = grafana.state.dashboards[DEVOPS].model
    assert model["version"] == 3 and model["description"] != "edited in the UI"
    assert "2 unchanged" in push(run_cli, grafana, out).stdout
    # Deleted and re-imported in Grafana, edited again, forced again: the version starts over,
    # and the earlier backup is kept next to the new one, never overwritten.
    del grafana.state.dashboards[DEVOPS]
    push(run_cli, grafana, out)
    grafana.state.ui_edit(DEVOPS)
    res = push(run_cli, grafana, out, "--force", "--backups", str(tmp_path / "bk"))
    assert res.exit_code == 0, res.stderr
    backups = sorted((tmp_path / "bk" / DEVOPS).glob("*.json"))
    assert len(backups) == 2 and backup in backups


def test_a_412_race_is_reported_not_retried(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    push(run_cli, grafana, out)
    changed = tmp_path / "changed.yaml"
    changed.write_text(FIXTURE.read_text().replace("title: Trades,", "title: Fills,"))
    pipeline.build(changed, tsedash_dashboards, out, extras=None)
    # Someone saves in the UI between our read and our write.
    if legacy(grafana):
        grafana.state.fault("race", path="/api/dashboards/db", uid=SIM)
    else:
        grafana.state.fault("race", path=f"{RESOURCE}/{SIM}", method="PUT", uid=SIM)
    before = len(grafana.state.requests)
    res = push(run_cli, grafana, out)
    assert res.exit_code == 3
    assert "conflict        tse-simulation-entity: changed in Grafana while we pushed" in res.stderr
    assert ("412" if legacy(grafana) else "409") in res.stderr
    assert len(saves(grafana, before)) == 1
    assert grafana.state.dashboards[SIM].model["description"] == "edited in the UI"


@pytest.mark.parametrize(
    ("token", "needle"),
    [
        ("glsa_wrong_token_value", "401 unauthorized (Invalid API key); check GRAFANA_TOKEN"),
        (None, "401 unauthorized (Unauthorized)"),
        (VIEWER_TOKEN, "403 access denied: You'll need additional permissions"),
    ],
)
def test_auth_failures_are_clear_and_never_show_the_token(
    run_cli: RunCli,
    grafana: GrafanaDouble,
    out: Path,
    caplog: pytest.LogCaptureFixture,
    token: str | None,
    needle: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    res = push(run_cli, grafana, out, token=token or "")
    assert res.exit_code == 3
    assert needle in res.stderr
    assert "Traceback" not in res.stderr
    for secret in (token, ADMIN_TOKEN, VIEWER_TOKEN):
        if secret:
            assert secret not in res.stdout + res.stderr + caplog.text


def test_basic_auth_and_org_header(run_cli: RunCli, grafana: GrafanaDouble, out: Path) -> None:
    res = run_cli(
        "push",
        "--out",
        str(out),
        env=env(
            grafana, None, GRAFANA_USER=BASIC[0], GRAFANA_PASSWORD=BASIC[1], GRAFANA_ORG_ID="7"
        ),
    )
    assert res.exit_code == 0, res.stderr
    assert BASIC[1] not in res.stdout + res.stderr
    assert all(
        r.headers.get("X-Grafana-Org-Id") == "7"
        for r in grafana.state.requests
        if r.path != "/api/health"
    )


def test_503_twice_then_success(run_cli: RunCli, grafana: GrafanaDouble, out: Path) -> None:
    path = "/api/dashboards/db" if legacy(grafana) else RESOURCE
    grafana.state.fault("status", path=path, method="POST", times=2, status=503, retry_after=0)
    res = push(run_cli, grafana, out)
    assert res.exit_code == 0, res.stderr
    assert len(saves(grafana)) == 4  # two refused by 503, then both dashboards
    assert len(grafana.state.dashboards) == 2


def test_persistent_500_is_a_server_error(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    grafana.state.fault("status", path="/api/folders", times=1, status=500, message="db locked")
    res = push(run_cli, grafana, out)
    assert res.exit_code == 3
    assert "500 db locked" in res.stderr


def test_connection_refused_fails_fast(run_cli: RunCli, out: Path) -> None:
    from tsedash.processes import free_port

    url = f"http://user:pw-secret@127.0.0.1:{free_port()}"
    res = run_cli("push", "--out", str(out), env={"GRAFANA_URL": url, "GRAFANA_TOKEN": ADMIN_TOKEN})
    assert res.exit_code == 3
    assert "cannot reach Grafana at http://user:***@127.0.0.1:" in res.stderr
    assert "pw-secret" not in res.stderr


def test_connection_reset_and_slow_answer(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    grafana.state.fault("reset", path="/api/health", times=10)
    res = push(run_cli, grafana, out)
    assert res.exit_code == 3
    assert "cannot reach Grafana" in res.stderr
    grafana.state.faults.clear()
    grafana.state.fault("slow", path="/api/health", seconds=1.5)
    res = run_cli("push", "--out", str(out), "--timeout", "0.3", env=env(grafana))
    assert res.exit_code == 3
    assert "no answer within 0.3s" in res.stderr


def test_provisioned_dashboard_is_skipped(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    model = json.loads((out / "dashboards/trading-ecosystem/devops-docker-view.json").read_text())
    grafana.state.provision(dict(model, description="from a file provider"))
    res = push(run_cli, grafana, out)
    assert res.exit_code == 0, res.stderr
    assert (
        "skipped         tse-devops-docker: provisioned by file (tse-devops-docker.json)"
        in res.stdout
    )
    assert grafana.state.dashboards[DEVOPS].model["description"] == "from a file provider"


def test_dry_run_writes_nothing(run_cli: RunCli, grafana: GrafanaDouble, out: Path) -> None:
    res = push(run_cli, grafana, out, "--dry-run", "--json")
    assert res.exit_code == 0
    summary = json.loads(res.stdout)
    assert summary["folder"] == "would-create"
    assert [d["action"] for d in summary["dashboards"]] == ["would-create", "would-create"]
    assert summary["writes"] == 0
    assert grafana.state.writes() == []


def test_diff_has_no_phantom_id_or_version(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    push(run_cli, grafana, out)
    stored = grafana.state.dashboards[DEVOPS].model
    assert stored["id"] and stored["version"]  # Grafana added both
    res = run_cli("diff", "--out", str(out), env=env(grafana))
    assert res.exit_code == 0
    assert res.stdout == "tse-devops-docker: equal\ntse-simulation-entity: equal\n"
    grafana.state.ui_edit(SIM)
    res = run_cli("diff", "--out", str(out), "--json", env=env(grafana))
    assert res.exit_code == 1
    [dev, sim] = json.loads(res.stdout)
    assert dev["status"] == "equal" and sim["status"] == "different"
    assert '-  "description": "edited in the UI",' in sim["diff"]
    assert '"version"' not in sim["diff"] and '"id"' not in sim["diff"]


def test_diff_of_a_missing_dashboard(run_cli: RunCli, grafana: GrafanaDouble, out: Path) -> None:
    res = run_cli("diff", "--out", str(out), env=env(grafana))
    assert res.exit_code == 1
    assert "tse-devops-docker: missing" in res.stdout
    assert "+++ local/tse-devops-docker" in res.stdout


def test_pull_saves_a_normalised_bare_model(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    push(run_cli, grafana, out)
    target = tmp_path / "pulled.json"
    res = run_cli("pull", "--uid", DEVOPS, "--out", str(target), env=env(grafana))
    assert res.exit_code == 0, res.stderr
    pulled = json.loads(target.read_text())
    assert "id" not in pulled and "version" not in pulled and "dashboard" not in pulled
    local = json.loads((out / "dashboards/trading-ecosystem/devops-docker-view.json").read_text())
    # What Grafana stores of it: its built-in annotation added, its defaults dropped.
    assert pulled == grafana.state.as_saved(local) != normalise(local)
    assert pulled["annotations"]["list"][0]["name"] == "Annotations & Alerts"
    assert '"transparent": false' not in target.read_text()
    res = run_cli("pull", "--uid", "nope", "--out", str(target), env=env(grafana))
    assert res.exit_code == 3
    assert "404" in res.stderr or "not found" in res.stderr


@pytest.mark.parametrize("grafana", ["legacy"], indirect=True)
def test_legacy_versions_list_is_understood(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    grafana.state.legacy_versions = True
    push(run_cli, grafana, out)
    grafana.state.ui_edit(DEVOPS)
    res = push(run_cli, grafana, out)
    assert res.exit_code == 3 and "edited in Grafana" in res.stderr


def test_dashboard_created_by_someone_else_is_not_overwritten(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    push(run_cli, grafana, out)
    # A dashboard saved under our uid by someone else (no tsedash version message).
    grafana.state._store(
        dict(grafana.state.dashboards[SIM].model, title="Theirs"),
        "trading-ecosystem",
        "carol",
        "my own",
    )
    res = push(run_cli, grafana, out)
    assert res.exit_code == 3
    assert "by carol" in res.stderr


def test_missing_url_and_bad_url(run_cli: RunCli, out: Path) -> None:
    res = run_cli("push", "--out", str(out), env={"GRAFANA_URL": "", "GRAFANA_TOKEN": ""})
    assert res.exit_code == 2 and "pass --url or set GRAFANA_URL" in res.stderr
    res = run_cli("push", "--out", str(out), "--url", "grafana:3000", env={"GRAFANA_TOKEN": ""})
    assert res.exit_code == 2 and "must start with http://" in res.stderr


def test_push_without_built_dashboards(
    run_cli: RunCli, grafana: GrafanaDouble, tmp_path: Path
) -> None:
    res = run_cli("push", "--out", str(tmp_path / "none"), env=env(grafana))
    assert res.exit_code == 2 and "run `tsedash build` first" in res.stderr


def test_push_from_sources_builds_in_memory(
    run_cli: RunCli, grafana: GrafanaDouble, tmp_path: Path
) -> None:
    from .conftest import ROOT

    compose = ROOT / "tests" / "fixtures" / "orchestrator" / "docker-compose.yml"
    res = run_cli(
        "push",
        "--out",
        str(tmp_path / "never-built"),
        "--registry",
        str(ROOT / "instances.yaml"),
        "--compose",
        str(compose),
        env=env(grafana),
    )
    assert res.exit_code == 0, res.stderr
    assert not (tmp_path / "never-built").exists()
    # Built from the merged registry in memory; no dashboard names an instance, so it is
    # exactly what the committed provisioning/ holds.
    committed = json.loads(
        (
            ROOT / "provisioning" / "dashboards" / "trading-ecosystem" / "devops-docker-view.json"
        ).read_text()
    )
    stored = grafana.state.dashboards[DEVOPS].model
    assert stored["panels"] == grafana.state.as_saved(committed)["panels"]
    res = run_cli(
        "diff",
        "--registry",
        str(ROOT / "instances.yaml"),
        "--compose",
        str(compose),
        env=env(grafana),
    )
    assert res.exit_code == 0 and "tse-devops-docker: equal" in res.stdout


def test_the_plan_shows_each_change_with_its_diff_and_writes_nothing(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    assert push(run_cli, grafana, out).exit_code == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(FIXTURE.read_text().replace("title: Trades,", "title: Fills,"))
    pipeline.build(changed, tsedash_dashboards, out, extras=None)
    grafana.state.ui_edit(DEVOPS, user="alice@example.com")
    writes = len(grafana.state.writes())
    res = push(run_cli, grafana, out, "--dry-run")
    assert res.exit_code == 3  # the refusal the real push would meet
    update = res.stdout.split("would-update    tse-simulation-entity", 1)[1]
    assert '-      "title": "exchange-simulator Trades/s",' in update
    assert '+      "title": "exchange-simulator Fills/s",' in update
    refusal = res.stderr.split("refused         tse-devops-docker", 1)[1]
    assert '-  "description": "edited in the UI",' in refusal
    summary = json.loads(push(run_cli, grafana, out, "--dry-run", "--json").stdout)
    by_uid = {d["uid"]: d for d in summary["dashboards"]}
    assert by_uid[SIM]["action"] == "would-update" and "Fills/s" in by_uid[SIM]["diff"]
    assert by_uid[DEVOPS]["action"] == "refused" and "edited in the UI" in by_uid[DEVOPS]["diff"]
    assert len(grafana.state.writes()) == writes


def test_uid_limits_push_and_diff(run_cli: RunCli, grafana: GrafanaDouble, out: Path) -> None:
    res = push(run_cli, grafana, out, "--uid", SIM)
    assert res.exit_code == 0, res.stderr
    assert set(grafana.state.dashboards) == {SIM}
    assert [saved_uid(r) for r in saves(grafana)] == [SIM]
    res = run_cli("diff", "--out", str(out), "--uid", DEVOPS, env=env(grafana))
    assert res.exit_code == 1 and res.stdout.startswith("tse-devops-docker: missing\n")
    assert f"{SIM}: " not in res.stdout  # only the dashboard asked for
    res = push(run_cli, grafana, out, "--uid", "nope", "--uid", SIM)
    assert res.exit_code == 2
    assert (
        "--uid nope: not among the dashboards built (tse-devops-docker, tse-simulation-entity)"
        in (res.stderr)
    )


def _add_old_dashboard(out: Path) -> Path:
    """A third dashboard in the build, as an extra would be: `old-one`."""
    folder = out / "dashboards" / "trading-ecosystem"
    model = json.loads((folder / "devops-docker-view.json").read_text())
    path = folder / "old-one.json"
    path.write_text(json.dumps(dict(model, uid="old-one", title="Old one", links=[])))
    return path


def test_prune_deletes_only_what_we_pushed_and_no_longer_build(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    old = _add_old_dashboard(out)
    mine = dict(json.loads(old.read_text()), uid="edited-one", title="Edited one")
    (old.parent / "edited-one.json").write_text(json.dumps(mine))
    assert push(run_cli, grafana, out).exit_code == 0
    grafana.state.ui_edit("edited-one")  # ours, but edited in Grafana since
    # Someone else's dashboard in our folder, and one outside it.
    foreign = dict(mine, uid="theirs", title="Theirs")
    grafana.state._store(foreign, "trading-ecosystem", "carol", "my own")
    grafana.state._store(dict(foreign, uid="elsewhere", title="Elsewhere"), "", "dan", "")
    old.unlink()
    (old.parent / "edited-one.json").unlink()
    plan = push(run_cli, grafana, out, "--prune", "--dry-run")
    assert plan.exit_code == 0, plan.stderr
    assert "would-delete    old-one: not built any more" in plan.stdout
    assert "kept            edited-one: not built any more, but not our last push" in plan.stdout
    assert "kept            theirs" in plan.stdout and "by carol" in plan.stdout
    assert "elsewhere" not in plan.stdout
    assert "old-one" in grafana.state.dashboards
    res = push(run_cli, grafana, out, "--prune")
    assert res.exit_code == 0, res.stderr
    assert "deleted         old-one" in res.stdout
    assert set(grafana.state.dashboards) == {DEVOPS, SIM, "edited-one", "theirs", "elsewhere"}
    res = push(run_cli, grafana, out, "--prune", "--uid", SIM)
    assert res.exit_code == 2 and "cannot go with --uid" in res.stderr


def test_restore_a_version_with_the_same_edit_protection(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    assert push(run_cli, grafana, out).exit_code == 0
    first = normalise(grafana.state.dashboards[SIM].model)
    changed = tmp_path / "changed.yaml"
    changed.write_text(FIXTURE.read_text().replace("title: Trades,", "title: Fills,"))
    pipeline.build(changed, tsedash_dashboards, out, extras=None)
    assert push(run_cli, grafana, out).exit_code == 0
    restore = ["restore", SIM, "--backups", str(tmp_path / "bk")]
    res = run_cli(*restore, "--version", "1", env=env(grafana))
    assert res.exit_code == 0, res.stderr
    assert "updated         tse-simulation-entity (version 3)" in res.stdout
    assert normalise(grafana.state.dashboards[SIM].model) == first
    assert grafana.state.dashboards[SIM].versions[-1].message.endswith(": restored from version 1")
    # Edited in the UI since: refused, then forced (the live copy saved first) ...
    grafana.state.ui_edit(SIM, user="alice@example.com")
    res = run_cli(*restore, "--version", "2", env=env(grafana))
    assert res.exit_code == 3 and "edited in Grafana since our last push" in res.stderr
    res = run_cli(*restore, "--version", "2", "--force", env=env(grafana))
    assert res.exit_code == 0, res.stderr
    [backup] = (tmp_path / "bk" / SIM).glob("*.json")
    assert "Fills/s" in json.dumps(grafana.state.dashboards[SIM].model)
    # ... and that backup put back in turn.
    res = run_cli(*restore, "--backup", str(backup), env=env(grafana))
    assert res.exit_code == 0, res.stderr
    assert grafana.state.dashboards[SIM].model["description"] == "edited in the UI"


def test_restore_needs_one_source_and_a_version_that_exists(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    assert push(run_cli, grafana, out).exit_code == 0
    res = run_cli("restore", SIM, env=env(grafana))
    assert res.exit_code == 2 and "exactly one of --version N and --backup FILE" in res.stderr
    res = run_cli("restore", SIM, "--version", "99", env=env(grafana))
    assert res.exit_code == 3 and "99" in res.stderr and "Traceback" not in res.stderr
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"uid": DEVOPS, "title": "x", "panels": []}))
    res = run_cli("restore", SIM, "--backup", str(other), env=env(grafana))
    assert res.exit_code == 2 and "holds dashboard 'tse-devops-docker'" in res.stderr


def test_the_folder_comes_from_the_registry_nested_under_its_parent(
    run_cli: RunCli, grafana: GrafanaDouble, tmp_path: Path
) -> None:
    registry = tmp_path / "team.yaml"
    registry.write_text(
        FIXTURE.read_text().replace(
            "categories:",
            "folder: {uid: sim-team, title: Simulation Team, parent: platform}\ncategories:",
        )
    )
    out = tmp_path / "provisioning"
    assert run_cli("build", "--registry", str(registry), "--out", str(out)).exit_code == 0
    provider = (out / "dashboards" / "trading-ecosystem.yml").read_text()
    assert "folder: Simulation Team" in provider and "folderUid: sim-team" in provider
    # Pushed from the registry: the folder is created under its parent.
    res = push(run_cli, grafana, out, "--registry", str(registry))
    assert res.exit_code == 3 and "parent folder not found" in res.stderr
    grafana.state.folders["platform"] = {"uid": "platform", "title": "Platform", "id": 99}
    res = push(run_cli, grafana, out, "--registry", str(registry))
    assert res.exit_code == 0, res.stderr
    assert "folder sim-team created" in res.stdout
    assert grafana.state.folders["sim-team"]["parentUid"] == "platform"
    assert {s.folder_uid for s in grafana.state.dashboards.values()} == {"sim-team"}
    # Pushed from the built files: the provider's folder (it exists now), no change.
    res = push(run_cli, grafana, out)
    assert res.exit_code == 0 and "folder sim-team exists" in res.stdout
    assert "2 unchanged" in res.stdout


# --- what Grafana stores is not what we sent ------------------------------------------------


def sent_schema(r: Recorded) -> int:
    model = r.body["dashboard"] if r.path == "/api/dashboards/db" else r.body["spec"]
    return int(model["schemaVersion"])


def test_a_grafana_one_schema_step_ahead_is_followed(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    """A Grafana at 43 migrates our 42 on save. The first push learns it from what it reads
    back (and saves that copy again with its marker); later pushes send 43 themselves."""
    grafana.state.schema_target = 43
    first = push(run_cli, grafana, out)
    assert first.exit_code == 0, first.stderr
    assert (
        "created         tse-devops-docker (version 2): Grafana stored it rewritten "
        "(/schemaVersion: 42 → 43); saved again with its marker" in first.stdout
    )
    assert [sent_schema(r) for r in saves(grafana)] == [42, 43, 42, 43]
    assert grafana.state.dashboards[SIM].model["schemaVersion"] == 43
    again = push(run_cli, grafana, out)
    assert again.exit_code == 0 and "2 unchanged; 0 writes" in again.stdout
    changed = tmp_path / "changed.yaml"
    changed.write_text(FIXTURE.read_text().replace("title: Trades,", "title: Fills,"))
    pipeline.build(changed, tsedash_dashboards, out, extras=None)
    before = len(grafana.state.requests)
    res = push(run_cli, grafana, out)
    assert res.exit_code == 0, res.stderr
    assert [(saved_uid(r), sent_schema(r)) for r in saves(grafana, before)] == [(SIM, 43)]
    grafana.state.ui_edit(SIM, user="alice@example.com")
    res = push(run_cli, grafana, out)
    assert res.exit_code == 3 and "edited in Grafana since our last push" in res.stderr


def test_a_grafana_behind_our_schema_version(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    """A Grafana at 41 cannot migrate our 42: its resource API refuses the save (422), so the
    push stops there with what to do; the legacy save of newer Grafana stores it unmigrated."""
    grafana.state.schema_target = 41
    res = push(run_cli, grafana, out)
    if legacy(grafana):
        assert res.exit_code == 0, res.stderr
        assert grafana.state.dashboards[DEVOPS].model["schemaVersion"] == 42
        assert "2 unchanged; 0 writes" in push(run_cli, grafana, out).stdout
        return
    assert res.exit_code == 3
    assert (
        "failed          tse-devops-docker: Grafana refused schemaVersion 42 (it migrates "
        "dashboards to 41; nothing written): our dashboards need a Grafana whose dashboard "
        "migrator knows schemaVersion 42; upgrade Grafana"
    ) in res.stderr
    assert "failed          tse-simulation-entity: not attempted: Grafana refuses our" in res.stderr
    assert len(saves(grafana)) == 1 and grafana.state.dashboards == {}
    assert "Traceback" not in res.stderr


def test_a_rewrite_tsedash_does_not_predict_is_saved_again_with_its_marker(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    """Whatever else Grafana rewrites, the copy read back is saved once more with the marker of
    what it is: the next push is unchanged, diff equal, a UI edit still refused, a prune still
    deletes what we pushed."""
    old = _add_old_dashboard(out)
    grafana.state.rewrite = lambda model: model.update(liveNow=False)
    first = push(run_cli, grafana, out)
    assert first.exit_code == 0, first.stderr
    assert "Grafana stored it rewritten (/liveNow: absent → false)" in first.stdout
    assert "3 created; 7 writes" in first.stdout  # the folder, and each dashboard twice
    again = push(run_cli, grafana, out)
    assert again.exit_code == 0 and "3 unchanged; 0 writes" in again.stdout
    res = run_cli("diff", "--out", str(out), env=env(grafana))
    assert res.exit_code == 0 and f"{SIM}: equal" in res.stdout
    old.unlink()
    res = push(run_cli, grafana, out, "--prune")
    assert res.exit_code == 0 and "deleted         old-one" in res.stdout
    grafana.state.ui_edit(DEVOPS, user="alice@example.com")
    res = push(run_cli, grafana, out)
    assert res.exit_code == 3 and "by alice@example.com" in res.stderr


def test_a_rewrite_on_every_save_is_reported(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    counter = iter(range(1000))
    grafana.state.rewrite = lambda model: model.update(saves=next(counter))
    res = push(run_cli, grafana, out, "--uid", SIM)
    assert res.exit_code == 0, res.stderr
    assert "Grafana rewrites it on every save (/saves: 0 → 1)" in res.stdout
    assert "a later change of it will be refused as an edit" in res.stdout
    # Unchanged all the same: its newest version is our push of this very build.
    res = push(run_cli, grafana, out, "--uid", SIM)
    assert res.exit_code == 0 and "1 unchanged; 0 writes" in res.stdout
    changed = tmp_path / "changed.yaml"
    changed.write_text(FIXTURE.read_text().replace("title: Trades,", "title: Fills,"))
    pipeline.build(changed, tsedash_dashboards, out, extras=None)
    res = push(run_cli, grafana, out, "--uid", SIM)
    assert res.exit_code == 3
    assert "although no version was saved since: its content is not what that push" in res.stderr


def test_a_dashboard_an_earlier_tsedash_pushed_is_recognised(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    """Its note `tsedash <hash>` hashed what it sent, the build: the same build is unchanged
    however Grafana stored it (no write, no refusal)."""
    model = json.loads((out / "dashboards/trading-ecosystem/devops-docker-view.json").read_text())
    grafana.state.folders["trading-ecosystem"] = {"uid": "trading-ecosystem", "title": "T"}
    note = f"tsedash {content_hash(model)}"
    grafana.state._store(grafana.state.as_saved(model), "trading-ecosystem", "tsedash-sa", note)
    res = push(run_cli, grafana, out, "--uid", DEVOPS)
    assert res.exit_code == 0, res.stderr
    assert "1 unchanged; 0 writes" in res.stdout


@pytest.mark.parametrize("grafana", ["resource"], indirect=True)
@pytest.mark.parametrize(
    ("token", "setup", "namespace"),
    [
        ("org3", {}, "org-3"),  # the token's own org, no GRAFANA_ORG_ID
        ("org3", {"settings_namespace": False}, "org-3"),  # from GET /api/org
        ("admin", {"stack_id": "6481"}, "stacks-6481"),  # Grafana Cloud
    ],
)
def test_the_namespace_is_the_one_grafana_forms(
    run_cli: RunCli,
    grafana: GrafanaDouble,
    out: Path,
    token: str,
    setup: dict[str, Any],
    namespace: str,
) -> None:
    from .grafana_double import ORG3_TOKEN

    for key, value in setup.items():
        setattr(grafana.state, key, value)
    res = push(run_cli, grafana, out, token=ORG3_TOKEN if token == "org3" else ADMIN_TOKEN)
    assert res.exit_code == 0, res.stderr
    paths = {r.path for r in saves(grafana)} | {
        r.path for r in grafana.state.requests if "/namespaces/" in r.path
    }
    assert paths and all(f"/namespaces/{namespace}/dashboards" in p for p in paths)
    assert (
        "2 unchanged"
        in push(run_cli, grafana, out, token=ADMIN_TOKEN if token == "admin" else ORG3_TOKEN).stdout
    )


@pytest.mark.parametrize("grafana", ["resource"], indirect=True)
def test_the_history_is_paged_until_the_version_is_found(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    """A server may answer fewer versions than asked, with a continue token for the rest:
    the history is followed page by page, as Grafana's own history client does."""
    grafana.state.history_page = 1
    assert push(run_cli, grafana, out).exit_code == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(FIXTURE.read_text().replace("title: Trades,", "title: Fills,"))
    pipeline.build(changed, tsedash_dashboards, out, extras=None)
    assert push(run_cli, grafana, out).exit_code == 0
    grafana.state.ui_edit(SIM, user="alice@example.com")
    res = run_cli("restore", SIM, "--version", "1", "--force", env=env(grafana))
    assert res.exit_code == 0, res.stderr
    assert "Trades/s" in json.dumps(grafana.state.dashboards[SIM].model)
    pages = [
        r.query.get("continue")
        for r in grafana.state.requests
        if r.query.get("labelSelector") == ["grafana.app/get-history=true"]
    ]
    assert ["2"] in pages  # the third page (versions 3, 2, then 1) was asked for


def test_a_file_provider_allowing_ui_updates_still_owns_its_dashboard(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    """The legacy API does not call it provisioned then, the resource API marks it
    classic-file-provisioning: push skips it on both."""
    model = json.loads((out / "dashboards/trading-ecosystem/devops-docker-view.json").read_text())
    grafana.state.provision(dict(model, description="from a file"), allow_ui_updates=True)
    res = push(run_cli, grafana, out)
    assert res.exit_code == 0, res.stderr
    assert "skipped         tse-devops-docker: provisioned by file (tse-devops-docker.json)" in (
        res.stdout
    )
    assert grafana.state.dashboards[DEVOPS].model["description"] == "from a file"


def test_an_empty_first_history_page_with_a_token_is_followed(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    """A history page may be empty and still hand out a token (Kubernetes lists filter after
    paging): the newest version is on the next page, and its author is named."""
    assert push(run_cli, grafana, out).exit_code == 0
    grafana.state.ui_edit(DEVOPS, user="alice@example.com")
    path, token = (
        ("/api/dashboards/uid/tse-devops-docker/versions", "continueToken")
        if legacy(grafana)
        else (RESOURCE, "continue")
    )

    def empty_first(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
        history = legacy(grafana) or query.get("labelSelector")
        if not history or token in query:
            return real()
        if legacy(grafana):
            return 200, {"continueToken": "0", "versions": []}
        return 200, {"kind": "DashboardList", "metadata": {"continue": "0"}, "items": []}

    grafana.state.answer("GET", path, empty_first)
    res = push(run_cli, grafana, out)
    assert res.exit_code == 3
    assert "edited in Grafana since our last push (version 2 by alice@example.com" in res.stderr
