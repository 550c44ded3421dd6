"""What the v1 → v2 conversion did not carry as it was: the conversion report.

Grafana's converter (apps/dashboard/pkg/migration/conversion/) drops what schema v2 has no
place for and maps some values on the way; ours does the same and says so, one `Note` per
JSON pointer of the v1 model:

- `dropped`: the value is not in the v2 dashboard;
- `changed`: the v2 dashboard says `value` there (read back as v1) instead;
- `moved`: the value is carried elsewhere in v2 (read back where it was).

`inert` marks values that change nothing (a flag Grafana ignores, a value derived from another
one): `--json` lists them, the text output counts them. The read-back comparison excludes from
the v1 model exactly what the notes say (`expected_v1`), nothing else.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

Action = Literal["dropped", "changed", "moved"]


@dataclass(frozen=True)
class Note:
    pointer: str
    action: Action
    detail: str
    grafana: str  # the file and function of Grafana's converter that does it
    value: Any = None  # `changed`: the value as read back
    inert: bool = False

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.action} {self.detail} (Grafana: {self.grafana})"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pointer": self.pointer,
            "action": self.action,
            "detail": self.detail,
            "grafana": self.grafana,
            "inert": self.inert,
        }
        if self.action == "changed":
            out["value"] = self.value
        return out


@dataclass(frozen=True)
class DashboardNote:
    """A note with the dashboard it is about, as `build` and `push` print it."""

    uid: str
    note: Note

    def __str__(self) -> str:
        return f"{self.uid} {self.note}"

    def as_dict(self) -> dict[str, Any]:
        return {"uid": self.uid, **self.note.as_dict()}


def summary_lines(notes: list[DashboardNote]) -> list[str]:
    """One line per note that matters, one count per dashboard of the inert ones."""
    lines = [f"v2 conversion {n}" for n in notes if not n.note.inert]
    inert: dict[str, int] = {}
    for n in notes:
        if n.note.inert:
            inert[n.uid] = inert.get(n.uid, 0) + 1
    lines += [
        f"v2 conversion {uid}: {count} value(s) without effect not carried as they were, "
        "as Grafana's converter does (--json lists them)"
        for uid, count in inert.items()
    ]
    return lines


# --- the v1 model the v2 dashboard must read back as ----------------------------------------


def _parts(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _key(node: Any, part: str) -> Any:
    return int(part) if isinstance(node, list) else part


def _parent(model: Any, parts: list[str]) -> Any:
    node = model
    for part in parts[:-1]:
        node = node[_key(node, part)]
    return node


def expected_v1(model: dict[str, Any], notes: list[Note]) -> dict[str, Any]:
    """A copy of `model` with every dropped value removed and every changed one replaced.

    List items are removed last, the deepest first and each list from its highest index, so
    the pointers (all into `model` as given) stay valid while the rest is applied.
    """
    out = copy.deepcopy(model)
    removals: list[tuple[list[str], int]] = []
    for note in notes:
        parts = _parts(note.pointer)
        if note.action == "moved" or not parts:
            continue
        parent = _parent(out, parts)
        if note.action == "changed":
            parent[_key(parent, parts[-1])] = copy.deepcopy(note.value)
        elif isinstance(parent, list):
            removals.append((parts[:-1], int(parts[-1])))
        else:
            parent.pop(parts[-1], None)
    for where, index in sorted(removals, key=lambda r: (-len(r[0]), r[0], -r[1])):
        del _parent(out, [*where, "0"])[index]
    return out
