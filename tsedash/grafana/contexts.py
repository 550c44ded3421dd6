"""Named Grafana contexts: `--context staging` instead of juggling GRAFANA_* variables.

The file (`--contexts FILE`, env TSEDASH_CONTEXTS, default
`$XDG_CONFIG_HOME/tsedash/contexts.yaml`, i.e. `~/.config/tsedash/contexts.yaml`):

    current-context: staging                   # `tsedash context use staging` writes it
    contexts:
      staging:
        url: https://grafana.staging.example
        token_env: STAGING_GRAFANA_TOKEN      # the token from this environment variable
        org_id: 2
        ca_cert: /etc/ssl/private-ca.pem
        api: auto                              # auto | legacy | resource
      lab:
        url: http://grafana.lab:3000
        user: admin
        password_file: ~/.config/tsedash/lab-password   # only its owner may read it
        insecure: true

Secrets are never written in the file in clear unless the context says so: `token:` or
`password:` values are refused without `plaintext_secrets: true` in that context. A secret
file must not be readable by group or others. A key written twice (two `staging:` contexts,
two `url:` in one) is refused with its line, never silently the last one. The context becomes
the same GRAFANA_* settings the environment would give, checked the same way; an explicit
--url, --ca-cert, --insecure or --api still wins. A command without --context uses
`current-context` unless a URL is given (--url or GRAFANA_URL).
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tsedash.errors import InputError
from tsedash.files import atomic_write
from tsedash.inputs import UnreadableInput, read_text, yaml_depth_problem

ENV = "TSEDASH_CONTEXTS"
KEYS = {
    "url",
    "token_env",
    "token_file",
    "token",
    "user",
    "password_env",
    "password_file",
    "password",
    "plaintext_secrets",
    "org_id",
    "ca_cert",
    "insecure",
    "api",
}
APIS = ("auto", "legacy", "resource")
CURRENT = "current-context"  # the context used when none is named (`tsedash context use`)


def default_path() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "tsedash" / "contexts.yaml"


@dataclass(frozen=True)
class Context:
    name: str
    environ: dict[str, str]  # GRAFANA_URL, GRAFANA_TOKEN, … as the environment would hold them
    ca_cert: str | None = None
    insecure: bool = False
    api: str = "auto"
    where: str = ""  # `<file>: context '<name>'`, for messages about its values


def read_contexts(path: Path | None = None) -> tuple[Path, dict[str, Any], str | None]:
    """The contexts file: its path, its `contexts:` mapping and its `current-context`."""
    file = path or default_path()
    try:
        text = read_text(file)
    except UnreadableInput as exc:
        raise InputError(
            f"{file}: {exc.reason}; a contexts file names each Grafana (docs/cli.md, Contexts)"
        ) from None
    data = _parsed(file, text)
    contexts = data.get("contexts") if isinstance(data, dict) else None
    if not isinstance(contexts, dict) or not contexts:
        raise InputError(f"{file}: expected a mapping `contexts:` of named Grafanas")
    current = data.get(CURRENT)
    return file, contexts, None if current is None else str(current)


def _parsed(file: Path, text: str) -> Any:
    depth = yaml_depth_problem(text)
    if depth:
        line, reason = depth
        raise InputError(f"{file}:{line}: {reason}")
    duplicate = _duplicate_key(text)
    if duplicate:
        line, key, first = duplicate
        raise InputError(
            f"{file}:{line}: duplicate key {key!r} (first at line {first}); YAML would "
            "silently keep only the last one"
        )
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark else str(file)
        raise InputError(f"{where}: not YAML ({getattr(exc, 'problem', exc)})") from None


def load_context(name: str, path: Path | None = None) -> Context:
    file, contexts, _ = read_contexts(path)
    if name not in contexts:
        raise InputError(
            f"{file}: no context {name!r} (there are: {', '.join(map(str, contexts))})"
        )
    raw = contexts[name]
    if not isinstance(raw, dict):
        raise InputError(f"{file}: context {name!r} must be a mapping")
    return _context(file, name, raw)


def listed(path: Path | None = None) -> tuple[str | None, dict[str, str]]:
    """The current context and each context's URL, in the file's order."""
    _, contexts, current = read_contexts(path)
    return current, {
        str(k): str(v.get("url", "") if isinstance(v, dict) else "") for k, v in contexts.items()
    }


def listing(current: str | None, rows: dict[str, str]) -> list[str]:
    """`tsedash context list`: each context and its URL, `*` marking the current one."""
    width = max(len(name) for name in rows)
    return [
        f"{'*' if name == current else ' '} {name:<{width}}  {url}" for name, url in rows.items()
    ]


def current_context(path: Path | None = None) -> str | None:
    """The contexts file's `current-context` (`tsedash context use`); None without a file."""
    if not (path or default_path()).exists():
        return None
    return read_contexts(path)[2]


