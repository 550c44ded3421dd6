"""`tsedash demo` and `tsedash simulate` as a user runs them: start, look, Ctrl-C, all gone."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tsedash.processes import port_open

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


def test_demo_runs_until_ctrl_c_and_stops_prometheus(tmp_path: Path) -> None:
    errors = (tmp_path / "stderr").open("w+")
    proc = subprocess.Popen(
        [EXE, "demo", "--registry", str(ROOT / "instances.yaml")],
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "TSEDASH_REGISTRY"},
    )
    try:
        lines = _wait_for(proc, r"^ready: every target is up")
        port = int(re.search(r"prometheus: http://127\.0\.0\.1:(\d+)", "\n".join(lines)).group(1))  # type: ignore[union-attr]
        assert port_open("127.0.0.1", port)
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
