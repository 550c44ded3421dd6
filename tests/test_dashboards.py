"""What the two dashboards contain, panel by panel (docs/dashboards.md)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tsedash.registry import load_registry, load_registry_text
from tsedash_dashboards import build_all, devops_docker_view, simulation_entity_view
from tsedash_panels import entity, health, instances, service

from .conftest import ROOT
from .dashboard_helpers import FIXTURE, all_panels, all_targets, fixture_registry, scaled_registry


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
        assert list(variables) == ["datasource", "service", "search", "instance"]
        assert variables["datasource"]["query"] == "prometheus"
        assert variables["datasource"]["current"]["value"] == "prom-test"
        service, instance = variables["service"], variables["instance"]
        assert service["allValue"] == "audit-correlator|test-coordinator|exchange-simulator"
        assert service["query"] == (
            'label_values(up{job=~"audit-correlator|test-coordinator|exchange-simulator"}, job)'
        )
        # A bounded, searchable drop-down: at most 200 instances (down first) whose name
        # contains the `search` text; "All" stays `.+`, every instance of the selected types.
        assert instance["query"] == (
            'query_result(bottomk(200, up{job=~"$service", instance=~".*$search.*"}))'
        )
        assert instance["regex"] == '/instance="([^"]+)"/'
        assert instance["allValue"] == ".+"
        assert variables["search"]["type"] == "textbox"
        assert variables["search"]["current"]["value"] == ""
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
            # Go services' own `instance` label arrives renamed: nothing may rely on it.
            assert "exported_instance" not in target["expr"]
        types = {p["type"] for p in all_panels(model)}
        assert types <= {"row", "stat", "timeseries", "table", "state-timeline"}


def test_devops_view_panels(models: dict[str, dict[str, Any]]) -> None:
    panels = {p["title"]: p for p in models["tse-devops-docker"]["panels"]}
    infra = panels["Infrastructure Services Health"]
    assert infra["targets"][0]["expr"] == (
        'max by (job) (up{job=~"redis|cadvisor"}) '
        'or label_replace(vector(-1), "job", "redis", "", "") '
        'or label_replace(vector(-1), "job", "cadvisor", "", "")'
    )
    texts = {
        value: (result["text"], result["color"])
        for mapping in infra["fieldConfig"]["defaults"]["mappings"]
        for value, result in mapping["options"].items()
    }
    assert texts == {"0": ("DOWN", "red"), "1": ("UP", "green"), "-1": ("MISSING", "orange")}
    health_panel = panels["Service Instance Health"]
    assert health_panel["type"] == "state-timeline"
    assert [t["expr"] for t in health_panel["targets"]] == [
        'bottomk(10, up{job=~"$service", instance=~"$instance"})'  # down first, at most 10
    ]
    table = panels["All Service Instances"]
    renames = table["transformations"][0]["options"]["renameByName"]
    assert sorted(renames.values()) == ["Health Status", "Instance Name", "Service Type"]
    assert table["targets"][0]["format"] == "table"
    # Down (0) first and at most 50 rows, both on the server.
    assert table["targets"][0]["expr"].startswith("sort(bottomk(50, up{")
    assert "count(" in panels["Registered Instances"]["targets"][0]["expr"]
    assert "== 1" in panels["Scraped Instances"]["targets"][0]["expr"]
    assert "== 0" in panels["Instances Down"]["targets"][0]["expr"]
    memory = panels["Container Memory (working set)"]
    mem = memory["targets"][0]["expr"]
    assert mem.startswith("topk(10, sum by (name) (container_memory_working_set_bytes{")
    assert 'name=~"te-$instance"' in mem and 'job="cadvisor"' in mem
    assert memory["fieldConfig"]["defaults"]["unit"] == "bytes"
    ref = panels["Instance Registry Reference"]
    assert ref["type"] == "table" and ref["targets"][0]["format"] == "table"
    columns = ref["transformations"][0]["options"]["renameByName"]
    assert list(columns.values()) == [
        "Instance",
        "Service",
        "Schema",
        "Redis namespace",
        "Discovery key",
        "Container",
        "Data volume",
        "Logs volume",
    ]


def test_registry_reference_columns_are_target_labels() -> None:
    from tsedash.prometheus.config import target_labels
    from tsedash_panels.instances import REFERENCE_COLUMNS

    labels = target_labels(fixture_registry().instances[2])
    assert set(REFERENCE_COLUMNS) - {"instance", "job"} <= set(labels)
    assert labels["schema_name"] == "exchange_okx" and labels["redis_namespace"] == "exchange:OKX"


def test_devops_view_is_the_same_for_7_and_1000_instances() -> None:
    # Nothing in it names an instance: adding one changes nothing (and the size is constant).
    small = devops_docker_view.build(scaled_registry(7))
    assert devops_docker_view.build(scaled_registry(1000)) == small
    assert simulation_entity_view.build(scaled_registry(1000)) == (
        simulation_entity_view.build(scaled_registry(7))
    )


def test_simulation_rows_follow_registry_categories(models: dict[str, dict[str, Any]]) -> None:
    panels = models["tse-simulation-entity"]["panels"]
    rows = [(p["title"], p["collapsed"]) for p in panels if p["type"] == "row"]
    # "Unused Category" has no service type: no empty row. Planned metrics wait collapsed.
    assert rows == [
        ("Central", False),
        ("audit-correlator domain metrics (planned: no service exposes these yet)", True),
        ("Venues", False),
        ("Entity Communication", False),
    ]
    planned = next(p for p in panels if p["type"] == "row" and p["collapsed"])
    assert [c["title"] for c in planned["panels"]] == [
        "audit-correlator Backlog",
        "audit-correlator Backlog Total",
    ]


def test_every_type_gets_the_standard_exposition(models: dict[str, dict[str, Any]]) -> None:
    panels = {p["title"]: p for p in all_panels(models["tse-simulation-entity"])}
    sel = '{job="exchange-simulator", job=~"$service", instance=~"$instance"}'
    exprs = {
        title: [t["expr"] for t in p["targets"]] for title, p in panels.items() if "targets" in p
    }
    rate = "[$__rate_interval]"
    assert exprs["exchange-simulator Health"] == [f"bottomk(10, up{sel})"]  # down first
    # The selected instances together, then the 10 busiest.
    assert exprs["exchange-simulator Requests/s"] == [
        f"sum(rate(http_requests_total{sel}{rate}))",
        f"topk(10, sum by (instance) (rate(http_requests_total{sel}{rate})))",
    ]
    # Server errors (5xx) and client errors (4xx) from the one counter of all requests:
    # the errors counter counts a 404 too.
    requests = f"sum by (instance) (rate(http_requests_total{sel}{rate}))"
    total = f"sum (rate(http_requests_total{sel}{rate}))"

    def status(codes: str) -> str:
        return f'{sel[:-1]}, code=~"{codes}"}}'

    def together(codes: str) -> str:
        return f"(sum (rate(http_requests_total{status(codes)}{rate})) or 0 * {total}) / {total}"

    server = f"sum by (instance) (rate(http_requests_total{status('5..')}{rate}))"
    assert exprs["exchange-simulator Error Ratio"] == [
        together("5.."),
        f"topk(10, ({server} or 0 * {requests}) / {requests})",
        together("4.."),
    ]
    error_panel = panels["exchange-simulator Error Ratio"]
    assert [t["legendFormat"] for t in error_panel["targets"]] == [
        "selected together 5xx",
        "{{instance}} 5xx",
        "selected together 4xx",
    ]
    [dashed] = error_panel["fieldConfig"]["overrides"]
    assert dashed["matcher"] == {"id": "byFrameRefID", "options": "C"}
    assert "http_request_errors_total" not in json.dumps(models["tse-simulation-entity"])
    assert exprs["exchange-simulator Latency p50/p95/p99"] == [
        *(
            f"histogram_quantile({q}, sum by (le) "
            f"(rate(http_request_duration_seconds_bucket{sel}{rate})))"
            for q in (0.5, 0.95, 0.99)
        ),
        "topk(10, histogram_quantile(0.95, sum by (le, instance) "
        f"(rate(http_request_duration_seconds_bucket{sel}{rate}))))",
    ]
    assert exprs["exchange-simulator Uptime"] == [
        f"bottomk(10, time() - process_start_time_seconds{sel})"
    ]
    assert exprs["exchange-simulator Restarts"] == [
        f"topk(10, resets((-process_start_time_seconds{sel})[$__range:$__interval])"
        f" or 0 * process_start_time_seconds{sel})"
    ]
    assert exprs["exchange-simulator Memory"] == [f"topk(10, process_resident_memory_bytes{sel})"]
    assert exprs["exchange-simulator Dependency Readiness"] == [
        f"bottomk(10, min by (instance, dependency) (service_dependency_ready{sel}))"
    ]
    assert "audit-correlator Dependency Readiness" not in panels  # not served there
    units = {
        t: p["fieldConfig"]["defaults"]["unit"] for t, p in panels.items() if p["type"] != "row"
    }
    assert units["exchange-simulator Error Ratio"] == "percentunit"
    assert units["exchange-simulator Latency p50/p95/p99"] == "s"
    assert units["exchange-simulator Uptime"] == "dtdurations"
    # Every panel honours both variables.
    for title, targets in exprs.items():
        for expr in targets:
            assert '"$service"' in expr and '"$instance"' in expr, title


def test_with_recording_rules_the_panels_read_the_recorded_series() -> None:
    from tsedash.prometheus.rules import recording_file

    text = FIXTURE.read_text().replace(
        "container_prefix: te-", "container_prefix: te-, recording_rules: true"
    )
    reg = load_registry_text(text, "r.yaml")
    assert reg.defaults.recording_rules
    panels = {p["title"]: p for p in all_panels(simulation_entity_view.build(reg))}
    sel = '{job="exchange-simulator", job=~"$service", instance=~"$instance"}'
    exprs = {t: [x["expr"] for x in p.get("targets", [])] for t, p in panels.items()}
    assert exprs["exchange-simulator Requests/s"] == [
        f"sum(instance:tsedash_http_requests:rate1m{sel})",
        f"topk(10, sum by (instance) (instance:tsedash_http_requests:rate1m{sel}))",
    ]
    assert exprs["exchange-simulator Error Ratio"] == [
        f"sum(instance:tsedash_http_server_errors:rate1m{sel}) / "
        f"sum(instance:tsedash_http_requests:rate1m{sel})",
        f"topk(10, instance:tsedash_http_server_error_ratio:rate1m{sel})",
        f"sum(instance:tsedash_http_client_errors:rate1m{sel}) / "
        f"sum(instance:tsedash_http_requests:rate1m{sel})",
    ]
    assert exprs["exchange-simulator Latency p50/p95/p99"] == [
        *(
            f"histogram_quantile({q}, sum by (le) (job:tsedash_http_request_duration_seconds_"
            'bucket:rate1m{job="exchange-simulator", job=~"$service"}))'
            for q in (0.5, 0.95, 0.99)
        ),
        f"topk(10, instance:tsedash_http_request_duration_seconds:p95_rate1m{sel})",
    ]
    # No rate or quantile of a raw series is left for Prometheus to compute at every step.
    rates = [e for es in exprs.values() for e in es if "http_request" in e and "rate(" in e]
    assert rates == []
    # Every series they read is one the generated recording rules write.
    written = {r["record"] for g in recording_file(reg)["groups"] for r in g["rules"]}
    read = {
        name
        for es in exprs.values()
        for e in es
        for name in re.findall(r"(?:instance|job):[a-z_]+:[a-z0-9_]+", e)
    }
    assert read and read <= written


def test_domain_metrics_and_the_declared_flow(models: dict[str, dict[str, Any]]) -> None:
    panels = {p["title"]: p for p in all_panels(models["tse-simulation-entity"])}
    rate = panels["exchange-simulator Trades/s"]
    assert rate["type"] == "timeseries"
    assert rate["targets"][0]["legendFormat"] == "{{instance}}"
    assert rate["options"]["legend"]["showLegend"] is True
    depth = panels["exchange-simulator Book Depth"]
    assert depth["targets"][0]["expr"].startswith("topk(10, avg by (instance, symbol, side) (")
    assert depth["targets"][0]["legendFormat"] == "{{instance}} {{symbol}} {{side}}"
    total = panels["exchange-simulator Trades Total"]
    assert total["type"] == "stat"
    assert total["options"]["reduceOptions"]["calcs"] == ["lastNotNull"]
    # A declared outbound metric with a callee label makes the flow panel.
    flow = panels["Entity Communication Flow"]
    assert flow["targets"][0]["legendFormat"] == "{{instance}} → {{target_service}}"
    assert flow["targets"][0]["expr"].startswith(
        "topk(10, sum by (instance, target_service) (rate(client_requests_total{"
    )


def test_without_a_declared_flow_the_panel_shows_inbound_requests() -> None:
    reg = load_registry(ROOT / "instances.yaml")
    panels = {p["title"]: p for p in simulation_entity_view.build(reg)["panels"]}
    inbound = panels["Entity Communication: Inbound Requests"]
    assert inbound["targets"][0]["expr"] == (
        "topk(10, sum by (instance, route, code) "
        '(rate(http_requests_total{job=~"$service", instance=~"$instance"}[$__rate_interval])))'
    )
    assert "target_service" not in json.dumps(simulation_entity_view.build(reg))


@pytest.mark.parametrize("recording_rules", [False, True])
def test_no_query_depends_on_how_a_service_spells_its_routes(recording_rules: bool) -> None:
    """The same endpoint is `/api/v1/health` on one service and `/health` on another, the
    metrics scrape `/metrics` or `unknown`: no query matches a route value (the scrape's
    requests stay counted, one per scrape interval), and `route` is only ever grouped by
    under topk (target-route-unbounded)."""
    text = (ROOT / "instances.yaml").read_text()
    if recording_rules:
        text = text.replace(
            "container_prefix: trading-ecosystem-}",
            "container_prefix: trading-ecosystem-, recording_rules: true}",
        )
    reg = load_registry_text(text, "instances.yaml")
    assert reg.defaults.recording_rules is recording_rules
    exprs = [t["expr"] for _, model in build_all(reg) for t in all_targets(model)]
    assert exprs and not [e for e in exprs if re.search(r"\broute\s*(=|!=|=~|!~)", e)]
    grouped = [e for e in exprs if re.search(r"\bby \([^)]*\broute\b", e)]
    assert grouped and all(e.startswith("topk(10, ") for e in grouped)


@pytest.mark.parametrize("size", [1, 50, 1000])
def test_query_count_does_not_grow_with_instances(size: int) -> None:
    base = {spec.uid: len(all_targets(m)) for spec, m in build_all(scaled_registry(2))}
    scaled = {spec.uid: len(all_targets(m)) for spec, m in build_all(scaled_registry(size))}
    assert scaled == base
    for _, model in build_all(scaled_registry(size)):
        for target in all_targets(model):
            assert "exchange-X0" not in target["expr"]  # never one query per instance


def test_default_registry_builds_every_declared_metric_and_hides_the_planned() -> None:
    reg = load_registry(ROOT / "instances.yaml")
    sim = simulation_entity_view.build(reg)
    visible = " ".join(t["expr"] for p in sim["panels"] if p["type"] != "row" for t in p["targets"])
    hidden = " ".join(t["expr"] for t in all_targets(sim))
    for svc in reg.services.values():
        for metric in svc.metrics:
            assert metric.planned  # no real service exposes a domain metric yet
            assert metric.name in hidden and metric.name not in visible
    trading = next(p for p in sim["panels"] if p["title"] == "trading-system-engine Health")
    assert trading["type"] == "state-timeline"
    assert devops_docker_view.build(reg)["uid"] == "tse-devops-docker"


def test_factories_return_fresh_objects() -> None:
    reg = fixture_registry()
    svc = reg.services["exchange-simulator"]
    for factory in (
        lambda: health.instance_health(),
        lambda: health.infrastructure_health(reg),
        lambda: instances.instances_table(),
        lambda: entity.metric_rate(svc, svc.metrics[0]),
        lambda: service.latency(svc),
        lambda: instances.registry_reference(),
    ):
        first, second = factory(), factory()
        assert first is not second
        first.title("changed")
        assert second.build().title != "changed"
        # Nested objects are not shared either.
        assert first.build().targets[0] is not second.build().targets[0]
