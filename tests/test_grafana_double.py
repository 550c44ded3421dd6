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
    assert [v["version"] for v in versions["versions"]] == [3, 2]
    token = versions["continueToken"]  # one more remains: Grafana 12+ hands out a token
    rest = get(g, "/api/dashboards/uid/d1/versions", limit=2, continueToken=token).json()
    assert ([v["version"] for v in rest["versions"]], rest["continueToken"]) == ([1], "")


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


# --- what Grafana stores: tests/grafana_save.py, case by case from Grafana's code ------------

RESOURCE = "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"


def stored(g: GrafanaDouble, uid: str = "d1") -> dict[str, Any]:
    return dict(get(g, f"/api/dashboards/uid/{uid}").json()["dashboard"])


def saved(g: GrafanaDouble, **dashboard: Any) -> dict[str, Any]:
    """Save through the legacy API and read back what the double keeps."""
    res = save(g, **{"schemaVersion": 42, **dashboard})
    assert res.status_code == 200, res.text
    return stored(g, dashboard.get("uid", "d1"))


def test_the_built_in_annotation_is_added_once(g: GrafanaDouble) -> None:
    """addBuiltInAnnotationQuery: first in the list, unless one with builtIn 1 is there."""
    mine = {"name": "Deploys", "enable": True, "datasource": {"uid": "prom"}}
    first = saved(g, annotations={"list": [mine]})
    [built_in, kept] = first["annotations"]["list"]
    assert kept == mine and built_in["builtIn"] == 1 and built_in["type"] == "dashboard"
    assert built_in["name"] == "Annotations & Alerts" and built_in["hide"] is True
    assert built_in["datasource"] == {"uid": "-- Grafana --", "type": "grafana"}
    again = saved(g, annotations=first["annotations"], version=1)
    assert again["annotations"] == first["annotations"]  # not added a second time
    assert saved(g, uid="d2", title="Two")["annotations"]["list"] == [built_in]  # none given


def test_dashboard_defaults_are_set_where_missing_or_null(g: GrafanaDouble) -> None:
    """applyFrontendDefaults sets them; cleanupDashboardDefaults drops style dark, hideControls
    false, iteration; removeNullValues drops a null gnetId only."""
    got = saved(
        g,
        tags=None,
        style="dark",
        hideControls=False,
        iteration=1712,
        gnetId=None,
        description=None,
        timezone="utc",
    )
    assert got["tags"] == [] and got["editable"] is True and got["graphTooltip"] == 0
    assert got["time"] == {"from": "now-6h", "to": "now"} and got["timepicker"] == {}
    assert (got["weekStart"], got["fiscalYearStartMonth"], got["links"]) == ("", 0, [])
    assert got["timezone"] == "utc" and got["panels"] == []
    for gone in ("style", "hideControls", "iteration", "gnetId", "meta"):
        assert gone not in got
    assert "description" in got and got["description"] is None  # no other null is removed


def test_panel_defaults_are_dropped_and_nulls_removed(g: GrafanaDouble) -> None:
    """cleanupPanelForSave: what equals a PanelModel default goes (transparent false, empty
    options and links, an empty title, empty targets), nulls go at any depth of a panel."""
    steps = [{"color": "green", "value": None}, {"color": "red", "value": 80}]
    panel = {
        "id": 3,
        "type": "stat",
        "title": "",
        "transparent": False,
        "options": {},
        "links": [],
        "targets": [],
        "transformations": [],
        "gridPos": {"x": 0, "y": 2, "h": 4, "w": 6},
        "fieldConfig": {"defaults": {"thresholds": {"mode": "absolute", "steps": steps}}},
        "pluginVersion": None,
        "mappings": [None],
    }
    clear = {**panel, "id": 4, "transparent": True, "title": "Shown"}
    [got, kept] = saved(g, panels=[panel, clear])["panels"]
    assert got == {
        "id": 3,
        "type": "stat",
        "gridPos": {"x": 0, "y": 2, "h": 4, "w": 6},
        "fieldConfig": {
            "defaults": {
                "thresholds": {"mode": "absolute", "steps": [{"color": "green"}, steps[1]]}
            },
            "overrides": [],
        },
        "mappings": [None],  # a null item of a list stays
    }
    assert kept["transparent"] is True and kept["title"] == "Shown"


