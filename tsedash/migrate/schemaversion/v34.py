"""schemaVersion 34: CloudWatch queries and annotations with several statistics are split.

Grafana's step (`schemaversion/v34.go`):

**Queries**, in the top-level panels and the `panels` nested one level in any of them: a query
object with the keys `dimensions`, `namespace`, `region` and `metricName` is a CloudWatch
query. It gets `metricQueryType: 0` when it has none, and `metricEditorMode` when it has none:
1 (code) when `metricQueryType` is 1 or its `expression` is a non-empty string, else 0
(builder). Then its `statistics`:

- an empty list, or anything that is not a list (or no `statistics`): the key is removed and
  the query kept;
- one entry: removed, and the entry becomes `statistic` (unless it is `null`);
- several: the query is kept once per entry, each copy with that entry as `statistic` (a
  `null` entry sets none). The first copy takes the query's place; the others are appended
  after all the panel's queries, each with a new `refId`, the first letter `A`…`Z` (then
  `AA`…`ZZ`) that no query of the panel (nor an earlier new one) uses.

**Annotations** (`annotations.list`): an object with `dimensions`, `namespace`, `region`,
`prefixMatching` and `statistics` is a legacy CloudWatch annotation. Its `statistics` are
removed; one entry becomes `statistic`; several make one annotation per entry, the first in
place, the others appended at the end of the list, each named `<name> - <statistic>` when the
annotation has a non-empty string `name` (a `null` statistic is named `null`, a number as Go
prints it, an object `[object Object]`, a list the empty string).

Everything else (other queries, non-object queries, panels without a `targets` list) is kept.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from string import ascii_uppercase
from typing import Any

from . import Dashboard, StepContext, all_panels, panel_name, step
from .v29 import go_int

CLOUDWATCH_QUERY_KEYS = ("dimensions", "namespace", "region", "metricName")
CLOUDWATCH_ANNOTATION_KEYS = ("dimensions", "namespace", "region", "prefixMatching", "statistics")


@step(34)
def v34(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in all_panels(dashboard):
        if isinstance(panel.get("targets"), list):
            _split_queries(panel, panel_name(pointer, panel), ctx)
    _split_annotations(dashboard, ctx)


def _split_queries(panel: dict[str, Any], name: str, ctx: StepContext) -> None:
    targets: list[Any] = panel["targets"]
    kept: list[Any] = []
    added: list[dict[str, Any]] = []
    for target in targets:
        if not (isinstance(target, dict) and all(k in target for k in CLOUDWATCH_QUERY_KEYS)):
            kept.append(target)
            continue
        changes = _editor_defaults(target)
        had_statistics = "statistics" in target
        statistics = target.pop("statistics", None)
        if isinstance(statistics, list) and len(statistics) > 1:
            new_ids = []
            for n, statistic in enumerate(statistics):
                query = dict(target)
                if statistic is not None:
                    query["statistic"] = statistic
                if n == 0:
                    kept.append(query)
                else:
                    query["refId"] = next_ref_id([*targets, *added], len(added))
                    new_ids.append(query["refId"])
                    added.append(query)
            changes.append(
                f"{len(statistics)} `statistics` split into {len(statistics)} queries "
                f"(new: {', '.join(new_ids)})"
            )
        else:
            if isinstance(statistics, list) and statistics and statistics[0] is not None:
                target["statistic"] = statistics[0]
                changes.append(f"`statistics` → `statistic` {_json(statistics[0])}")
            elif had_statistics:
                changes.append(f"`statistics` {_json(statistics)} removed")
            kept.append(target)
        if changes:
            ctx.log(f"CloudWatch query {_shown_ref(target)}: {'; '.join(changes)}", name)
    panel["targets"] = kept + added


def _editor_defaults(target: dict[str, Any]) -> list[str]:
    """`migrateCloudWatchQuery`: the query type and editor mode a query without them has."""
    changes = []
    if "metricQueryType" not in target:
        target["metricQueryType"] = 0  # search
        changes.append("`metricQueryType` 0 (search) added")
    if "metricEditorMode" not in target:
        expression = target.get("expression")
        code = go_int(target.get("metricQueryType"), 0) == 1 or (
            isinstance(expression, str) and expression != ""
        )
        target["metricEditorMode"] = 1 if code else 0
        changes.append(f"`metricEditorMode` {'1 (code)' if code else '0 (builder)'} added")
    return changes


def next_ref_id(targets: list[Any], added: int) -> str:
    """Go's `generateNextRefId`: the first of A…Z, then AA…ZZ, no query uses (`added`: how
    many queries the panel already gained, for Go's fallback that 702 queries exhaust)."""
    used = {t.get("refId") for t in targets if isinstance(t, dict)}
    for candidate in ascii_uppercase:
        if candidate not in used:
            return candidate
    for first in ascii_uppercase:
        for second in ascii_uppercase:
            if first + second not in used:
                return first + second
    return "X" + chr(ord("0") + added)