def use_context(name: str, path: Path | None = None) -> Path:
    """Record `name` as the file's `current-context`, editing only that line (added above
    `contexts:` when there is none): every other line and comment stays as it was."""
    file, contexts, _ = read_contexts(path)
    if name not in contexts:
        raise InputError(
            f"{file}: no context {name!r} (there are: {', '.join(map(str, contexts))})"
        )
    text = read_text(file)
    value = name if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name) else json.dumps(name)
    line = f"{CURRENT}: {value}\n"
    lines = text.splitlines(keepends=True)
    at = [i for i, ln in enumerate(lines) if re.match(rf"{CURRENT}\s*:", ln)]
    if at:
        lines[at[0]] = line
    else:
        top = [i for i, ln in enumerate(lines) if re.match(r"contexts\s*:", ln)]
        lines.insert(top[0] if top else 0, line)
    edited = "".join(lines)
    try:
        after = _parsed(file, edited)
    except InputError:  # the edit broke the file: say so, write nothing
        after = None
    if (
        not isinstance(after, dict)
        or after.get(CURRENT) != name
        or after.get("contexts") != contexts
    ):
        raise InputError(f"{file}: cannot add `{CURRENT}: {value}` safely; write it yourself")
    atomic_write(file, edited.encode(), mode=stat.S_IMODE(file.stat().st_mode))
    return file


def checked_context(name: str, path: Path | None = None) -> Context:
    """`load_context`, and the Grafana settings it gives checked as a push would check them
    (the URL, the secrets), without a request: what `watch --context` checks once at start."""
    from tsedash.grafana.client import GrafanaSettings

    context = load_context(name, path)
    try:
        GrafanaSettings.from_env(None, context.ca_cert, context.insecure, context.environ)
    except InputError as exc:
        raise InputError(f"{context.where}: {exc}") from None
    return context


def _duplicate_key(text: str) -> tuple[int, str, int] | None:
    """The first key written twice in one mapping, as (its line, the key, the first line);
    safe_load would keep the last silently. Read from the node tree (aliases not expanded);
    a syntax error is left to safe_load, which reports it with its line."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        return None
    found: list[tuple[int, str, int]] = []
    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    line = key.start_mark.line + 1
                    if key.value in first:
                        found.append((line, key.value, first[key.value]))
                    first.setdefault(key.value, line)
                todo.append(value)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    return min(found) if found else None


def _context(file: Path, name: str, raw: dict[str, Any]) -> Context:
    where = f"{file}: context {name!r}"
    unknown = sorted(set(map(str, raw)) - KEYS)
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r} (keys: {', '.join(sorted(KEYS))})")
    if not isinstance(raw.get("url"), str):
        raise InputError(f"{where}: `url` (Grafana's base URL) is required")
    clear = [k for k in ("token", "password") if k in raw]
    if clear and raw.get("plaintext_secrets") is not True:
        raise InputError(
            f"{where}: `{clear[0]}` in clear is refused; use `{clear[0]}_env` or "
            f"`{clear[0]}_file`, or set `plaintext_secrets: true` to accept it"
        )
    api = str(raw.get("api", "auto"))
    if api not in APIS:
        raise InputError(f"{where}: `api` must be one of {', '.join(APIS)}")
    environ = {"GRAFANA_URL": raw["url"]}
    token = _secret(where, raw, "token")
    password = _secret(where, raw, "password")
    for key, value in (
        ("GRAFANA_TOKEN", token),
        ("GRAFANA_USER", raw.get("user")),
        ("GRAFANA_PASSWORD", password),
        ("GRAFANA_ORG_ID", raw.get("org_id")),
    ):
        if value is not None:
            environ[key] = str(value)
    return Context(
        name,
        environ,
        ca_cert=str(Path(raw["ca_cert"]).expanduser()) if raw.get("ca_cert") else None,
        insecure=raw.get("insecure") is True,
        api=api,
        where=where,
    )


def _secret(where: str, raw: dict[str, Any], kind: str) -> str | None:
    """A token or password: from the named environment variable, a private file, or (when
    the context allows it) the file itself."""
    if f"{kind}_env" in raw:
        variable = str(raw[f"{kind}_env"])
        value = os.environ.get(variable)
        if not value:
            raise InputError(f"{where}: `{kind}_env` names {variable}, which is not set")
        return value
    if f"{kind}_file" in raw:
        path = Path(str(raw[f"{kind}_file"])).expanduser()
        try:
            mode = path.stat().st_mode
            text = read_text(path)
        except UnreadableInput as exc:
            raise InputError(f"{where}: {kind}_file {path}: {exc.reason}") from None
        except OSError as exc:
            raise InputError(f"{where}: {kind}_file {path}: {exc.strerror}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InputError(f"{where}: {path} is readable by others; `chmod 600 {path}` first")
        return text.strip()
    value = raw.get(kind)
    return None if value is None else str(value)
