"""The build pipeline: registry → dashboards → validation → lint → provisioning files (and the
deployment artefacts) on disk, behind one call.

`run_build(BuildInputs, BuildOptions, content)` → `BuildReport` is the whole build as the
command runs it (`run`: cache, lint, deploy); `generate`/`write`/`build` are its stages
(`stages`). The dashboards come from a `tsedash.spec.Content` the caller hands in (the
composition root: `tsedash.commands`, `build.py`); the pipeline never imports the content.

Light to import: the stages load on first use, so that an unchanged build loads none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tsedash.pipeline.inputs import BaseChoice, BuildInputs, SourceSpec, default_extras
from tsedash.pipeline.report import BuildReport
from tsedash.pipeline.run import BuildFailed, BuildOptions, LintFailed, build_from, run_build

if TYPE_CHECKING:
    from tsedash.pipeline.stages import (
        DEFAULT_OUT,
        BuildResult,
        ExtrasNeedMigration,
        build,
        generate,
        migrations_of,
        v2_files,
        write,
    )

_STAGES = {
    "DEFAULT_OUT",
    "BuildResult",
    "ExtrasNeedMigration",
    "build",
    "generate",
    "migrations_of",
    "v2_files",
    "write",
}

__all__ = [
    "DEFAULT_OUT",
    "BaseChoice",
    "BuildFailed",
    "BuildInputs",
    "BuildOptions",
    "BuildReport",
    "BuildResult",
    "ExtrasNeedMigration",
    "LintFailed",
    "SourceSpec",
    "build",
    "build_from",
    "default_extras",
    "generate",
    "migrations_of",
    "run_build",
    "v2_files",
    "write",
]


def __getattr__(name: str) -> Any:
    """The stages, imported when first used (PEP 562)."""
    if name in _STAGES:
        from tsedash.pipeline import stages

        return getattr(stages, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
