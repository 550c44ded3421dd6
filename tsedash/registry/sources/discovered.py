"""An instance found by a source, before it is merged with the registry's service types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Discovered:
    service: str  # SERVICE_NAME
    name: str  # SERVICE_INSTANCE_NAME
    address: str | None  # host:port, None when the source does not say
    source: str  # compose:<file> · redis
    file: str  # for messages: the compose file, or the Redis URL (masked)
    line: int = 0
    container_name: str | None = None
    # Host directories the source mounts at the instance's /app/data and /app/logs.
    volumes: tuple[tuple[str, str, str], ...] = ()  # (kind, host, container)
    key: str = ""  # the Redis key it was read from
    # False for a registration keyed by service type that states no instance name (a
    # `registry:services:{service}` hash): `name` is then only the service name.
    instance_named: bool = True
