"""`tsedash watch` as users run it: a real process, real files, edits made while it runs."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT
from .grafana_double import ADMIN_TOKEN, GrafanaDouble

SIM = Path("provisioning/dashboards/trading-ecosystem/simulation-entity-view.json")
PATIENCE = 60.0  # a loaded CI machine is slow; the latency itself is printed, not asserted


class Watch:
    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tsedash", "watch", "--interval", "0.1", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, containing: str) -> str:
        deadline = time.monotonic() + PATIENCE
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if containing in line:
                return line
        raise AssertionError(f"no line with {containing!r}; saw {seen}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    shutil.copy(ROOT / "instances.yaml", tmp_path / "instances.yaml")
    shutil.copy(ROOT / ".lint.yaml", tmp_path / ".lint.yaml")
    yield tmp_path


def _wait_for_change(path: Path, before: bytes) -> float:
    started = time.monotonic()
    while time.monotonic() - started < PATIENCE:
        if path.exists() and path.read_bytes() != before:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{path} did not change")


def test_an_edit_rebuilds_and_a_broken_edit_keeps_the_last_good_files(workdir: Path) -> None:
    watch = Watch(workdir)
    try:
        assert "start: built 4 written, 0 unchanged" in watch.next_line("start:")
        registry = workdir / "instances.yaml"
        sim = workdir / SIM
        before = sim.read_bytes()
        registry.write_text(registry.read_text().replace("title: Trades,", "title: Fills,"))
        took = _wait_for_change(sim, before)
        print(f"\nedit to new provisioning file: {took:.2f}s")
        assert b"exchange-simulator Fills/s" in sim.read_bytes()
        assert "instances.yaml: built 1 written, 3 unchanged" in watch.next_line("built 1")
        # A broken edit: one error line, the last good files untouched, byte for byte.
        good = {p: p.read_bytes() for p in (workdir / "provisioning").rglob("*") if p.is_file()}
        registry.write_text(registry.read_text() + "  - {service: nope\n")
        line = watch.next_line("previous output kept")
        assert "instances.yaml:" in line and "error" in line
        now = {p for p in (workdir / "provisioning").rglob("*") if p.is_file()}
        assert now == set(good) and {p: p.read_bytes() for p in now} == good
        # Fixed again: built again.
        registry.write_text(registry.read_text().replace("  - {service: nope\n", ""))
        assert "built" in watch.next_line("instances.yaml: built")
    finally:
        watch.stop()
    assert watch.proc.returncode is not None


def test_with_a_context_each_good_build_is_pushed(workdir: Path) -> None:
    with GrafanaDouble() as grafana:
        grafana.state.resource_api = True
        contexts = workdir / "contexts.yaml"
        contexts.write_text(
            f"contexts:\n  lab:\n    url: {grafana.url}\n    token_env: LAB_TOKEN\n"
        )
        env = {"LAB_TOKEN": ADMIN_TOKEN, "TSEDASH_CONTEXTS": str(contexts)}
        watch = Watch(workdir, "--context", "lab", env=env)
        try:
            assert "pushed: 2 created" in watch.next_line("start:")
            registry = workdir / "instances.yaml"
            registry.write_text(registry.read_text().replace("title: Trades,", "title: Fills,"))
            line = watch.next_line("instances.yaml:")
            assert "built 1 written" in line and "pushed: 1 unchanged, 1 updated" in line
        finally:
            watch.stop()
        model = grafana.state.dashboards["tse-simulation-entity"].model
        assert "exchange-simulator Fills/s" in str(model)


def test_the_watcher_in_process_reports_one_line_per_cycle(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsedash.watch import Watcher, watched_files

    monkeypatch.chdir(workdir)
    registry = workdir / "instances.yaml"
    lines: list[str] = []
    broken = registry.read_text() + "  - {service: nope\n"

    def echo(line: str) -> None:
        lines.append(line)
        if len(lines) == 1:  # the first build is done: now the edit, a broken one
            registry.write_text(broken)

    build = ["--registry", str(registry), "--out", "provisioning", "--lint", "--strict"]
    Watcher(build, [registry], [], interval=0.05, echo=echo, clock=lambda: "T").run(cycles=1)
    assert lines[0].startswith("T start: built 4 written, 0 unchanged in ")
    assert lines[1].startswith("T instances.yaml: ") and lines[1].endswith("(previous output kept)")
    assert "error" in lines[1]
    # Sizes and times of what is watched; a missing file is simply absent.
    seen = watched_files([registry, workdir / "missing.yaml"], [workdir / "provisioning"])
    assert registry in seen and workdir / "missing.yaml" not in seen
    assert any(p.suffix == ".json" for p in seen)


def test_sigterm_stops_the_watch_like_ctrl_c(workdir: Path) -> None:
    watch = Watch(workdir)
    watch.next_line("start:")
    watch.proc.terminate()
    assert watch.proc.wait(timeout=20) == 0
    assert "stopped" in watch.next_line("stopped")
    watch.reader.join(timeout=10)
    assert watch.proc.stdout is not None
    watch.proc.stdout.close()
