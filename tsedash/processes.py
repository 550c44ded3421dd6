"""Start and stop the local programs of the demo and the end-to-end test, by their PIDs.

Every program is found on PATH (or a Debian path) with a message naming its Debian package
when missing; every process started is stopped by the PID we started (terminate, then kill).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tsedash.errors import TsedashError

# program → (Debian package, extra directories where Debian installs it off PATH)
PROGRAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "prometheus": ("prometheus", ()),
    "promtool": ("prometheus", ()),
    "redis-server": ("redis-server", ()),
    "redis-cli": ("redis-tools", ()),  # a dependency of Debian's redis-server
    "prometheus-redis-exporter": ("prometheus-redis-exporter", ()),
    "prometheus-postgres-exporter": ("prometheus-postgres-exporter", ()),
    "initdb": ("postgresql", ("/usr/lib/postgresql/15/bin",)),
    "postgres": ("postgresql", ("/usr/lib/postgresql/15/bin",)),
    "psql": ("postgresql-client", ("/usr/lib/postgresql/15/bin",)),
    "pg_dump": ("postgresql-client", ("/usr/lib/postgresql/15/bin",)),
    "victoria-metrics": ("victoria-metrics", ()),  # single node; vmalert ships with it
    "vmalert": ("victoria-metrics", ()),
    "prometheus-alertmanager": ("prometheus-alertmanager", ()),
    "amtool": ("prometheus-alertmanager", ()),
}


class MissingProgram(TsedashError):
    exit_code = 2


class ProcessFailed(TsedashError):
    """A program exited early or never became ready; carries the tail of its output."""

    exit_code = 3


def find_program(name: str) -> str:
    package, extra = PROGRAMS.get(name, (name, ()))
    found = shutil.which(name) or next(
        (str(Path(d) / name) for d in extra if (Path(d) / name).is_file()), None
    )
    if found is None:
        raise MissingProgram(
            f"'{name}' is not installed: apt-get install {package} (`make test` installs it)"
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A port free right now on the loopback interface (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Managed:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)


@dataclass
class ProcessGroup:
    """The processes one run started; `stop_all` stops them in reverse order."""

    workdir: Path
    started: list[Managed] = field(default_factory=list)

    def start(
        self,
        name: str,
        args: Sequence[str],
        ready: Callable[[], bool],
        *,
        env: dict[str, str] | None = None,
        user: str | None = None,
        timeout: float = 30,
    ) -> Managed:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                list(args),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                user=user,
                cwd=self.workdir,
            )
        managed = Managed(name, proc, log)
        self.started.append(managed)
        deadline = time.monotonic() + timeout
        while not ready():
            if proc.poll() is not None:
                raise ProcessFailed(
                    f"{name} exited with {proc.returncode} before it was ready:\n{managed.tail()}"
                )
            if time.monotonic() > deadline:
                raise ProcessFailed(f"{name} not ready after {timeout:.0f}s:\n{managed.tail()}")
            time.sleep(0.05)
        return managed

    def stop_all(self) -> None:
        for managed in reversed(self.started):
            with contextlib.suppress(Exception):
                managed.stop()
        self.started.clear()
