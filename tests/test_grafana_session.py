"""The Grafana front door as a library: a target → a session, push/pull/diff/restore and the
live dashboards called directly against the Grafana double (no CLI in between)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tsedash.errors import InputError
from tsedash.grafana import errors as e
from tsedash.grafana.contexts import current_context, listed, use_context
from tsedash.grafana.live import check, delete_dashboards, get_dashboard, list_dashboards
from tsedash.grafana.report import diff_document, diff_lines, diff_stat, push_lines
from tsedash.grafana.session import (
    GrafanaTarget,
    Provided,
    PushRequest,
    Session,
    connect,
    exit_code,
    in_schema,
    provider_folder,
    push_built,
    restore,
    selected,
)
from tsedash.grafana.sync import Action, DiffResult, diff, local_dashboards, pull
from tsedash.provisioning.render import PROVIDER_FILE, dashboard_files, read_dashboards

from .grafana_double import ADMIN_TOKEN, GrafanaDouble

DEVOPS, SIM = "tse-devops-docker", "tse-simulation-entity"


def built_files(out: Path) -> tuple[list[tuple[str, dict[str, object]]], Provided]:
    """What `tsedash push` reads: the files `build` wrote and their provider's folder."""
    return local_dashboards(read_dashboards(out)), provider_folder(out / PROVIDER_FILE)


@pytest.fixture(params=["legacy", "resource"])
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaDouble]:
    with GrafanaDouble() as double:
        double.state.resource_api = request.param == "resource"
        yield double


@pytest.fixture
def session(grafana: GrafanaDouble, monkeypatch: pytest.MonkeyPatch) -> Session:
    monkeypatch.setenv("GRAFANA_TOKEN", ADMIN_TOKEN)
    return connect(GrafanaTarget(url=grafana.url))


def fresh(session: Session) -> Session:
    """A new session on the same Grafana (each command makes its own)."""
    return connect(GrafanaTarget(url=session.client.settings.url))


def push_files(session: Session, out: Path, **request: object) -> Action:
    built, folder = built_files(out)
    run = push_built(fresh(session), built, folder, PushRequest(**request))  # type: ignore[arg-type]
    return run.report


def test_a_push_through_the_session_then_a_plan_of_nothing(session: Session, out: Path) -> None:
    built, folder = built_files(out)
    assert folder == Provided("trading-ecosystem", "Trading Ecosystem")
    assert [uid for uid, _ in built] == [DEVOPS, SIM]
    plan = push_built(session, built, folder, PushRequest(dry_run=True)).report
    assert [o.action for o in plan.outcomes] == [Action.WOULD_CREATE] * 2
    assert exit_code(plan, detailed=True) == 2 and exit_code(plan) == 0
    done = push_built(fresh(session), built, folder, PushRequest()).report
    assert [o.action for o in done.outcomes] == [Action.CREATED] * 2
    again = push_built(fresh(session), built, folder, PushRequest(dry_run=True)).report
    assert [o.action for o in again.outcomes] == [Action.UNCHANGED] * 2
    assert exit_code(again, detailed=True) == 0
    lines = [line.text for line in push_lines("http://g", "legacy", again)]
    assert lines[-1] == f"2 unchanged; 0 writes, {again.requests} requests"


def test_detailed_exit_codes_refused_and_grafana_error(
    session: Session, grafana: GrafanaDouble, out: Path
) -> None:
    push_files(session, out)
    grafana.state.ui_edit(DEVOPS)
    refused = push_files(session, out, dry_run=True)
    assert {o.uid: o.action for o in refused.outcomes}[DEVOPS] is Action.REFUSED
    assert exit_code(refused, detailed=True) == 1 and exit_code(refused) == 3
    path = f"/api/dashboards/uid/{SIM}" if not grafana.state.resource_api else "/apis/"
    grafana.state.fault("status", path=path, status=500, times=20, method="GET")
    failed = push_files(session, out, dry_run=True)
    assert any(o.action is Action.FAILED for o in failed.outcomes)
    assert exit_code(failed, detailed=True) == 3


