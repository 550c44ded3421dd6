"""target-route-unbounded: a query whose result keeps the `route` label is bounded by
topk/bottomk/limitk.

On the Python services a path that matches no route keeps its raw URL as `route` (a favicon, a
scanner's `/.env`, `/api/v1/nope`): every new path is a new series, so a panel or table with
one series per route grows without bound. Aggregate `route` away (`sum by (instance)`), or
rank it (`topk(10, sum by (instance, route, code) (…))`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import promql_parser as pp

from tsedash.lint.core import DashboardContext, Rule, Severity, Target
from tsedash.registry.exposition import ROUTE_SERIES
from tsedash.registry.recorded import ROUTES

ROUTE = "route"
# Functions whose result has no labels of their arguments.
LABEL_DROPPING = frozenset({"scalar", "vector", "time", "absent", "absent_over_time"})


def route_series(ctx: DashboardContext) -> set[str]:
    declared = {m.name for s in ctx.registry.services.values() for m in s.metrics if ROUTE in m.by}
    return {*ROUTE_SERIES, ROUTES, *declared}


def _groups_by_route(modifier: Any) -> bool:
    """Whether an aggregation's groups are told apart by `route` (a bare one has one group)."""
    if modifier is None:
        return False
    labels = list(modifier.labels or [])
    if modifier.type == pp.AggModifierType.By:
        return ROUTE in labels
    return ROUTE not in labels  # without (…)


def _aggregate_keeps(node: Any, carriers: set[str]) -> bool:
    inner = keeps_route(node.expr, carriers)
    if str(node.op) == "limit_ratio":
        return inner  # a share of every group's series, each with its labels
    # One series per group (sum, avg, …), or k per group (topk, bottomk, limitk): unbounded
    # only when there is a group per route.
    return inner and _groups_by_route(node.modifier)


def _binary_keeps(node: Any, carriers: set[str]) -> bool:
    lhs, rhs = keeps_route(node.lhs, carriers), keeps_route(node.rhs, carriers)
    op = str(node.op)
    if op in ("and", "unless"):
        return lhs  # the left side's series, filtered
    if op == "or":
        return lhs or rhs
    modifier = node.modifier
    matching = modifier.matching if modifier is not None else None
    card = str(modifier.card) if modifier is not None else ""
    if card.endswith("ManyToOne"):  # group_left: the left side's labels (+ included ones)
        return lhs or (rhs and ROUTE in (modifier.group_labels or []))
    if card.endswith("OneToMany"):
        return rhs or (lhs and ROUTE in (modifier.group_labels or []))
    if matching is not None:
        labels = list(matching.labels or [])
        if matching.type == pp.LabelModifierType.Include:  # on (…): only those labels
            return ROUTE in labels and (lhs or rhs)
        if ROUTE in labels:  # ignoring (route)
            return False
    return lhs or rhs


def keeps_route(node: Any, carriers: set[str]) -> bool:
    """Whether the result of `node` has one series per `route`, unbounded."""
    if isinstance(node, pp.VectorSelector):
        return str(node.name or "") in carriers
    if isinstance(node, pp.MatrixSelector):
        return keeps_route(node.vector_selector, carriers)
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return keeps_route(node.expr, carriers)
    if isinstance(node, pp.Call):
        if node.func.name in LABEL_DROPPING:
            return False
        return any(keeps_route(arg, carriers) for arg in node.args)
    if isinstance(node, pp.AggregateExpr):
        return _aggregate_keeps(node, carriers)
    if isinstance(node, pp.BinaryExpr):
        return _binary_keeps(node, carriers)
    return False  # number and string literals


def check(ctx: DashboardContext, target: Target) -> Iterator[str]:
    if target.ast is None:
        return  # target-promql reports it
    if keeps_route(target.ast, ctx.once(route_series)):
        yield (
            "one series per `route` without topk/bottomk/limitk: on the Python services a path "
            "no route matches keeps its raw URL as `route` (every scanner's path is a new "
            "series); aggregate `route` away or rank it, e.g. topk(10, …)"
        )


RULE = Rule(
    "target-route-unbounded",
    "A query keeping the `route` label is bounded by topk, bottomk or limitk.",
    Severity.WARNING,
    target=check,
)
