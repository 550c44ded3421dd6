"""What every part of the v1 → v2 conversion shares: the datasources Grafana knows, the
report it writes (`Note`s: what was not carried as it was) and the one refusal
(`Unconvertible`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from tsedash.dashv2.jsonread import escape, short, strip_bom
from tsedash.dashv2.report import Note
from tsedash.sdk import cogbuilder

T = TypeVar("T")

# Where Grafana does it (apps/dashboard/pkg/migration/…), for the report.
V1_V2 = "conversion/v1beta1_to_v2alpha1.go"
ALPHA_BETA = "conversion/v2alpha1_to_v2beta1.go"
IDS = "frontend_defaults.go ensurePanelsHaveUniqueIds"
ANGULAR = "schemaversion/migration_utils.go GetAngularPanelMigration"
# Empty values: dropping one changes nothing (an inert note).
NOTHING: tuple[Any, ...] = (None, "", False, [], {})


class Unconvertible(ValueError):
    """What Grafana's own conversion fails on (`pointer`: where)."""

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer
        super().__init__(message)


class Built(cogbuilder.Builder[T]):
    """A model already made, where a builder is expected (the SDK's builders take builders)."""

    def __init__(self, model: T) -> None:
        self._model = model

    def build(self) -> T:
        return self._model


class Context:
    """One conversion's state: the default datasource's type, the types of the datasources
    Grafana knows by uid (`getDatasourceTypeByUID`) and the notes written so far."""

    def __init__(self, default_type: str, types: Mapping[str, str]) -> None:
        self.default_type = default_type
        self.types = types
        self.notes: list[Note] = []

    def dropped(self, pointer: str, detail: str, where: str, inert: bool = False) -> None:
        """A note: the value at `pointer` is not carried."""
        self.notes.append(Note(pointer, "dropped", detail, where, inert=inert))

    def changed(
        self, pointer: str, value: Any, detail: str, where: str, inert: bool = False
    ) -> None:
        """A note: the value at `pointer` is carried changed, read back as `value`."""
        self.notes.append(Note(pointer, "changed", detail, where, value, inert))

    def unread(
        self,
        data: Mapping[str, Any],
        known: set[str],
        pointer: str,
        what: str,
        where: str,
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        """A note for every key of `data` the conversion does not read (inert when empty);
        none for a value equal to its default in `defaults`."""
        for key in sorted(set(data) - known):
            value = data[key]
            if defaults is not None and key in defaults and defaults[key] == value:
                continue
            self.dropped(
                f"{pointer}/{escape(key)}",
                f"{what} key '{key}' ({short(value)}): not read by the conversion",
                where,
                inert=value in NOTHING,
            )

    def bom(self, value: Any, pointer: str) -> Any:
        """stripBOM: the value without byte order marks, a note when it had any."""
        stripped = strip_bom(value)
        if stripped != value:
            self.changed(pointer, stripped, "byte order marks removed", f"{V1_V2} stripBOM")
        return stripped