def test_row_panels_are_cleaned_but_not_given_defaults(g: GrafanaDouble) -> None:
    """applyPanelDefaults touches top-level panels only; the clean-up reaches a row's panels;
    the auto-migration of Angular panels only top-level ones."""
    inner = {"id": 5, "type": "graph", "transparent": False, "gridPos": {"x": 0, "y": 1}}
    row = {"id": 4, "type": "row", "repeat": "", "collapsed": True, "panels": [inner]}
    [got_row] = saved(g, panels=[row])["panels"]
    assert got_row == {
        "id": 4,
        "type": "row",
        "collapsed": True,
        "panels": [{"id": 5, "type": "graph", "gridPos": {"x": 0, "y": 1}}],
    }


def test_angular_panels_are_replaced_and_panels_sorted(g: GrafanaDouble) -> None:
    """applyPanelAutoMigration and sortPanelsByGridPosition (y, then x)."""
    panels = [
        {"id": 1, "type": "graph", "gridPos": {"x": 12, "y": 0, "h": 8, "w": 12}},
        {"id": 2, "type": "singlestat", "gridPos": {"x": 0, "y": 0, "h": 8, "w": 12}},
        {"id": 3, "type": "graph", "xaxis": {"mode": "series"}, "gridPos": {"y": 9}},
    ]
    got = saved(g, panels=panels)["panels"]
    assert [(p["id"], p["type"], p["autoMigrateFrom"]) for p in got] == [
        (2, "stat", "singlestat"),
        (1, "timeseries", "graph"),
        (3, "barchart", "graph"),
    ]


def test_panel_ids_and_query_ids_are_made_unique(g: GrafanaDouble) -> None:
    """ensurePanelsHaveUniqueIds (max + 1 for a repeat or a missing id) and ensureQueryIds."""
    panels = [
        {"id": 7, "type": "stat", "gridPos": {"y": 0}, "targets": [{"refId": "A"}, {"expr": "x"}]},
        {"id": 7, "type": "stat", "gridPos": {"y": 1}},
        {"type": "stat", "gridPos": {"y": 2}},
    ]
    got = saved(g, panels=panels)["panels"]
    assert [p["id"] for p in got] == [7, 8, 9]
    assert got[0]["targets"] == [{"refId": "A"}, {"expr": "x", "refId": "B"}]
    assert "targets" not in got[1]  # the default target {refId: A} is dropped again


def test_variables_are_cleaned_by_type(g: GrafanaDouble) -> None:
    """cleanupVariable: null datasource and index go; a query variable gets options [] when it
    has none, a datasource variable always options [], a constant none; null current values go."""
    variables = [
        {"type": "query", "name": "q", "datasource": None, "index": 2, "current": {"value": None}},
        {"type": "datasource", "name": "ds", "options": [{"text": "x"}], "current": {"value": "a"}},
        {"type": "constant", "name": "c", "options": [{"text": "x"}], "query": "1"},
        {"type": "custom", "name": "cu", "current": {"value": ["a", None], "text": "a"}},
    ]
    got = saved(g, templating={"list": variables})["templating"]["list"]
    assert got == [
        {"type": "query", "name": "q", "current": {}, "options": []},
        {"type": "datasource", "name": "ds", "options": [], "current": {"value": "a"}},
        {"type": "constant", "name": "c", "query": "1"},
        {"type": "custom", "name": "cu", "current": {"text": "a"}},
    ]


def test_what_it_stores_is_stored_again_unchanged(g: GrafanaDouble) -> None:
    """The rewrite of its own output changes nothing: a dashboard saved as Grafana stored it
    stays as it is (what lets tsedash save Grafana's copy again with the right marker)."""
    panels = [{"id": 1, "type": "graph", "transparent": False, "gridPos": {"x": 0, "y": 0}}]
    first = saved(g, panels=panels, annotations={"list": []}, templating={"list": []})
    again = saved(g, **{k: v for k, v in first.items() if k not in ("id", "version")}, version=1)
    assert {k: v for k, v in again.items() if k != "version"} == {
        k: v for k, v in first.items() if k != "version"
    }


def test_byte_order_marks_are_stripped_from_every_string(g: GrafanaDouble) -> None:
    got = saved(g, title="\ufeffOne", tags=["a\ufeffb"])
    assert (got["title"], got["tags"]) == ("One", ["ab"])


