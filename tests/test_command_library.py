"""What the commands call, called directly: each command's checks and results live in the
library (the command layer only parses options and prints), so they are tested here without
the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tsedash.encode import render_document
from tsedash.errors import InputError, describe
from tsedash.grafana.session import (
    GrafanaTarget,
    PushRequest,
    Session,
    diff_built,
    on_target,
    provider_folder,
    push_built,
)
from tsedash.grafana.sync import check_pull, local_dashboards
from tsedash.migrate.files import MigrateRequest
from tsedash.pipeline.inputs import BaseChoice, SourceSpec
from tsedash.provisioning.render import PROVIDER_FILE, read_dashboards
from tsedash.registry.edit import Recorded
from tsedash.registry.model import GrafanaDatasource
from tsedash.watch import WatchPlan, plan_watch

from .grafana_double import ADMIN_TOKEN, GrafanaDouble

DEVOPS = "tse-devops-docker"


def test_on_target_says_warnings_first_and_notices_even_when_the_work_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRAFANA_TOKEN", ADMIN_TOKEN)
    said: list[str] = []
    target = GrafanaTarget(url="https://127.0.0.1:9", insecure=True)

    def work(session: Session) -> None:
        session.client.notices.extend(["cut short", "cut short"])
        raise InputError("the work failed")

    with pytest.raises(InputError, match="the work failed"):
        on_target(target, work, said.append)
    assert len(said) == 2
    assert "TLS verification is off" in said[0]
    assert said[1] == "cut short"  # each notice once


def test_on_target_returns_what_the_work_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAFANA_TOKEN", ADMIN_TOKEN)
    said: list[str] = []
    assert on_target(GrafanaTarget(url="http://127.0.0.1:9"), lambda s: s.url, said.append) == (
        "http://127.0.0.1:9"
    )
    assert said == []


def test_diff_built_compares_the_selection_in_the_session_schema(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFANA_TOKEN", ADMIN_TOKEN)
    built = local_dashboards(read_dashboards(out))
    folder = provider_folder(out / PROVIDER_FILE)
    with GrafanaDouble() as grafana:
        target = GrafanaTarget(url=grafana.url)
        on_target(target, lambda s: push_built(s, built, folder, PushRequest()), print)
        grafana.state.ui_edit(DEVOPS)
        results, notes = on_target(target, lambda s: diff_built(s, built, folder, ()), print)
        assert {r.uid: r.status for r in results}[DEVOPS] != "equal"
        assert [r.status for r in results if r.uid != DEVOPS] == ["equal"]
        assert notes == []
        only, _ = on_target(target, lambda s: diff_built(s, built, folder, (DEVOPS,)), print)
        assert [r.uid for r in only] == [DEVOPS]
        with pytest.raises(InputError, match="--uid nope: not among the dashboards built"):
            on_target(target, lambda s: diff_built(s, built, folder, ("nope",)), print)


def test_detailed_exit_codes_describe_a_plan_only() -> None:
    with pytest.raises(InputError, match="--detailed-exitcode describes a plan"):
        PushRequest(detailed_exitcode=True)
    assert PushRequest(dry_run=True, detailed_exitcode=True).detailed_exitcode


@pytest.mark.parametrize(
    ("uid", "out", "datasources", "message"),
    [
        ("a", None, True, "--datasources fills the registry"),
        (None, Path("x.json"), True, "--datasources fills the registry"),
        (None, None, False, "give --uid UID"),
        (None, Path("x.json"), False, "give --uid UID"),
    ],
)
def test_pull_takes_a_dashboard_or_the_datasources(
    uid: str | None, out: Path | None, datasources: bool, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        check_pull(uid, out, datasources)


def test_pull_accepts_one_of_them() -> None:
    check_pull("a", Path("x.json"), False)
    check_pull(None, None, True)


def test_recorded_datasources_as_a_line_and_a_document() -> None:
    found = [GrafanaDatasource("Prom", "p1", "prometheus", False)]
    found.append(GrafanaDatasource("VM", "v1", "prometheus", True))
    recorded = Recorded("instances.yaml", found)
    assert recorded.line() == (
        "wrote 2 datasource(s) into instances.yaml (datasource.grafana; default: VM)"
    )
    assert recorded.as_dict()["datasources"][1] == {
        "name": "VM",
        "uid": "v1",
        "type": "prometheus",
        "default": True,
    }
    assert "default: none" in Recorded("r.yaml", found[:1]).line()


def _export(tmp_path: Path, name: str, version: int) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"uid": name.split(".")[0], "schemaVersion": version}))
    return path


def test_migrate_refuses_what_cannot_go_together(tmp_path: Path) -> None:
    one = _export(tmp_path, "a.json", 42)
    with pytest.raises(InputError, match="--check writes nothing"):
        MigrateRequest((one,), out_dir=tmp_path, check=True).run(None)
    with pytest.raises(InputError, match="--check writes nothing"):
        MigrateRequest((one,), schema="v2", check=True).run(None)
    two = (one, _export(tmp_path, "b.json", 42))
    with pytest.raises(InputError, match="2 files: give --out DIR"):
        MigrateRequest(two).run(None)
    assert len(MigrateRequest(two, structured=True).run(None).results) == 2


def test_migrate_check_counts_what_would_change_and_exits_1(tmp_path: Path) -> None:
    current, old = _export(tmp_path, "a.json", 42), _export(tmp_path, "b.json", 30)
    current.write_text(MigrateRequest((current,)).run(None).stdout)  # as migrate writes it
    run = MigrateRequest((current, old), check=True).run(None)
    assert [r.changed for r in run.results] == [False, True]
    assert run.exit_code == 1 and run.stdout == ""
    assert run.lines(quiet=True) == [(False, "1 of 2 file(s) would change")]
    assert not (tmp_path / "out").exists()


def test_migrate_of_one_file_puts_the_model_on_stdout_and_the_report_on_stderr(
    tmp_path: Path,
) -> None:
    run = MigrateRequest((_export(tmp_path, "b.json", 30),)).run(None)
    assert json.loads(run.stdout)["schemaVersion"] == 42
    assert run.lines(quiet=False) and all(err for err, _ in run.lines(quiet=False))
    assert run.exit_code == 0 and run.lines(quiet=True) == []


def _plan(**options: object) -> tuple[WatchPlan, str | None]:
    given: dict[str, object] = {
        "extras": None,
        "base": BaseChoice(),
        "out": Path("provisioning"),
        "no_lint": False,
        "deploy_out": Path("deploy"),
        "no_deploy": False,
        "prometheus_url": None,
        "context": None,
        "contexts_file": None,
    }
    return plan_watch(SourceSpec(), **{**given, **options})  # type: ignore[arg-type]


def test_watch_without_the_deploy_directory_refuses_what_needs_it() -> None:
    for options in ({"prometheus_url": "http://p:9090"}, {"base": BaseChoice(off=True)}):
        with pytest.raises(InputError, match="need the deploy directory: drop --no-deploy"):
            _plan(no_deploy=True, **options)


def test_watch_plan_builds_lints_deploys_and_pushes_to_a_checked_context(tmp_path: Path) -> None:
    contexts = tmp_path / "contexts.yaml"
    contexts.write_text("contexts:\n  lab:\n    url: http://127.0.0.1:3000\n")
    plan, url = _plan(context="lab", contexts_file=contexts, prometheus_url="http://p:9090")
    assert url == "http://p:9090"
    assert plan.push == ("--out", "provisioning", "--context", "lab", "--contexts", str(contexts))
    assert plan.build_args()[-5:] == ["--lint", "--strict", "--deploy", "deploy", "-q"]
    unlinted, _ = _plan(no_lint=True, no_deploy=True)
    assert "--lint" not in unlinted.build_args() and unlinted.deploy is None
    with pytest.raises(InputError):
        _plan(context="elsewhere", contexts_file=contexts)


def test_describe_names_the_file_or_says_a_bug() -> None:
    assert describe(FileNotFoundError(2, "No such file", "r.yaml")) == "r.yaml: No such file"
    assert describe(RecursionError()) == "an input is nested too deeply to read"
    assert describe(ValueError("x")) == "unexpected ValueError: x (a bug in tsedash)"


def test_documents_are_sorted_whatever_the_order_given() -> None:
    assert render_document({"b": 1, "a": [2]}, "json") == '{\n  "a": [\n    2\n  ],\n  "b": 1\n}'
    assert render_document({"b": 1, "a": 2}, "yaml") == "a: 2\nb: 1"
