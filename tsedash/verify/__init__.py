"""`tsedash verify`: do the built dashboards show data on this Prometheus, for every instance?

Each query of each panel is expanded as Grafana would send it with every variable on "All"
(their `allValue`) and the time macros, run as an instant query, and its series matched to the
instances it should show: the instances of the service types its `job` matchers select (or of
cAdvisor's container `name`). A panel in a collapsed row marked planned is reported as planned
and not run. A panel whose `noValue` is set (Firing Alerts) may be empty. A series that appears
only after a particular request (readiness) is "waiting", not broken. On top, every registry
instance must have a scrape target that is up, and every infrastructure job must be scraped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import promql_parser as pp

from tsedash import remote
from tsedash.errors import InputError
from tsedash.provisioning.render import read_dashboards
from tsedash.queries.expand import expand, macro_values
from tsedash.registry import Registry
from tsedash.registry.exposition import LAZY_METRICS
from tsedash.verify.api import PrometheusAPI, Rejected

if TYPE_CHECKING:
    from tsedash.verify.compare import CompareReport
    from tsedash.verify.store import StoreChecks

DATA = "data"
NO_DATA = "NO DATA"
PLANNED = "planned"
WAITING = "waiting"  # a lazily created series nobody has asked for yet
EMPTY_OK = "ok"  # an empty result is the good state (no firing alerts)
NOT_SHOWN = "-"
ALL = "(all)"  # the column of panels that aggregate over instances


# Every failure of Prometheus (unreachable, an error status, an answer we cannot use): exit 3.
PrometheusUnreachable = remote.RemoteError


@dataclass
class TargetResult:
    ref_id: str
    query: str
    states: dict[str, str]  # instance (or ALL) -> state
    error: str = ""


@dataclass
class PanelResult:
    dashboard: str
    panel: str
    targets: list[TargetResult] = field(default_factory=list)
    planned: bool = False

    def cells(self) -> dict[str, str]:
        """One state per column: the worst of the panel's targets."""
        if self.planned:
            return {ALL: PLANNED}
        order = [NO_DATA, WAITING, EMPTY_OK, DATA]
        out: dict[str, str] = {}
        for target in self.targets:
            for key, state in target.states.items():
                current = out.get(key)
                if current is None or order.index(state) < order.index(current):
                    out[key] = state
        # An aggregate line beside per-instance series (the "selected together" target) is
        # worth a column only when it has no data.
        if len(out) > 1 and out.get(ALL) == DATA:
            del out[ALL]
        return out


@dataclass
class ScrapeResult:
    job: str
    instance: str  # empty for an infrastructure job
    state: str  # up · down · missing
    scrape_url: str = ""
    error: str = ""


@dataclass
class VerifyReport:
    prometheus: str
    instances: list[str]
    panels: list[PanelResult]
    scrapes: list[ScrapeResult]
    comparison: CompareReport | None = None  # the store against a reference (--reference)

    def failures(self) -> list[str]:
        out = self.comparison.failures() if self.comparison else []
        for s in self.scrapes:
            if s.state == "up":
                continue
            who = f"instance {s.instance} (job {s.job})" if s.instance else f"job {s.job}"
            if s.state == "missing":
                out.append(f"{who}: Prometheus has no scrape target for it")
            else:
                out.append(f"{who}: up == 0 scraping {s.scrape_url}: {s.error}")
        for p in self.panels:
            for t in p.targets:
                for key, state in sorted(t.states.items()):
                    if state == NO_DATA:
                        who = "any instance" if key == ALL else f"instance {key}"
                        why = f" ({t.error})" if t.error else ""
                        out.append(
                            f"{p.dashboard} / {p.panel} [{t.ref_id}]: no data for {who}{why}: "
                            f"{t.query}"
                        )
        return out

    def lines(self) -> list[tuple[bool, str]]:
        """(to stderr?, line) as `tsedash verify` prints them: the table (stdout), then each
        failure (stderr) or the ok line (stdout)."""
        failures = [(True, f"verify: {line}") for line in self.failures()]
        table = [(False, line) for line in render_table(self).splitlines()]
        return table + (failures or [(False, self.ok_line())])

    def ok_line(self) -> str:
        """The last line of a verify that passes."""
        shown = sum(1 for p in self.panels if not p.planned)
        return (
            f"verify: ok: {shown} panels have data for all {len(self.instances)} instances; "
            "every target is up"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.failures(),
            "prometheus": self.prometheus,
            "instances": self.instances,
            "scrapes": [s.__dict__ for s in self.scrapes],
            "panels": [
                {
                    "dashboard": p.dashboard,
                    "panel": p.panel,
                    "planned": p.planned,
                    "cells": p.cells(),
                    "targets": [t.__dict__ for t in p.targets],
                }
                for p in self.panels
            ],
            "failures": self.failures(),
            "comparison": self.comparison.as_dict() if self.comparison else None,
        }


