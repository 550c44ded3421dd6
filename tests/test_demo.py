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


def test_verify_options_name_what_the_default_would_not_read() -> None:
    from tsedash.demo import verify_options

    assert verify_options(None) == ""
    assert verify_options(str(ROOT / "instances.yaml")) == ""  # the default, however spelled
    assert verify_options("other.yaml", ("a.yml", "b.yml"), "redis://r:6379/0") == (
        " --registry other.yaml --compose a.yml --compose b.yml --discover redis://r:6379/0"
    )


def test_ready_facts_as_lines_and_as_a_document() -> None:
    from tsedash.demo import GRAPH, Ready

    ready = Ready("http://127.0.0.1:9", "all 3 targets scraped at least twice", "tsedash verify")
    assert ready.lines()[:2] == [
        "ready: every target is up; all 3 targets scraped at least twice",
        "  try  tsedash verify",
    ]
    assert ready.as_dict() == {
        "ready": True,
        "prometheus": "http://127.0.0.1:9",
        "checked": "all 3 targets scraped at least twice",
        "verify": "tsedash verify",
        "graph": f"http://127.0.0.1:9{GRAPH}",
        "targets": "http://127.0.0.1:9/targets",
        "preview": "tsedash preview --prometheus http://127.0.0.1:9",
    }
    with_dashboards = Ready(
        "http://h:1", "ok", "tsedash verify --prometheus http://h:1 --dashboards out"
    )
    assert (
        with_dashboards.lines()[2]
        == "  or   tsedash preview --prometheus http://h:1 --dashboards out"
    )


def _read_document(proc: subprocess.Popen[str], timeout: float = 150) -> dict[str, object]:
    """The JSON document a command prints on stdout (indented: up to its closing brace)."""
    import json

    lines = _wait_for(proc, r"^\}$", timeout)
    doc: dict[str, object] = json.loads("\n".join(lines))
    return doc


def test_demo_json_is_the_ready_document(tmp_path: Path) -> None:
    """`demo -o json`: stdout is one document once ready; the progress lines go to stderr."""
    errors = tmp_path / "stderr"
    with errors.open("w") as err:
        proc = subprocess.Popen(
            [EXE, "demo", "-o", "json", "--for", "1", "--dashboards", str(tmp_path / "none")],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if k != "TSEDASH_REGISTRY"},
        )
        try:
            doc = _read_document(proc)
            rest, _ = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    url = str(doc["prometheus"])
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert doc["ready"] is True and doc["targets"] == f"{url}/targets"
    assert doc["verify"] == f"tsedash verify --prometheus {url} --dashboards provisioning"
    assert re.fullmatch(r"all \d+ targets scraped at least twice", str(doc["checked"]))
    assert proc.returncode == 0 and rest == ""  # nothing after the document
    said = errors.read_text()
    assert f"prometheus: {url} (config " in said and "stopped: simulator and prometheus" in said
    assert "no dashboard files to verify" in said


def test_simulate_json_and_quiet(tmp_path: Path) -> None:
    from tsedash.processes import free_port

    from .conftest import registry_text

    ports = [free_port() for _ in range(2)]
    path = tmp_path / "loopback.yaml"
    path.write_text(
        registry_text(
            f"instances:\n  - {{service: audit-correlator, address: '127.0.0.1:{ports[0]}'}}\n"
            "  - {service: exchange-simulator, name: exchange-OKX, "
            f"address: '127.0.0.1:{ports[1]}'}}\n"
        )
    )
    for args in (["-o", "json"], ["-q"]):
        proc = subprocess.Popen(
            [EXE, "simulate", "--registry", str(path), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            if args == ["-o", "json"]:
                doc = _read_document(proc, 30)
                assert doc == {"serving": [f"127.0.0.1:{p}" for p in ports]}
            deadline = time.monotonic() + 30
            while not all(port_open("127.0.0.1", p) for p in ports):
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.01)
            # At once: a server thread may take the signal (the main thread must still see it).
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 0, err
        assert out == "" and err == ""  # -q: nothing to say; json: nothing after the document


def test_wait_for_stop_ends_when_set_or_at_its_deadline() -> None:
    import threading

    from tsedash.demo import wait_for_stop

    stop = threading.Event()
    started = time.monotonic()
    wait_for_stop(stop, 0.3)
    assert 0.3 <= time.monotonic() - started < 1.0  # --for: not rounded up to the next second
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    wait_for_stop(stop)
    assert time.monotonic() - started < 1.0
