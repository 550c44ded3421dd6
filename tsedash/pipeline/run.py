"""`run_build`: the whole build behind one call — recognise unchanged inputs (the build cache),
else load → generate → lint → write → deploy → record — returning a `BuildReport`.

Every stage is imported when it runs: a reused build loads none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tsedash.errors import InputError, TsedashError
from tsedash.pipeline.inputs import (
    BaseChoice,
    BuildInputs,
    SourceSpec,
    default_extras,
    source_lines,
)
from tsedash.pipeline.report import BuildReport, DeployReport, FilesReport

if TYPE_CHECKING:
    from tsedash.files import WriteReport
    from tsedash.spec import Content


@dataclass(frozen=True)
class BuildOptions:
    """How to build (what to read is `BuildInputs`)."""

    out: Path = Path("provisioning")
    strict_extras: bool = False
    lint: bool = False  # lint the generated dashboards too (extras are always linted)
    strict: bool = False
    deploy: Path | None = None  # also write the deployment artefacts there
    extras_timeout: float = 30.0
    schema: str = "v1"
    rebuild: bool = False  # build even when the inputs are unchanged


class LintFailed(TsedashError):
    exit_code = 1


class BuildFailed(TsedashError):
    """A build that stopped: its cause (exit code, message) and what it had found so far."""

    def __init__(self, cause: TsedashError, report: BuildReport, extra: list[str]) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.exit_code = cause.exit_code
        self.problems = getattr(cause, "problems", None)  # a RegistryError's lines
        self.report = report
        self.extra = extra  # the cause's own lines (migrations, validation findings)

    def lines(self, quiet: bool = False) -> list[str]:
        return [*self.report.failure_lines(quiet), *self.extra]


def run_build(
    inputs: BuildInputs, options: BuildOptions, content: Callable[[], Content]
) -> BuildReport:
    """Build, or recognise that the files are current; raises BuildFailed (nothing written).

    `content` is called only when the dashboards are built (the composition root's import)."""
    from tsedash import buildcache

    if options.deploy is None and inputs.base != type(inputs.base)():
        raise InputError("--base, --no-base and --replace-job apply with --deploy")
    digest = None if options.rebuild else build_digest(inputs, options)
    record = buildcache.lookup(options.out, digest) if digest else None
    if record is not None:
        return BuildReport.from_record(record)
    report = BuildReport()
    try:
        owned = _build(inputs, options, content, report)
    except TsedashError as exc:
        raise BuildFailed(exc, report, _cause_lines(exc)) from None
    if digest:
        buildcache.store(options.out, digest, owned, report.record())
    return report


def build_from(
    spec: SourceSpec,
    content: Callable[[], Content],
    extras: Path | None = None,
    exclusions: str | None = None,
    base: BaseChoice | None = None,
    **options: Any,
) -> BuildReport:
    """`tsedash build`'s options: what to read (`BuildInputs`, the default extras directory
    when there is one), how to build (`BuildOptions`), then `run_build`."""
    inputs = BuildInputs(spec, default_extras(extras), exclusions, base or BaseChoice())
    return run_build(inputs, BuildOptions(**options), content)


def build_digest(inputs: BuildInputs, options: BuildOptions) -> str | None:
    """The digest of everything this build reads; None when it cannot be known up front
    (live Redis, an extra that is Python code)."""
    from tsedash import buildcache

    extra_files = buildcache.extras_files(inputs.extras)
    if inputs.sources.discover or extra_files is None:
        return None
    files = [*inputs.files(options.deploy is not None), *extra_files]
    try:
        return buildcache.input_digest(
            [f for f in files if f.is_file()], [repr(options), repr(inputs)]
        )
    except OSError:
        return None  # the full build reports what cannot be read


def _build(
    inputs: BuildInputs, options: BuildOptions, content: Callable[[], Content], report: BuildReport
) -> list[Path]:
    """The full build, filling `report` as it goes; returns every file it owns."""
    from tsedash.files import MANIFEST
    from tsedash.pipeline import stages
    from tsedash.pipeline.lintstep import lint_built

    sources = inputs.sources.load()
    report.source_warnings = source_lines(sources)
    registry = sources.registry
    merge = merged = None
    if options.deploy is not None:  # a base that cannot be merged stops the build early
        merge, merged = inputs.base.merge(inputs.sources, registry)
    result = stages.generate(
        registry,
        content(),
        inputs.extras,
        options.strict_extras,
        options.extras_timeout,
        options.schema,
    )
    report.dashboards = [
        {"uid": spec.uid, "file": spec.filename, "panels": len(model["panels"])}
        for spec, model in result.dashboards
    ]
    report.migrations = [m.as_dict() for m in result.migrations]
    report.v2_conversion = [n.as_dict() for n in result.v2_notes]
    report.v2_summary = _v2_lines(result.v2_notes)
    extras = any(hasattr(spec, "source") for spec, _ in result.dashboards)
    if options.lint or extras:
        report.lint = lint_built(
            result.dashboards,
            registry,
            options.out,
            inputs.exclusions,
            options.strict,
            full=options.lint,
        )
        if report.lint.failed():
            raise LintFailed(f"lint failed; nothing written to {options.out}")
    written = stages.write(result, options.out)
    what = f"{len(result.dashboards)} dashboards from {len(registry.instances)} instances"
    report.provisioning = _files(FilesReport, options.out, what, written)
    owned = _owned(options.out, written, MANIFEST)
    if options.deploy is not None:
        from tsedash.deploy import write_deploy
        from tsedash.files import manifest_name

        compose = inputs.sources.compose_files(registry)
        deployed = write_deploy(registry, options.deploy, merge, compose)
        what = f"{len(registry.instances)} instances"
        report.deploy = _files(DeployReport, options.deploy, what, deployed)
        if merged is not None:
            report.deploy.base, report.deploy.base_line = merged.as_dict(), merged.line()
        owned += _owned(options.deploy, deployed, manifest_name("deploy"))
    return owned


def _files(kind: Any, out: Path, what: str, written: WriteReport) -> Any:
    return kind(str(out), what, written.written, written.unchanged, written.removed)


def _owned(out: Path, written: WriteReport, manifest: str) -> list[Path]:
    return [out / rel for rel in (*written.written, *written.unchanged, manifest)]


def _v2_lines(notes: list[Any]) -> list[str]:
    from tsedash.dashv2.report import summary_lines

    return summary_lines(notes)


def _cause_lines(exc: TsedashError) -> list[str]:
    """What a failure adds to the lines so far: the migrations before a validation finding
    (or that --strict-extras refuses) and the findings."""
    from tsedash.pipeline.stages import ExtrasNeedMigration
    from tsedash.validate import ValidationFailed

    if isinstance(exc, ValidationFailed):
        return [f"migrated {m}" for m in exc.migrations] + [str(f) for f in exc.findings]
    if isinstance(exc, ExtrasNeedMigration):
        return [f"needs migration: {m}" for m in exc.migrations]
    return []
