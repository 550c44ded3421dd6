"""schemaVersion 17: a panel's `minSpan` becomes `maxPerRow`.

Grafana's step (`schemaversion/v17.go`), for each object of the top-level `panels` (not the
panels of collapsed rows, which the backend does not walk here): a `minSpan` that is a number
greater than 0 gives `maxPerRow`, the largest factor of the grid's 24 columns (1, 2, 3, 4, 6,
8, 12, 24) lying before the first factor greater than `24 / minSpan`; `minSpan` is removed in
every case. So `minSpan` 8 → 3, 6 → 4, 4 → 6, 2 → 12, 24 → 1.

Edge cases as in Grafana's backend: a `minSpan` above 24 gives `maxPerRow` 1 (the frontend
gave none); a `minSpan` of 1 or less than 1 leaves no factor greater than the quotient, so no
`maxPerRow` is written; a `minSpan` that is 0, negative, or not a number (a string, a boolean,
`null`) is only removed.

Knowingly different: nothing. The frontend also upgraded the panels of collapsed rows and only
acted on a truthy `minSpan`; Grafana's backend, which decides what it stores, does neither.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, panel_name, step, top_panels

GRID_COLUMNS = 24
# The factors of 24, ascending: the widths a row of repeated panels can be split into.
GRID_FACTORS = tuple(n for n in range(1, GRID_COLUMNS + 1) if GRID_COLUMNS % n == 0)


@step(17)
def v17(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in top_panels(dashboard):
        if "minSpan" in panel:
            _min_span_to_max_per_row(panel, ctx, panel_name(pointer, panel))


def max_per_row(min_span: float) -> int | None:
    """Grafana's conversion of a positive `minSpan`; None where it writes no `maxPerRow`."""
    quotient = GRID_COLUMNS / min_span
    first_greater = next((i for i, f in enumerate(GRID_FACTORS) if f > quotient), None)
    if first_greater is None:
        return None
    return GRID_FACTORS[first_greater - 1] if first_greater > 0 else 1


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _min_span_to_max_per_row(panel: dict[str, Any], ctx: StepContext, name: str) -> None:
    min_span = panel.pop("minSpan")
    if not _is_number(min_span) or min_span <= 0:
        ctx.log(f"`minSpan` {min_span!r} removed (not a positive number)", name)
        return
    per_row = max_per_row(min_span)
    if per_row is None:
        ctx.log(f"`minSpan` {min_span} removed (no `maxPerRow` for it)", name)
        return
    panel["maxPerRow"] = per_row
    ctx.log(f"`minSpan` {min_span} → `maxPerRow` {per_row}", name)
