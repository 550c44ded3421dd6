"""The build pipeline: registry → dashboards → validation → provisioning files on disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboards import build_all
from tsedash.errors import TsedashError
from tsedash.extra import DEFAULT_DIR as DEFAULT_EXTRAS
from tsedash.extra import load_extras
from tsedash.migrate import Migration
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

    @property
    def migrations(self) -> list[Migration]:
        """What importing old extra dashboards changed (`tsedash.migrate`)."""
        return migrations_of(self.dashboards)


def migrations_of(dashboards: list[tuple[Any, dict[str, Any]]]) -> list[Migration]:
    return [m for spec, _ in dashboards for m in getattr(spec, "migrations", ())]


class ExtrasNeedMigration(TsedashError):
    """`--strict-extras`: an extra dashboard is in an old format (exit 1, like a finding)."""

    exit_code = 1

    def __init__(self, migrations: list[Migration]) -> None:
        self.migrations = migrations
        uids = sorted({m.uid for m in migrations})
        super().__init__(
            f"--strict-extras: {len(uids)} extra dashboard(s) need a migration "
            f"({', '.join(uids)}); save them migrated (`tsedash build` writes them) or drop "
            "--strict-extras"
        )


def generate(
    registry: Registry, extras: Path | None = DEFAULT_EXTRAS, strict_extras: bool = False
) -> BuildResult:
    """Everything in memory, validated; raises ValidationFailed before anything is written.

    `extras`: the directory of extra dashboards (`dashboards/extra`), None for none; with
    `strict_extras`, one that needed a migration is refused (ExtrasNeedMigration).
    """
    dashboards: list[tuple[Any, dict[str, Any]]] = [
        *build_all(registry),
        *load_extras(extras, registry.datasource),
    ]
    migrations = migrations_of(dashboards)
    if strict_extras and migrations:
        raise ExtrasNeedMigration(migrations)
    findings = validate_dashboards(
        ((f"{DASHBOARD_DIR}/{spec.filename}", model) for spec, model in dashboards),
        registry.datasource.uid,
    )
    if findings:
        raise ValidationFailed(findings, migrations)
    return BuildResult(registry, dashboards, render_files(registry, dashboards))


def build(
    registry: Registry | str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] = DEFAULT_OUT,
    extras: Path | None = DEFAULT_EXTRAS,
    strict_extras: bool = False,
) -> BuildResult:
    """Load, generate, validate, then write: a failure at any step leaves `out` untouched.

    `registry` is a loaded (possibly merged) Registry, or a registry file path.
    """
    loaded = registry if isinstance(registry, Registry) else load_registry(registry)
    result = generate(loaded, extras, strict_extras)
    result.report = write_tree(Path(out), result.files)
    return result
