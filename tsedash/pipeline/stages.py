"""The build stages: registry → dashboards → validation → provisioning files on disk.

The dashboards come from a `tsedash.spec.Content` the caller hands in (the composition root:
`tsedash.cli`, `build.py`); this module never imports the content.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsedash.dashv2 import V2_DIR
from tsedash.dashv2.report import DashboardNote
from tsedash.dashv2.resources import convert_all
from tsedash.encode import dump_json
from tsedash.errors import TsedashError
from tsedash.extra import EXTRA_TIMEOUT, load_extras
from tsedash.files import WriteReport, write_tree
from tsedash.migrate import Migration
from tsedash.provisioning import render_files
from tsedash.provisioning.render import DASHBOARD_DIR
from tsedash.registry import Registry, load_sources
from tsedash.registry.loader import gc_paused
from tsedash.spec import Content
from tsedash.validate import ValidationFailed, validate_dashboards

DEFAULT_OUT = "provisioning"


@dataclass
class BuildResult:
    registry: Registry
    dashboards: list[tuple[Any, dict[str, Any]]]  # DashboardSpec or ExtraSpec
    files: dict[str, bytes]
    report: WriteReport | None = None
    # `schema="v2"`: what the conversion did not carry as it was (`tsedash.dashv2.report`)
    v2_notes: list[DashboardNote] = field(default_factory=list)

    @property
    def by_uid(self) -> list[tuple[str, dict[str, Any]]]:
        """(uid, model) of each dashboard, as push and diff send them."""
        return [(dash.uid, model) for dash, model in self.dashboards]

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
    registry: Registry,
    content: Content,
    extras: Path | None = None,
    strict_extras: bool = False,
    extras_timeout: float = EXTRA_TIMEOUT,
    schema: str = "v1",
) -> BuildResult:
    """Everything in memory, validated; raises ValidationFailed before anything is written.

    `extras`: a directory of extra dashboards, None for none; with `strict_extras`, one that
    needed a migration is refused (ExtrasNeedMigration). The content's defaults pass runs on
    every dashboard, generated or extra. `schema="v2"` also converts each dashboard to a v2
    resource (under `dashboards-v2/`), validated like the v1 models.
    """
    # A build allocates millions of objects and leaves few cycles: collecting meanwhile would
    # rescan the growing heap again and again (a third of a 50,000-panel build's time).
    with gc_paused():
        return _generate(registry, content, extras, strict_extras, extras_timeout, schema)


def _generate(
    registry: Registry,
    content: Content,
    extras: Path | None,
    strict_extras: bool,
    extras_timeout: float,
    schema: str,
) -> BuildResult:
    built: list[tuple[Any, dict[str, Any]]] = [
        *content.build_all(registry),
        *load_extras(extras, registry, extras_timeout),
    ]
    dashboards = [(spec, content.apply_defaults(model, spec)) for spec, model in built]
    del built  # the models before the defaults pass: not kept through validation and writing
    migrations = migrations_of(dashboards)
    if strict_extras and migrations:
        raise ExtrasNeedMigration(migrations)
    findings = validate_dashboards(
        ((f"{DASHBOARD_DIR}/{spec.filename}", model) for spec, model in dashboards),
        registry.datasource.uid,
    )
    if findings:
        raise ValidationFailed(findings, migrations)
    files = render_files(registry, dashboards)
    notes: list[DashboardNote] = []
    if schema == "v2":
        v2, notes = v2_files(registry, dashboards, migrations)
        files.update(v2)
    return BuildResult(registry, dashboards, files, v2_notes=notes)


def v2_files(
    registry: Registry, dashboards: list[tuple[Any, dict[str, Any]]], migrations: list[Migration]
) -> tuple[dict[str, bytes], list[DashboardNote]]:
    """The v2 resources of validated dashboards and the conversion's report; ValidationFailed
    when one cannot be one."""
    converted, findings, notes = convert_all(
        ((f"{V2_DIR}/{spec.filename}", model) for spec, model in dashboards),
        registry.folder.uid,
    )
    if findings:
        raise ValidationFailed(findings, migrations)
    return {file: dump_json(made) for file, made in converted}, notes


def build(
    registry: Registry | str | os.PathLike[str] | None,
    content: Content,
    out: str | os.PathLike[str] = DEFAULT_OUT,
    extras: Path | None = None,
    strict_extras: bool = False,
) -> BuildResult:
    """Load, generate, validate, then write: a failure at any step leaves `out` untouched.

    `registry` is a loaded (possibly merged) Registry, or a registry or compose file path
    (loaded by `tsedash.registry.load_sources`, the one loader the CLI uses too).
    """
    loaded = registry if isinstance(registry, Registry) else load_sources(registry).registry
    result = generate(loaded, content, extras, strict_extras)
    result.report = write(result, out)
    return result


def write(result: BuildResult, out: str | os.PathLike[str]) -> WriteReport:
    """Write what `generate` produced: every file atomically, stale ones removed after."""
    return write_tree(Path(out), result.files)
