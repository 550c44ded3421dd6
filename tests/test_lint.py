"""Lint: each rule table-driven (a clean dashboard, then one break per case), exclusions, CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tsedash.lint import RULES, RULES_BY_NAME, LintConfigError, lint_dashboards, load_exclusions
from tsedash.lint.core import DashboardContext
from tsedash.registry import load_registry_text
from tsedash_dashboards import build_all

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE, clone, fixture_registry

RunCli = Callable[..., Result]
REG = fixture_registry()
MODELS = {spec.uid: model for spec, model in build_all(REG)}
DEVOPS, SIM = MODELS["tse-devops-docker"], MODELS["tse-simulation-entity"]


def panel(model: dict[str, Any], title: str) -> dict[str, Any]:
    return next(p for p in model["panels"] if p["title"] == title)


def findings(rule: str, model: dict[str, Any]) -> list[str]:
    ctx = DashboardContext("d.json", model, REG)
    return [i.message for i in RULES_BY_NAME[rule].check(ctx)]


def test_rules_are_kebab_case_with_descriptions() -> None:
    assert len(RULES) == 20
    assert len(RULES_BY_NAME) == len(RULES)
    for rule in RULES:
        assert rule.name == rule.name.lower() and " " not in rule.name and "_" not in rule.name
        assert rule.description.endswith(".")


def test_generated_dashboards_are_clean_except_excluded() -> None:
    exclusions = load_exclusions(ROOT / ".lint.yaml")
    report = lint_dashboards(MODELS.items(), REG, exclusions)
    assert report.findings == []
    assert {f.code for f, _ in report.excluded} == {"target-instance"}  # infrastructure jobs


def _expr(model: dict[str, Any], title: str, expr: str) -> None:
    panel(model, title)["targets"][0]["expr"] = expr


Mutation = Callable[[dict[str, Any]], None]
CASES: list[tuple[str, str, Mutation, str]] = [
    # (rule, dashboard uid, mutation, fragment of the message)
    (
        "template-datasource",
        "tse-devops-docker",
        lambda m: m["templating"]["list"].pop(0),
        "no `datasource` variable",
    ),
    (
        "template-datasource",
        "tse-devops-docker",
        lambda m: m["templating"]["list"][0].update(query="loki"),
        "of type prometheus",
    ),
    (
        "template-job",
        "tse-devops-docker",
        lambda m: m["templating"]["list"][1].update(multi=False),
        "multi-value",
    ),
    (
        "template-job",
        "tse-devops-docker",
        lambda m: m["templating"]["list"].pop(1),
        "no `service` variable",
    ),
    (
        "template-instance",
        "tse-devops-docker",
        lambda m: m["templating"]["list"][3].pop("allValue"),
        "needs an allValue",
    ),
    (
        "template-instance",
        "tse-devops-docker",
        lambda m: m["templating"]["list"][3].update(datasource={"uid": "prom"}),
        "query the `datasource`",
    ),
    (  # a bounded list whose regex does not capture the instance
        "template-instance",
        "tse-devops-docker",
        lambda m: m["templating"]["list"][3].update(regex='/job="([^"]+)"/'),
        "with a regex capturing `instance`",
    ),
    (
        "template-label-promql",
        "tse-devops-docker",
        lambda m: m["templating"]["list"][3].update(query="query_result(bottomk(200, up{))"),
        "invalid expression",
    ),
    (
        "template-label-promql",
        "tse-devops-docker",
        lambda m: m["templating"]["list"][3].update(query="label_values(up{job=~}, instance)"),
        "invalid selector",
    ),
    (
        "template-label-promql",
        "tse-devops-docker",
        lambda m: m["templating"]["list"][3].update(query="up"),
        "is not label_values",
    ),
    (
        "template-on-time-change-reload",
        "tse-devops-docker",
        lambda m: m["templating"]["list"][1].update(refresh=1),
        "use 2",
    ),
    (
        "panel-datasource",
        "tse-devops-docker",
        lambda m: panel(m, "Container CPU").update(datasource={"uid": "prometheus"}),
        "is not ${datasource}",
    ),
    (
        "panel-title-description",
        "tse-devops-docker",
        lambda m: panel(m, "Container CPU").pop("description"),
        "no description",
    ),
    (
        "panel-units",
        "tse-devops-docker",
        lambda m: panel(m, "Container CPU")["fieldConfig"]["defaults"].pop("unit"),
        "no unit",
    ),
    (
        "panel-no-targets",
        "tse-devops-docker",
        lambda m: panel(m, "Container CPU").update(targets=[]),
        "no targets",
    ),
    (
        "target-promql",
        "tse-devops-docker",
        lambda m: _expr(m, "Container CPU", "sum(rate(x[$__rate_interval])"),
        "invalid PromQL",
    ),
    (
        "target-rate-interval",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Trades/s",
            'sum(rate(trades_total{job="exchange-simulator", instance=~"$instance"}[5m]))',
        ),
        "should use [$__rate_interval]",
    ),
    (
        "target-rate-interval",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Trades/s",
            'sum(irate(trades_total{job="exchange-simulator", instance=~"$instance"}[$__interval]))',
        ),
        "irate(trades_total",
    ),
    (
        "target-job",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Trades/s",
            'sum(rate(trades_total{instance=~"$instance"}[$__rate_interval]))',
        ),
        "has no job matcher",
    ),
    (
        "target-instance",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Trades/s",
            'sum(rate(trades_total{job="exchange-simulator"}[$__rate_interval]))',
        ),
        "ignores the instance variable",
    ),
    (
        "target-instance",
        "tse-devops-docker",
        lambda m: _expr(
            m,
            "Container CPU",
            'sum(rate(container_cpu_usage_seconds_total{job="cadvisor"}[$__rate_interval]))',
        ),
        "ignores the instance variable",
    ),
    (
        "target-counter-agg",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Trades Total",
            'sum by (instance) (trades_total{job="exchange-simulator", instance=~"$instance"})',
        ),
        "counter `trades_total` used raw",
    ),
    ("uneditable-dashboard", "tse-devops-docker", lambda m: m.update(editable=True), "editable"),
    (
        "target-metric-contract",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Trades/s",
            'sum(rate(trade_total{job="exchange-simulator", instance=~"$instance"}[$__rate_interval]))',
        ),
        "`trade_total` is neither the services' standard exposition nor declared; "
        "did you mean `trades_total`?",
    ),
    (
        "target-job-known",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Trades/s",
            'sum(rate(trades_total{job="exchange-simulater", instance=~"$instance"}[$__rate_interval]))',
        ),
        "job 'exchange-simulater' is neither",
    ),
    (
        "target-metric-contract",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Requests/s",
            'sum(rate(http_request_total{job="exchange-simulator", instance=~"$instance"}[$__rate_interval]))',
        ),
        "did you mean `http_requests_total`?",
    ),
    (
        "target-planned-metric",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Trades/s",
            'avg by (instance) (audit_backlog{job="audit-correlator", instance=~"$instance"})',
        ),
        "metric `audit_backlog` is planned (no service exposes it) but this panel is visible",
    ),
    (
        "panel-unit-known",
        "tse-devops-docker",
        lambda m: panel(m, "Container Memory (working set)")["fieldConfig"]["defaults"].update(
            unit="byts"
        ),
        "unit `byts` is not a Grafana unit id; did you mean `bytes`?",
    ),
    (
        "target-job-known",
        "tse-devops-docker",
        lambda m: _expr(m, "Infrastructure Services Health", 'up{job=~"redis|mongo"}'),
        "job 'mongo'",
    ),
    (  # one series per route the Python services ever saw, scanners' paths included
        "target-route-unbounded",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Requests/s",
            'sum by (instance, route) (rate(http_requests_total{job="exchange-simulator", '
            'instance=~"$instance"}[$__rate_interval]))',
        ),
        "one series per `route` without topk/bottomk/limitk",
    ),
    (  # `without` that does not remove it keeps it
        "target-route-unbounded",
        "tse-simulation-entity",
        lambda m: _expr(
            m,
            "exchange-simulator Latency p50/p95/p99",
            "histogram_quantile(0.5, sum without (instance, method) (rate("
            'http_request_duration_seconds_bucket{job="exchange-simulator", '
            'instance=~"$instance"}[$__rate_interval])))',
        ),
        "aggregate `route` away or rank it",
    ),
    (  # a bare selector in a table: a row per series, so per route
        "target-route-unbounded",
        "tse-devops-docker",
        lambda m: _expr(
            m,
            "All Service Instances",
            'http_requests_total{job=~"$service", instance=~"$instance"}',
        ),
        "one series per `route`",
    ),
]


@pytest.mark.parametrize(
    ("rule", "uid", "mutate", "fragment"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_finds_its_case(rule: str, uid: str, mutate: Mutation, fragment: str) -> None:
    assert findings(rule, MODELS[uid]) == [] or rule == "target-instance"
    model = clone(MODELS[uid])
    mutate(model)
    messages = findings(rule, model)
    assert any(fragment in m for m in messages), messages


ROUTE_QUERIES = [
    # (expression, whether its result has one series per route, unbounded)
    ("topk(10, sum by (instance, route, code) (rate(http_requests_total[1m])))", False),
    ("sum by (instance, route, code) (rate(http_requests_total[1m]))", True),
    ("sum without (route) (rate(http_requests_total[1m]))", False),
    ("sum without (instance) (rate(http_requests_total[1m]))", True),
    ("sum by (instance) (rate(http_request_errors_total[1m]))", False),
    ("rate(http_requests_total[1m]) > 0", True),
    ("limitk(5, http_requests_total)", False),
    ("limit_ratio(0.5, http_requests_total)", True),
    ("topk by (route) (1, http_requests_total)", True),
    ("http_requests_created", True),  # the Python services' creation times
    ("instance_route:tsedash_http_requests:rate1m", True),  # the recorded routes
    ("sum by (instance) (instance_route:tsedash_http_requests:rate1m)", False),
    ("sum by (route) (up)", False),  # no route label there
    ("sum by (instance, route) (http_requests_total) / on (instance) group_left up", True),
    ("http_requests_total / ignoring (route) group_left up", True),
    (
        "sum by (instance) (up) * on (instance) group_left sum by (instance) (http_requests_total)",
        False,
    ),
    ("http_requests_total / on (instance, job) up", False),
    ("http_requests_total and on (instance) up", True),
    ("up and on (instance) http_requests_total", False),
    ("scalar(sum by (route) (http_requests_total))", False),
    (
        "histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket[1m])))",
        True,
    ),
]


@pytest.mark.parametrize(("expr", "unbounded"), ROUTE_QUERIES)
def test_route_unbounded_follows_the_route_label_through_the_query(
    expr: str, unbounded: bool
) -> None:
    model = clone(SIM)
    _expr(model, "exchange-simulator Requests/s", expr)
    assert bool(findings("target-route-unbounded", model)) is unbounded


def test_route_unbounded_knows_a_declared_metric_with_a_route_label() -> None:
    text = FIXTURE.read_text().replace("by: [target_service],", "by: [target_service, route],")
    registry = load_registry_text(text, "r.yaml")
    model = clone(SIM)
    _expr(
        model, "exchange-simulator Requests/s", "sum by (route) (rate(client_requests_total[1m]))"
    )
    ctx = DashboardContext("d.json", model, registry)
    assert [i.message for i in RULES_BY_NAME["target-route-unbounded"].check(ctx)]
    assert findings("target-route-unbounded", model) == []  # the fixture's has no route


@pytest.mark.parametrize(
    ("unit", "found"),
    [
        ("", []),  # Grafana's default: no unit; not an unknown id
        ("bytes", []),
        ("suffix: req", []),
        ("byts", ["unit `byts` is not a Grafana unit id; did you mean `bytes`?"]),
        (" ", ["unit ` ` is not a Grafana unit id"]),  # blank is not empty
    ],
)
def test_unit_known_accepts_the_empty_default(unit: str, found: list[str]) -> None:
    model = clone(DEVOPS)
    memory = panel(model, "Container Memory (working set)")
    memory["fieldConfig"]["defaults"]["unit"] = unit
    memory["fieldConfig"]["overrides"] = [{"properties": [{"id": "unit", "value": unit}]}]
    assert findings("panel-unit-known", model) == found * 2  # the default and the override


def test_every_rule_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(RULES_BY_NAME)


def test_findings_name_uid_panel_refid_and_expanded_expression() -> None:
    model = clone(SIM)
    _expr(
        model,
        "exchange-simulator Trades/s",
        'sum(rate(trade_total{job="exchange-simulator", instance=~"$instance"}[$__rate_interval]))',
    )
    report = lint_dashboards([("sim.json", model)], REG, load_exclusions(ROOT / ".lint.yaml"))
    [finding] = report.findings
    text = str(finding)
    assert text.startswith(
        "sim.json: error target-metric-contract: dashboard tse-simulation-entity panel 'exchange-simulator Trades/s' refId A: metric `trade_total`"
    )
    assert (
        'expanded: sum(rate(trade_total{job="exchange-simulator", instance=~"tsedash_var_instance"}[61s]))'
        in text
    )


def _exclusions(tmp_path: Path, body: str) -> Path:
    path = tmp_path / ".lint.yaml"
    path.write_text(body)
    return path


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            "exclusions:\n  - {rule: target-instanse, dashboard: d, reason: because it is so}\n",
            ":2: exclusions[0]: unknown rule 'target-instanse'; did you mean 'target-instance'?",
        ),
        ("exclusions:\n  - {rule: target-instance, dashboard: d}\n", "needs a `reason:`"),
        (
            "exclusions:\n  - {rule: target-instance, dashboard: d, reason: '  '}\n",
            "needs a `reason:`",
        ),
        (
            "exclusions:\n  - {rule: target-instance, reason: because it is so}\n",
            "`dashboard:` (a uid) is required",
        ),
        (
            "exclusions:\n  - {rule: target-instance, dashboard: d, reason: because it is so, pannel: x}\n",
            "unknown key 'pannel'",
        ),
        ("rules: []\n", "one key, `exclusions:`"),
        ("exclusions: {a: 1}\n", "must be a list"),
        ("exclusions: [\n", "YAML syntax error"),
    ],
)
def test_bad_exclusions_files(tmp_path: Path, body: str, fragment: str) -> None:
    with pytest.raises(LintConfigError) as info:
        load_exclusions(_exclusions(tmp_path, body))
    assert fragment in str(info.value)


def test_missing_explicit_exclusions_file(tmp_path: Path) -> None:
    with pytest.raises(LintConfigError, match="not found"):
        load_exclusions(tmp_path / "nope.yaml")


def test_cli_strict_and_unused_exclusions(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "prov"
    assert run_cli("build", "--registry", str(FIXTURE), "--out", str(out)).exit_code == 0
    none = _exclusions(tmp_path, "exclusions: []\n")
    res = run_cli("lint", "--registry", str(FIXTURE), "--out", str(out), "--exclusions", str(none))
    assert res.exit_code == 0  # only a warning (target-instance on the infrastructure jobs)
    assert "0 errors, 1 warnings" in res.stdout
    res = run_cli(
        "lint", "--registry", str(FIXTURE), "--out", str(out), "--exclusions", str(none), "--strict"
    )
    assert res.exit_code == 1
    extra = _exclusions(
        tmp_path,
        (ROOT / ".lint.yaml").read_text()
        + "  - {rule: panel-units, dashboard: tse-devops-docker, panel: Gone, reason: the panel was removed}\n",
    )
    res = run_cli(
        "lint",
        "--registry",
        str(FIXTURE),
        "--out",
        str(out),
        "--exclusions",
        str(extra),
        "--strict",
    )
    assert res.exit_code == 1
    assert "exclusion of panel-units for tse-devops-docker Gone matches nothing" in res.stderr
    res = run_cli(
        "lint", "--registry", str(FIXTURE), "--out", str(out), "--exclusions", str(extra), "--json"
    )
    assert res.exit_code == 0
    assert json.loads(res.stdout)["unused_exclusions"][0]["panel"] == "Gone"


def test_cli_lint_error_exits_1_and_bad_config_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "prov"
    run_cli("build", "--registry", str(FIXTURE), "--out", str(out))
    path = out / "dashboards" / "trading-ecosystem" / "simulation-entity-view.json"
    model = json.loads(path.read_text())
    _expr(model, "exchange-simulator Trades Total", "sum(trades_totl)")
    path.write_text(json.dumps(model))
    res = run_cli(
        "lint",
        "--registry",
        str(FIXTURE),
        "--out",
        str(out),
        "--exclusions",
        str(ROOT / ".lint.yaml"),
    )
    assert res.exit_code == 1
    assert "target-metric-contract" in res.stderr and "trades_totl" in res.stderr
    bad = _exclusions(
        tmp_path, "exclusions:\n  - {rule: nope, dashboard: d, reason: because it is so}\n"
    )
    res = run_cli("lint", "--registry", str(FIXTURE), "--out", str(out), "--exclusions", str(bad))
    assert res.exit_code == 2
    assert "unknown rule 'nope'" in res.stderr
    res = run_cli("lint", "--registry", str(FIXTURE), "--out", str(tmp_path / "empty"))
    assert res.exit_code == 2


def test_default_registry_is_lint_clean_in_strict_mode(run_cli: RunCli) -> None:
    res = run_cli(
        "lint",
        "--registry",
        str(ROOT / "instances.yaml"),
        "--out",
        str(ROOT / "provisioning"),
        "--exclusions",
        str(ROOT / ".lint.yaml"),
        "--strict",
    )
    assert res.exit_code == 0, res.stderr
    assert "0 errors, 0 warnings, 1 excluded, 0 unused exclusions (20 rules, strict)" in res.stdout


def test_every_rule_module_is_registered_once() -> None:
    """A rule file left out of RULES would never run: each module's RULE is listed, once."""
    import importlib
    import pkgutil

    import tsedash.lint.rules as rules_pkg

    modules = [
        importlib.import_module(f"tsedash.lint.rules.{m.name}")
        for m in pkgutil.iter_modules(rules_pkg.__path__)
        if not m.name.startswith("_")
    ]
    assert sorted(m.RULE.name for m in modules) == sorted(r.name for r in RULES)
    assert len({r.name for r in RULES}) == len(RULES)
    for module in modules:  # the rule is named after its module
        assert module.RULE.name == module.__name__.rsplit(".", 1)[1].replace("_", "-")


