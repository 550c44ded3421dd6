"""`tsedash demo` and `tsedash simulate` as a user runs them: start, look, Ctrl-C, all gone."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tsedash.processes import ProcessFailed, port_open
from tsedash.registry import load_registry
from tsedash.stack import api

from .conftest import ROOT

EXE = str(Path(sys.executable).with_name("tsedash"))


def _wait_for(proc: subprocess.Popen[str], pattern: str, timeout: float = 40) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if re.search(pattern, line):
            return lines
    raise AssertionError(f"{pattern!r} not seen; output so far: {lines}")


def test_demo_ready_means_verify_passes_then_ctrl_c_stops_it_all(tmp_path: Path) -> None:
    """The README's sequence: `make demo` (`tsedash demo --registry instances.yaml`), and as
    soon as it says ready, the verify command it prints: exit 0. Then Ctrl-C."""
    errors = (tmp_path / "stderr").open("w+")
    proc = subprocess.Popen(
        [EXE, "demo", "--registry", "instances.yaml"],
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "TSEDASH_REGISTRY"},
    )
    try:
        lines = _wait_for(proc, r"^ready: every target is up", timeout=150)
        lines += _wait_for(proc, r"^  try  tsedash verify ")
        url = re.search(r"prometheus: (http://127\.0\.0\.1:\d+)", "\n".join(lines)).group(1)  # type: ignore[union-attr]
        assert lines[-1] == f"  try  tsedash verify --prometheus {url} --dashboards provisioning"
        verified = subprocess.run(
            [EXE, "verify", "--prometheus", url, "--dashboards", "provisioning"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        assert verified.returncode == 0, verified.stderr
        assert "verify: ok: " in verified.stdout and "every target is up" in verified.stdout
        # Every infrastructure job is scraped: the ones nothing real serves are said simulated,
        # in the demo's output and in Prometheus.
        simulated = next(line for line in lines if line.startswith("simulated exporters: "))
        assert "redis (redis_up 1), postgres (pg_up 1)" in simulated and "jaeger" in simulated
        stand_ins = api(url, "/api/v1/query", {"query": "tsedash_simulated_exporter"})
        jobs = {s["metric"]["job"] for s in stand_ins["data"]["result"]}
        assert jobs == {"redis", "postgres", "grafana", "jaeger"}
        port = int(url.rpartition(":")[2])
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        errors.seek(0)
        assert proc.returncode == 0, errors.read()
        assert "stopped: simulator and prometheus" in out
        assert not port_open("127.0.0.1", port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        errors.close()


def test_ready_waits_until_verify_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """`wait_until_ready` asks verify again until it passes, and gives up naming the failure."""
    import threading

    from tsedash import demo

    answers = [["job redis: Prometheus has no scrape target for it"], []]
    calls: list[Path | None] = []

    def readiness(url: str, registry: object, dashboards: Path | None) -> tuple[list[str], str]:
        calls.append(dashboards)
        return answers.pop(0) if answers else ["still no data"], "checked"

    monkeypatch.setattr(demo, "_readiness_failures", readiness)
    monkeypatch.setattr(demo, "RECHECK_SECONDS", 0.01)
    stop = threading.Event()
    registry = load_registry(ROOT / "instances.yaml")
    assert demo.wait_until_ready("http://x", registry, Path("p"), stop, 5) == "checked"
    assert calls == [Path("p"), Path("p")]
    with pytest.raises(ProcessFailed, match=r"not ready after 0s: still no data"):
        demo.wait_until_ready("http://x", registry, Path("p"), stop, 0)
    stop.set()
    answers.append(["no data yet"])
    assert demo.wait_until_ready("http://x", registry, None, stop, 5) is None


def test_simulate_refuses_unresolvable_addresses_clearly() -> None:
    res = subprocess.run(
        [EXE, "simulate", "--registry", str(ROOT / "instances.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert res.returncode == 2
    assert "does not resolve here" in res.stderr and "Traceback" not in res.stderr


def test_demo_without_prometheus_names_the_debian_package(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TSEDASH_REGISTRY"}
    env["PATH"] = str(Path(sys.executable).parent)  # the venv only: no prometheus on PATH
    res = subprocess.run(
        [EXE, "demo", "--for", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert res.returncode == 2
    assert "'prometheus' is not installed: apt-get install prometheus" in res.stderr
    assert "Traceback" not in res.stderr


def test_demo_on_a_taken_port_is_a_clear_error() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = subprocess.run(
            [EXE, "demo", "--port", str(port), "--for", "1"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    assert res.returncode == 2
    assert f"127.0.0.1:{port}: port already in use" in res.stderr
