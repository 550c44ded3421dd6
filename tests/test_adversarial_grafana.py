"""Hostile Grafana answers and Grafana inputs, judged like tests/test_adversarial.py.

Every case runs the real command in its own process against the Grafana double (both dashboard
APIs where the case exists in both) and is judged the same way: the documented exit code, a
clear one-line message, no traceback, no `(a bug in tsedash)`, no secret, bounded time — and,
for `push --prune`, the server's state afterwards: which dashboards and folders still exist, and
which requests were never made.
"""

from __future__ import annotations

import json
import posixpath
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tsedash.grafana.sync import version_message

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE
from .grafana_double import ADMIN_TOKEN, GrafanaDouble
from .test_adversarial import BUG_LINE, clean, run
from .test_grafana_push import DEVOPS, RESOURCE, SIM, _add_old_dashboard

RunCli = Callable[..., Result]
FOLDER = "trading-ecosystem"
OLD = "old-one"  # built once, pushed, then no longer built: what a prune is for
PRUNE_SECONDS = 30.0  # far above a bounded prune (a few seconds); a hang is a failure


@pytest.fixture(params=["legacy", "resource"])
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaDouble]:
    with GrafanaDouble() as double:
        double.state.resource_api = request.param == "resource"
        double.mode = request.param  # type: ignore[attr-defined]
        yield double


def mode(grafana: GrafanaDouble) -> str:
    return str(grafana.mode)  # type: ignore[attr-defined]


