"""What the compose values we read may be, as Docker reads them; anything else is a located
error rather than a value silently skipped (a port that is no port used to fall back to the
registry's default port).

- `ports`: `[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]` (docker's
  `nat.ParsePortSpec`) or the long form `{target, published, host_ip, protocol}`; a container
  port is 1-65535, a host port 0-65535 (0: Docker picks), written in ASCII digits, a range
  never backwards, the protocol tcp, udp or sctp;
- `expose`: `PORT[-END][/PROTOCOL]`;
- the service's `HTTP_PORT` (its own listener): 1-65535 in ASCII digits, or empty;
- `container_name`: Docker's rule `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from typing import Any

from tsedash.registry.problems import Problem
from tsedash.registry.yamlsource import LineDict, LineList

CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+", re.ASCII)  # Docker's own rule
PROTOCOLS = ("tcp", "udp", "sctp")
_DIGITS = re.compile(r"[0-9]{1,5}", re.ASCII)


def port_number(text: str, lowest: int = 1) -> int | None:
    """`text` as a port from `lowest` to 65535 in ASCII digits (superscript or fullwidth digits are
    digits to Python, not to Docker), else None."""
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if lowest <= number <= 65535 else None


def _range_problem(text: str, side: str, lowest: int = 1) -> str | None:
    low, dash, high = text.partition("-")
    if not (dash and low):  # one port (`-1` is a negative number, not a range)
        if port_number(text, lowest) is None:
            return f"{side} {text!r:.20} is not a number from {lowest} to 65535"
        return None
    first, last = port_number(low, lowest), port_number(high, lowest)
    if first is None or last is None or last < first:
        return f"{side} {text!r:.20} is not a range of ports from {lowest} to 65535"
    return None


def _protocol_problem(protocol: str) -> str | None:
    if protocol.lower() not in PROTOCOLS:
        return f"protocol {protocol!r:.20} is not one of {', '.join(PROTOCOLS)}"
    return None


def short_port_problem(entry: str) -> str | None:
    """Why a short `ports` entry is not one Docker accepts, or None."""
    spec, slash, protocol = entry.partition("/")
    if slash and (problem := _protocol_problem(protocol)):
        return problem
    parts = spec.split(":")
    container = parts[-1]
    host = parts[-2] if len(parts) >= 2 else ""
    host_ip = ":".join(parts[:-2]).removeprefix("[").removesuffix("]")
    if host_ip and not _is_ip(host_ip):
        return f"host address {host_ip!r:.40} is not an IP address"
    if host and (problem := _range_problem(host, "host port", lowest=0)):
        return problem
    return _range_problem(container, "container port")


def long_port_problem(entry: Mapping[str, Any]) -> str | None:
    """Why a long-form `ports` entry is not one Docker accepts, or None."""
    target = entry.get("target")
    if isinstance(target, bool) or port_number(str(target if target is not None else "")) is None:
        return f"target {target!r:.20} is not a number from 1 to 65535"
    published = entry.get("published")
    if published not in (None, "") and not isinstance(published, bool):
        if problem := _range_problem(str(published), "published port", lowest=0):
            return problem
    elif isinstance(published, bool):
        return f"published {published!r} is not a port"
    protocol = entry.get("protocol")
    if protocol is not None and (problem := _protocol_problem(str(protocol))):
        return problem
    host_ip = entry.get("host_ip")
    if host_ip not in (None, "") and not _is_ip(str(host_ip)):
        return f"host_ip {host_ip!r:.40} is not an IP address"
    return None


def expose_problem(entry: str) -> str | None:
    spec, slash, protocol = entry.partition("/")
    if slash and (problem := _protocol_problem(protocol)):
        return problem
    return _range_problem(spec, "port")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _items(node: Any) -> Iterator[tuple[int, Any, int]]:
    """(index, item, line) of a list read by `load_yaml`."""
    lines = node.item_lines if isinstance(node, LineList) else []
    default = int(getattr(node, "line", 0))
    for i, item in enumerate(node):
        yield i, item, lines[i] if i < len(lines) else default


def _entry_line(entry: Any, key: str, fallback: int) -> int:
    return entry.key_lines.get(key, fallback) if isinstance(entry, LineDict) else fallback


def _http_port(service: Mapping[str, Any]) -> tuple[str, int] | None:
    """The service's own HTTP_PORT as written and its line, when it sets one."""
    env = service.get("environment")
    line = _entry_line(service, "environment", int(getattr(service, "line", 0)))
    if isinstance(env, dict) and "HTTP_PORT" in env:
        value = env["HTTP_PORT"]
        return ("" if value is None else str(value)), _entry_line(env, "HTTP_PORT", line)
    if isinstance(env, list):
        for _, item, item_line in _items(env):
            key, sep, value = str(item).partition("=")
            if sep and key.strip() == "HTTP_PORT":
                return value, item_line
    return None


def service_value_problems(file: str, key: str, service: Mapping[str, Any]) -> list[Problem]:
    """Every port, port mapping, HTTP_PORT and container name of one service of one file
    (interpolated) that Docker, or the service itself, would refuse."""
    where = f"services.{key}"
    line = int(getattr(service, "line", 0))
    problems: list[Problem] = []
    name = service.get("container_name")
    if isinstance(name, str) and not CONTAINER_NAME.fullmatch(name):
        problems.append(
            Problem(
                file,
                _entry_line(service, "container_name", line),
                f"{where}.container_name",
                f"{name!r:.60} is not a container name Docker accepts "
                "(letters, digits, '_', '.' and '-', at least two, the first a letter or digit)",
            )
        )
    http_port = _http_port(service)
    if http_port is not None and http_port[0].strip() and port_number(http_port[0].strip()) is None:
        problems.append(
            Problem(
                file,
                http_port[1],
                f"{where}.environment.HTTP_PORT",
                f"{http_port[0]!r:.20} is not a port (a number from 1 to 65535 in ASCII digits)",
            )
        )
    for field, check in (("ports", _port_entry_problem), ("expose", _expose_entry_problem)):
        entries = service.get(field)
        if not isinstance(entries, list):
            continue
        for i, entry, entry_line in _items(entries):
            problem = check(entry)
            if problem is not None:
                shown = f"{entry!r:.40}: " if not isinstance(entry, dict) else ""
                problems.append(
                    Problem(file, entry_line, f"{where}.{field}[{i}]", f"{shown}{problem}")
                )
    return problems


def _port_entry_problem(entry: Any) -> str | None:
    if isinstance(entry, dict):
        return long_port_problem(entry)
    if isinstance(entry, bool) or not isinstance(entry, str | int):
        return "not a port mapping (HOST:CONTAINER or {target: …})"
    return short_port_problem(str(entry))


def _expose_entry_problem(entry: Any) -> str | None:
    if isinstance(entry, bool) or not isinstance(entry, str | int):
        return "not a port (PORT or PORT-END, optionally /tcp)"
    return expose_problem(str(entry))