def test_a_rule_checks_exactly_one_kind_of_thing() -> None:
    from tsedash.lint.core import Rule, Severity

    with pytest.raises(ValueError, match="exactly"):
        Rule("x", "x", Severity.ERROR)
    with pytest.raises(ValueError, match="exactly"):
        Rule("x", "x", Severity.ERROR, panel=lambda c, p: [], target=lambda c, t: [])


def test_one_variable_pattern_and_one_macro_table() -> None:
    """`${var.field}` is a use of `var` everywhere; the derived macros follow their duration."""
    from tsedash.queries.expand import VARIABLE, duration_ms, expand, macro_values

    uses = [
        m.group("braced") or m.group("old") or m.group("plain")
        for m in VARIABLE.finditer(
            'x{a="${service.text}", b="$instance", c="[[job]]", d="${ds:raw}"}'
        )
    ]
    assert uses == ["service", "instance", "job", "ds"]
    assert expand("${service.text}", {"service": "s"}) == "s"
    macros = macro_values("1m", "15s", "1h30m")
    assert (macros["__range_s"], macros["__range_ms"], macros["__interval_ms"]) == (
        "5400",
        "5400000",
        "15000",
    )
    assert macros["__rate_interval_ms"] == "60000"
    with pytest.raises(ValueError, match="not a duration"):
        duration_ms("5 minutes")


