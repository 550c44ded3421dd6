"""The build pipeline: registry → dashboards → validation → provisioning files on disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboards import build_all
from tsedash.extra import DEFAULT_DIR as DEFAULT_EXTRAS
from tsedash.extra import load_extras
from tsedash.provisioning import WriteReport, render_files, write_tree
from tsedash.provisioning.render import DASHBOARD_DIR
from tsedash.registry import Registry, load_registry
from tsedash.validate import ValidationFailed, validate_dashboards

DEFAULT_OUT = "provisioning"


@dataclass
class BuildResult:
    registry: Registry
    dashboards: list[tuple[Any, dict[str, Any]]]  # DashboardSpec or ExtraSpec
    files: dict[str, bytes]
    report: WriteReport | None = None


def generate(registry: Registry, extras: Path | None = DEFAULT_EXTRAS) -> BuildResult:
    """Everything in memory, validated; raises ValidationFailed before anything is written.

    `extras`: the directory of extra dashboards (`dashboards/extra`), None for none.
    """
    dashboards: list[tuple[Any, dict[str, Any]]] = [*build_all(registry), *load_extras(extras)]
    findings = validate_dashboards(
        ((f"{DASHBOARD_DIR}/{spec.filename}", model) for spec, model in dashboards),
        registry.datasource.uid,
    )
    if findings:
        raise ValidationFailed(findings)
    return BuildResult(registry, dashboards, render_files(registry, dashboards))


def build(
    registry: Registry | str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] = DEFAULT_OUT,
    extras: Path | None = DEFAULT_EXTRAS,
) -> BuildResult:
    """Load, generate, validate, then write: a failure at any step leaves `out` untouched.

    `registry` is a loaded (possibly merged) Registry, or a registry file path.
    """
    loaded = registry if isinstance(registry, Registry) else load_registry(registry)
    result = generate(loaded, extras)
    result.report = write_tree(Path(out), result.files)
    return result