def post_resource(g: GrafanaDouble, spec: dict[str, Any], version: str = "v1") -> Any:
    path = RESOURCE.replace("/v1/", f"/{version}/")
    body = {"metadata": {"name": "r1"}, "spec": spec}
    return requests.post(g.url + path, json=body, headers=AUTH, timeout=5)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (41, (422, "schema migration from version 42 to 41 failed")),
        (42, (201, 42)),
        (43, (201, 43)),
    ],
)
def test_the_resource_api_migrates_to_its_target_or_refuses(
    g: GrafanaDouble, target: int, expected: tuple[int, Any]
) -> None:
    """migrator.migrate: up to the server's latest; a dashboard above it is not migrated, and
    the strict resource API refuses it (apierrors.NewInvalid: 422, reason Invalid)."""
    g.state.resource_api, g.state.schema_target = True, target
    fmt = {
        "id": "formatTime",
        "options": {"timeField": "t", "outputFormat": "YYYY", "timezone": ""},
    }
    panel = {"id": 1, "type": "table", "transformations": [fmt], "gridPos": {"y": 0}}
    res = post_resource(g, {"title": "R", "schemaVersion": 42, "panels": [panel]})
    status, what = expected
    assert res.status_code == status
    if status == 422:
        assert res.json()["reason"] == "Invalid" and what in res.json()["message"]
        assert g.state.dashboards == {}
        return
    spec = res.json()["spec"]
    assert spec["schemaVersion"] == what
    conversion = {"destinationType": "string", "targetField": "t", "dateFormat": "YYYY"}
    transformation = spec["panels"][0]["transformations"][0]
    if target == 43:  # V43: formatTime becomes convertFieldType to string
        assert transformation == {
            "id": "convertFieldType",
            "options": {"conversions": [conversion]},
        }
    else:
        assert transformation == fmt


def test_the_legacy_save_of_newer_grafana_stores_what_it_cannot_migrate(g: GrafanaDouble) -> None:
    """saveDashboardThroughK8s saves with FieldValidationIgnore: the migration error does not
    refuse the save; the dashboard is stored cleaned but unmigrated, the failure in its status."""
    g.state.resource_api, g.state.schema_target = True, 41
    got = saved(g, panels=[{"id": 1, "type": "stat", "transparent": False}])
    assert got["schemaVersion"] == 42 and got["panels"] == [{"id": 1, "type": "stat"}]
    status = requests.get(g.url + f"{RESOURCE}/d1", headers=AUTH, timeout=5).json()["status"]
    assert status["conversion"]["failed"] is True
    assert "from version 42 to 41" in status["conversion"]["error"]


def test_v42_hides_from_the_tooltip_what_is_hidden_from_the_viz(g: GrafanaDouble) -> None:
    hide = {"id": "custom.hideFrom", "value": {"viz": True, "legend": False}}
    keep = {"id": "custom.hideFrom", "value": {"viz": False}}
    overrides = [{"matcher": {"id": "byName"}, "properties": [hide, keep]}]
    panel = {"id": 1, "type": "timeseries", "fieldConfig": {"defaults": {}, "overrides": overrides}}
    got = saved(g, schemaVersion=41, panels=[panel])
    [override] = got["panels"][0]["fieldConfig"]["overrides"]
    assert override["properties"][0]["value"] == {"viz": True, "legend": False, "tooltip": True}
    assert override["properties"][1]["value"] == {"viz": False}
    assert got["schemaVersion"] == 42


def test_a_grafana_without_save_time_rewrites_stores_what_it_is_sent(g: GrafanaDouble) -> None:
    g.state.schema_target = None  # Grafana 10-11
    got = saved(g, transparent=False, schemaVersion=39)
    assert got["transparent"] is False and got["schemaVersion"] == 39 and "annotations" not in got


def test_a_v2_save_strips_byte_order_marks_and_fills_an_empty_layout(g: GrafanaDouble) -> None:
    g.state.resource_api = True
    res = post_resource(g, {"title": "\ufeffV", "elements": {}, "layout": {}}, "v2")
    assert res.status_code == 201
    spec = res.json()["spec"]
    assert spec["title"] == "V" and spec["layout"] == {"kind": "GridLayout", "spec": {}}