def _shown_ref(target: dict[str, Any]) -> str:
    ref_id = target.get("refId")
    return f"`{ref_id}`" if isinstance(ref_id, str) and ref_id else "(no refId)"


def _split_annotations(dashboard: Dashboard, ctx: StepContext) -> None:
    annotations = dashboard.get("annotations")
    items = annotations.get("list") if isinstance(annotations, dict) else None
    if not isinstance(items, list):
        return
    added: list[dict[str, Any]] = []
    for i, annotation in enumerate(list(items)):
        if not (
            isinstance(annotation, dict)
            and all(k in annotation for k in CLOUDWATCH_ANNOTATION_KEYS)
        ):
            continue
        original = annotation.get("name")
        label = original if isinstance(original, str) and original else f"#{i}"
        statistics = annotation.pop("statistics")
        if not isinstance(statistics, list) or len(statistics) <= 1:
            if isinstance(statistics, list) and statistics and statistics[0] is not None:
                annotation["statistic"] = statistics[0]
                ctx.log(
                    f"CloudWatch annotation {label}: `statistics` → `statistic` "
                    f"{_json(statistics[0])}"
                )
            else:
                ctx.log(f"CloudWatch annotation {label}: `statistics` {_json(statistics)} removed")
            continue
        copies = []
        for statistic in statistics:
            copy = dict(annotation)
            if statistic is not None:
                copy["statistic"] = statistic
            if isinstance(original, str) and original:
                copy["name"] = f"{original} - {_statistic_suffix(statistic)}"
            copies.append(copy)
        items[i] = copies[0]
        added += copies[1:]
        ctx.log(
            f"CloudWatch annotation {label} with {len(statistics)} statistics split into "
            f"{len(statistics)} annotations"
        )
    items += added


def _statistic_suffix(statistic: Any) -> str:
    """Go's `getSuffixForStat`, which prints values as JavaScript would."""
    if statistic is None:
        return "null"
    if isinstance(statistic, str):
        return statistic
    if isinstance(statistic, dict):
        return "[object Object]"
    if isinstance(statistic, list):
        return ""
    if isinstance(statistic, bool):
        return "true" if statistic else "false"
    if isinstance(statistic, int | float):
        return go_v(float(statistic))
    return str(statistic)


def _json(value: Any) -> str:
    return json.dumps(value)


def go_v(value: float) -> str:
    """Go's `fmt.Sprintf("%v", value)` of a float64: `%g` with the shortest digits, which
    switches to the exponent form when the decimal exponent is below -4 or at least 6
    (`1e+06`, `1.5e-05`; `123456`, `0.0001`)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    decimal_point = len(digits) + exponent  # position of the point after the first digits
    exp = decimal_point - 1
    if exp < -4 or exp >= 6:  # strconv's %g decides with precision 6 when it is the shortest
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        out = f"{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    elif decimal_point <= 0:
        out = "0." + "0" * -decimal_point + text
    elif decimal_point >= len(text):
        out = text + "0" * (decimal_point - len(text))
    else:
        out = text[:decimal_point] + "." + text[decimal_point:]
    return ("-" if sign else "") + out
