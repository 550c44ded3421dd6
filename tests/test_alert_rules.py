"""Alert rules: checked by promtool and unit-tested with `promtool test rules`."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tsedash.processes import find_program
from tsedash.prometheus import write_prometheus
from tsedash.prometheus.rules import RULES_FILE, alert_rules

from .dashboard_helpers import fixture_registry

LINK = "/d/tse-devops-docker?var-service={service}&var-instance={instance}"


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_program("promtool"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def up(job: str, instance: str, values: str) -> dict[str, str]:
    return {"series": f'up{{job="{job}", instance="{instance}"}}', "values": values}


def all_up(except_: str = "") -> list[dict[str, str]]:
    reg = fixture_registry()
    return [
        up(i.service_name, i.instance_name, "1x20")
        for i in reg.instances
        if i.instance_name != except_
    ]


def annotations(service: str, instance: str, summary: str, description: str) -> dict[str, str]:
    return {
        "summary": summary,
        "description": description,
        "dashboard": LINK.format(service=service, instance=instance),
    }


def test_promtool_accepts_config_and_rules(tmp_path: Path) -> None:
    write_prometheus(fixture_registry(), tmp_path)
    res = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS: 1 rule files found" in res.stdout
    res = promtool("check", "rules", RULES_FILE, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr


def test_rule_kinds_scale_as_documented() -> None:
    rules = [r for g in alert_rules(fixture_registry())["groups"] for r in g["rules"]]
    kinds = [r["alert"] for r in rules]
    assert kinds.count("InstanceDown") == 3  # one per service type
    assert kinds.count("InstanceMissing") == 4  # one per expected instance
    assert kinds.count("CounterStalled") == 2  # one per declared counter
    assert all({"severity", "service"} <= set(r["labels"]) for r in rules)


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
                                ex,
                                okx,
                                f"{ex} instance {okx} is down",
                                "Prometheus cannot scrape its /metrics for 1 minute.",
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
                                ex,
                                "exchange-Binance",
                                "exchange-Binance is in the registry but not scraped",
                                "No target with this instance label: check the scrape config (`tsedash prometheus`) and the container.",
                            ),
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
    ]
    (tmp_path / "tests.yml").write_text(
        yaml.safe_dump(
            {"rule_files": [RULES_FILE], "evaluation_interval": "30s", "tests": tests},
            sort_keys=False,
        )
    )
    res = promtool("test", "rules", "tests.yml", cwd=tmp_path)
    print(res.stdout)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS" in res.stdout