# --- Prometheus ------------------------------------------------------------------------------


def error_document(exc: BaseException) -> dict[str, Any]:
    """`verify -o json` when verify could not run: still one document, with the exit code
    (2 bad input or usage, 3 Prometheus failed) and the message stderr shows."""
    code = getattr(exc, "exit_code", 2)
    if isinstance(exc, OSError):  # a file or device that could not be used (exit 2)
        where = f"{exc.filename}: " if exc.filename else ""
        message = f"{where}{exc.strerror or exc}"
    else:
        message = str(exc)
    error: dict[str, Any] = {"code": code, "message": message}
    problems = getattr(exc, "problems", None)  # a registry error: every problem
    if problems:
        error["problems"] = [p.as_dict() for p in problems]
    return {"ok": False, "error": error}


def check_options(
    prometheus: str | None, rate_interval: str, time_range: str, timeout: float
) -> str:
    """The Prometheus URL; InputError (exit 2) before any request for none given, a macro
    that is not a duration, or a timeout outside (0, 3600] seconds (nan and inf included)."""
    from tsedash.queries.expand import duration_ms

    if not prometheus:
        raise InputError("Invalid value for --prometheus: required (or env PROMETHEUS_URL)")
    for value, option in ((rate_interval, "--rate-interval"), (time_range, "--range")):
        try:
            duration_ms(value)
        except ValueError as exc:
            raise InputError(f"Invalid value for {option}: {exc}") from None
    if not 0 < timeout <= 3600:
        raise InputError(
            "Invalid value for --timeout: expected seconds, more than 0 and at most 3600"
        )
    return prometheus


def prometheus_api(url: str, path: str, params: dict[str, str], timeout: float = 10.0) -> Any:
    """One Prometheus API call through the server boundary: its successful answer, else a
    PrometheusUnreachable (a RemoteError, exit 3) with Prometheus' message."""
    return PrometheusAPI(url, timeout).get(path, params)


@dataclass(frozen=True)
class VerifyRequest:
    """`tsedash verify`'s options, checked before any request (InputError, exit 2)."""

    prometheus: str | None
    source: Path
    rate_interval: str = "1m"
    time_range: str = "15m"
    timeout: float = 10.0
    health: str = "targets"
    shard_targets: tuple[str, ...] = ()
    reference: str | None = None

    def run(self, registry_of: Callable[[], Registry]) -> VerifyReport:
        """Check the options, then read the registry (`registry_of`) and verify."""
        from tsedash.redact import remember_url
        from tsedash.verify.store import StoreChecks

        remember_url(self.prometheus)  # a password in the URL is masked wherever echoed
        url = check_options(self.prometheus, self.rate_interval, self.time_range, self.timeout)
        macros = Macros(rate_interval=self.rate_interval, range=self.time_range)
        store = StoreChecks(self.health, self.shard_targets, reference=self.reference)
        return verify(url, registry_of(), self.source, macros, self.timeout, store=store)


def check_url(url: str) -> str:
    """The --prometheus URL, refused (exit 2) before any request when it cannot be sent."""
    return remote.check_url(url, "--prometheus")


# --- what a query should show ----------------------------------------------------------------


def _matches(op: str, value: str, candidate: str) -> bool:
    if op == "=":
        return candidate == value
    if op == "!=":
        return candidate != value
    try:
        full = re.fullmatch(value, candidate) is not None
    except re.error:
        return False
    return full if op == "=~" else not full


def _selectors(expr: str) -> Iterator[Any]:
    found: list[Any] = []

    def pre(node: Any) -> bool:
        if isinstance(node, pp.VectorSelector):
            found.append(node)
        return True

    pp.walk(pp.parse(expr), pre, lambda node: True)
    yield from found


def _ops(selector: Any) -> list[tuple[str, str, str]]:
    return [
        (m.name, str(m.op).removeprefix("MatchOp."), m.value) for m in selector.matchers.matchers
    ]


_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


