"""Lint building blocks: a rule, a finding, and the parsed view of one dashboard."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import promql_parser as pp

from tsedash.findings import Finding, Severity
from tsedash.queries.expand import LINT_GLOBALS, expand
from tsedash.registry import Registry

__all__ = [
    "DashboardContext",
    "Issue",
    "LintFinding",
    "Rule",
    "Selector",
    "Severity",
    "Target",
    "is_sample",
    "parse",
    "sample_value",
]

VARIABLE_SAMPLE_PREFIX = "tsedash_var_"
T = TypeVar("T")


@dataclass(frozen=True)
class Issue:
    """What a rule reports; the runner adds the rule, dashboard and file."""

    message: str
    panel: str = ""
    ref_id: str = ""
    expr: str = ""


# A lint finding is the project's one finding model, with its rule as the code.
LintFinding = Finding


PanelCheck = Callable[["DashboardContext", dict[str, Any]], Iterable[str]]
TargetCheck = Callable[["DashboardContext", "Target"], Iterable[str]]
VariableCheck = Callable[["DashboardContext", dict[str, Any]], Iterable[str]]
DashboardCheck = Callable[["DashboardContext"], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    """A rule checks one kind of thing: the runner loops, the rule says what is wrong with one.

    Exactly one of `dashboard` (the whole model), `panel` (each panel, rows' children too),
    `target` (each query, parsed) or `variable` (each query variable); the per-panel, -target
    and -variable checks yield messages, which the runner locates.
    """

    name: str  # kebab-case; also its key in .lint.yaml
    description: str
    severity: Severity
    dashboard: DashboardCheck | None = None
    panel: PanelCheck | None = None
    target: TargetCheck | None = None
    variable: VariableCheck | None = None

    def __post_init__(self) -> None:
        scopes = [self.dashboard, self.panel, self.target, self.variable]
        if sum(s is not None for s in scopes) != 1:
            raise ValueError(
                f"rule {self.name}: give exactly one of dashboard/panel/target/variable"
            )

    def check(self, ctx: DashboardContext) -> Iterator[Issue]:
        if self.dashboard is not None:
            yield from self.dashboard(ctx)
        if self.panel is not None:
            for panel in ctx.panels():
                title = str(panel.get("title", ""))
                yield from (Issue(m, title) for m in self.panel(ctx, panel))
        if self.target is not None:
            for target in ctx.targets:
                yield from (target.issue(m) for m in self.target(ctx, target))
        if self.variable is not None:
            for var in ctx.query_variables():
                yield from (
                    Issue(f"variable `{var.get('name')}`{m}") for m in self.variable(ctx, var)
                )


@dataclass
class Selector:
    """A vector selector with the functions and aggregations around it (outermost first)."""

    node: Any  # promql_parser.VectorSelector
    parents: list[Any]

    @property
    def metric(self) -> str:
        return str(self.node.name or "")

    def matchers(self) -> list[tuple[str, str, str]]:
        return [
            (m.name, str(m.op).removeprefix("MatchOp."), m.value)
            for m in self.node.matchers.matchers
        ]

    def inside(self, *functions: str) -> bool:
        return any(isinstance(p, pp.Call) and p.func.name in functions for p in self.parents)


@dataclass
class Target:
    panel: dict[str, Any]
    target: dict[str, Any]
    expanded: str
    ast: Any | None
    error: str = ""
    selectors: list[Selector] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.panel.get("title", ""))

    @property
    def ref_id(self) -> str:
        return str(self.target.get("refId", ""))

    @property
    def expr(self) -> str:
        return str(self.target.get("expr", ""))

    def issue(self, message: str) -> Issue:
        return Issue(message, self.title, self.ref_id, self.expanded)


def sample_value(variable: str) -> str:
    return f"{VARIABLE_SAMPLE_PREFIX}{variable}"


def is_sample(value: str) -> bool:
    return VARIABLE_SAMPLE_PREFIX in value


# The panels that run no query (validation's schema lists the same: a test holds them equal);
# Grafana still stores its default query `A` on them.
NO_QUERY_PANELS = frozenset(
    ("row", "text", "dashlist", "news", "alertlist", "annolist", "welcome", "gettingstarted")
)


def parse(expr: str) -> tuple[Any | None, str, list[Selector]]:
    try:
        ast = pp.parse(expr)
    except ValueError as exc:
        return None, str(exc) or "does not parse", []
    selectors: list[Selector] = []
    stack: list[Any] = []

    def pre(node: Any) -> bool:
        if isinstance(node, pp.VectorSelector):
            selectors.append(Selector(node, list(stack)))
        stack.append(node)
        return True

    def post(node: Any) -> bool:
        stack.pop()
        return True

    pp.walk(ast, pre, post)
    return ast, "", selectors


@dataclass
class DashboardContext:
    file: str
    model: dict[str, Any]
    registry: Registry

    def __post_init__(self) -> None:
        self.uid = str(self.model.get("uid", ""))
        self._memo: dict[Callable[..., Any], Any] = {}
        self.variables: dict[str, dict[str, Any]] = {
            str(v.get("name")): v
            for v in self.model.get("templating", {}).get("list", [])
            if isinstance(v, dict)
        }
        values = {name: sample_value(name) for name in self.variables}
        values.update(LINT_GLOBALS)
        self.values = values
        self.targets: list[Target] = []
        for panel in self.panels():
            for target in panel.get("targets", []) or []:
                if panel.get("type") in NO_QUERY_PANELS and "expr" not in target:
                    continue  # Grafana's default query `A` on a panel that runs none
                expanded = expand(str(target.get("expr", "")), values)
                ast, error, selectors = parse(expanded)
                self.targets.append(Target(panel, target, expanded, ast, error, selectors))

    def panels(self) -> Iterator[dict[str, Any]]:
        for panel in self.model.get("panels", []):
            if isinstance(panel, dict):
                yield panel
                yield from (c for c in panel.get("panels", []) or [] if isinstance(c, dict))

    def once(self, compute: Callable[[DashboardContext], T]) -> T:
        """`compute(self)`, computed once per dashboard (what a per-target rule looks up)."""
        if compute not in self._memo:
            self._memo[compute] = compute(self)
        return cast(T, self._memo[compute])

    def query_variables(self) -> list[dict[str, Any]]:
        return [v for v in self.variables.values() if v.get("type") == "query"]

    def known_jobs(self) -> set[str]:
        return set(self.registry.services) | {j.job for j in self.registry.infrastructure}