def test_namespaces_and_orgs_as_grafana_forms_them(g: GrafanaDouble) -> None:
    """A token's org, the X-Grafana-Org-Id header, a Grafana Cloud stack."""
    from .grafana_double import ORG3_TOKEN

    def settings(token: str, **headers: str) -> Any:
        auth = {"Authorization": f"Bearer {token}", **headers}
        return requests.get(g.url + "/api/frontend/settings", headers=auth, timeout=5).json()

    assert settings(ADMIN_TOKEN)["namespace"] == "default"
    assert settings(ORG3_TOKEN)["namespace"] == "org-3"
    assert settings(ADMIN_TOKEN, **{"X-Grafana-Org-Id": "7"})["namespace"] == "org-7"
    org = requests.get(
        g.url + "/api/org", headers={"Authorization": f"Bearer {ORG3_TOKEN}"}, timeout=5
    ).json()
    assert org["id"] == 3
    g.state.stack_id = "6481"
    assert settings(ORG3_TOKEN)["namespace"] == "stacks-6481"
    g.state.resource_api = True
    path = RESOURCE.replace("default", "stacks-6481")
    assert requests.get(g.url + path, headers=AUTH, timeout=5).status_code == 200
    assert requests.get(g.url + RESOURCE, headers=AUTH, timeout=5).status_code == 404


def test_history_pages_hand_out_fewer_than_asked(g: GrafanaDouble) -> None:
    g.state.resource_api, g.state.history_page = True, 1
    for version in range(3):
        save(g, **({"version": version} if version else {}))
    query = "?labelSelector=grafana.app/get-history=true&fieldSelector=metadata.name=d1&limit=5"
    page = requests.get(g.url + RESOURCE + query, headers=AUTH, timeout=5).json()
    assert [i["metadata"]["generation"] for i in page["items"]] == [3]
    token = page["metadata"]["continue"]
    page = requests.get(
        g.url + RESOURCE + query + f"&continue={token}", headers=AUTH, timeout=5
    ).json()
    assert [i["metadata"]["generation"] for i in page["items"]] == [2]


def test_a_provider_that_allows_ui_updates(g: GrafanaDouble) -> None:
    """GetDashboard says `provisioned` only when the provider forbids UI updates, and names
    the file either way; the resource API marks it classic-file-provisioning either way."""
    g.state.resource_api = True
    g.state.provision({"uid": "p1", "title": "P", "schemaVersion": 42}, allow_ui_updates=True)
    meta = get(g, "/api/dashboards/uid/p1").json()["meta"]
    assert meta["provisioned"] is False and meta["provisionedExternalId"] == "p1.json"
    notes = requests.get(g.url + f"{RESOURCE}/p1", headers=AUTH, timeout=5).json()["metadata"]
    assert notes["annotations"]["grafana.app/managedBy"] == "classic-file-provisioning"
    assert save(g, uid="p1", title="P", version=1).status_code == 200  # the UI may save it


def test_datasources_are_listed_per_org_for_who_may_read_them(g: GrafanaDouble) -> None:
    """`GET /api/datasources` (Grafana's "Data source HTTP API"): the request's org's data
    sources with their settings; `datasources:read` is needed (a viewer has it not here)."""
    from .grafana_double import ORG3_TOKEN, VIEWER_TOKEN, datasource

    g.state.datasources[3] = [datasource("Loki", kind="loki", uid="loki-3", number=7)]
    listed = get(g, "/api/datasources")
    assert listed.status_code == 200
    [prometheus] = listed.json()
    assert {k: prometheus[k] for k in ("name", "uid", "type", "isDefault")} == {
        "name": "Prometheus",
        "uid": "prometheus",
        "type": "prometheus",
        "isDefault": True,
    }
    assert {"url", "access", "jsonData", "readOnly"} <= set(prometheus)
    org3 = requests.get(
        g.url + "/api/datasources", headers={"Authorization": f"Bearer {ORG3_TOKEN}"}, timeout=5
    )
    assert [(d["name"], d["uid"], d["id"]) for d in org3.json()] == [("Loki", "loki-3", 7)]
    viewer = requests.get(
        g.url + "/api/datasources", headers={"Authorization": f"Bearer {VIEWER_TOKEN}"}, timeout=5
    )
    assert viewer.status_code == 403
    assert "datasources:read" in viewer.json()["message"]
