"""Instances from docker-compose files: every service whose environment sets SERVICE_NAME.

Follows docker compose where it matters here: `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
`${VAR:?message}`, `$VAR` and `$$` interpolation from the environment and the project's `.env`
(the shell wins; bounded, see `interpolation`); several `-f` files merged in order (mappings
merged, `environment` merged by key, `ports`/`expose` appended, scalars overridden). The ports,
port mappings, HTTP_PORT and container name of every ecosystem service are checked as Docker
reads them (`compose_values`): a bad one is an error at its file and line, never skipped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tsedash.inputs import UnreadableInput, read_text
from tsedash.registry.problems import Problem, RegistryError
from tsedash.registry.sources.compose_values import service_value_problems
from tsedash.registry.sources.discovered import Discovered
from tsedash.registry.sources.interpolation import Interpolation, read_dotenv
from tsedash.registry.yamlsource import LineDict, LineList, load_yaml

__all__ = [
    "VOLUME_KINDS",
    "container_port",
    "environment_of",
    "instance_mounts",
    "interpolate",
    "is_compose",
    "load_compose",
    "merge_files",
    "mount",
    "read_dotenv",
]

_APPEND_KEYS = {"ports", "expose"}
# The instance directories the orchestrator mounts, by container path.
VOLUME_KINDS = {"/app/data": "data", "/app/logs": "logs"}


def interpolate(text: str, env: Mapping[str, str], file: str, line: int) -> str:
    """One value interpolated as compose does (bounded: see `interpolation`)."""
    return Interpolation(env).text(text, file, line)


def _interpolate_tree(node: Any, spent: Interpolation, file: str, line: int) -> Any:
    if isinstance(node, str):
        return spent.text(node, file, line)
    if isinstance(node, dict):
        out = LineDict()
        out.line = getattr(node, "line", line)
        out.key_lines = dict(getattr(node, "key_lines", {}))
        for key, value in node.items():
            child_line = out.key_lines.get(key, out.line)
            out[key] = _interpolate_tree(value, spent, file, child_line)
        return out
    if isinstance(node, list):
        items = LineList()
        items.line = getattr(node, "line", line)
        items.item_lines = list(getattr(node, "item_lines", [items.line] * len(node)))
        items.extend(
            _interpolate_tree(v, spent, file, at)
            for v, at in zip(node, items.item_lines, strict=False)
        )
        return items
    return node


def environment_of(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            key, sep, value = str(item).partition("=")
            out[key.strip()] = value if sep else os.environ.get(key.strip(), "")
        return out
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _merge(base: Any, override: Any, key: str = "") -> Any:
    if key == "environment":
        merged = environment_of({"environment": base})
        merged.update(environment_of({"environment": override}))
        return merged
    if key in _APPEND_KEYS and isinstance(base, list) and isinstance(override, list):
        return base + override
    if key == "volumes" and isinstance(base, list) and isinstance(override, list):
        # Compose merges a service's mounts by target path: a later file replaces a mount
        # at the same target and keeps the others.
        merged_mounts = {mount(v)[1]: v for v in base}
        merged_mounts.update({mount(v)[1]: v for v in override})
        return list(merged_mounts.values())
    if isinstance(base, dict) and isinstance(override, dict):
        out = LineDict()
        out.line = getattr(override, "line", getattr(base, "line", 0))
        # A key's line is where it was first declared (the file `origin` names).
        out.key_lines = {**getattr(override, "key_lines", {}), **getattr(base, "key_lines", {})}
        for k in list(base) + [k for k in override if k not in base]:
            if k in base and k in override:
                out[k] = _merge(base[k], override[k], k)
            else:
                out[k] = override[k] if k in override else base[k]
        return out
    return override


def merge_files(base: Any, override: Any) -> Any:
    """Two compose files' data merged as `docker compose -f base -f override` merges them."""
    return _merge(base, override)


def mount(entry: Any) -> tuple[str, str]:
    """(source, target) of a short (`./a:/b:ro`) or long (`{source, target}`) volume entry."""
    if isinstance(entry, dict):
        return str(entry.get("source", "")), str(entry.get("target", ""))
    parts = str(entry).split(":")
    if len(parts) == 1:
        return "", parts[0]
    return parts[0], parts[1]


