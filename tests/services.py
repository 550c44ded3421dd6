"""Real servers for tests, started on free loopback ports and stopped by their PIDs."""

from __future__ import annotations

import shutil

from tsedash.processes import ProcessGroup, find_program, free_port, port_open
from tsedash.stack import LOOPBACK


def start_postgres(group: ProcessGroup) -> str:
    """A throwaway cluster owned by `postgres` (initdb refuses root); returns host:port."""
    data = group.workdir / "pgdata"
    sock = group.workdir / "pgsock"
    for d in (data, sock):
        d.mkdir()
        shutil.chown(d, "postgres", "postgres")
    group.start(
        "initdb",
        [find_program("initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"],
        ready=lambda: (data / "PG_VERSION").exists() and (data / "postgresql.conf").exists(),
        user="postgres",
        timeout=60,
    ).proc.wait(timeout=60)
    port = free_port()
    group.start(
        "postgres",
        [
            find_program("postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(sock),
            "-c",
            f"listen_addresses={LOOPBACK}",
        ],
        ready=lambda: port_open(LOOPBACK, port),
        user="postgres",
    )
    return f"{LOOPBACK}:{port}"
