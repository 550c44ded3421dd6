"""`tsedash verify` without a full stack: what a query should show, and Prometheus answering
badly (errors, non-JSON, a bad query). The happy path on a real Prometheus is the e2e test."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import tsedash_dashboards
from tsedash import pipeline
from tsedash.verify import (
    ALL,
    DATA,
    EMPTY_OK,
    NO_DATA,
    PrometheusUnreachable,
    render_table,
    scope,
    verify,
)

from .conftest import ROOT, Result
from .dashboard_helpers import fixture_registry

RunCli = Callable[..., Result]
REG = fixture_registry()


@pytest.mark.parametrize(
    ("expr", "instances"),
    [
        ('up{job="exchange-simulator"}', {"exchange-OKX", "exchange-Binance"}),
        (
            'up{job=~"exchange-.*|audit-correlator"}',
            {"exchange-OKX", "exchange-Binance", "audit-correlator"},
        ),
        ('up{job!="exchange-simulator"}', {"audit-correlator", "test-coordinator"}),
        ('up{job!~"exchange-.*"}', {"audit-correlator", "test-coordinator"}),
        (
            'sum(container_memory_working_set_bytes{job="cadvisor", name=~"te-exchange-.*"})',
            {"exchange-OKX", "exchange-Binance"},
        ),
        ("sum(up)", set()),  # no job: an aggregate panel
    ],
)
def test_scope_follows_the_job_matchers(expr: str, instances: set[str]) -> None:
    assert scope(expr, REG)[0] == instances


def test_a_query_that_does_not_parse_is_no_data() -> None:
    with pytest.raises(ValueError):
        scope('up{job=~"(unclosed"}', REG)


class FakePrometheus:
    """Answers from a table: path → (status, body bytes)."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes]] = {}
        self.query_result: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                status, body = outer.answers.get(path, (200, b""))
                if path == "/api/v1/query" and path not in outer.answers:
                    body = json.dumps(
                        {
                            "status": "success",
                            "data": {"resultType": "vector", "result": outer.query_result},
                        }
                    ).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def targets(self, up: bool) -> None:
        active = [
            {
                "labels": {"job": i.service_name, "instance": i.instance_name},
                "health": "up" if up else "down",
                "scrapeUrl": f"http://{i.address}/metrics",
                "lastError": "" if up else "connection refused",
            }
            for i in REG.instances
        ]
        active.append({"labels": {"job": "redis", "instance": "r:9121"}, "health": "up"})
        body = json.dumps({"status": "success", "data": {"activeTargets": active}})
        self.answers["/api/v1/targets"] = (200, body.encode())


@pytest.fixture
def prom() -> Iterator[FakePrometheus]:
    fake = FakePrometheus()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prov")
    pipeline.build(REG, tsedash_dashboards, out, extras=None)
    return out


def test_no_series_is_no_data_and_a_missing_job_is_named(prom: FakePrometheus, built: Path) -> None:
    prom.targets(up=False)
    report = verify(prom.url, REG, built)
    failures = report.failures()
    assert any(
        "instance exchange-OKX (job exchange-simulator): up == 0 scraping "
        "http://exchange-OKX:9100/metrics: connection refused" in f
        for f in failures
    )
    assert "job cadvisor: Prometheus has no scrape target for it" in failures
    health = next(p for p in report.panels if p.panel == "Service Instance Health")
    assert set(health.cells().values()) == {NO_DATA}
    alerts = next(p for p in report.panels if p.panel == "Firing Alerts")
    assert set(alerts.cells().values()) == {EMPTY_OK}  # no firing alert is the good state
    table = render_table(report)
    assert "SCRAPE TARGETS" in table and "missing" in table


def test_series_per_instance_are_matched(prom: FakePrometheus, built: Path) -> None:
    prom.targets(up=True)
    prom.query_result = [
        {"metric": {"job": i.service_name, "instance": i.instance_name}, "value": [0, "1"]}
        for i in REG.instances
    ]
    report = verify(prom.url, REG, built)
    health = next(p for p in report.panels if p.panel == "Service Instance Health")
    assert set(health.cells().values()) == {DATA}
    # A panel over no service type (infrastructure) is one "(all)" cell.
    infra = next(p for p in report.panels if p.panel == "Infrastructure Services Health")
    assert infra.cells() == {ALL: DATA}


def test_a_query_prometheus_rejects_is_reported(prom: FakePrometheus, built: Path) -> None:
    prom.targets(up=True)
    error = {"status": "error", "errorType": "bad_data", "error": "parse error at char 3"}
    prom.answers["/api/v1/query"] = (400, json.dumps(error).encode())
    failures = verify(prom.url, REG, built).failures()
    assert any("(parse error at char 3)" in f for f in failures)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (502, b"<html>bad gateway</html>", "Prometheus answered 502: <html>bad gateway</html>"),
        (200, b"not json", "the answer is not JSON"),
    ],
)
def test_prometheus_answering_badly_is_exit_3(
    prom: FakePrometheus, built: Path, run_cli: RunCli, status: int, body: bytes, message: str
) -> None:
    prom.answers["/api/v1/targets"] = (status, body)
    with pytest.raises(PrometheusUnreachable, match=message):
        verify(prom.url, REG, built)
    res = run_cli(
        "verify",
        "--registry",
        str(ROOT / "tests" / "fixtures" / "registry.yaml"),
        "--prometheus",
        prom.url,
        "--dashboards",
        str(built),
    )
    assert res.exit_code == 3 and message in res.stderr


def test_a_duration_that_is_not_one_is_refused_before_any_request(run_cli: Any) -> None:
    res = run_cli("verify", "--prometheus", "http://127.0.0.1:9", "--range", "5 minutes")
    assert res.exit_code == 2
    assert "Invalid value for --range: not a duration: '5 minutes'" in res.stderr


