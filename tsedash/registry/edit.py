"""Fill the registry's `datasource.grafana` list in place (`tsedash pull --datasources`).

The registry is a file people write, with comments and their own layout, so it is not dumped
again: only the `grafana:` entry of the `datasource:` mapping is replaced (or added, with the
`datasource:` section when there is none), one flow mapping per datasource; a `datasource:`
written as a flow mapping (`{uid: …, name: …}`) becomes a block mapping of the same entries.
Everything else stays byte for byte. The result is loaded again before it is written: an edit
that would not load is refused and nothing changes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tsedash.errors import InputError
from tsedash.files import atomic_write
from tsedash.inputs import read_text
from tsedash.registry.loader import load_registry_text
from tsedash.registry.model import GrafanaDatasource

KEY = "grafana"


def write_grafana_datasources(
    path: str | os.PathLike[str], datasources: Sequence[GrafanaDatasource]
) -> None:
    """Replace `datasource.grafana` in the registry file at `path` by `datasources`."""
    text = read_text(path)
    edited = with_grafana_datasources(text, datasources, str(path))
    load_registry_text(edited, str(path))  # a RegistryError: nothing is written
    atomic_write(Path(path), edited.encode())


@dataclass(frozen=True)
class Recorded:
    """The datasources `tsedash pull --datasources` wrote into a registry file."""

    registry: str
    datasources: list[GrafanaDatasource]

    def as_dict(self) -> dict[str, Any]:
        return {"registry": self.registry, "datasources": [vars(d) for d in self.datasources]}

    def line(self) -> str:
        default = next((d.name for d in self.datasources if d.default), "none")
        where = f"{self.registry} (datasource.grafana; default: {default})"
        return f"wrote {len(self.datasources)} datasource(s) into {where}"


def record_grafana_datasources(path: str, answer: Sequence[dict[str, Any]]) -> Recorded:
    """Grafana's datasources (`GET /api/datasources`, each name, uid, type and isDefault)
    written into the registry file at `path` as `datasource.grafana`."""
    found = [GrafanaDatasource(d["name"], d["uid"], d["type"], d["isDefault"]) for d in answer]
    write_grafana_datasources(path, found)
    return Recorded(path, found)


def with_grafana_datasources(
    text: str, datasources: Sequence[GrafanaDatasource], shown: str = "registry"
) -> str:
    """The registry text with its `datasource.grafana` list replaced (module docstring)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"{shown}: not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise InputError(f"{shown}: the registry must be a mapping written as a block")
    key = _key_of(root, "datasource")
    if key is None:
        block = "datasource:\n" + _entry(datasources, 2)
        return text + ("" if text.endswith("\n") or not text else "\n") + block
    section = _value_of(root, "datasource")
    if isinstance(section, yaml.MappingNode) and section.flow_style:
        return _flow_to_block(text, key, section, datasources)
    if not isinstance(section, yaml.MappingNode) or not section.value:
        raise InputError(
            f"{shown}:{key.start_mark.line + 1}: `datasource:` is not a mapping (uid, name, url)"
        )
    indent = section.value[0][0].start_mark.column
    for key, value in section.value:
        if isinstance(key, yaml.ScalarNode) and key.value == KEY:
            start = key.start_mark.index - key.start_mark.column
            end = _line_end(text, _end(value))
            return text[:start] + _entry(datasources, indent) + text[end:]
    end = _line_end(text, _end(section.value[-1][1]))
    return text[:end] + _entry(datasources, indent) + text[end:]


def _flow_to_block(
    text: str,
    key: yaml.Node,
    section: yaml.MappingNode,
    datasources: Sequence[GrafanaDatasource],
) -> str:
    """`datasource: {uid: …, name: …}` (how the shipped registry writes it) as a block
    mapping: each entry's own text on its own line, then the list."""
    pad = " " * (key.start_mark.column + 2)
    lines = [
        f"{pad}{text[k.start_mark.index : k.end_mark.index]}: "
        f"{text[v.start_mark.index : v.end_mark.index]}"
        for k, v in section.value
        if not (isinstance(k, yaml.ScalarNode) and k.value == KEY)
    ]
    block = "\n" + "\n".join(lines) + "\n" + _entry(datasources, len(pad)).rstrip("\n")
    return text[: section.start_mark.index].rstrip(" ") + block + text[section.end_mark.index :]


def _key_of(mapping: yaml.MappingNode, name: str) -> yaml.Node | None:
    for key, _ in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return key
    return None


def _value_of(mapping: yaml.MappingNode, name: str) -> yaml.Node | None:
    for key, value in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return value  # type: ignore[no-any-return]  # PyYAML's nodes are untyped
    return None


def _end(node: yaml.Node) -> int:
    """Where the node's own text ends: a block collection ends with its last item's text (its
    end mark lies at the next token, past comments and blank lines)."""
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end(node.value[-1])
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _end(node.value[-1][1])
    return int(node.end_mark.index)


def _line_end(text: str, index: int) -> int:
    """The index just past the end of the line holding `index` (its newline included)."""
    newline = text.find("\n", max(index - 1, 0))
    return len(text) if newline < 0 else newline + 1


def _entry(datasources: Sequence[GrafanaDatasource], indent: int) -> str:
    pad = " " * indent
    if not datasources:
        return f"{pad}{KEY}: []\n"
    lines = [f"{pad}{KEY}:"]
    for ds in datasources:
        item: dict[str, str | bool] = {"name": ds.name, "uid": ds.uid, "type": ds.type}
        if ds.default:
            item["default"] = True
        flow = yaml.safe_dump(
            item, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10**6
        ).strip()
        lines.append(f"{pad}  - {flow}")
    return "\n".join(lines) + "\n"
