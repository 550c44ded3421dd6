"""One module per dashboard, each composing panel factories from `panels`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboards import devops_docker_view, simulation_entity_view
from dashboards.common import DashboardSpec
from tsedash.registry import Registry

Builder = Callable[[Registry], dict[str, Any]]

DASHBOARDS: tuple[tuple[DashboardSpec, Builder], ...] = (
    (devops_docker_view.SPEC, devops_docker_view.build),
    (simulation_entity_view.SPEC, simulation_entity_view.build),
)


def build_all(registry: Registry) -> list[tuple[DashboardSpec, dict[str, Any]]]:
    return [(spec, build(registry)) for spec, build in DASHBOARDS]
