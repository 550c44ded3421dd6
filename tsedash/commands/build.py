"""`tsedash build|validate|migrate|lint`."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import click

from tsedash.errors import InputError, TsedashError
from tsedash.spec import DEFAULT_EXTRAS_DIR, DEFAULT_REGISTRY, REGISTRY_ENV

if TYPE_CHECKING:
    from tsedash import buildcache
    from tsedash.lint import LintReport

# Every stage is imported by the commands that use it: `registry show` does not pay for the

from tsedash.commands.common import (
    echo,
    echo_lines,
    handles_errors,
    out_option,
    print_findings,
    print_report,
    report_dict,
    v2_lines,
)
from tsedash.commands.root import cli
from tsedash.commands.sources import (
    BaseChoice,
    SourceSpec,
    base_options,
    compose_files,
    content,
    default_extras,
    load_registry,
    prometheus_merge,
    registry_option,
    source_lines,
)


@cli.command("build")
@registry_option
@out_option
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option(
    "--extras",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Directory of extra dashboards (*.dashboard.py, *.json); default ./{DEFAULT_EXTRAS_DIR}"
    " if present.",
)
@click.option(
    "--strict-extras",
    is_flag=True,
    help="Refuse an extra dashboard that needed a migration (old schema, graph, singlestat).",
)
@click.option(
    "--lint", "lint", is_flag=True, help="Also lint the dashboards; findings stop the build."
)
@click.option("--strict", is_flag=True, help="With --lint: warnings and unused exclusions too.")
@click.option(
    "--exclusions",
    "exclusions_path",
    default=None,
    metavar="FILE",
    help="With --lint: the exclusions file (default: .lint.yaml when present).",
)
@click.option(
    "--deploy",
    "deploy_out",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the deployment artefacts (as `tsedash deploy --out DIR`).",
)
@click.option(
    "--extras-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds each *.dashboard.py extra may run.",
)
@click.option(
    "--rebuild", is_flag=True, help="Build even when the inputs are unchanged since the last build."
)
@click.option(
    "--schema",
    type=click.Choice(["v1", "v2"]),
    default="v1",
    show_default=True,
    help="v2: also write each dashboard as a dashboard.grafana.app/v2 resource under "
    "OUT/dashboards-v2/ (validated like v1); the file provider always reads v1.",
)
@base_options
@handles_errors
def build_cmd(
    registry_path: SourceSpec,
    out: Path,
    as_json: bool,
    extras: Path | None,
    strict_extras: bool,
    lint: bool,
    strict: bool,
    exclusions_path: str | None,
    deploy_out: Path | None,
    extras_timeout: float,
    rebuild: bool,
    schema: str,
    base: BaseChoice,
) -> None:
    """Build and validate both dashboards and write the provisioning files.

    Extra dashboards in an old format (grafanalib's, Grafana 8-10 JSON) are migrated the way
    Grafana migrates them; every change is printed (`--json`: listed). With --lint and
    --deploy, `make dashboards` is one process. When nothing it reads changed since the last
    build into the same directory, the files are known to be current and are not built again
    (`--rebuild` builds anyway)."""
    from tsedash import buildcache

    extras = default_extras(extras)
    if deploy_out is None and base != BaseChoice():
        raise InputError("--base, --no-base and --replace-job apply with --deploy")
    options = _BuildOptions(
        out,
        extras,
        strict_extras,
        lint,
        strict,
        exclusions_path,
        deploy_out,
        extras_timeout,
        schema,
        base,
    )
    digest = None if rebuild else _build_digest(registry_path, options)
    replay = buildcache.lookup(out, digest) if digest else None
    if replay is not None:
        for section in (replay.summary, replay.summary.get("deploy")):
            if section:
                section.update(
                    written=[], unchanged=sorted([*section["written"], *section["unchanged"]])
                )
                section["removed"] = []
        _emit_build(replay, as_json)
        return
    replay, owned = _build(registry_path, options)
    _emit_build(replay, as_json)
    if digest:
        buildcache.store(out, digest, owned, replay)


@dataclass(frozen=True)
class _BuildOptions:
    out: Path
    extras: Path | None
    strict_extras: bool
    lint: bool
    strict: bool
    exclusions: str | None
    deploy: Path | None
    extras_timeout: float = 30.0
    schema: str = "v1"
    base: BaseChoice = field(default_factory=BaseChoice)


def _build_digest(spec: SourceSpec, options: _BuildOptions) -> str | None:
    """The digest of everything this build reads; None when it cannot be known up front."""
    from tsedash import buildcache

    extra_files = buildcache.extras_files(options.extras)
    if spec.discover or extra_files is None:
        return None
    registry = Path(spec.path or DEFAULT_REGISTRY)
    # A compose file given as the registry reads instances.yaml beside the working directory.
    files = [registry, Path(DEFAULT_REGISTRY), *map(Path, spec.compose), *extra_files]
    if options.lint:
        files.append(Path(options.exclusions or ".lint.yaml"))
    if options.deploy is not None:
        files += options.base.candidates(spec)  # the Prometheus base, given or found
    try:
        return buildcache.input_digest(
            [f for f in files if f.is_file()], [repr(options), str(registry), *spec.compose]
        )
    except OSError:
        return None  # the full build reports what cannot be read


def _build(spec: SourceSpec, options: _BuildOptions) -> tuple[buildcache.Replay, list[Path]]:
    """The full build: what it prints (to print and record) and every file it owns."""
    from tsedash import buildcache, pipeline
    from tsedash.files import MANIFEST, manifest_name
    from tsedash.validate import ValidationFailed

    sources = spec.load()
    replay = buildcache.Replay(lines=[("err", line) for line in source_lines(sources)])
    merge = merged = None
    try:
        if options.deploy is not None:  # a base that cannot be merged stops the build early
            merge, merged = prometheus_merge(options.base, spec, sources.registry)
        result = pipeline.generate(
            sources.registry,
            content(),
            options.extras,
            options.strict_extras,
            extras_timeout=options.extras_timeout,
            schema=options.schema,
        )
        replay.lines += [("out", f"migrated {m}") for m in result.migrations]
        replay.lines += [("out", line) for line in v2_lines(result.v2_notes)]
        if options.lint:
            _lint_built(result, options, replay)
        result.report = pipeline.write(result, options.out)
    except ValidationFailed as exc:
        _echo_failed(replay)
        for migration in exc.migrations:
            echo(f"migrated {migration}", err=True)
        print_findings(exc.findings)
        raise
    except pipeline.ExtrasNeedMigration as exc:
        _echo_failed(replay)
        for migration in exc.migrations:
            echo(f"needs migration: {migration}", err=True)
        raise
    except TsedashError:
        _echo_failed(replay)
        raise
    report = result.report
    replay.summary.update(
        {
            "out": str(options.out),
            "dashboards": [
                {"uid": spec.uid, "file": spec.filename, "panels": len(model["panels"])}
                for spec, model in result.dashboards
            ],
            "migrations": [m.as_dict() for m in result.migrations],
            "v2_conversion": [n.as_dict() for n in result.v2_notes],
            "what": f"{len(result.dashboards)} dashboards from "
            f"{len(result.registry.instances)} instances",
            **report_dict(report),
        }
    )
    owned = [options.out / rel for rel in (*report.written, *report.unchanged, MANIFEST)]
    if options.deploy is not None:
        from tsedash.deploy import write_deploy

        compose = compose_files(spec, result.registry)
        deployed = write_deploy(result.registry, options.deploy, merge, compose)
        if merged is not None:
            replay.lines.append(("out", merged.line()))
        replay.summary["deploy"] = {
            "out": str(options.deploy),
            "what": f"{len(result.registry.instances)} instances",
            **report_dict(deployed),
            "base": merged.as_dict() if merged else None,
        }
        owned += [
            options.deploy / rel
            for rel in (*deployed.written, *deployed.unchanged, manifest_name("deploy"))
        ]
    return replay, owned


def _lint_built(result: Any, options: _BuildOptions, replay: buildcache.Replay) -> None:
    """Lint the dashboards in memory, before anything is written; findings stop the build."""
    from tsedash.lint import lint_dashboards, load_exclusions
    from tsedash.provisioning.render import DASHBOARD_DIR

    items = [
        (str(options.out / DASHBOARD_DIR / spec.filename), model)
        for spec, model in result.dashboards
    ]
    report = lint_dashboards(items, result.registry, load_exclusions(options.exclusions))
    errs, summary = lint_lines(report, options.exclusions, options.strict)
    replay.lines += [("text-err", line) for line in errs] + [("out", summary)]
    replay.summary["lint"] = lint_json(report)
    if report.failed(options.strict):
        raise LintFailed(f"lint failed; nothing written to {options.out}")


class LintFailed(TsedashError):
    exit_code = 1


def _echo_replayed(replay: buildcache.Replay, as_json: bool) -> None:
    for stream, text in replay.lines:
        if stream == "err" or not as_json:
            echo(text, err=stream != "out")


def _echo_failed(replay: buildcache.Replay) -> None:
    """A failed build prints what it found on stderr (stdout stays empty, also for --json)."""
    for _, text in replay.lines:
        echo(text, err=True)


def _emit_build(replay: buildcache.Replay, as_json: bool) -> None:
    _echo_replayed(replay, as_json)
    summary = replay.summary
    if as_json:
        document = {k: v for k, v in summary.items() if k != "what"}
        if "deploy" in document:
            document["deploy"] = {k: v for k, v in document["deploy"].items() if k != "what"}
        echo(json.dumps(document, indent=2, sort_keys=True))
        return
    for section in (summary, summary.get("deploy")):
        if section:
            print_report(Path(section["out"]), SimpleNamespace(**section), section["what"])


@cli.command("validate")
@out_option
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON.")
@handles_errors
def validate_cmd(out: Path, as_json: bool) -> None:
    """Check the dashboards in OUT against Grafana's rules; exit 1 on findings.

    The v2 resources `build --schema v2` wrote (OUT/dashboards-v2/) are checked too, each
    against the v1 dashboard of the same name."""
    from tsedash.dashv2.files import validate_v2_dir
    from tsedash.findings import Finding
    from tsedash.validate import validate_dir

    findings = sorted(validate_dir(out) + validate_v2_dir(out), key=Finding.sort_key)
    if as_json:
        echo(json.dumps([f.as_dict() for f in findings], indent=2, sort_keys=True))
    else:
        print_findings(findings)
    if findings:
        sys.exit(1)
    if not as_json:
        echo(f"{out}: ok: dashboards valid")


@cli.command("migrate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each result under its own name into DIR (the inputs' own directory overwrites "
    "them). Without it, one file's result goes to stdout.",
)
@click.option(
    "--schema",
    type=click.Choice(["v1", "v2"]),
    default="v1",
    show_default=True,
    help="v2: write the migrated dashboards converted to dashboard.grafana.app/v2 resources.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file would change.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--registry",
    "registry_file",
    envvar=REGISTRY_ENV,
    default=None,
    metavar="FILE",
    help="The registry whose datasources names resolve to (default: instances.yaml when it "
    f"exists; env {REGISTRY_ENV}).",
)
@handles_errors
def migrate_cmd(
    files: tuple[Path, ...],
    out_dir: Path | None,
    schema: str,
    check: bool,
    as_json: bool,
    registry_file: str | None,
) -> None:
    """Migrate dashboard files (exports of Grafana 4-11, grafanalib JSON) the way Grafana does,
    without building: print every change per schema step and panel, write the results.

    --check is a CI step for a repository of exported dashboards: exit 1 naming the files that
    would change, 0 when every one is current."""
    from tsedash.migrate import known_datasources
    from tsedash.migrate.files import MigrationFindings, migrate_files
    from tsedash.registry.model import Folder

    if check and (out_dir is not None or schema != "v1"):
        raise InputError("--check writes nothing: it cannot go with --out or --schema v2")
    if out_dir is None and not check and not as_json and len(files) > 1:
        raise InputError(f"{len(files)} files: give --out DIR to write them (one file: stdout)")
    path = registry_file or (DEFAULT_REGISTRY if Path(DEFAULT_REGISTRY).is_file() else None)
    registry = load_registry(SourceSpec(path)) if path else None
    datasources = known_datasources(registry.datasource) if registry else ()
    folder = registry.folder if registry else Folder()
    try:
        results = migrate_files(list(files), datasources, out_dir, schema, folder.uid)
    except MigrationFindings as exc:
        print_findings(exc.findings)
        raise
    changed = [r for r in results if r.changed]
    if as_json:
        echo(json.dumps({"files": [r.as_dict() for r in results]}, indent=2, sort_keys=True))
    else:
        to_stdout = out_dir is None and not check
        for result in results:
            echo_lines(result.report(), err=to_stdout)
            if result.written:
                echo(f"wrote {result.written}", err=to_stdout)
        if to_stdout:
            from tsedash.encode import dump_json

            echo(dump_json(results[0].model).decode(), nl=False)
        elif check:
            echo(f"{len(changed)} of {len(results)} file(s) would change")
    if check and changed:
        sys.exit(1)


@cli.command("lint")
@registry_option
@out_option
@click.option(
    "--exclusions",
    "exclusions_path",
    default=None,
    metavar="FILE",
    help="Exclusions file (default: .lint.yaml when present).",
)
@click.option("--strict", is_flag=True, help="Warnings and unused exclusions fail too.")
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON.")
@handles_errors
def lint_cmd(
    registry_path: SourceSpec, out: Path, exclusions_path: str | None, strict: bool, as_json: bool
) -> None:
    """Lint the dashboards in OUT: PromQL, best practice, the registry's metric contract."""
    from tsedash.lint import lint_dir, load_exclusions

    reg = registry_path.load().registry
    report = lint_dir(out, reg, load_exclusions(exclusions_path))
    if as_json:
        echo(json.dumps(lint_json(report), indent=2, sort_keys=True))
    else:
        errs, summary = lint_lines(report, exclusions_path, strict)
        echo_lines(errs)
        echo(summary)
    if report.failed(strict):
        sys.exit(1)


def lint_json(report: LintReport) -> dict[str, Any]:
    return {
        "findings": [f.as_dict() for f in report.findings],
        "excluded": len(report.excluded),
        "unused_exclusions": [
            {"rule": e.rule, "dashboard": e.dashboard, "panel": e.panel, "line": e.line}
            for e in report.unused
        ],
    }


def lint_lines(
    report: LintReport, exclusions_path: str | None, strict: bool
) -> tuple[list[str], str]:
    """The findings and unused exclusions (stderr), and the summary line (stdout)."""
    from tsedash.lint import RULES

    errs = [str(finding) for finding in report.findings] + [
        f"{exclusions_path or '.lint.yaml'}:{e.line}: warning: exclusion of {e.rule} for "
        f"{e.dashboard} {e.panel or ''} matches nothing; remove it"
        for e in report.unused
    ]
    summary = (
        f"lint: {len(report.errors)} errors, {len(report.warnings)} warnings, "
        f"{len(report.excluded)} excluded, {len(report.unused)} unused exclusions "
        f"({len(RULES)} rules{', strict' if strict else ''})"
    )
    return errs, summary
