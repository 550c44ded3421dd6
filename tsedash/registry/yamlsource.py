"""YAML with `yaml.safe_load` semantics that remembers the line of every key and item.

PyYAML's composer keeps a start mark on each node; we construct the Python values ourselves
from those nodes so every mapping and sequence carries line numbers for error messages. The
walk is bounded (alias bombs) and reports duplicate and non-string keys, which safe_load hides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from tsedash.inputs import yaml_depth_problem
from tsedash.registry.problems import Problem, RegistryError

# libyaml when the wheel has it (it does on every platform we ship for): ~3x faster.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"

# Expanded node visits allowed per distinct node; ordinary files expand 1:1, anchors a little.
_EXPANSION_FACTOR = 10
_MIN_BUDGET = 200_000


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each of its keys (1-based)."""

    line: int
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int
    item_lines: list[int]


class _Expansion(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _distinct_nodes(root: yaml.Node) -> int:
    seen: set[int] = set()
    todo: list[yaml.Node] = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                todo.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    return len(seen)


class _Builder:
    def __init__(self, loader: Any, file: str, budget: int) -> None:
        self.loader = loader
        self.file = file
        self.budget = budget
        self.visits = 0
        self.active: set[int] = set()
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, where: str) -> Any:
        self.visits += 1
        if self.visits > self.budget:
            raise _Expansion(
                _line(node),
                "the document expands to too many nodes (an alias bomb?); "
                "remove the repeated `*alias` references",
            )
        if id(node) in self.active:
            raise _Expansion(_line(node), "recursive alias: a node refers to itself")
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP_TAG:
            self.active.add(id(node))
            try:
                return self._mapping(node, where)
            finally:
                self.active.discard(id(node))
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
            self.active.add(id(node))
            try:
                items = LineList()
                items.line = _line(node)
                items.item_lines = []
                for i, child in enumerate(node.value):
                    items.append(self.build(child, f"{where}[{i}]"))
                    items.item_lines.append(_line(child))
                return items
            finally:
                self.active.discard(id(node))
        # Scalars and the rarer safe tags (!!set, !!omap, !!binary, timestamps): PyYAML's own
        # safe constructor; the registry schema rejects what it does not expect.
        return self._scalar(node, where)

    def _scalar(self, node: yaml.Node, where: str) -> Any:
        """A value PyYAML can construct; one it cannot (an integer of more digits than Python
        converts, a date such as 2024-13-45) is a located error, not a crash."""
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:
            text = str(getattr(node, "value", ""))
            if node.tag == _INT_TAG:
                reason = f"an integer of {len(text):,} characters; settings take small numbers"
            else:
                reason = f"{text!r:.40} cannot be read as {node.tag.rpartition(':')[2]} ({exc})"
            raise _Expansion(_line(node), f"{where or 'the document'}: {reason}") from None

    def _mapping(self, node: yaml.MappingNode, where: str) -> LineDict:
        own: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self._scalar(key_node, where)
            if not isinstance(key, str):
                self.problems.append(
                    Problem(
                        self.file,
                        _line(key_node),
                        where,
                        f"key {key!r} is not a string (YAML reads `{key_node.value}` as "
                        f"{type(key).__name__}); quote it: '{key_node.value}'",
                    )
                )
                continue
            if key in own:
                self.problems.append(
                    Problem(
                        self.file,
                        _line(key_node),
                        where,
                        f"duplicate key '{key}' (first at line {own[key]}); "
                        "YAML would silently keep only the last one",
                    )
                )
            own[key] = _line(key_node)
        self.loader.flatten_mapping(node)  # resolves `<<: *anchor` merges like safe_load
        result = LineDict()
        result.line = _line(node)
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node, where)
            if not isinstance(key, str):
                continue
            child_where = f"{where}.{key}" if where else key
            result[key] = self.build(value_node, child_where)
            result.key_lines[key] = _line(key_node)
        return result


def load_yaml(
    text: str, file: str, expected: str = "a registry mapping (version: 1, …)"
) -> tuple[Any, list[Problem], int]:
    """Parse one YAML document: (LineDict/LineList/scalar, key problems, line of the root).

    Raises RegistryError for what makes the document unreadable: syntax errors, an empty
    document (`expected` says what should be there), several documents, nesting deeper than
    libyaml survives, an alias bomb or a recursive alias.
    """
    too_deep = yaml_depth_problem(text)
    if too_deep is not None:
        raise RegistryError([Problem(file, too_deep[0], "", too_deep[1])])
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = int(mark.line) + 1 if mark is not None else 0
            reason = " ".join(str(x) for x in (exc.context, exc.problem) if x)
            raise RegistryError([Problem(file, line, "", f"YAML syntax error: {reason}")]) from None
        except yaml.YAMLError as exc:
            raise RegistryError([Problem(file, 0, "", f"YAML error: {exc}")]) from None
        if node is None:
            raise RegistryError(
                [
                    Problem(
                        file,
                        0,
                        "",
                        f"the file is empty; expected {expected}",
                    )
                ]
            )
        budget = max(_MIN_BUDGET, _EXPANSION_FACTOR * _distinct_nodes(node))
        builder = _Builder(loader, file, budget)
        try:
            data = builder.build(node, "")
        except _Expansion as exc:
            raise RegistryError([Problem(file, exc.line, "", exc.reason)]) from None
        except RecursionError:
            raise RegistryError(
                [Problem(file, _line(node), "", "the document is nested too deeply")]
            ) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = int(mark.line) + 1 if mark is not None else 0
            reason = " ".join(str(x) for x in (exc.context, exc.problem) if x)
            raise RegistryError([Problem(file, line, "", f"YAML error: {reason}")]) from None
        return data, builder.problems, _line(node)
    finally:
        loader.dispose()


def line_of(root: Any, path: Sequence[Any]) -> int:
    """The line of the deepest existing element along a JSON path (keys and indices)."""
    line = int(getattr(root, "line", 0))
    current = root
    for step in path:
        if isinstance(current, LineDict) and step in current:
            line = current.key_lines.get(step, line)
            current = current[step]
        elif isinstance(current, LineList) and isinstance(step, int) and step < len(current):
            line = current.item_lines[step]
            current = current[step]
        else:
            break
    return line