FIXTURE_REGISTRY = str(ROOT / "tests" / "fixtures" / "registry.yaml")


def verify_json(run_cli: RunCli, *args: str, fmt: str = "json") -> tuple[Result, Any]:
    """`verify -o json …`: stdout must parse as exactly one document, whatever happened."""
    res = run_cli("verify", "-o", fmt, *args)
    if fmt == "yaml":
        import yaml

        return res, yaml.safe_load(res.stdout)
    return res, json.loads(res.stdout)


def test_json_is_one_document_when_prometheus_is_down(run_cli: RunCli, built: Path) -> None:
    from tsedash.processes import free_port

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    res, doc = verify_json(
        run_cli, "--registry", FIXTURE_REGISTRY, "--prometheus", url, "--dashboards", str(built)
    )
    assert res.exit_code == 3
    assert doc["ok"] is False and doc["error"]["code"] == 3
    assert doc["error"]["message"].startswith(f"cannot reach Prometheus at {url} (GET /api/v1/")
    assert res.stderr == f"error: {doc['error']['message']}\n"  # the same line, as ever


def test_json_is_one_document_when_prometheus_answers_badly(
    prom: FakePrometheus, built: Path, run_cli: RunCli
) -> None:
    prom.answers["/api/v1/targets"] = (502, b"<html>bad gateway</html>")
    res, doc = verify_json(
        run_cli,
        "--registry",
        FIXTURE_REGISTRY,
        "--prometheus",
        prom.url,
        "--dashboards",
        str(built),
    )
    assert res.exit_code == 3
    assert doc["error"]["code"] == 3
    assert "Prometheus answered 502: <html>bad gateway</html>" in doc["error"]["message"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--dashboards", "MISSING"],
            "MISSING/dashboards: no dashboard files (run `tsedash build`",
        ),
        (["--range", "5 minutes"], "Invalid value for --range: not a duration: '5 minutes'"),
        (["--timeout", "0"], "Invalid value for --timeout: expected seconds, more than 0"),
        (["--rate-interval", "x"], "Invalid value for --rate-interval: not a duration: 'x'"),
        (["--registry", "MISSING"], "MISSING: error: registry file not found"),
    ],
)
def test_json_is_one_document_on_bad_input(
    prom: FakePrometheus, run_cli: RunCli, tmp_path: Path, args: list[str], message: str
) -> None:
    prom.targets(up=True)
    args = [a.replace("MISSING", str(tmp_path / "missing")) for a in args]
    message = message.replace("MISSING", str(tmp_path / "missing"))
    base = ["--registry", FIXTURE_REGISTRY, "--prometheus", prom.url]
    res, doc = verify_json(run_cli, *base, *args)
    assert res.exit_code == 2
    assert doc["ok"] is False and doc["error"]["code"] == 2
    assert message in doc["error"]["message"] and message in res.stderr
    res, doc = verify_json(run_cli, *base, *args, fmt="yaml")
    assert res.exit_code == 2 and message in doc["error"]["message"]


def test_json_names_every_registry_problem(run_cli: RunCli, write_registry: Any) -> None:
    path = write_registry("version: 1\nservices: {x: {category: nope}}\n")
    res, doc = verify_json(run_cli, "--registry", str(path), "--prometheus", "http://127.0.0.1:9")
    assert res.exit_code == 2
    problems = doc["error"]["problems"]
    errors = [ln for ln in res.stderr.splitlines() if ": error: " in ln]
    assert len(problems) == len(errors) >= 1  # every problem, each once, in stderr's order
    for problem, line in zip(problems, errors, strict=True):
        assert line.startswith(f"{path}:{problem['line']}: error: ")
        assert line.endswith(problem["message"])
    assert doc["error"]["message"].startswith(errors[0])


def test_json_without_prometheus_is_a_document_too(run_cli: RunCli) -> None:
    res, doc = verify_json(run_cli)
    assert res.exit_code == 2
    message = "Invalid value for --prometheus: required (or env PROMETHEUS_URL)"
    assert doc == {"ok": False, "error": {"code": 2, "message": message}}
    assert message in res.stderr


def test_json_report_when_verify_runs(prom: FakePrometheus, built: Path, run_cli: RunCli) -> None:
    prom.targets(up=False)
    res, doc = verify_json(
        run_cli,
        "--registry",
        FIXTURE_REGISTRY,
        "--prometheus",
        prom.url,
        "--dashboards",
        str(built),
    )
    assert res.exit_code == 1
    assert doc["ok"] is False and "error" not in doc
    assert "job cadvisor: Prometheus has no scrape target for it" in doc["failures"]
    assert res.stderr == ""  # the failures are the document's; no line twice


def test_error_document_of_a_file_that_could_not_be_used() -> None:
    from tsedash.verify import error_document

    exc = PermissionError(13, "Permission denied", "provisioning/dashboards/x.json")
    assert error_document(exc) == {
        "ok": False,
        "error": {"code": 2, "message": "provisioning/dashboards/x.json: Permission denied"},
    }
    assert error_document(OSError("disk on fire"))["error"]["message"] == "disk on fire"


def test_table_names_each_failure_on_stderr(
    prom: FakePrometheus, built: Path, run_cli: RunCli
) -> None:
    prom.targets(up=False)
    res = run_cli(
        "verify",
        "--registry",
        FIXTURE_REGISTRY,
        "--prometheus",
        prom.url,
        "--dashboards",
        str(built),
    )
    assert res.exit_code == 1
    report = verify(prom.url, REG, built)
    assert res.stderr.splitlines() == [f"verify: {line}" for line in report.failures()]
    assert res.stdout == render_table(report) and "verify: ok" not in res.stdout
