"""Alert rules: checked by promtool and unit-tested with `promtool test rules`."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tsedash import queries
from tsedash.processes import find_program
from tsedash.prometheus import write_prometheus
from tsedash.prometheus.rules import RECORDING_FILE, RULES_FILE, alert_rules
from tsedash.queries.expand import expand
from tsedash.registry import load_registry_text

from .dashboard_helpers import fixture_registry

LINK = "http://localhost:3000/d/tse-devops-docker?var-service={service}&var-instance={instance}"
RUNBOOK = "docs/runbooks.md#{anchor}"


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_program("promtool"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def up(job: str, instance: str, values: str) -> dict[str, str]:
    return {"series": f'up{{job="{job}", instance="{instance}"}}', "values": values}


def all_up(except_: str = "", values: str = "1x20") -> list[dict[str, str]]:
    """Every registry instance up, and the expected-instances list scraped."""
    reg = fixture_registry()
    return [
        *(
            up(i.service_name, i.instance_name, values)
            for i in reg.instances
            if i.instance_name != except_
        ),
        *expected(values),
    ]


def expected(values: str = "1x20") -> list[dict[str, str]]:
    """What the `tsedash-expected` job scrapes: one series per registry instance."""
    reg = fixture_registry()
    return [
        up("tsedash-expected", "tsedash-expected:9099", values),
        *(
            {
                "series": f'tsedash_expected_instance{{job="{i.service_name}", instance="{i.instance_name}"}}',
                "values": values,
            }
            for i in reg.instances
        ),
    ]


EX, OKX, BINANCE = "exchange-simulator", "exchange-OKX", "exchange-Binance"


def red(metric: str, instance: str, code: str, values: str) -> dict[str, str]:
    labels = f'job="{EX}", instance="{instance}", method="GET", route="/a", code="{code}"'
    return {"series": f"{metric}{{{labels}}}", "values": values}


def error_streams() -> list[dict[str, str]]:
    """OKX: 9 requests/s answered 200 and 1 answered 500; Binance: 7 answered 200 and 3
    answered 404 (a favicon, a scanner). The middleware counts both in both counters."""
    return [
        red("http_requests_total", OKX, "200", "0+135x60"),
        red("http_requests_total", OKX, "500", "0+15x60"),
        red("http_request_errors_total", OKX, "500", "0+15x60"),
        red("http_requests_total", BINANCE, "200", "0+105x60"),
        red("http_requests_total", BINANCE, "404", "0+45x60"),
        red("http_request_errors_total", BINANCE, "404", "0+45x60"),
    ]


def per_instance(
    name: str, okx: float, binance: float, job: bool = True
) -> list[dict[str, str | float]]:
    """Expected samples of both exchange instances, in the order promtool sorts them."""
    scope = f'job="{EX}", ' if job else ""
    return [
        {"labels": f'{name}{{{scope}instance="{BINANCE}"}}', "value": binance},
        {"labels": f'{name}{{{scope}instance="{OKX}"}}', "value": okx},
    ]


def raw(query: queries.Query) -> str:
    """A dashboard query as Grafana sends it with every instance selected, on a 1m window."""
    return expand(query.expr, {"__rate_interval": "1m", "service": EX, "instance": ".+"})


def annotations(
    alert: str, service: str, instance: str, summary: str, description: str
) -> dict[str, str]:
    return {
        "summary": summary,
        "description": description,
        "dashboard": LINK.format(service=service, instance=instance),
        "runbook_url": RUNBOOK.format(anchor=alert.lower()),
    }


def test_promtool_accepts_config_and_rules(tmp_path: Path) -> None:
    write_prometheus(fixture_registry(), tmp_path)
    res = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS: 2 rule files found" in res.stdout
    res = promtool("check", "rules", RECORDING_FILE, RULES_FILE, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr


def test_rule_kinds_scale_as_documented() -> None:
    rules = [r for g in alert_rules(fixture_registry())["groups"] for r in g["rules"]]
    kinds = [r["alert"] for r in rules]
    assert kinds.count("InstanceDown") == 3  # one per service type
    # One join for every expected instance, and one rule saying the list itself is unread.
    assert kinds.count("InstanceMissing") == kinds.count("ExpectedInstancesUnknown") == 1
    assert kinds.count("HighErrorRatio") == kinds.count("HighLatency") == 3
    # Only the exposed counter that asks for it (trades_total), not client_requests_total.
    assert [r["labels"]["metric"] for r in rules if r["alert"] == "CounterStalled"] == [
        "trades_total"
    ]
    assert kinds.count("InfrastructureMissing") == kinds.count("InfrastructureDown") == 2
    assert all({"severity", "service"} <= set(r["labels"]) for r in rules)
    assert all(r["annotations"]["runbook_url"].startswith("docs/runbooks.md#") for r in rules)


def _many(n: int) -> str:
    from .dashboard_helpers import FIXTURE

    extra = "".join(
        f"  - {{service: exchange-simulator, name: exchange-n{k:05d}, address: 'x{k}:8080'}}\n"
        for k in range(n)
    )
    return FIXTURE.read_text().rstrip("\n") + "\n" + extra


def test_rules_do_not_grow_with_instances() -> None:
    """10,000 more instances: the same alert and recording rules, byte for byte."""
    from tsedash.prometheus.rules import recording_file

    few, many = fixture_registry(), load_registry_text(_many(10_000), "r.yaml")
    assert len(many.instances) == len(few.instances) + 10_000
    assert alert_rules(many) == alert_rules(few)
    assert recording_file(many) == recording_file(few)


def test_runbook_anchors_exist() -> None:
    from .conftest import ROOT

    text = (ROOT / "docs" / "runbooks.md").read_text()
    anchors = {line[3:].strip().lower() for line in text.splitlines() if line.startswith("## ")}
    rules = [r for g in alert_rules(fixture_registry())["groups"] for r in g["rules"]]
    assert {r["annotations"]["runbook_url"].split("#")[1] for r in rules} <= anchors


def test_thresholds_and_links_come_from_the_registry() -> None:
    from tsedash.registry import load_registry_text

    from .dashboard_helpers import FIXTURE

    text = (
        FIXTURE.read_text()
        .replace(
            "categories:",
            "alerts: {error_ratio: 0.2}\n"
            "links: {grafana_url: 'https://grafana.example/', runbooks_url: 'https://docs.example/rb'}\n"
            "categories:",
        )
        .replace(
            "    readiness: true\n",
            "    readiness: true\n    alerts: {latency_p95_seconds: 0.25}\n",
        )
    )
    rules = [
        r for g in alert_rules(load_registry_text(text, "r.yaml"))["groups"] for r in g["rules"]
    ]
    by = {(r["alert"], r["labels"]["service"]): r for r in rules}
    assert by[("HighErrorRatio", "audit-correlator")]["expr"] == (
        'instance:tsedash_http_server_error_ratio:rate1m{job="audit-correlator"} > 0.2'
    )
    assert by[("HighLatency", "exchange-simulator")]["expr"].endswith("> 0.25")
    assert by[("HighLatency", "audit-correlator")]["expr"].endswith("> 1")
    down = by[("InstanceDown", "exchange-simulator")]["annotations"]
    assert down["dashboard"].startswith("https://grafana.example/d/tse-devops-docker?")
    assert down["runbook_url"] == "https://docs.example/rb#instancedown"


def test_promtool_unit_tests_for_each_rule_kind(tmp_path: Path) -> None:
    write_prometheus(fixture_registry(), tmp_path)
    okx, ex = "exchange-OKX", "exchange-simulator"
    tests: list[dict[str, Any]] = [
        {  # an instance down for 5 minutes
            "interval": "1m",
            "input_series": [*all_up(except_=okx), up(ex, okx, "0x10")],
            "alert_rule_test": [
                {"eval_time": "30s", "alertname": "InstanceDown", "exp_alerts": []},
                {
                    "eval_time": "5m",
                    "alertname": "InstanceDown",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "critical",
                                "service": ex,
                                "job": ex,
                                "instance": okx,
                            },
                            "exp_annotations": annotations(
                                "InstanceDown",
                                ex,
                                okx,
                                f"{ex} instance {okx} is down",
                                "Prometheus cannot scrape /metrics for 1 minute.",
                            ),
                        }
                    ],
                },
            ],
        },
        {  # an instance the registry expects is never scraped
            "interval": "1m",
            "input_series": all_up(except_="exchange-Binance"),
            "alert_rule_test": [
                {"eval_time": "3m", "alertname": "InstanceMissing", "exp_alerts": []},
                {
                    "eval_time": "10m",
                    "alertname": "InstanceMissing",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "service": ex,
                                "job": ex,
                                "instance": "exchange-Binance",
                            },
                            "exp_annotations": annotations(
                                "InstanceMissing",
                                ex,
                                "exchange-Binance",
                                f"exchange-Binance ({ex}) is in the registry but not scraped",
                                "No target with this job and instance label: check the scrape config (`tsedash prometheus`) and the container.",
                            ),
                        }
                    ],
                },
                {"eval_time": "10m", "alertname": "ExpectedInstancesUnknown", "exp_alerts": []},
            ],
        },
        {  # the expected-instances list is not scraped: InstanceMissing is blind, and says so
            "interval": "1m",
            "input_series": [
                up(i.service_name, i.instance_name, "1x20")
                for i in fixture_registry().instances
                if i.instance_name != "exchange-Binance"
            ],
            "alert_rule_test": [
                {"eval_time": "10m", "alertname": "InstanceMissing", "exp_alerts": []},
                {
                    "eval_time": "10m",
                    "alertname": "ExpectedInstancesUnknown",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "service": "tsedash-expected",
                                "job": "tsedash-expected",
                            },
                            "exp_annotations": {
                                "summary": "Prometheus cannot read the list of expected instances",
                                "description": "The `tsedash-expected` job is down or missing, so InstanceMissing cannot fire: check the tsedash-expected service of the compose overlay.",
                                "dashboard": "http://localhost:3000/d/tse-devops-docker",
                                "runbook_url": "docs/runbooks.md#expectedinstancesunknown",
                            },
                        }
                    ],
                },
            ],
        },
        {  # a counter that stops increasing while the instance is up
            "interval": "1m",
            "input_series": [
                *all_up(),
                {
                    "series": f'trades_total{{job="{ex}", instance="{okx}"}}',
                    "values": "0+10x5 50x15",
                },
                {
                    "series": f'trades_total{{job="{ex}", instance="exchange-Binance"}}',
                    "values": "0+10x20",
                },
            ],
            "alert_rule_test": [
                {"eval_time": "5m", "alertname": "CounterStalled", "exp_alerts": []},
                {
                    "eval_time": "12m",
                    "alertname": "CounterStalled",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "service": ex,
                                "job": ex,
                                "instance": okx,
                                "metric": "trades_total",
                            },
                            "exp_annotations": annotations(
                                "CounterStalled",
                                ex,
                                okx,
                                f"Trades of {okx} stopped increasing",
                                "`trades_total` did not increase for 5 minutes while the instance is up.",
                            ),
                        }
                    ],
                },
            ],
        },
        {  # 10 % of OKX's requests fail (500); 30 % of Binance's ask for what is not there (404)
            "interval": "15s",  # the recording rules' 1m rates need samples inside a minute
            "input_series": [*all_up(values="1x80"), *error_streams()],
            "promql_expr_test": [  # what the recording rules hold, and the dashboards read
                {  # by route and code: the communication panel; the per-instance rate sums it
                    "expr": f'instance_route:tsedash_http_requests:rate1m{{instance="{okx}"}}',
                    "eval_time": "10m",
                    "exp_samples": [
                        {
                            "labels": f'instance_route:tsedash_http_requests:rate1m{{job="{ex}", instance="{okx}", route="/a", code="200"}}',
                            "value": 9,
                        },
                        {
                            "labels": f'instance_route:tsedash_http_requests:rate1m{{job="{ex}", instance="{okx}", route="/a", code="500"}}',
                            "value": 1,
                        },
                    ],
                },
                {
                    "expr": "instance:tsedash_http_requests:rate1m",
                    "eval_time": "10m",
                    "exp_samples": per_instance("instance:tsedash_http_requests:rate1m", 10, 10),
                },
                {  # the errors counter counts the 404s: a ratio of it would page for them
                    "expr": "sum by (instance) (rate(http_request_errors_total[1m])) / "
                    "sum by (instance) (rate(http_requests_total[1m]))",
                    "eval_time": "10m",
                    "exp_samples": per_instance("", 0.1, 0.3, job=False),
                },
                {
                    "expr": "instance:tsedash_http_server_error_ratio:rate1m",
                    "eval_time": "10m",
                    "exp_samples": per_instance(
                        "instance:tsedash_http_server_error_ratio:rate1m", 0.1, 0
                    ),
                },
                {
                    "expr": "instance:tsedash_http_client_error_ratio:rate1m",
                    "eval_time": "10m",
                    "exp_samples": per_instance(
                        "instance:tsedash_http_client_error_ratio:rate1m", 0, 0.3
                    ),
                },
                # The dashboards' raw queries (recording_rules off) give the same values.
                {
                    "expr": raw(queries.error_ratio(ex)),
                    "eval_time": "10m",
                    "exp_samples": per_instance("", 0.1, 0, job=False),
                },
                {
                    "expr": raw(queries.type_error_ratio(ex, queries.SERVER_ERRORS)),
                    "eval_time": "10m",
                    "exp_samples": [{"labels": "{}", "value": 0.05}],
                },
                {
                    "expr": raw(queries.type_error_ratio(ex, queries.CLIENT_ERRORS)),
                    "eval_time": "10m",
                    "exp_samples": [{"labels": "{}", "value": 0.15}],
                },
                # … and so do the recorded ones (recording_rules on).
                {
                    "expr": raw(queries.type_error_ratio(ex, queries.SERVER_ERRORS, True)),
                    "eval_time": "10m",
                    "exp_samples": [{"labels": "{}", "value": 0.05}],
                },
                {
                    "expr": raw(queries.type_error_ratio(ex, queries.CLIENT_ERRORS, True)),
                    "eval_time": "10m",
                    "exp_samples": [{"labels": "{}", "value": 0.15}],
                },
            ],
            "alert_rule_test": [
                {"eval_time": "3m", "alertname": "HighErrorRatio", "exp_alerts": []},
                {  # OKX only: Binance's 404s are its callers' doing
                    "eval_time": "12m",
                    "alertname": "HighErrorRatio",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "service": ex,
                                "job": ex,
                                "instance": okx,
                            },
                            "exp_annotations": annotations(
                                "HighErrorRatio",
                                ex,
                                okx,
                                f"{ex} instance {okx} answers 10% of requests with a server error (5xx)",
                                "More than 5% of requests got a 5xx status (over 1m) for 5m; client errors (4xx) do not count.",
                            ),
                        }
                    ],
                },
                {  # not asked for in this registry
                    "eval_time": "12m",
                    "alertname": "HighClientErrorRatio",
                    "exp_alerts": [],
                },
            ],
        },
        {  # every request of one instance takes ~3 s (the +Inf and 5 s buckets)
            "interval": "15s",
            "input_series": [
                *all_up(values="1x80"),
                *[
                    {
                        "series": f'http_request_duration_seconds_bucket{{job="{ex}", instance="{okx}", le="{le}"}}',
                        "values": "0x60" if float(le) < 5 else "0+15x60",
                    }
                    for le in ("0.5", "1", "2.5", "5", "+Inf")
                ],
            ],
            "promql_expr_test": [
                {
                    "expr": "instance:tsedash_http_request_duration_seconds:p95_rate1m",
                    "eval_time": "10m",
                    "exp_samples": [
                        {
                            "labels": f'instance:tsedash_http_request_duration_seconds:p95_rate1m{{job="{ex}", instance="{okx}"}}',
                            "value": 4.875,
                        },
                    ],
                },
                {  # per job and bucket: the type's quantiles on the dashboard
                    "expr": 'job:tsedash_http_request_duration_seconds_bucket:rate1m{le=~"1|5"}',
                    "eval_time": "10m",
                    "exp_samples": [
                        {
                            "labels": f'job:tsedash_http_request_duration_seconds_bucket:rate1m{{job="{ex}", le="1"}}',
                            "value": 0,
                        },
                        {
                            "labels": f'job:tsedash_http_request_duration_seconds_bucket:rate1m{{job="{ex}", le="5"}}',
                            "value": 1,
                        },
                    ],
                },
            ],
            "alert_rule_test": [
                {
                    "eval_time": "12m",
                    "alertname": "HighLatency",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "service": ex,
                                "job": ex,
                                "instance": okx,
                            },
                            "exp_annotations": annotations(
                                "HighLatency",
                                ex,
                                okx,
                                f"{ex} instance {okx} p95 latency is 4.875s",
                                "The 95th percentile of request durations (over 1m) exceeded 1s for 5m.",
                            ),
                        }
                    ],
                }
            ],
        },
        {  # an infrastructure job with no target at all
            "interval": "1m",
            "input_series": [
                *all_up(),
                {"series": 'up{job="cadvisor", instance="c:8080"}', "values": "1x20"},
            ],
            "alert_rule_test": [
                {
                    "eval_time": "10m",
                    "alertname": "InfrastructureMissing",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "critical",
                                "service": "redis",
                                "job": "redis",
                            },
                            "exp_annotations": {
                                "summary": "redis is not scraped at all",
                                "description": "Prometheus has no target for this job: check its scrape config.",
                                "dashboard": "http://localhost:3000/d/tse-devops-docker",
                                "runbook_url": "docs/runbooks.md#infrastructuremissing",
                            },
                        }
                    ],
                }
            ],
        },
    ]
    (tmp_path / "tests.yml").write_text(
        yaml.safe_dump(
            {
                "rule_files": [RECORDING_FILE, RULES_FILE],
                "evaluation_interval": "15s",
                "tests": tests,
            },
            sort_keys=False,
        )
    )
    res = promtool("test", "rules", "tests.yml", cwd=tmp_path)
    print(res.stdout)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS" in res.stdout


def _with_client_alert(threshold: str) -> str:
    """The fixture with a client-error alert on exchange-simulator only."""
    from .dashboard_helpers import FIXTURE

    text = FIXTURE.read_text()
    assert "    readiness: true\n" in text
    return text.replace(
        "    readiness: true\n",
        f"    readiness: true\n    alerts: {{client_error_ratio: {threshold}}}\n",
    )


def test_client_error_alert_only_where_the_registry_asks(tmp_path: Path) -> None:
    registry = load_registry_text(_with_client_alert("0.2"), "r.yaml")
    assert registry.services[EX].alerts.client_error_ratio == 0.2
    assert registry.services["audit-correlator"].alerts.client_error_ratio is None
    rules = [r for g in alert_rules(registry)["groups"] for r in g["rules"]]
    [client] = [r for r in rules if r["alert"] == "HighClientErrorRatio"]
    assert client["expr"] == f'instance:tsedash_http_client_error_ratio:rate1m{{job="{EX}"}} > 0.2'
    assert "HighClientErrorRatio" not in str(alert_rules(fixture_registry()))
    from .conftest import ROOT

    runbooks = (ROOT / "docs" / "runbooks.md").read_text()
    assert "\n## HighClientErrorRatio\n" in runbooks
    write_prometheus(registry, tmp_path)
    tests = [
        {
            "interval": "15s",
            "input_series": [*all_up(values="1x80"), *error_streams()],
            "alert_rule_test": [
                {  # Binance's 30 % of 404s; OKX's 500s are not client errors
                    "eval_time": "12m",
                    "alertname": "HighClientErrorRatio",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "service": EX,
                                "job": EX,
                                "instance": BINANCE,
                            },
                            "exp_annotations": annotations(
                                "HighClientErrorRatio",
                                EX,
                                BINANCE,
                                f"{EX} instance {BINANCE} answers 30% of requests with a client error (4xx)",
                                "More than 20% of requests got a 4xx status (over 1m) for 5m.",
                            ),
                        }
                    ],
                },
            ],
        }
    ]
    (tmp_path / "tests.yml").write_text(
        yaml.safe_dump(
            {
                "rule_files": [RECORDING_FILE, RULES_FILE],
                "evaluation_interval": "15s",
                "tests": tests,
            },
            sort_keys=False,
        )
    )
    res = promtool("test", "rules", "tests.yml", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