def grafana_env(grafana: GrafanaDouble) -> dict[str, str]:
    return {"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN}


def bounded(*args: str, seconds: float, env: dict[str, str] | None = None) -> Any:
    """`run`, but a command still running after `seconds` fails the test (a hang is a bug)."""
    started = time.monotonic()
    try:
        res = subprocess.run(
            [sys.executable, "-m", "tsedash", *args],
            cwd=ROOT,
            env={**_base_env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"tsedash {' '.join(args[:2])} still running after {seconds:g}s")
    assert BUG_LINE not in res.stdout + res.stderr, res.stderr
    res.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    return res


def _base_env() -> dict[str, str]:
    import os

    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GRAFANA_", "REDIS_URL", "TSEDASH_"))
    }


# --- push --prune: only what is provably ours is ever deleted --------------------------------


@pytest.fixture
def pushed(run_cli: RunCli, grafana: GrafanaDouble, out: Path) -> Path:
    """Our two dashboards and `old-one` pushed, then `old-one` dropped from the build."""
    old = _add_old_dashboard(out)
    res = run_cli("push", "--out", str(out), "--api", mode(grafana), env=grafana_env(grafana))
    assert res.exit_code == 0, res.stderr
    old.unlink()
    grafana.state.folders["other-team"] = {"uid": "other-team", "title": "Other", "id": 90}
    return out


def prune(grafana: GrafanaDouble, out: Path, *args: str) -> Any:
    return bounded(
        "push", "--out", str(out), "--prune", "--api", mode(grafana), "--timeout", "2", *args,
        seconds=PRUNE_SECONDS, env=grafana_env(grafana),
    )  # fmt: skip


def tsedash_pushed(grafana: GrafanaDouble, uid: str, folder: str) -> None:
    """A dashboard with a valid `tsedash <hash>` note (another team's tsedash pushed it)."""
    model = {"uid": uid, "title": f"Theirs {uid}", "panels": [], "schemaVersion": 42}
    grafana.state._store(model, folder, "tsedash-sa", version_message(model, None))


def deletes(grafana: GrafanaDouble) -> list[str]:
    return [r.path for r in grafana.state.requests if r.method == "DELETE"]


def everything_kept(grafana: GrafanaDouble, *uids: str) -> None:
    """The server after a prune that had to delete nothing: every folder and dashboard."""
    assert FOLDER in grafana.state.folders and "other-team" in grafana.state.folders
    assert {DEVOPS, SIM, OLD, *uids} <= set(grafana.state.dashboards)
    assert deletes(grafana) == []


def test_a_search_answer_never_decides_the_folder(pushed: Path, grafana: GrafanaDouble) -> None:
    """The legacy search lists a dashboard of another folder and one in General as ours: the
    dashboard read back by uid says where it is, and it is not deleted."""
    if mode(grafana) != "legacy":
        pytest.skip("the legacy search; the resource list is the next case")
    tsedash_pushed(grafana, "theirs-elsewhere", "other-team")
    tsedash_pushed(grafana, "in-general", "")

    def lying(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
        status, hits = real()
        extra = [{"uid": u, "type": "dash-db", "folderUid": FOLDER, "title": u} for u in
                 ("theirs-elsewhere", "in-general")]  # fmt: skip
        return status, hits + extra if query.get("page", ["1"]) == ["1"] else hits

    grafana.state.answer("GET", "/api/search", lying)
    res = prune(grafana, pushed)
    clean(res, 0, "kept            in-general: in the General folder", secrets=(ADMIN_TOKEN,))
    assert "kept            theirs-elsewhere: in folder other-team" in res.stdout
    assert {"theirs-elsewhere", "in-general"} <= set(grafana.state.dashboards)
    assert OLD not in grafana.state.dashboards  # ours, proven, still pruned


def test_a_folder_the_search_lists_is_never_deleted(pushed: Path, grafana: GrafanaDouble) -> None:
    """A folder nested in ours, listed by the search and served by uid the way the legacy API
    serves folders (`meta.isFolder`), with our note on it: a folder is never a prune's."""
    if mode(grafana) != "legacy":
        pytest.skip("the legacy API serves folders through /api/dashboards/uid")
    grafana.state.folders["sub"] = {"uid": "sub", "title": "Sub", "id": 91, "parentUid": FOLDER}
    model, note = _dashboard_shaped(grafana, "sub")
    meta = {"isFolder": True, "folderUid": FOLDER, "version": 1, "provisioned": False}

    def listing(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
        status, hits = real()
        return status, [*hits, {"uid": "sub", "type": "dash-db", "folderUid": FOLDER}]

    grafana.state.answer("GET", "/api/search", listing)
    grafana.state.answer(
        "GET", "/api/dashboards/uid/sub", lambda q, r: (200, {"dashboard": model, "meta": meta})
    )
    grafana.state.answer(
        "GET",
        "/api/dashboards/uid/sub/versions",
        lambda q, r: (200, {"versions": [{"version": 1, "message": note}]}),
    )
    res = prune(grafana, pushed)
    clean(res, 0, "kept            sub: a folder, not a dashboard", secrets=(ADMIN_TOKEN,))
    assert "sub" in grafana.state.folders
    assert [p for p in deletes(grafana) if "sub" in p] == []


def _list_path(grafana: GrafanaDouble) -> str:
    return "/api/search" if mode(grafana) == "legacy" else RESOURCE


def _is_list(query: dict[str, list[str]]) -> bool:
    return "labelSelector" not in query  # the resource API's history is the list path too


def test_a_dashboard_moved_out_between_list_and_read_is_not_deleted(
    pushed: Path, grafana: GrafanaDouble
) -> None:
    def then_moved(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
        answer = real()
        if _is_list(query):
            grafana.state.move(OLD, "other-team")  # someone moves it right after the list
        return answer

    grafana.state.answer("GET", _list_path(grafana), then_moved)
    res = prune(grafana, pushed)
    clean(res, 0, f"kept            {OLD}: in folder other-team", secrets=(ADMIN_TOKEN,))
    assert grafana.state.dashboards[OLD].folder_uid == "other-team"
    everything_kept(grafana)


@pytest.mark.parametrize(
    ("kind", "identity"),
    [
        ("repo", "team-dashboards-git"),
        ("terraform", "grafana-terraform-provider"),
        ("kubectl", "kubectl-client-side-apply"),
        ("plugin", "grafana-slo-app"),
    ],
)
def test_a_dashboard_another_manager_claims_is_not_deleted(
    pushed: Path, grafana: GrafanaDouble, kind: str, identity: str
) -> None:
    """Ours by content and folder, but Git Sync, Terraform, kubectl or a plugin manages it now.
    Only the resource API says so: on a Grafana that serves it, a legacy-API prune asks it."""
    grafana.state.resource_api = True  # Grafana 12+ (--api legacy still reads /api/dashboards)
    grafana.state.manage(OLD, kind, identity)
    res = prune(grafana, pushed)
    clean(res, 0, f"kept            {OLD}: managed by {kind} ({identity})", secrets=(ADMIN_TOKEN,))
    everything_kept(grafana)


def test_a_file_provisioned_dashboard_is_kept(pushed: Path, grafana: GrafanaDouble) -> None:
    grafana.state.dashboards[OLD].provisioned = True
    grafana.state.dashboards[OLD].external_id = "old-one.json"
    res = prune(grafana, pushed)
    clean(res, 0, f"kept            {OLD}: provisioned by file", secrets=(ADMIN_TOKEN,))
    everything_kept(grafana)


def _dashboard_shaped(grafana: GrafanaDouble, uid: str) -> tuple[dict[str, Any], str]:
    """An answer that looks like our own last push of `uid`, and its version note."""
    model = dict(grafana.state.dashboards[SIM].model, uid=uid)
    return model, version_message(model, None)


def _hostile_hooks(grafana: GrafanaDouble, hostile: str) -> list[str]:
    """The list names `hostile`; the paths a client that joins strings would reach with it
    answer like one of our dashboards. Returns those paths (they must never be requested)."""
    model, note = _dashboard_shaped(grafana, hostile)
    folder = grafana.state.folders[FOLDER]
    if mode(grafana) == "legacy":
        item = posixpath.normpath(f"/api/dashboards/uid/{hostile}")
        versions = posixpath.normpath(f"/api/dashboards/uid/{hostile}/versions")
        meta = {"folderUid": FOLDER, "version": 1, "provisioned": False}

        def listing(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
            status, hits = real()
            hit = {"uid": hostile, "type": "dash-db", "folderUid": FOLDER, "title": "x"}
            return status, [*hits, hit] if query.get("page", ["1"]) == ["1"] else hits

        grafana.state.answer("GET", "/api/search", listing)
        grafana.state.answer("GET", item, lambda q, r: (200, {"dashboard": model, "meta": meta}))
        grafana.state.answer(
            "GET", versions, lambda q, r: (200, {"versions": [{"version": 1, "message": note}]})
        )
        if item != f"/api/folders/{FOLDER}":  # that one is ours, asked once to find the folder
            return [item, versions]
        grafana.state.answer("GET", item, lambda q, r: (200, folder))
        return [versions]
    resource = {
        "apiVersion": "dashboard.grafana.app/v1",
        "kind": "Dashboard",
        "metadata": {
            "name": hostile,
            "resourceVersion": "1",
            "generation": 1,
            "annotations": {"grafana.app/folder": FOLDER, "grafana.app/message": note},
        },
        "spec": {k: v for k, v in model.items() if k != "uid"},
    }
    item = posixpath.normpath(f"{RESOURCE}/{hostile}")

    def listing_or_history(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
        status, body = real()
        if _is_list(query):
            return status, dict(body, items=[*body["items"], resource])
        if query.get("fieldSelector") == [f"metadata.name={hostile}"]:
            return status, dict(body, items=[resource])
        return status, body

    grafana.state.answer("GET", RESOURCE, listing_or_history)
    grafana.state.answer("GET", item, lambda q, r: (200, resource))
    return [item]


@pytest.mark.parametrize(
    "hostile",
    ["../folders/trading-ecosystem", "../../folders/trading-ecosystem", "../../api/admin/users/1"],
)
def test_a_uid_from_the_server_never_becomes_a_path(
    pushed: Path, grafana: GrafanaDouble, hostile: str
) -> None:
    """The list names a uid that would walk out of /api/dashboards: it is never requested,
    nothing at all is deleted (the list cannot be trusted), and the folder still exists."""
    never = _hostile_hooks(grafana, hostile)
    before = len(grafana.state.requests)
    res = prune(grafana, pushed)
    clean(res, 3, "is not a Grafana uid", secrets=(ADMIN_TOKEN,))
    assert "nothing deleted" in res.stderr
    made = grafana.state.requests[before:]
    assert not [r.path for r in made if r.path in never or "admin" in r.path]
    folder_reads = [r for r in made if r.path == f"/api/folders/{FOLDER}"]
    assert len(folder_reads) == 1  # ensure_folder's own read, nothing derived from the uid
    everything_kept(grafana)


def test_an_endless_list_is_bounded_and_deletes_nothing(
    pushed: Path, grafana: GrafanaDouble
) -> None:
    pages = {"n": 0}

    def endless(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
        if not _is_list(query):
            return real()
        pages["n"] += 1
        if mode(grafana) == "legacy":  # every page full: there is always a next one
            limit = int(query.get("limit", ["1000"])[0])
            hits = [{"uid": f"p{pages['n']}-{i}", "type": "dash-db", "folderUid": FOLDER}
                    for i in range(limit)]  # fmt: skip
            return 200, hits
        page = {"kind": "DashboardList", "items": [], "metadata": {"continue": f"t-{pages['n']}"}}
        return 200, page  # an empty page, and always another one

    grafana.state.answer("GET", _list_path(grafana), endless)
    res = prune(grafana, pushed)
    clean(res, 3, "did not end", secrets=(ADMIN_TOKEN,))
    assert "nothing deleted" in res.stderr
    assert res.elapsed < 20  # type: ignore[attr-defined]
    assert pages["n"] <= 201
    everything_kept(grafana)


def test_a_repeated_continue_token_is_refused_at_once(pushed: Path, grafana: GrafanaDouble) -> None:
    if mode(grafana) != "resource":
        pytest.skip("continue tokens are the resource API's")

    def looping(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
        if not _is_list(query):
            return real()
        return 200, {"kind": "DashboardList", "items": [], "metadata": {"continue": "same"}}

    grafana.state.answer("GET", RESOURCE, looping)
    before = len(grafana.state.requests)
    res = prune(grafana, pushed)
    clean(res, 3, "repeated its continue token", secrets=(ADMIN_TOKEN,))
    made = grafana.state.requests[before:]
    lists = [r for r in made if r.method == "GET" and r.path == RESOURCE and _is_list(r.query)]
    assert [r.query.get("continue") for r in lists] == [None, ["same"]]
    everything_kept(grafana)


def test_one_unprovable_dashboard_means_nothing_is_deleted(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path
) -> None:
    """Two of ours no longer built; the history of one cannot be read: neither is deleted."""
    first = _add_old_dashboard(out)
    second = first.with_name("old-two.json")
    second.write_text(json.dumps(dict(json.loads(first.read_text()), uid="old-two", title="2")))
    res = run_cli("push", "--out", str(out), "--api", mode(grafana), env=grafana_env(grafana))
    assert res.exit_code == 0, res.stderr
    first.unlink()
    second.unlink()
    history = "/api/dashboards/uid/old-two/versions" if mode(grafana) == "legacy" else RESOURCE
    if mode(grafana) == "legacy":
        grafana.state.fault("status", path=history, status=500, message="database is locked")
    else:

        def broken_history(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
            if query.get("fieldSelector") == ["metadata.name=old-two"]:
                return 500, {"kind": "Status", "message": "database is locked", "code": 500}
            return real()

        grafana.state.answer("GET", RESOURCE, broken_history)
    res = prune(grafana, out)
    clean(res, 3, "database is locked", secrets=(ADMIN_TOKEN,))
    assert "nothing deleted" in res.stderr
    assert {OLD, "old-two", DEVOPS, SIM} <= set(grafana.state.dashboards)
    assert deletes(grafana) == []


def test_the_dry_run_lists_exactly_what_is_then_deleted(
    pushed: Path, grafana: GrafanaDouble
) -> None:
    grafana.state.resource_api = True
    tsedash_pushed(grafana, "theirs", FOLDER)
    grafana.state.ui_edit("theirs", user="carol@example.com")  # edited since: not our last push
    tsedash_pushed(grafana, "managed", FOLDER)
    grafana.state.manage("managed", "terraform", "tf")
    tsedash_pushed(grafana, "ours-too", FOLDER)  # same folder, our note: provably ours
    plan = prune(grafana, pushed, "--dry-run", "--json")
    assert plan.returncode == 0, plan.stderr
    would = {
        d["uid"] for d in json.loads(plan.stdout)["dashboards"] if d["action"] == "would-delete"
    }
    assert would == {OLD, "ours-too"} and deletes(grafana) == []
    res = prune(grafana, pushed, "--json")
    assert res.returncode == 0, res.stderr
    done = {d["uid"] for d in json.loads(res.stdout)["dashboards"] if d["action"] == "deleted"}
    assert done == would
    assert set(grafana.state.dashboards) == {DEVOPS, SIM, "theirs", "managed"}


# --- a uid or folder the server names, outside prune ----------------------------------------


def test_restore_never_uses_a_folder_uid_the_server_made_up(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    res = run_cli("push", "--out", str(out), "--api", mode(grafana), env=grafana_env(grafana))
    assert res.exit_code == 0, res.stderr
    hostile = "../../api/admin/users/1"
    if mode(grafana) == "legacy":
        path = f"/api/dashboards/uid/{SIM}"

        def moved(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
            status, body = real()
            return status, dict(body, meta=dict(body["meta"], folderUid=hostile))

    else:
        path = f"{RESOURCE}/{SIM}"

        def moved(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
            status, body = real()
            notes = dict(body["metadata"]["annotations"], **{"grafana.app/folder": hostile})
            return status, dict(body, metadata=dict(body["metadata"], annotations=notes))

    grafana.state.answer("GET", path, moved)
    writes = len(grafana.state.writes())
    res = bounded(
        "restore", SIM, "--version", "1", "--api", mode(grafana), "--timeout", "2",
        "--backups", str(tmp_path / "bk"), seconds=PRUNE_SECONDS, env=grafana_env(grafana),
    )  # fmt: skip
    clean(res, 3, "is not a Grafana uid", secrets=(ADMIN_TOKEN,))
    assert len(grafana.state.writes()) == writes
    assert not [r.path for r in grafana.state.requests if "admin" in r.path]


# --- Grafana inputs ----------------------------------------------------------------------------

TOKEN = "glsa_Hostile0Token0Value_0123456789"


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://", "has no host"),
        ("http://:3000", "has no host"),
        ("https:///api", "has no host"),
        ("http://[::1", "a broken IPv6 literal"),
        ("http://[zz]:3000", "a broken IPv6 literal"),
        ("http://[::1]x:3000", "text after an IPv6 literal's ']'"),
        ("http://grafana:99999", "the port is not a number from 1 to 65535"),
        ("http://grafana:30x0", "the port is not a number from 1 to 65535"),
        ("http://admin:pw@grafana:3000?x=1", "a base URL has no query"),
    ],
)
def test_a_grafana_url_that_cannot_be_sent_is_refused_before_any_request(
    url: str, needle: str
) -> None:
    res = run(
        "pull", "--uid", "x", "--timeout", "0.5", env={"GRAFANA_URL": url, "GRAFANA_TOKEN": TOKEN}
    )
    clean(res, 2, needle, secrets=(TOKEN, ":pw@"))
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "Grafana URL" in res.stderr and "cannot reach" not in res.stderr


@pytest.mark.parametrize("command", ["push", "diff"])
def test_a_local_dashboard_holding_a_list_is_a_located_error(out: Path, command: str) -> None:
    bad = out / "dashboards" / FOLDER / "a-list.json"
    bad.write_text("[1, 2]\n")
    res = run(
        command,
        "--out",
        str(out),
        env={"GRAFANA_URL": "http://127.0.0.1:9", "GRAFANA_TOKEN": TOKEN},
    )
    clean(res, 2, f"{bad}: ", secrets=(TOKEN,))
    assert "a JSON object" in res.stderr and "list" in res.stderr


def test_a_local_dashboard_uid_must_be_a_uid_before_it_is_a_path(out: Path) -> None:
    bad = out / "dashboards" / FOLDER / "walks-out.json"
    model = json.loads((out / "dashboards" / FOLDER / "devops-docker-view.json").read_text())
    bad.write_text(json.dumps(dict(model, uid="../folders/trading-ecosystem", title="W")))
    res = run(
        "push", "--out", str(out), env={"GRAFANA_URL": "http://127.0.0.1:9", "GRAFANA_TOKEN": TOKEN}
    )
    clean(res, 2, "is not a Grafana uid", secrets=(TOKEN,))
    assert str(bad) in res.stderr


def test_a_v2_resource_restored_as_v1_is_refused_locally(
    run_cli: RunCli, out: Path, tmp_path: Path
) -> None:
    v2_out = tmp_path / "v2"
    built = run_cli("build", "--registry", str(FIXTURE), "--out", str(v2_out), "--schema", "v2")
    assert built.exit_code == 0, built.stderr
    [resource] = [
        p
        for p in (v2_out / "dashboards-v2").glob("*.json")
        if json.loads(p.read_text())["metadata"]["name"] == SIM
    ]
    with GrafanaDouble() as grafana:
        grafana.state.resource_api = True
        res = run(
            "restore", SIM, "--backup", str(resource), "--schema", "v1",
            env=grafana_env(grafana),
        )  # fmt: skip
        clean(res, 2, "holds a schema v2 dashboard: restore it --schema v2", secrets=(ADMIN_TOKEN,))
        assert grafana.state.writes() == [] and grafana.state.requests == []
        # The other way round it is the dashboard the resource holds, restored as v2.
        pushed = run_cli("push", "--out", str(out), "--schema", "v2", env=grafana_env(grafana))
        assert pushed.exit_code == 0, pushed.stderr
        res = run(
            "restore", SIM, "--backup", str(resource), "--schema", "v2", env=grafana_env(grafana)
        )
        assert res.returncode == 0, res.stderr
        assert "unchanged       tse-simulation-entity" in res.stdout


def _contexts(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contexts.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "contexts:\n  staging: {url: 'http://a:3000', token_env: A}\n"
            f"  staging:\n    url: http://b:3000\n    token: {TOKEN}\n    plaintext_secrets: true\n",
            ":3: duplicate key 'staging' (first at line 2)",
        ),
        (
            f"contexts:\n  staging:\n    token: {TOKEN}\n    plaintext_secrets: true\n"
            "    url: http://a:3000\n    url: http://b:3000\n",
            ":6: duplicate key 'url' (first at line 5)",
        ),
    ],
    ids=["two-contexts", "two-urls"],
)
def test_a_contexts_file_with_a_duplicate_key_is_refused(
    tmp_path: Path, text: str, needle: str
) -> None:
    file = _contexts(tmp_path, text)
    res = run("pull", "--uid", "x", "--context", "staging", env={"TSEDASH_CONTEXTS": str(file)})
    clean(res, 2, f"{file}{needle}", secrets=(TOKEN,))


def test_watch_checks_its_context_at_start(tmp_path: Path) -> None:
    file = _contexts(
        tmp_path, "contexts:\n  staging: {url: 'http://127.0.0.1:9', token_env: NOT_SET_ANYWHERE}\n"
    )
    res = bounded(
        "watch", "--registry", str(FIXTURE), "--out", str(tmp_path / "p"), "--context", "nope",
        seconds=20, env={"TSEDASH_CONTEXTS": str(file)},
    )  # fmt: skip
    clean(res, 2, "no context 'nope' (there are: staging)")
    assert not (tmp_path / "p").exists()  # nothing built: it stopped before the first cycle
    res = bounded(
        "watch", "--registry", str(FIXTURE), "--out", str(tmp_path / "p"), "--context", "staging",
        seconds=20, env={"TSEDASH_CONTEXTS": str(file)},
    )  # fmt: skip
    clean(res, 2, "`token_env` names NOT_SET_ANYWHERE, which is not set")


def test_request_paths_are_built_from_quoted_segments() -> None:
    """The last line of defence under the uid rule: a value is one segment, whatever it holds."""
    from tsedash.errors import InputError
    from tsedash.grafana.api import server_uid
    from tsedash.grafana.client import api_path
    from tsedash.grafana.errors import UntrustedAnswer

    assert api_path("api", "dashboards", "uid", "../folders/x") == (
        "/api/dashboards/uid/..%2Ffolders%2Fx"
    )
    assert api_path("api", "folders", "a?b#c%") == "/api/folders/a%3Fb%23c%25"
    for segment in ("..", ".", ""):
        with pytest.raises(InputError, match="cannot be part of a Grafana API path"):
            api_path("api", "dashboards", "uid", segment)
    assert server_uid("tse-devops_docker-1", "GET /api/search") == "tse-devops_docker-1"
    for value in ("../x", "a" * 41, "", None, 7, "tse\n", "ünïcode"):
        with pytest.raises(UntrustedAnswer, match="is not a Grafana uid"):
            server_uid(value, "GET /api/search")