def test_dashboards_on_recording_rules_are_lint_clean_in_strict_mode(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The recorded series (`instance:tsedash_…`, `job:tsedash_…`) belong to the metric
    contract, and a per-job series has no instance to follow."""
    registry = tmp_path / "instances.yaml"
    registry.write_text(
        (ROOT / "instances.yaml")
        .read_text()
        .replace(
            "container_prefix: trading-ecosystem-}",
            "container_prefix: trading-ecosystem-, recording_rules: true}",
        )
    )
    out = tmp_path / "provisioning"
    res = run_cli(
        "build",
        "--registry",
        str(registry),
        "--out",
        str(out),
        "--lint",
        "--strict",
        "--exclusions",
        str(ROOT / ".lint.yaml"),
    )
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "instance:tsedash_http_server_error_ratio:rate1m" in "".join(
        p.read_text() for p in out.rglob("*.json")
    )


def test_the_default_query_of_a_panel_that_runs_none_is_not_linted() -> None:
    """Grafana stores query `A` (no `expr`) on text panels and rows: no PromQL to check."""
    from tsedash.lint.core import NO_QUERY_PANELS

    root = Path(__file__).resolve().parent.parent
    schema = json.loads((root / "tsedash/validate/dashboard.schema.json").read_text())
    listed = schema["$defs"]["panel"]["if"]["properties"]["type"]["enum"]
    assert frozenset(listed) == NO_QUERY_PANELS
    model = {
        "uid": "u",
        "panels": [
            {"type": "text", "targets": [{"refId": "A"}]},
            {"type": "timeseries", "targets": [{"refId": "A"}, {"refId": "B", "expr": "up"}]},
            {"type": "text", "targets": [{"refId": "A", "expr": "rate(("}]},
        ],
    }
    linted = [
        (t.panel["type"], t.target["refId"]) for t in DashboardContext("d.json", model, REG).targets
    ]
    assert linted == [("timeseries", "A"), ("timeseries", "B"), ("text", "A")]
