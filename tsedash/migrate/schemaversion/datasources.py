"""Datasource look-ups as Grafana's schema migrations make them.

Grafana's backend migrator (`schemaversion/datasource_utils.go`) builds an index of the
datasources of the dashboard's organisation (name, uid, type, `apiVersion`, whether it is the
default) and resolves the names older dashboards hold through it:

- by **name first, then by uid** (`DatasourceIndex.Lookup`). This is the backend's order; the
  frontend's `getInstanceSettings` tried the uid first. It only matters when one datasource's
  name is another one's uid. (`StepContext.lookup` tries the uid first: the steps that turn
  names into references use `DatasourceIndex` instead.)
- two datasources of the same name or uid: the one listed last wins (the index is a map).
- the default is the one marked default (the last of several); none marked: there is **no**
  default (unlike `StepContext.default_datasource`, which falls back to the first), and what
  would take the default gets `null`.
- the index holds only the organisation's configured datasources, never the built-in
  `-- Mixed --`, `-- Grafana --` or `-- Dashboard --`: those names resolve like any unknown name
  unless the registry lists them.

`name_to_ref` is Grafana's `MigrateDatasourceNameToRef`: a reference (an object with a
non-empty string `uid` or `type`) is kept as it is; `null` becomes the default's reference; the
empty string becomes `{}`; `"default"` the default's reference (or, with no default, whatever
the name `default` resolves to); a known name or uid its reference `{uid, type[, apiVersion]}`;
an **unknown name is kept as `{uid: name}`**; anything else (a number, an object that is not a
reference) gives `None`. With `default_as_null` (schema step 33), `null` and `"default"` give
`None` before anything else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import DatasourceInfo, StepContext

MIXED = "-- Mixed --"  # the mixed datasource's uid (`MIXED_DATASOURCE_NAME`)
EXPRESSION = "__expr__"  # server-side expressions' datasource uid

Ref = dict[str, Any]


@dataclass(frozen=True)
class DatasourceIndex:
    """Grafana's `DatasourceIndex`: datasources by name and by uid, and the default."""

    by_name: dict[str, DatasourceInfo] = field(default_factory=dict)
    by_uid: dict[str, DatasourceInfo] = field(default_factory=dict)
    default: DatasourceInfo | None = None

    @classmethod
    def of(cls, datasources: Iterable[DatasourceInfo]) -> DatasourceIndex:
        by_name: dict[str, DatasourceInfo] = {}
        by_uid: dict[str, DatasourceInfo] = {}
        default = None
        for ds in datasources:
            if ds.name:
                by_name[ds.name] = ds
            if ds.uid:
                by_uid[ds.uid] = ds
            if ds.is_default:
                default = ds
        return cls(by_name, by_uid, default)

    def lookup(self, name_or_uid: str) -> DatasourceInfo | None:
        """By name first, then by uid (`DatasourceIndex.Lookup`)."""
        return self.by_name.get(name_or_uid) or self.by_uid.get(name_or_uid)

    def resolve(self, name: str) -> DatasourceInfo | None:
        """`ResolveDatasourceRef`: `"default"` is the default when there is one."""
        if not name:
            return None
        if name == "default" and self.default is not None:
            return self.default
        return self.lookup(name)


def index(ctx: StepContext) -> DatasourceIndex:
    """The index of the datasources the step context knows."""
    return DatasourceIndex.of(ctx.datasources)


def ref(ds: DatasourceInfo | None) -> Ref | None:
    """`GetDataSourceRef`: `{uid, type}`, plus `apiVersion` when the datasource has one."""
    if ds is None:
        return None
    out: Ref = {"uid": ds.uid, "type": ds.type}
    if ds.api_version:
        out["apiVersion"] = ds.api_version
    return out


def is_ref(value: Any) -> bool:
    """`isDataSourceRef`: an object with a non-empty string `uid` or `type`."""
    if not isinstance(value, dict):
        return False
    return any(isinstance(value.get(key), str) and value[key] for key in ("uid", "type"))


def name_to_ref(value: Any, idx: DatasourceIndex, *, default_as_null: bool) -> Ref | None:
    """`MigrateDatasourceNameToRef`, as described in the module's docstring."""
    if default_as_null and (value is None or value == "default"):
        return None
    if is_ref(value):
        return value  # type: ignore[no-any-return]
    if value is None:
        return ref(idx.default)
    if not isinstance(value, str):
        return None
    if value == "":
        return {}
    found = idx.resolve(value)
    if found is not None:
        return ref(found)
    return {"uid": value}  # unknown: kept as a uid-only reference


def is_unknown(value: Any, idx: DatasourceIndex) -> bool:
    """A non-empty name the index cannot resolve (kept as `{uid: name}`)."""
    return isinstance(value, str) and value != "" and idx.resolve(value) is None


def shown(value: Any) -> str:
    """A datasource value as a change message shows it."""
    if isinstance(value, str):
        return f"`{value}`"
    return json.dumps(value, sort_keys=True)
