"""The dashboard resource API (Grafana 12+): choosing it, the legacy API's 406, and the double
following Grafana's documented resource API. The push/diff/pull scenarios themselves run
against both APIs in tests/test_grafana_push.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tsedash.grafana.api import Dashboards, namespace
from tsedash.grafana.client import GrafanaClient, GrafanaSettings

from .conftest import Result
from .grafana_double import ADMIN_TOKEN, GrafanaDouble
from .test_grafana_push import DEVOPS, RESOURCE, env

RunCli = Callable[..., Result]


@pytest.fixture
def grafana13() -> Iterator[GrafanaDouble]:
    """A Grafana with the resource API and the new dashboard layouts on."""
    with GrafanaDouble() as double:
        double.state.resource_api = True
        double.state.new_layouts = True
        yield double


def _client(grafana: GrafanaDouble, mode: str = "auto") -> Dashboards:
    settings = GrafanaSettings.from_env(grafana.url, None, False)
    return Dashboards(GrafanaClient(settings), mode)  # type: ignore[arg-type]


def test_the_namespace_of_an_org() -> None:
    assert namespace(None) == namespace("1") == "default"
    assert namespace("7") == "org-7"


def test_the_api_is_chosen_by_what_the_server_lists(
    grafana13: GrafanaDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFANA_TOKEN", ADMIN_TOKEN)
    assert _client(grafana13).api == "dashboard.grafana.app/v1"
    assert _client(grafana13, "legacy").api == "legacy"
    grafana13.state.resource_api = False  # Grafana 10-11: no /apis at all (404)
    assert _client(grafana13).api == "legacy"
    assert [r.path for r in grafana13.state.requests] == ["/apis", "/apis"]


def test_a_406_from_the_legacy_api_is_explained_not_generic(
    run_cli: RunCli, grafana13: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    """With the new layouts on, the legacy GET of an existing dashboard answers 406."""
    assert run_cli("push", "--out", str(out), env=env(grafana13)).exit_code == 0
    writes = len(grafana13.state.writes())
    res = run_cli("push", "--out", str(out), "--api", "legacy", env=env(grafana13))
    assert res.exit_code == 3
    line = next(ln for ln in res.stderr.splitlines() if DEVOPS in ln)
    assert "406 dashboard api version not supported" in line
    assert "only served by the resource API" in line and "--api resource" in line
    assert len(grafana13.state.writes()) == writes  # nothing written
    res = run_cli(
        "pull", "--uid", DEVOPS, "--out", str(tmp_path / "p.json"), "--api", "legacy",
        env=env(grafana13),
    )  # fmt: skip
    assert res.exit_code == 3 and "406" in res.stderr and "Traceback" not in res.stderr
    # Left to choose, tsedash reads and writes through the resource API: no 406 at all.
    before = len(grafana13.state.requests)
    res = run_cli("push", "--out", str(out), env=env(grafana13))
    assert res.exit_code == 0 and "2 unchanged; 0 writes" in res.stdout
    assert not any(r.path.startswith("/api/dashboards") for r in grafana13.state.requests[before:])


def test_asking_for_the_resource_api_where_there_is_none(run_cli: RunCli, out: Path) -> None:
    with GrafanaDouble() as legacy_only:
        res = run_cli("push", "--out", str(out), "--api", "resource", env=env(legacy_only))
    assert res.exit_code == 3
    assert "does not serve the dashboard resource API" in res.stderr
    assert "use --api legacy" in res.stderr


# --- the double follows Grafana's documented resource API ---------------------------------


def _call(grafana: GrafanaDouble, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    resp = requests.request(
        method,
        f"{grafana.url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=5,
    )
    return resp.status_code, resp.json()


def test_the_double_creates_updates_and_keeps_history_like_grafana(
    grafana13: GrafanaDouble,
) -> None:
    spec = {"title": "Mine", "panels": []}
    created = {
        "metadata": {"name": "mine", "annotations": {"grafana.app/message": "one"}},
        "spec": spec,
    }
    status, body = _call(grafana13, "POST", RESOURCE, created)
    assert status == 201 and body["kind"] == "Dashboard"
    assert body["metadata"]["generation"] == 1 and body["metadata"]["resourceVersion"]
    first = body["metadata"]["resourceVersion"]
    status, body = _call(grafana13, "POST", RESOURCE, created)
    assert (status, body["kind"], body["reason"]) == (409, "Status", "AlreadyExists")
    update = {
        "metadata": {
            "name": "mine",
            "resourceVersion": first,
            "annotations": {"grafana.app/message": "two"},
        },
        "spec": {**spec, "title": "Mine 2"},
    }
    status, body = _call(grafana13, "PUT", f"{RESOURCE}/mine", update)
    assert status == 200 and body["metadata"]["generation"] == 2
    status, body = _call(grafana13, "PUT", f"{RESOURCE}/mine", update)  # `first` is stale now
    assert (status, body["reason"]) == (409, "Conflict")
    assert "the object has been modified" in body["message"]
    history = (
        f"{RESOURCE}?labelSelector=grafana.app/get-history=true&fieldSelector=metadata.name=mine"
    )
    status, body = _call(grafana13, "GET", history)
    assert status == 200 and body["kind"] == "DashboardList"
    assert [i["metadata"]["generation"] for i in body["items"]] == [2, 1]  # newest first
    assert [i["metadata"]["annotations"]["grafana.app/message"] for i in body["items"]] == [
        "two",
        "one",
    ]
    status, body = _call(grafana13, "GET", f"{RESOURCE}/nope")
    assert (status, body["kind"], body["reason"]) == (404, "Status", "NotFound")
    status, body = _call(grafana13, "GET", RESOURCE.replace("/default/", "/org-9/") + "/mine")
    assert status == 404  # the namespace must be the org's
    status, body = _call(grafana13, "DELETE", f"{RESOURCE}/mine")
    assert status == 200 and body["status"] == "Success"
    status, _ = _call(grafana13, "GET", "/api/dashboards/uid/mine")
    assert status == 404


def test_the_double_serves_discovery_only_with_the_resource_api() -> None:
    with GrafanaDouble() as old:
        status, _ = _call(old, "GET", "/apis")
        assert status == 404
        old.state.resource_api = True
        status, body = _call(old, "GET", "/apis")
    assert status == 200 and body["kind"] == "APIGroupList"
    [group] = body["groups"]
    assert group["name"] == "dashboard.grafana.app"
    assert [v["version"] for v in group["versions"]] == ["v1", "v2"]


def test_the_double_pages_lists_and_shows_managers_like_grafana(grafana13: GrafanaDouble) -> None:
    for n in range(5):
        body = {"metadata": {"name": f"d{n}"}, "spec": {"title": f"D{n}", "panels": []}}
        assert _call(grafana13, "POST", RESOURCE, body)[0] == 201
    grafana13.state.manage("d3", "terraform", "grafana-terraform-provider")
    names, token, pages = [], "", 0
    while True:  # `limit` per page, `metadata.continue` until the end
        query = f"?limit=2{'&continue=' + token if token else ''}"
        status, body = _call(grafana13, "GET", RESOURCE + query)
        assert status == 200 and len(body["items"]) <= 2
        names += [i["metadata"]["name"] for i in body["items"]]
        pages += 1
        token = body["metadata"].get("continue", "")
        if not token:
            break
    assert (names, pages) == ([f"d{n}" for n in range(5)], 3)
    _, d3 = _call(grafana13, "GET", f"{RESOURCE}/d3")
    notes = d3["metadata"]["annotations"]
    assert (notes["grafana.app/managedBy"], notes["grafana.app/managerId"]) == (
        "terraform",
        "grafana-terraform-provider",
    )
    _, d1 = _call(grafana13, "GET", f"{RESOURCE}/d1")
    assert "grafana.app/managedBy" not in d1["metadata"]["annotations"]


def test_the_double_checks_a_delete_precondition(grafana13: GrafanaDouble) -> None:
    body = {"metadata": {"name": "d1"}, "spec": {"title": "D1", "panels": []}}
    _, made = _call(grafana13, "POST", RESOURCE, body)
    read = made["metadata"]["resourceVersion"]
    grafana13.state.move("d1", "")  # changed since it was read
    stale = {
        "kind": "DeleteOptions",
        "apiVersion": "v1",
        "preconditions": {"resourceVersion": read},
    }
    status, answer = _call(grafana13, "DELETE", f"{RESOURCE}/d1", stale)
    assert (status, answer["reason"]) == (409, "Conflict")
    assert "Precondition failed: ResourceVersion in precondition" in answer["message"]
    assert "d1" in grafana13.state.dashboards
    _, now = _call(grafana13, "GET", f"{RESOURCE}/d1")
    fresh = dict(stale, preconditions={"resourceVersion": now["metadata"]["resourceVersion"]})
    assert _call(grafana13, "DELETE", f"{RESOURCE}/d1", fresh)[0] == 200
    assert "d1" not in grafana13.state.dashboards


def test_the_double_refuses_a_continue_token_it_never_gave(grafana13: GrafanaDouble) -> None:
    status, body = _call(grafana13, "GET", f"{RESOURCE}?limit=2&continue=made-up")
    assert (status, body["reason"]) == (400, "BadRequest")


def test_a_namespace_grafana_would_not_form_is_not_used(
    run_cli: RunCli, grafana13: GrafanaDouble, out: Path
) -> None:
    """The namespace goes into every request path: only one Grafana forms is taken."""
    grafana13.state.answer(
        "GET", "/api/frontend/settings", lambda query, real: (200, {"namespace": "../folders"})
    )
    res = run_cli("push", "--out", str(out), env=env(grafana13))
    assert res.exit_code == 3
    assert "the namespace '../folders' is not one Grafana forms" in res.stderr
    assert not grafana13.state.writes()
    assert not any("folders/" in r.path and "/apis/" in r.path for r in grafana13.state.requests)