def test_the_pull_advice_leads_to_a_push_that_goes_ahead(
    session: Session, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    push_files(session, out)
    original = (out / "dashboards/trading-ecosystem/devops-docker-view.json").read_bytes()
    grafana.state.ui_edit(DEVOPS, title="Ops (edited)")
    backups = tmp_path / "backups"
    refused = push_files(session, out, backups=backups)
    outcome = {o.uid: o for o in refused.outcomes}[DEVOPS]
    assert outcome.action is Action.REFUSED
    assert f"`tsedash pull --uid {DEVOPS}`" in outcome.detail
    pulled = pull(fresh(session).dashboards, DEVOPS, None, dashboard_files(out), backups)
    assert pulled.replaced_build
    assert pulled.path == out / "dashboards/trading-ecosystem/devops-docker-view.json"
    assert json.loads(pulled.path.read_text())["title"] == "Ops (edited)"
    assert Path(pulled.backup).parent == backups / DEVOPS
    after = push_files(session, out, backups=backups)  # the edit kept: nothing to write
    assert {o.uid: o.action for o in after.outcomes}[DEVOPS] is Action.UNCHANGED
    assert grafana.state.dashboards[DEVOPS].model["title"] == "Ops (edited)"
    # A rebuild brings ours back: the saved copy lets that push replace the edit, no --force.
    pulled.path.write_bytes(original)
    rebuilt = push_files(session, out, backups=backups)
    updated = {o.uid: o for o in rebuilt.outcomes}[DEVOPS]
    assert updated.action is Action.UPDATED and updated.backup == pulled.backup
    assert grafana.state.dashboards[DEVOPS].model["title"] != "Ops (edited)"


def test_a_pull_elsewhere_and_a_pull_of_nothing(
    session: Session, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    push_files(session, out)
    monkeypatch.chdir(tmp_path)
    pulled = pull(session.dashboards, SIM, None, [], tmp_path / "bk")
    assert pulled.path == Path(f"{SIM}.json") and not pulled.replaced_build
    assert "bring" in pulled.advice and pulled.as_dict()["replaced_build"] is False
    again = pull(
        session.dashboards, SIM, tmp_path / "x.json", dashboard_files(out), tmp_path / "bk"
    )
    assert again.backup == pulled.backup  # the same live copy is saved once
    with pytest.raises(e.NotFound):
        pull(session.dashboards, "nope", None, [], tmp_path / "bk")


def test_diff_stat_counts_the_lines_of_the_unified_diff(session: Session, out: Path) -> None:
    built, _ = built_files(out)
    results = diff(session.dashboards, built)
    stats = diff_stat(results)
    for result, counted in zip(results, stats, strict=True):
        body = result.diff.splitlines()[2:]  # past the ---/+++ header
        assert counted.added == sum(1 for ln in body if ln.startswith("+")) > 0
        assert counted.removed == 0  # missing in Grafana: every line is an addition
    lines = [line.text for line in diff_lines(results, stat=True)]
    width = len(SIM)  # the names padded to the longest, the longest bar 40 signs, git-like
    assert lines[0] == f" {DEVOPS:<{width}} | {stats[0].added:>5} " + "+" * round(
        stats[0].added * 40 / max(s.added for s in stats)
    )
    assert max(len(line.rsplit(" ", 1)[1]) for line in lines[:2]) == 40
    total = sum(s.added for s in stats)
    assert lines[-1] == f" 2 dashboards changed, {total} insertions(+), 0 deletions(-)"
    assert "diff" not in diff_document(results, stat=True)[0]
    assert diff_document(results, stat=False)[1]["diff"] == results[1].diff


def test_diff_stat_of_a_small_change() -> None:
    text = "--- a\n+++ b\n@@ -1,2 +1,2 @@\n-x\n+y\n+z\n"
    stats = diff_stat([DiffResult("u", "different", text), DiffResult("v", "equal")])
    assert [(s.added, s.removed) for s in stats] == [(2, 1), (0, 0)]
    lines = [line.text for line in diff_lines([DiffResult("u", "different", text)], True)]
    assert lines == [" u |     3 ++-", " 1 dashboard changed, 2 insertions(+), 1 deletions(-)"]


def test_live_dashboards_listed_with_what_tsedash_pushed(
    session: Session, grafana: GrafanaDouble, out: Path
) -> None:
    push_files(session, out)
    grafana.state.ui_edit(SIM)
    found = {d.uid: d for d in list_dashboards(fresh(session))}
    assert set(found) == {DEVOPS, SIM}
    assert found[DEVOPS].pushed and not found[SIM].pushed
    assert found[DEVOPS].folder == "trading-ecosystem" and found[SIM].version == 2
    assert found[DEVOPS].as_dict()["title"] == "DevOps Docker View"
    assert get_dashboard(session, DEVOPS)["uid"] == DEVOPS
    with pytest.raises(e.NotFound):
        get_dashboard(session, "gone")


def test_delete_refuses_what_tsedash_did_not_push_unless_forced(
    session: Session, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    push_files(session, out)
    grafana.state.ui_edit(SIM)
    bk = tmp_path / "bk"
    plan = delete_dashboards(fresh(session), (DEVOPS, SIM, "nope"), False, True, bk)
    assert [o.action for o in plan] == [Action.WOULD_DELETE, Action.REFUSED, Action.FAILED]
    assert set(grafana.state.dashboards) == {DEVOPS, SIM} and not bk.exists()
    done = delete_dashboards(fresh(session), (DEVOPS, SIM), False, False, bk)
    assert [o.action for o in done] == [Action.DELETED, Action.REFUSED]
    assert done[0].backup is None and set(grafana.state.dashboards) == {SIM}
    forced = delete_dashboards(fresh(session), (SIM,), True, False, bk)
    assert forced[0].action is Action.DELETED and not grafana.state.dashboards
    saved = json.loads(Path(str(forced[0].backup)).read_text())
    assert saved["description"] == "edited in the UI"


def test_check_reports_version_database_org_and_api(session: Session) -> None:
    found = check(session)
    assert found["version"] == "12.2.0" and found["database"] == "ok"
    assert found["org"] == "Org 1" and found["url"] == session.url


def test_selection_schema_and_folder_helpers(out: Path, tmp_path: Path) -> None:
    built, _ = built_files(out)
    assert [uid for uid, _ in selected(built, (SIM,))] == [SIM]
    with pytest.raises(InputError, match=f"--uid nope: not among the dashboards built \\({DEVOPS}"):
        selected(built, ("nope",))
    assert in_schema(built, "v1", "f") == (built, [])
    specs, notes = in_schema(built[:1], "v2", "f")
    assert specs[0][0] == DEVOPS and "elements" in specs[0][1] and notes
    assert provider_folder(tmp_path / "none.yml") == Provided()


def test_restore_needs_exactly_one_source(session: Session) -> None:
    with pytest.raises(InputError, match="exactly one of --version N and --backup FILE"):
        restore(session, DEVOPS, None, None, PushRequest())


# --- the contexts file: current-context -------------------------------------------------


CONTEXTS = """\
# our Grafanas
contexts:
  staging:   # the shared one
    url: {url}
    token_env: STAGING_TOKEN
  lab: {{url: 'http://127.0.0.1:9'}}
"""


def test_use_writes_current_context_and_keeps_every_other_line(
    tmp_path: Path, grafana: GrafanaDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "contexts.yaml"
    file.write_text(CONTEXTS.format(url=grafana.url))
    os.chmod(file, 0o600)
    assert current_context(file) is None and current_context(tmp_path / "none.yaml") is None
    use_context("lab", file)
    assert file.read_text() == "# our Grafanas\ncurrent-context: lab\n" + CONTEXTS.format(
        url=grafana.url
    ).removeprefix("# our Grafanas\n")
    use_context("staging", file)
    assert file.read_text().count("current-context") == 1
    assert current_context(file) == "staging"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert listed(file) == ("staging", {"staging": grafana.url, "lab": "http://127.0.0.1:9"})
    with pytest.raises(InputError, match="no context 'prod' \\(there are: staging, lab\\)"):
        use_context("prod", file)
    # Without --context and without a URL, a session uses the current context ...
    monkeypatch.setenv("STAGING_TOKEN", ADMIN_TOKEN)
    session = connect(GrafanaTarget(contexts_file=file))
    assert session.context == "staging" and session.url == grafana.url
    # ... and never when a URL is given: its credentials stay with its URL.
    assert connect(GrafanaTarget(url=grafana.url, contexts_file=file)).context is None
    monkeypatch.setenv("GRAFANA_URL", grafana.url)
    assert connect(GrafanaTarget(contexts_file=file)).context is None


def test_use_refuses_an_edit_it_cannot_make_losslessly(tmp_path: Path) -> None:
    file = tmp_path / "contexts.yaml"
    file.write_text("{contexts: {a: {url: 'http://g'}}}\n")
    with pytest.raises(InputError, match="cannot add `current-context: a` safely"):
        use_context("a", file)
    assert file.read_text() == "{contexts: {a: {url: 'http://g'}}}\n"


def test_insecure_warns_once_at_connect(grafana: GrafanaDouble) -> None:
    session = connect(GrafanaTarget(url=grafana.url.replace("http:", "https:"), insecure=True))
    assert any("TLS verification is off" in w for w in session.warnings)
    assert session.notices == []


def test_delete_never_removes_what_a_file_provider_loads(
    session: Session, grafana: GrafanaDouble, tmp_path: Path
) -> None:
    grafana.state.provision({"uid": "prov", "title": "Provisioned"}, "trading-ecosystem")
    done = delete_dashboards(session, ("prov",), True, False, tmp_path / "bk")
    assert done[0].action is Action.REFUSED and "provisioned by file" in done[0].detail
    assert "prov" in grafana.state.dashboards


def test_delete_of_a_dashboard_changed_meanwhile_is_a_conflict(
    session: Session, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    push_files(session, out)
    # Someone saves in the UI between our read and our delete: the resource API's DELETE
    # precondition, or the legacy API's read just before the DELETE, sees it.
    if grafana.state.resource_api:
        grafana.state.fault("race", path="/apis/", method="DELETE", uid=DEVOPS)
    else:
        grafana.state.fault("race", path=f"/api/dashboards/uid/{DEVOPS}/versions", uid=DEVOPS)
    done = delete_dashboards(fresh(session), (DEVOPS,), True, False, tmp_path / "bk")
    assert done[0].action is Action.CONFLICT and "changed since it was read" in done[0].detail
    assert DEVOPS in grafana.state.dashboards


def test_a_search_answer_that_is_no_list_is_an_error(
    session: Session, grafana: GrafanaDouble
) -> None:
    grafana.state.answer("GET", "/api/search", lambda query, real: (200, {"hits": []}))
    with pytest.raises(e.UntrustedAnswer, match="GET /api/search: the answer is not a list"):
        list_dashboards(session)


def test_prune_with_uids_and_a_restore_of_the_other_schema_are_refused(
    session: Session, out: Path, tmp_path: Path
) -> None:
    built, folder = built_files(out)
    with pytest.raises(InputError, match="--prune compares every dashboard built"):
        push_built(session, built, folder, PushRequest(prune=True, uids=(DEVOPS,)))
    backup = tmp_path / "v2.json"
    backup.write_text(json.dumps({"uid": DEVOPS, "title": "t", "elements": {}, "layout": {}}))
    with pytest.raises(InputError, match="holds a schema v2 dashboard: restore it --schema v2"):
        restore(session, DEVOPS, None, backup, PushRequest())


def test_a_context_whose_url_cannot_be_used_names_the_context(tmp_path: Path) -> None:
    file = tmp_path / "contexts.yaml"
    file.write_text("current-context: a\ncontexts: {a: {url: 'grafana:3000'}}\n")
    with pytest.raises(InputError, match=r"context 'a': .*must start with http"):
        connect(GrafanaTarget(contexts_file=file))


def test_push_summary_carries_the_v2_report(
    session: Session, grafana: GrafanaDouble, out: Path
) -> None:
    from tsedash.grafana.session import push_summary

    grafana.state.resource_api = True  # v2 goes through dashboard.grafana.app/v2 only
    built, folder = built_files(out)
    v2 = connect(GrafanaTarget(url=session.client.settings.url, schema="v2"))
    run = push_built(v2, built[:1], folder, PushRequest(dry_run=True))
    summary = push_summary(v2, run, True)
    assert summary["v2_conversion"] and summary["dashboards"][0]["uid"] == DEVOPS
