"""Shared helpers: small registries written as text, and the CLI run in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from tsedash.cli import cli

if TYPE_CHECKING:
    from .grafana_double import GrafanaDouble

ROOT = Path(__file__).resolve().parent.parent

# A registry in the seed's spelling (exchange-OKX, …): the plan's names, seed-go derivation.
HEADER = """\
version: 1
datasource: {uid: prometheus, name: Prometheus, url: "http://prometheus:9090"}
defaults: {metrics_port: 8080, metrics_path: /metrics, container_prefix: trading-ecosystem-}
categories:
  central: Central Services
  exchange: Exchange Entities
  market-data: Market Data Entities
infrastructure:
  - {job: redis, address: "redis-exporter:9121"}
services:
  audit-correlator:
    category: central
    singleton: true
    metrics:
      - {name: audit_events_total, title: Total Events, type: counter, unit: short}
  exchange-simulator:
    category: exchange
    acknowledge: {name-case: the seed's spelling}
    metrics:
      - {name: trades_total, title: Trades, type: counter}
  market-data-simulator:
    category: market-data
    acknowledge: {name-case: the seed's spelling}
    metrics:
      - {name: price_updates_total, title: Price Updates, type: counter, by: [symbol]}
"""

GOOD_INSTANCES = """\
instances:
  - service: audit-correlator
  - service: exchange-simulator
    name: exchange-OKX
  - service: exchange-simulator
    name: exchange-Binance
"""


def registry_text(instances: str = GOOD_INSTANCES, header: str = HEADER) -> str:
    return header + textwrap.dedent(instances)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle` (so tests never hard-code lines)."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        res = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        return Result(res.exit_code, res.stdout, res.stderr)

    return run


@pytest.fixture
def write_registry(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "instances.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The developer's shell must not steer the tests (registry, Redis, Grafana settings),
    nor an earlier run's build stamps (the cache directory is the test's own)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    for name in (
        "TSEDASH_REGISTRY",
        "REDIS_URL",
        "GRAFANA_URL",
        "GRAFANA_TOKEN",
        "GRAFANA_USER",
        "GRAFANA_PASSWORD",
        "GRAFANA_ORG_ID",
        "GRAFANA_API",
        "TSEDASH_CONTEXT",
        "TSEDASH_CONTEXTS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The two generated dashboards built into tmp/provisioning: what the Grafana tests push."""
    import tsedash_dashboards
    from tsedash import pipeline

    from .dashboard_helpers import FIXTURE

    target = tmp_path / "provisioning"
    pipeline.build(FIXTURE, tsedash_dashboards, target, extras=None)
    return target


@pytest.fixture
def grafana() -> Iterator[GrafanaDouble]:
    """The Grafana double with the resource API (test_grafana_push's own runs both APIs)."""
    from .grafana_double import GrafanaDouble

    with GrafanaDouble() as double:
        double.state.resource_api = True
        yield double
