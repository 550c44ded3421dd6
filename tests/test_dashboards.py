"""What the two dashboards contain, panel by panel (docs/dashboards.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dashboards import build_all, devops_docker_view, simulation_entity_view
from panels import entity, health, instances
from tsedash.registry import load_registry

from .conftest import ROOT
from .dashboard_helpers import all_targets, fixture_registry, scaled_registry


@pytest.fixture(scope="module")
def models() -> dict[str, dict[str, Any]]:
    return {spec.uid: model for spec, model in build_all(fixture_registry())}


def test_stable_uids_tags_and_folder_defaults(models: dict[str, dict[str, Any]]) -> None:
    assert set(models) == {"tse-devops-docker", "tse-simulation-entity"}
    assert models["tse-devops-docker"]["tags"] == ["trading-ecosystem", "devops"]
    assert models["tse-simulation-entity"]["tags"] == ["trading-ecosystem", "simulation"]
    for model in models.values():
        assert model["schemaVersion"] == 42
        assert model["refresh"] == "30s"
        assert model["time"] == {"from": "now-1h", "to": "now"}
        assert "id" not in model


def test_links_keep_variables_and_time(models: dict[str, dict[str, Any]]) -> None:
    [link] = models["tse-devops-docker"]["links"]
    assert link["url"] == "/d/tse-simulation-entity"
    assert link["includeVars"] is True and link["keepTime"] is True
    [back] = models["tse-simulation-entity"]["links"]
    assert back["url"] == "/d/tse-devops-docker"


def test_variables(models: dict[str, dict[str, Any]]) -> None:
    for model in models.values():
        variables = {v["name"]: v for v in model["templating"]["list"]}
        assert list(variables) == ["datasource", "service", "instance"]
        assert variables["datasource"]["query"] == "prometheus"
        assert variables["datasource"]["current"]["value"] == "prom-test"
        service, instance = variables["service"], variables["instance"]
        assert service["allValue"] == "audit-correlator|test-coordinator|exchange-simulator"
        assert service["query"] == (
            'label_values(up{job=~"audit-correlator|test-coordinator|exchange-simulator"}, job)'
        )
        assert instance["query"] == 'label_values(up{job=~"$service"}, instance)'
        assert instance["allValue"] == ".+"
        for var in (service, instance):
            assert var["multi"] and var["includeAll"]
            assert var["refresh"] == 2
            assert var["datasource"]["uid"] == "${datasource}"


def test_every_panel_and_target_uses_the_datasource_variable(
    models: dict[str, dict[str, Any]],
) -> None:
    for model in models.values():
        for panel in model["panels"]:
            if panel["type"] in ("row", "text"):
                continue
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            refs = [t["refId"] for t in panel["targets"]]
            assert len(refs) == len(set(refs)) and all(refs)
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == "${datasource}"


def test_rates_use_rate_interval_and_panel_types_are_modern(
    models: dict[str, dict[str, Any]],
) -> None:
    for model in models.values():
        for target in all_targets(model):
            for window in re.findall(r"rate\([^)]*\[([^\]]+)\]", target["expr"]):
                assert window == "$__rate_interval", target["expr"]
        types = {p["type"] for p in model["panels"]}
        assert types <= {"row", "stat", "timeseries", "table", "text"}


def test_devops_view_panels(models: dict[str, dict[str, Any]]) -> None:
    panels = {p["title"]: p for p in models["tse-devops-docker"]["panels"]}
    infra = panels["Infrastructure Services Health"]
    assert infra["targets"][0]["expr"] == 'up{job=~"redis|cadvisor"}'
    mapping = infra["fieldConfig"]["defaults"]["mappings"][0]["options"]
    assert (mapping["0"]["text"], mapping["0"]["color"]) == ("DOWN", "red")
    assert (mapping["1"]["text"], mapping["1"]["color"]) == ("UP", "green")
    health_panel = panels["Service Instance Health"]
    assert [t["expr"] for t in health_panel["targets"]] == [
        'up{job=~"$service", instance=~"$instance"}'
    ]
    table = panels["All Service Instances"]
    renames = table["transformations"][0]["options"]["renameByName"]
    assert sorted(renames.values()) == ["Health Status", "Instance Name", "Service Type"]
    assert table["targets"][0]["format"] == "table"
    assert "count(" in panels["Registered Instances"]["targets"][0]["expr"]
    assert "== 0" in panels["Instances Down"]["targets"][0]["expr"]
    mem = panels["Container Memory"]["targets"][0]["expr"]
    assert 'name=~"te-$instance"' in mem and 'job="cadvisor"' in mem
    assert panels["Container Memory"]["fieldConfig"]["defaults"]["unit"] == "bytes"
    ref = panels["Instance Registry Reference"]["options"]["content"]
    assert "| `exchange-OKX` | `exchange-simulator` | `exchange_okx` | `exchange:OKX` |" in ref
    assert "`volumes/exchange-OKX/data:/app/data`" in ref


def test_simulation_rows_follow_registry_categories(models: dict[str, dict[str, Any]]) -> None:
    panels = models["tse-simulation-entity"]["panels"]
    rows = [p["title"] for p in panels if p["type"] == "row"]
    # "Unused Category" has no service type: no empty row.
    assert rows == ["Central", "Venues", "Entity Communication"]


def test_simulation_singletons_and_multi_instance_families(
    models: dict[str, dict[str, Any]],
) -> None:
    panels = {p["title"]: p for p in models["tse-simulation-entity"]["panels"]}
    audit = panels["audit-correlator"]
    assert [t["expr"] for t in audit["targets"]] == [
        'max(up{job="audit-correlator"})',
        'sum(increase(audit_events_total{job="audit-correlator"}[$__range]))',
        'sum(audit_backlog{job="audit-correlator"})',
    ]
    override = audit["fieldConfig"]["overrides"][0]
    assert override["matcher"] == {"id": "byFrameRefID", "options": "A"}
    rate = panels["Trades/s by Instance"]
    assert rate["type"] == "timeseries"
    assert rate["targets"][0]["legendFormat"] == "{{instance}}"
    assert rate["options"]["legend"]["showLegend"] is True
    depth = panels["Book Depth by Instance"]
    assert depth["targets"][0]["expr"].startswith("avg by (instance, symbol, side) (")
    assert depth["targets"][0]["legendFormat"] == "{{instance}} {{symbol}} {{side}}"
    total = panels["Trades Total"]
    assert total["type"] == "stat"
    assert total["options"]["reduceOptions"]["calcs"] == ["lastNotNull"]
    flow = panels["Entity Communication Flow"]
    assert flow["targets"][0]["legendFormat"] == "{{instance}} → {{target_service}}"
    assert "target_service" in flow["targets"][0]["expr"]


@pytest.mark.parametrize("size", [1, 50, 1000])
def test_query_count_does_not_grow_with_instances(size: int) -> None:
    base = {spec.uid: len(all_targets(m)) for spec, m in build_all(scaled_registry(2))}
    scaled = {spec.uid: len(all_targets(m)) for spec, m in build_all(scaled_registry(size))}
    assert scaled == base
    for _, model in build_all(scaled_registry(size)):
        for target in all_targets(model):
            assert "exchange-X0" not in target["expr"]  # never one query per instance


def test_default_registry_builds_every_declared_metric() -> None:
    reg = load_registry(ROOT / "instances.yaml")
    sim = simulation_entity_view.build(reg)
    exprs = " ".join(t["expr"] for t in all_targets(sim))
    for service in reg.services.values():
        for metric in service.metrics:
            assert metric.name in exprs
    assert devops_docker_view.build(reg)["uid"] == "tse-devops-docker"


def test_factories_return_fresh_objects() -> None:
    reg = fixture_registry()
    svc = reg.services["exchange-simulator"]
    for factory in (
        lambda: health.instance_health(),
        lambda: health.infrastructure_health(reg),
        lambda: instances.instances_table(),
        lambda: entity.metric_rate(svc, svc.metrics[0]),
        lambda: entity.singleton_stat(reg.services["audit-correlator"]),
    ):
        first, second = factory(), factory()
        assert first is not second
        first.title("changed")
        assert second.build().title != "changed"
        # Nested objects are not shared either.
        assert first.build().targets[0] is not second.build().targets[0]


def test_registry_reference_escapes_a_pipe_in_a_namespace_override() -> None:
    from panels.registry_reference import reference_markdown
    from tsedash.registry import load_registry_text

    from .dashboard_helpers import FIXTURE

    text = FIXTURE.read_text().replace(
        "{service: exchange-simulator, name: exchange-OKX}",
        "{service: exchange-simulator, name: exchange-OKX, redis_namespace: 'ex|okx'}",
    )
    markdown = reference_markdown(load_registry_text(text, "r.yaml"))
    row = next(line for line in markdown.splitlines() if "exchange-OKX" in line)
    assert "`ex\\|okx`" in row
    assert row.count(" | ") == 6  # still seven cells