def instance_mounts(service: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """(kind, host, container) of the mounts at /app/data and /app/logs."""
    found = []
    for entry in service.get("volumes") or []:
        source, target = mount(entry)
        kind = VOLUME_KINDS.get(target.rstrip("/"))
        if kind and source:
            found.append((kind, source.removeprefix("./"), target.rstrip("/")))
    return tuple(sorted(found))


def _port(text: Any) -> int | None:
    """A port number written in ASCII digits (`²` is a digit to Python, not to compose)."""
    value = str(text).strip()
    if value.isascii() and value.isdigit() and len(value) <= 5:
        return int(value)
    return None


def container_port(service: Mapping[str, Any]) -> int | None:
    """HTTP_PORT, else the container side of the first ports entry, else the first expose."""
    env = environment_of(service)
    port = _port(env.get("HTTP_PORT", ""))
    if port is not None:
        return port
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            port = _port(entry.get("target", ""))
        else:
            port = _port(str(entry).split("/")[0].rsplit(":", 1)[-1].split("-")[0])
        if port is not None:
            return port
    for entry in service.get("expose") or []:
        port = _port(str(entry).split("/")[0].split("-")[0])
        if port is not None:
            return port
    return None


# What the compose specification allows for the keys we read, by key.
_SHAPES: dict[str, tuple[tuple[type, ...], str]] = {
    "environment": ((dict, list), "a mapping or a list of KEY=value"),
    "ports": ((list,), "a list"),
    "expose": ((list,), "a list"),
    "volumes": ((list,), "a list"),
    "container_name": ((str,), "a string"),
}


def _shape_problems(path: str, services: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for key, service in services.items():
        if service is None:
            continue
        line = services.key_lines.get(key, 0) if isinstance(services, LineDict) else 0
        if not isinstance(service, dict):
            problems.append(Problem(path, line, f"services.{key}", "must be a mapping"))
            continue
        for name, (types, said) in _SHAPES.items():
            value = service.get(name)
            if value is not None and not isinstance(value, types):
                at = service.key_lines.get(name, line) if isinstance(service, LineDict) else line
                problems.append(
                    Problem(
                        path, at, f"services.{key}.{name}", f"must be {said}, not {value!r:.40}"
                    )
                )
    return problems


def _check_values(per_file: list[tuple[str, Any]], merged: Any) -> None:
    """The ports, HTTP_PORT and container name of every ecosystem service (one whose merged
    environment sets SERVICE_NAME), in each file with its own lines."""
    services = merged.get("services", {}) if merged else {}
    ecosystem = {
        key
        for key, service in services.items()
        if isinstance(service, dict) and environment_of(service).get("SERVICE_NAME", "").strip()
    }
    problems = [
        problem
        for path, data in per_file
        for key, service in (data.get("services") or {}).items()
        if key in ecosystem and isinstance(service, dict)
        for problem in service_value_problems(path, key, service)
    ]
    if problems:
        raise RegistryError(problems)


def is_compose(data: Any) -> bool:
    """Recognise a compose file by content: `services:` of container definitions."""
    if (
        not isinstance(data, dict)
        or "instances" in data
        or not isinstance(data.get("services"), dict)
    ):
        return False
    keys = {"image", "build", "environment", "ports", "container_name", "command", "volumes"}
    return any(isinstance(s, dict) and keys & set(s) for s in data["services"].values())


def load_compose(
    files: list[str | os.PathLike[str]], default_port: int, environ: Mapping[str, str] | None = None
) -> list[Discovered]:
    """Instances of the merged compose files (services without SERVICE_NAME are ignored)."""
    if not files:
        return []
    paths = [Path(f) for f in files]
    shell = os.environ if environ is None else environ
    spent = Interpolation({**read_dotenv(paths[0].parent / ".env", shell), **shell})
    merged: Any = None
    origin: dict[str, str] = {}
    per_file: list[tuple[str, Any]] = []
    for path in paths:
        try:
            text = read_text(path)
        except UnreadableInput as exc:
            reason = "compose file not found" if exc.reason == "file not found" else exc.reason
            raise RegistryError([Problem(str(path), exc.line, "", reason)]) from None
        data, problems, _ = load_yaml(text, str(path), "a compose file (services: …)")
        if problems:
            raise RegistryError(problems)
        if not isinstance(data, dict) or not isinstance(data.get("services", {}), dict):
            raise RegistryError(
                [Problem(str(path), 1, "", "not a compose file: no `services:` mapping")]
            )
        problems = _shape_problems(str(path), data.get("services") or {})
        if problems:
            raise RegistryError(problems)
        data = _interpolate_tree(data, spent, str(path), 1)
        per_file.append((str(path), data))
        for key in data.get("services", {}):
            origin.setdefault(key, str(path))
        merged = data if merged is None else _merge(merged, data)
    _check_values(per_file, merged)
    found = []
    services = merged.get("services", {}) if merged else {}
    for key, service in services.items():
        if not isinstance(service, dict):
            continue
        service_env = environment_of(service)
        service_name = service_env.get("SERVICE_NAME", "").strip()
        if not service_name:
            continue  # redis, postgres, …: not an ecosystem service
        port = container_port(service) or default_port
        found.append(
            Discovered(
                service=service_name,
                name=service_env.get("SERVICE_INSTANCE_NAME", "").strip() or service_name,
                address=f"{key}:{port}",
                source=f"compose:{origin[key]}",
                file=origin[key],
                line=services.key_lines.get(key, 0) if isinstance(services, LineDict) else 0,
                container_name=str(service.get("container_name") or key),
                volumes=instance_mounts(service),
            )
        )
    return found
