"""The dashboard variables' values as Grafana substitutes them on first load: each query
variable's options from its query against the same Prometheus (`label_values`,
`query_result`, regex, sort), the current selection (All → `allValue`, or every option), or
`--var NAME=VALUE`; multi-value selections formatted as Prometheus regexes
(`@grafana/prometheus datasource.ts: interpolateQueryExpr`)."""

from __future__ import annotations

import re
from typing import Any

from tsedash.errors import InputError
from tsedash.preview.data import QUERY, Source, TimeRange, run_query, seconds_text
from tsedash.queries.expand import expand

_LABEL_VALUES = re.compile(r"^\s*label_values\((?:(?P<expr>.*),\s*)?(?P<label>[\w.]+)\s*\)\s*$")
_QUERY_RESULT = re.compile(r"^\s*query_result\((?P<expr>.*)\)\s*$", re.S)
_REGEX_SPECIAL = re.compile(r"([\\^$*+?.()|{}\[\]])")


def regex_escape(value: str) -> str:
    """`prometheusSpecialRegexEscape`."""
    return _REGEX_SPECIAL.sub(r"\\\1", value)


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    """`--var NAME=VALUE` (repeat a name for several values)."""
    out: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--var {pair!r}: expected NAME=VALUE")
        out.setdefault(name, []).append(value)
    return out


def _format(values: list[str], var: dict[str, Any]) -> str:
    if not var.get("multi") and not var.get("includeAll"):
        return values[0] if values else ""
    escaped = [regex_escape(v) for v in values]
    return escaped[0] if len(escaped) == 1 else f"({'|'.join(escaped)})"


def _series_text(labels: dict[str, str], value: float, at: float) -> str:
    """A `query_result` line: `name{k="v", …} value timestamp_ms`."""
    name = labels.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{rest}}} {value:g} {int(at * 1000)}"


def _options(
    source: Source, var: dict[str, Any], values: dict[str, str], span: TimeRange
) -> list[str]:
    query = var.get("query")
    text = query.get("query", "") if isinstance(query, dict) else str(query or "")
    text = expand(text, values)
    lines: list[str]
    if m := _LABEL_VALUES.match(text):
        params = {"start": seconds_text(span.from_ms), "end": seconds_text(span.to_ms)}
        if m["expr"]:
            params["match[]"] = m["expr"]
        body = source.answer(f"/api/v1/label/{m['label']}/values", params)
        lines = [str(v) for v in body.get("data") or []] if body.get("status") == "success" else []
    elif m := _QUERY_RESULT.match(text):
        result = run_query(source, QUERY, {"query": m["expr"], "time": seconds_text(span.to_ms)})
        lines = [_series_text(s.labels, s.values[0], s.times[0]) for s in result.series]
    else:
        return []
    if regex := str(var.get("regex") or ""):
        pattern = re.compile(regex[1 : regex.rindex("/")] if regex.startswith("/") else regex)
        picked = []
        for line in lines:
            if found := pattern.search(line):
                picked.append(found.group(1) if pattern.groups else found.group(0))
        lines = picked
    lines = list(dict.fromkeys(lines))
    sort = int(var.get("sort") or 0)
    if sort in (1, 2):
        lines.sort(reverse=sort == 2)
    return lines


def resolve(
    model: dict[str, Any],
    source: Source,
    span: TimeRange,
    overrides: dict[str, list[str]],
    base: dict[str, str],
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(the values to substitute, each variable's selection as shown) for one dashboard;
    `base` holds the macros. Variables are resolved in order: a query may use earlier ones."""
    values = dict(base)
    shown: dict[str, list[str]] = {}
    for var in model.get("templating", {}).get("list", []):
        name = str(var.get("name", ""))
        current = (var.get("current") or {}).get("value")
        selected = [current] if isinstance(current, str) else list(current or [])
        options = _options(source, var, values, span) if var.get("type") == "query" else []
        if name in overrides:
            selected = overrides[name]
            values[name] = _format(selected, var)
        elif "$__all" in selected:
            selected = ["All"]
            values[name] = var.get("allValue") or _format(options, var)
        else:
            values[name] = _format([str(v) for v in selected], var)
        shown[name] = selected + ([f"({len(options)} options)"] if options else [])
    return values, shown
