"""The content: one module per dashboard, each composing panel factories from `panels`.

This package is a `tsedash.spec.Content` (`build_all`, `apply_defaults`); the composition root
hands it to the pipeline, which never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tsedash.registry import Registry
from tsedash.spec import DashboardSpec
from tsedash_dashboards import devops_docker_view, simulation_entity_view
from tsedash_dashboards.common import apply_defaults

Builder = Callable[[Registry], dict[str, Any]]

DASHBOARDS: tuple[tuple[DashboardSpec, Builder], ...] = (
    (devops_docker_view.SPEC, devops_docker_view.build),
    (simulation_entity_view.SPEC, simulation_entity_view.build),
)


def build_all(registry: Registry) -> list[tuple[DashboardSpec, dict[str, Any]]]:
    return [(spec, build(registry)) for spec, build in DASHBOARDS]


__all__ = ["DASHBOARDS", "apply_defaults", "build_all"]