def scope(expr: str, registry: Registry) -> tuple[set[str], set[str]]:
    """(instances the query should show, metric names it reads)."""
    instances: set[str] = set()
    metrics: set[str] = set()
    prefix = registry.defaults.container_prefix
    for sel in _selectors(expr):
        metrics.add(str(sel.name or ""))
        matchers = [(n, _OPS.get(op, op), v) for n, op, v in _ops(sel)]
        jobs = [(op, v) for n, op, v in matchers if n == "job"]
        if not jobs:
            continue
        types = [t for t in registry.services if all(_matches(op, v, t) for op, v in jobs)]
        for inst in registry.instances:
            if inst.service_name in types:
                instances.add(inst.instance_name)
        names = [(op, v) for n, op, v in matchers if n == "name"]
        if names and all(_matches(op, v, "cadvisor") for op, v in jobs):
            for inst in registry.instances:
                if all(_matches(op, v, f"{prefix}{inst.instance_name}") for op, v in names):
                    instances.add(inst.instance_name)
    return instances, metrics


def _instance_of(labels: dict[str, str], registry: Registry) -> str | None:
    if "instance" in labels and labels.get("job") != "cadvisor":
        return labels["instance"]
    name = labels.get("name")
    if name is not None:
        for inst in registry.instances:
            if inst.container_name == name:
                return inst.instance_name
    return labels.get("instance")


# --- the audit -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Macros:
    rate_interval: str = "1m"
    interval: str = "15s"
    range: str = "15m"


def _values(model: dict[str, Any], registry: Registry, macros: Macros) -> dict[str, str]:
    values = macro_values(macros.rate_interval, macros.interval, macros.range)
    for var in model.get("templating", {}).get("list", []) or []:
        name = str(var.get("name", ""))
        if var.get("type") == "datasource":
            values[name] = registry.datasource.uid
        elif var.get("includeAll"):
            values[name] = str(var.get("allValue") or ".*")
    return values


def _panels(model: dict[str, Any]) -> Iterator[tuple[dict[str, Any], bool]]:
    """(panel, planned) for every panel with targets, rows' children included."""
    for panel in model.get("panels", []) or []:
        if not isinstance(panel, dict):
            continue
        if panel.get("type") == "row":
            planned = panel.get("collapsed") is True and "planned" in str(panel.get("title"))
            for child in panel.get("panels", []) or []:
                if isinstance(child, dict) and child.get("targets"):
                    yield child, planned
        elif panel.get("targets"):
            yield panel, False


def _empty_ok(panel: dict[str, Any]) -> bool:
    return bool(((panel.get("fieldConfig") or {}).get("defaults") or {}).get("noValue"))


def _check_target(
    api: PrometheusAPI,
    registry: Registry,
    panel: dict[str, Any],
    target: dict[str, Any],
    values: dict[str, str],
) -> TargetResult:
    query = unranked(expand(str(target.get("expr", "")), values))
    ref_id = str(target.get("refId", ""))
    try:
        expected, metrics = scope(query, registry)
    except ValueError as exc:
        return TargetResult(ref_id, query, {ALL: NO_DATA}, f"does not parse: {exc}")
    answer = api.query(query, result_type(query))
    if isinstance(answer, Rejected):
        return TargetResult(ref_id, query, {ALL: NO_DATA}, answer.message)
    series = answer.series
    missing = EMPTY_OK if _empty_ok(panel) else NO_DATA
    if any(m in LAZY_METRICS for m in metrics):
        missing = WAITING
    shown = {_instance_of(labels, registry) for labels in series}
    per_instance = bool(expected) and any(s is not None for s in shown)
    if not expected or (not per_instance and series):
        return TargetResult(ref_id, query, {ALL: DATA if series else missing})
    states = {name: DATA if name in shown else missing for name in sorted(expected)}
    return TargetResult(ref_id, query, states)


_VALUE_TYPES = {"Vector": "vector", "Matrix": "matrix", "Scalar": "scalar", "String": "string"}


def result_type(expr: str) -> str | None:
    """The `resultType` Prometheus answers an instant query of `expr` with (vector, matrix,
    scalar, string), or None when the expression does not say."""
    try:
        return _node_type(pp.parse(expr))
    except ValueError:
        return None


def _node_type(node: Any) -> str | None:
    if isinstance(node, pp.NumberLiteral):
        return "scalar"
    if isinstance(node, pp.StringLiteral):
        return "string"
    if isinstance(node, pp.VectorSelector | pp.AggregateExpr):
        return "vector"
    if isinstance(node, pp.MatrixSelector | pp.SubqueryExpr):
        return "matrix"
    if isinstance(node, pp.Call):
        return _VALUE_TYPES.get(str(node.func.return_type).rpartition(".")[2])
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr):
        return _node_type(node.expr)
    if isinstance(node, pp.BinaryExpr):
        sides = {_node_type(node.lhs), _node_type(node.rhs)}
        return "vector" if "vector" in sides else "scalar" if sides == {"scalar"} else None
    return None


