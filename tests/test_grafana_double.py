"""The double itself follows Grafana's documented HTTP API: the rules the push tests rely on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from .grafana_double import ADMIN_TOKEN, GrafanaDouble

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def g() -> Iterator[GrafanaDouble]:
    with GrafanaDouble() as double:
        yield double


def post(g: GrafanaDouble, path: str, body: Any) -> requests.Response:
    return requests.post(g.url + path, json=body, headers=AUTH, timeout=5)


def get(g: GrafanaDouble, path: str, **params: Any) -> requests.Response:
    return requests.get(g.url + path, params=params, headers=AUTH, timeout=5)


def save(g: GrafanaDouble, **dashboard: Any) -> requests.Response:
    folder = dashboard.pop("folderUid", "")
    overwrite = dashboard.pop("overwrite", False)
    message = dashboard.pop("message", "")
    model = {"uid": "d1", "title": "One", **dashboard}
    return post(
        g,
        "/api/dashboards/db",
        {"dashboard": model, "folderUid": folder, "overwrite": overwrite, "message": message},
    )


def test_save_rules_and_versions(g: GrafanaDouble) -> None:
    first = save(g)
    assert first.status_code == 200
    assert first.json()["version"] == 1 and first.json()["status"] == "success"
    assert save(g, version=1).json()["version"] == 2
    stale = save(g, version=1)
    assert (stale.status_code, stale.json()["status"]) == (412, "version-mismatch")
    assert save(g, version=1, overwrite=True).json()["version"] == 3
    got = get(g, "/api/dashboards/uid/d1").json()
    assert got["dashboard"]["version"] == 3 and got["meta"]["provisioned"] is False
    versions = get(g, "/api/dashboards/uid/d1/versions", limit=2).json()
    assert versions["continueToken"] == "" and [v["version"] for v in versions["versions"]] == [
        3,
        2,
    ]


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"title": ""}, 400, "Dashboard title cannot be empty"),
        ({"uid": "bad uid!"}, 400, "uid contains illegal characters"),
        ({"uid": "u" * 41}, 400, "uid too long"),
        ({"tags": ["t" * 51]}, 400, "tag too long"),
        ({"message": "m" * 501}, 400, "message too long"),
        ({"folderUid": "nope"}, 400, "folder not found"),
    ],
)
def test_save_validation(
    g: GrafanaDouble, fields: dict[str, Any], status: int, message: str
) -> None:
    res = save(g, **fields)
    assert res.status_code == status
    assert message in res.json()["message"]


def test_wrapped_payload_without_title_is_rejected(g: GrafanaDouble) -> None:
    res = post(g, "/api/dashboards/db", {"dashboard": {"dashboard": {"title": "x"}}})
    assert (res.status_code, res.json()["message"]) == (400, "Dashboard title cannot be empty")


def test_provisioned_rules_version_check_first(g: GrafanaDouble) -> None:
    g.state.provision({"uid": "p1", "title": "P"})
    assert save(g, uid="p1", title="P", version=7).status_code == 412  # version check first
    res = save(g, uid="p1", title="P", version=1)
    assert (res.status_code, res.json()["message"]) == (400, "Cannot save provisioned dashboard")
    res = requests.delete(g.url + "/api/dashboards/uid/p1", headers=AUTH, timeout=5)
    assert res.status_code == 400
    assert get(g, "/api/dashboards/uid/p1").json()["meta"]["provisionedExternalId"] == "p1.json"


def test_folders_search_delete_health(g: GrafanaDouble) -> None:
    assert get(g, "/api/folders/f").status_code == 404
    assert post(g, "/api/folders", {"uid": "f", "title": "F"}).status_code == 200
    assert post(g, "/api/folders", {"uid": "f", "title": "F"}).status_code == 409
    for i in range(3):
        save(g, uid=f"d{i}", title=f"T{i}", folderUid="f")
    assert save(g, uid="dx", title="T0", folderUid="f").json()["status"] == "name-exists"
    page = get(g, "/api/search", type="dash-db", folderUIDs="f", limit=2, page=2).json()
    assert [h["uid"] for h in page] == ["d2"]
    assert (
        requests.delete(g.url + "/api/dashboards/uid/d0", headers=AUTH, timeout=5).status_code
        == 200
    )
    assert get(g, "/api/dashboards/uid/d0").json() == {"message": "Dashboard not found"}
    health = requests.get(g.url + "/api/health", timeout=5).json()  # no auth needed
    assert health["database"] == "ok"


def test_auth_bodies(g: GrafanaDouble) -> None:
    res = requests.get(g.url + "/api/folders/x", timeout=5)
    assert (res.status_code, res.json()["messageId"]) == (401, "auth.unauthorized")
    res = requests.get(
        g.url + "/api/folders/x", headers={"Authorization": "Bearer glsa_nope"}, timeout=5
    )
    assert res.json()["messageId"] == "api-key.invalid"
    assert len(g.state.requests) == 2


def test_a_folder_delete_takes_its_dashboards_with_it(g: GrafanaDouble) -> None:
    """What Grafana does on `DELETE /api/folders/<uid>`: why a prune must never reach it."""
    post(g, "/api/folders", {"uid": "f", "title": "F"})
    save(g, uid="in-f", title="In F", folderUid="f")
    save(g, uid="at-top", title="At top")
    res = requests.delete(g.url + "/api/folders/f", headers=AUTH, timeout=5)
    assert res.status_code == 200
    assert "f" not in g.state.folders and set(g.state.dashboards) == {"at-top"}
    res = requests.delete(g.url + "/api/folders/f", headers=AUTH, timeout=5)
    assert res.status_code == 404


def test_a_test_can_answer_for_the_server(g: GrafanaDouble) -> None:
    """`state.answer`: a misbehaving server, with the double's own answer at hand."""
    save(g, uid="d1", title="One")
    seen: list[dict[str, list[str]]] = []

    def wrong_folder(query: dict[str, list[str]], real: Any) -> tuple[int, Any]:
        seen.append(query)
        status, hits = real()
        return status, [dict(h, folderUid="somewhere") for h in hits]

    g.state.answer("GET", "/api/search", wrong_folder)
    hits = get(g, "/api/search", type="dash-db", limit=5).json()
    assert [(h["uid"], h["folderUid"]) for h in hits] == [("d1", "somewhere")]
    assert seen == [{"type": ["dash-db"], "limit": ["5"]}]
    # Other paths and methods are untouched.
    assert get(g, "/api/dashboards/uid/d1").json()["meta"]["folderUid"] == ""


def test_managers_show_in_the_legacy_meta_only_as_file_provisioning(g: GrafanaDouble) -> None:
    save(g, uid="d1", title="One")
    g.state.manage("d1", "repo", "team-git")
    meta = get(g, "/api/dashboards/uid/d1").json()["meta"]
    assert meta["provisioned"] is False and meta["provisionedExternalId"] == ""
    g.state.move("d1", "elsewhere")
    assert get(g, "/api/dashboards/uid/d1").json()["meta"]["folderUid"] == "elsewhere"
