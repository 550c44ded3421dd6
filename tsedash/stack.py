"""A local ecosystem on loopback: the registry re-addressed to free ports, the simulator and a
real Prometheus scraping it with the generated config. Used by `tsedash demo` and the tests."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tsedash.encode import dump_yaml
from tsedash.errors import InputError
from tsedash.files import atomic_write
from tsedash.processes import (
    ProcessFailed,
    ProcessGroup,
    find_program,
    free_port,
    http_ok,
    port_open,
)
from tsedash.prometheus import write_prometheus
from tsedash.prometheus.config import FILE_SD_REFRESH, scrape_config
from tsedash.prometheus.expected import FILE as EXPECTED_FILE
from tsedash.registry import InfraJob, Registry

LOOPBACK = "127.0.0.1"


def distinct_free_ports(count: int, taken: set[int] | None = None) -> list[int]:
    """`count` free ports, all different (and not in `taken`): the OS may hand out a port it
    just released to the next `free_port()` call."""
    seen = set(taken or ())
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in seen:
            seen.add(port)
            ports.append(port)
    return ports


def localize(registry: Registry, infrastructure: dict[str, str]) -> Registry:
    """Every instance on its own free loopback port; only the given infrastructure jobs."""
    taken = {int(a.rpartition(":")[2]) for a in infrastructure.values()}
    ports = distinct_free_ports(len(registry.instances), taken)
    instances = tuple(
        dataclasses.replace(inst, address=f"{LOOPBACK}:{port}")
        for inst, port in zip(registry.instances, ports, strict=True)
    )
    jobs = tuple(
        InfraJob(job=j.job, address=infrastructure[j.job], line=j.line)
        for j in registry.infrastructure
        if j.job in infrastructure
    )
    return dataclasses.replace(registry, instances=instances, infrastructure=jobs)


def start_prometheus(
    group: ProcessGroup,
    registry: Registry,
    port: int,
    scrape_interval: str = "1s",
    refresh_interval: str = FILE_SD_REFRESH,
) -> str:
    """Write the generated config under the group's workdir, start Prometheus, return its URL.

    `refresh_interval` is file_sd's re-read period (what a test of a targets change waits
    for at most); the rest of the config is exactly what `tsedash prometheus` writes."""
    if port_open(LOOPBACK, port):
        raise InputError(f"cannot start Prometheus on {LOOPBACK}:{port}: port already in use")
    config_dir = group.workdir / "prometheus"
    # The expected-instances exposition, served as the compose overlay's static server would.
    served = distinct_free_ports(1, {port})[0]
    expected_at = f"{LOOPBACK}:{served}"
    write_prometheus(registry, config_dir, scrape_interval, expected_at)
    if refresh_interval != FILE_SD_REFRESH:
        config = scrape_config(registry, scrape_interval, expected_at, refresh_interval)
        atomic_write(config_dir / "prometheus.yml", dump_yaml(config, "tsedash prometheus"))
    expected_dir = config_dir / Path(EXPECTED_FILE).parent
    group.start(
        "expected-instances",
        [
            sys.executable,
            "-m",
            "http.server",
            "--bind",
            LOOPBACK,
            "-d",
            str(expected_dir),
            str(served),
        ],
        ready=lambda: http_ok(f"http://{LOOPBACK}:{served}/metrics"),
    )
    return run_prometheus(group, config_dir / "prometheus.yml", port)


def run_prometheus(group: ProcessGroup, config: Path, port: int, name: str = "prometheus") -> str:
    """A real Prometheus on loopback with `config`, its data under the group's workdir
    (`<name>-data`), started once ready; its URL."""
    url = f"http://{LOOPBACK}:{port}"
    group.start(
        name,
        [
            find_program("prometheus"),
            f"--config.file={config}",
            f"--storage.tsdb.path={group.workdir / f'{name}-data'}",
            f"--web.listen-address={LOOPBACK}:{port}",
        ],
        ready=lambda: http_ok(f"{url}/-/ready"),
    )
    return url


def api(url: str, path: str, params: dict[str, str] | None = None) -> Any:
    query = ("?" + urllib.parse.urlencode(params)) if params else ""
    with urllib.request.urlopen(f"{url}{path}{query}", timeout=10) as resp:  # loopback only
        return json.loads(resp.read())


def wait_for_targets(url: str, expected: int, timeout: float = 40) -> list[dict[str, Any]]:
    """Until Prometheus has `expected` active targets, all up (file_sd needs ~5 s)."""
    deadline = time.monotonic() + timeout
    targets: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        targets = api(url, "/api/v1/targets", {"state": "active"})["data"]["activeTargets"]
        if len(targets) >= expected and all(t["health"] == "up" for t in targets):
            return targets
        time.sleep(0.5)
    down = [
        f"{t['labels'].get('job')}/{t['labels'].get('instance')}: {t['health']} {t['lastError']}"
        for t in targets
        if t["health"] != "up"
    ]
    raise ProcessFailed(
        f"Prometheus has {len(targets)}/{expected} targets after {timeout:.0f}s; not up: {down}"
    )