_RANKED = re.compile(
    r"^(?:sort|sort_desc)\((.*)\)\Z|^(?:topk|bottomk)\(\s*\d+\s*,\s*(.*)\)\Z", re.S
)


def unranked(query: str) -> str:
    """The expression under a top-level `sort`, `topk(k, …)` or `bottomk(k, …)`: the panels
    show only the k highest or lowest, but every instance must have data underneath."""
    while (match := _RANKED.match(query.strip())) is not None:
        inner = match.group(1) or match.group(2)
        if not _balanced(inner):
            break  # `topk(1, a) + b(...)`: the parentheses close before the end
        query = inner
    return query


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _scrapes(api: PrometheusAPI, registry: Registry) -> list[ScrapeResult]:
    return scrapes_of_targets(api.active_targets(), registry)


def scrapes_of_targets(active: list[dict[str, Any]], registry: Registry) -> list[ScrapeResult]:
    """Each registry instance's and infrastructure job's state among active scrape targets
    (one server's, or every shard's merged: tsedash.verify.health)."""
    by_key = {(t["labels"].get("job"), t["labels"].get("instance")): t for t in active}
    by_job: dict[str, list[dict[str, Any]]] = {}
    for t in active:
        by_job.setdefault(t["labels"].get("job", ""), []).append(t)
    out = []
    for inst in registry.instances:
        found = by_key.get((inst.service_name, inst.instance_name))
        out.append(_scrape(inst.service_name, inst.instance_name, found))
    for job in registry.infrastructure:
        targets = by_job.get(job.job, [])
        down = next((t for t in targets if t.get("health") != "up"), None)
        out.append(_scrape(job.job, "", down or (targets[0] if targets else None)))
    return out


def _scrape(job: str, instance: str, target: dict[str, Any] | None) -> ScrapeResult:
    if target is None:
        return ScrapeResult(job, instance, "missing")
    up = target.get("health") == "up"
    return ScrapeResult(
        job,
        instance,
        "up" if up else "down",
        str(target.get("scrapeUrl", "")),
        "" if up else str(target.get("lastError", "") or target.get("health")),
    )


def verify(
    prometheus: str,
    registry: Registry,
    dashboards: Path,
    macros: Macros = Macros(),
    timeout: float = 10.0,
    health: Callable[[PrometheusAPI, Registry], list[ScrapeResult]] | None = None,
    store: StoreChecks | None = None,
) -> VerifyReport:
    """`health`: where target health comes from (default: the server's `/api/v1/targets`;
    for a global store, tsedash.verify.health's `from_up` or `from_shards`, as `store` says);
    `store.reference`: the values compared with a reference Prometheus too."""
    api = PrometheusAPI(prometheus, timeout)  # refuses a URL that cannot be sent (exit 2)
    health = health or (store.health_source(timeout) if store else None)
    scrapes = (health or _scrapes)(api, registry)
    panels: list[PanelResult] = []
    for _, model in read_dashboards(dashboards):
        values = _values(model, registry, macros)
        uid = str(model.get("uid", ""))
        for panel, planned in _panels(model):
            result = PanelResult(uid, str(panel.get("title", "")), planned=planned)
            if not planned:
                for target in panel.get("targets", []) or []:
                    result.targets.append(_check_target(api, registry, panel, target, values))
            panels.append(result)
    comparison = store.compare(prometheus, registry, timeout) if store else None
    names = [i.instance_name for i in registry.instances]
    return VerifyReport(api.shown, names, panels, scrapes, comparison)


# --- the table -------------------------------------------------------------------------------


def render_table(report: VerifyReport) -> str:
    """Panel x instance: data / NO DATA / planned / waiting / ok (empty is good) / - ."""
    columns = [*report.instances, ALL]
    titles = [f"{p.dashboard} / {p.panel}" for p in report.panels]
    width = max([len("PANEL"), *(len(t) for t in titles)])
    lines = ["  ".join(["PANEL".ljust(width), *columns])]
    for title, panel in zip(titles, report.panels, strict=True):
        cells = panel.cells()
        row = [title.ljust(width)]
        row += [cells.get(c, NOT_SHOWN).center(len(c)) for c in columns]
        lines.append("  ".join(row).rstrip())
    lines.append("")
    lines.append("SCRAPE TARGETS")
    for s in report.scrapes:
        who = s.instance or "(infrastructure)"
        extra = f"  {s.scrape_url}" if s.scrape_url else ""
        lines.append(f"  {s.job:<24} {who:<26} {s.state}{extra}")
    return "\n".join(lines) + "\n"
