"""`tsedash build|validate|migrate|lint`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tsedash import pipeline
from tsedash.commands.common import echo, echo_lines, handles_errors, out_option, print_findings
from tsedash.commands.output import FORMATS, View, output_options
from tsedash.commands.root import cli
from tsedash.commands.sources import (
    base_options,
    content,
    dir_option,
    extras_option,
    flag,
    load_registry,
    registry_option,
)
from tsedash.errors import InputError
from tsedash.spec import DEFAULT_REGISTRY, REGISTRY_ENV

# Every stage is imported by the commands that use it (`tsedash.pipeline` loads them lazily).
_TIMEOUT_HELP = "Seconds each *.dashboard.py extra may run (default 30)."
_DS_HELP = f"The registry datasource names resolve to (default: {DEFAULT_REGISTRY})."
_V2_HELP = "v2: also write each dashboard as a v2 resource under OUT/dashboards-v2/."
_SCHEMA = click.Choice(["v1", "v2"])


@cli.command("build")
@registry_option
@out_option
@output_options
@extras_option
@flag("--strict-extras", "Refuse an extra dashboard that needed a migration (old schema).")
@flag("--lint", "Also lint the generated dashboards (extras always are); findings stop it.")
@flag("--strict", "With --lint: warnings and unused exclusions fail too.")
@click.option("--exclusions", metavar="FILE", help="Lint exclusions (default: .lint.yaml).")
@dir_option("--deploy", help="Also write the deployment artefacts (as `tsedash deploy --out DIR`).")
@click.option("--extras-timeout", default=30.0, type=click.FloatRange(min=0.1), help=_TIMEOUT_HELP)
@flag("--rebuild", "Build even when the inputs are unchanged since the last build.")
@click.option("--schema", type=_SCHEMA, default="v1", show_default=True, help=_V2_HELP)
@base_options
@handles_errors
def build_cmd(
    registry_path: pipeline.SourceSpec,
    out: Path,
    view: View,
    extras: Path | None,
    exclusions: str | None,
    base: pipeline.BaseChoice,
    **options: Any,
) -> None:
    """Build and validate both dashboards and write the provisioning files.

    Extra dashboards in an old format (grafanalib's, Grafana 8-10 JSON) are migrated the way
    Grafana migrates them; the changes to a file it writes are printed (-q: not; -o json:
    listed). Extras are linted on every build: errors stop it, warnings print. With --lint
    and --deploy, `make dashboards` is one process. When nothing it reads changed since the
    last build into the same directory, the files are known to be current and are not built
    again (`--rebuild` builds anyway)."""
    inputs = pipeline.BuildInputs(registry_path, pipeline.default_extras(extras), exclusions, base)
    try:
        report = pipeline.run_build(inputs, pipeline.BuildOptions(out, **options), content)
    except pipeline.BuildFailed as exc:
        echo_lines(exc.lines(view.quiet))
        raise
    for err, line in report.lines(view.structured, view.quiet):
        echo(line, err=err)
    if view.structured:
        view.document(report.as_dict())


@cli.command("validate")
@out_option
@output_options
@handles_errors
def validate_cmd(out: Path, view: View) -> None:
    """Check the dashboards in OUT against Grafana's rules; exit 1 on findings.

    The v2 resources `build --schema v2` wrote (OUT/dashboards-v2/) are checked too, each
    against the v1 dashboard of the same name."""
    from tsedash.dashv2.files import validate_v2_dir
    from tsedash.findings import Finding
    from tsedash.validate import validate_dir

    findings = sorted(validate_dir(out) + validate_v2_dir(out), key=Finding.sort_key)
    if view.structured:
        view.document([f.as_dict() for f in findings])
    else:
        print_findings(findings)
    if findings:
        sys.exit(1)
    if not view.structured:
        echo(f"{out}: ok: dashboards valid")


class _MigrateCommand(click.Command):
    """`migrate -o DIR` meant --out DIR before -o became the output format: still read so,
    with a warning, when the value is no format."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = list(args)
        for i, arg in enumerate(args[:-1]):
            if arg == "-o" and args[i + 1] not in FORMATS:
                echo("warning: `migrate -o DIR` is deprecated: use --out DIR", err=True)
                args[i] = "--out"
        return super().parse_args(ctx, args)


@cli.command("migrate", cls=_MigrateCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@dir_option("--out", "out_dir", help="Write each result into DIR (default: one file's to stdout).")
@click.option("--schema", type=_SCHEMA, default="v1", show_default=True, help=_V2_HELP)
@flag("--check", "Write nothing; exit 1 when a file would change.")
@output_options
@click.option("--registry", "registry_file", envvar=REGISTRY_ENV, metavar="FILE", help=_DS_HELP)
@handles_errors
def migrate_cmd(
    files: tuple[Path, ...],
    out_dir: Path | None,
    schema: str,
    check: bool,
    view: View,
    registry_file: str | None,
) -> None:
    """Migrate dashboard files (exports of Grafana 4-11, grafanalib JSON) the way Grafana does,
    without building: print every change per schema step and panel (-q: not), write the results.

    --check is a CI step for a repository of exported dashboards: exit 1 naming the files that
    would change, 0 when every one is current."""
    from tsedash.migrate import known_datasources
    from tsedash.migrate.files import MigrationFindings, migrate_files
    from tsedash.registry.model import Folder

    if check and (out_dir is not None or schema != "v1"):
        raise InputError("--check writes nothing: it cannot go with --out or --schema v2")
    if out_dir is None and not check and not view.structured and len(files) > 1:
        raise InputError(f"{len(files)} files: give --out DIR to write them (one file: stdout)")
    path = registry_file or (DEFAULT_REGISTRY if Path(DEFAULT_REGISTRY).is_file() else None)
    registry = load_registry(pipeline.SourceSpec(path)) if path else None
    datasources = known_datasources(registry.datasource) if registry else ()
    folder = registry.folder if registry else Folder()
    try:
        results = migrate_files(list(files), datasources, out_dir, schema, folder.uid)
    except MigrationFindings as exc:
        print_findings(exc.findings)
        raise
    changed = [r for r in results if r.changed]
    if view.structured:
        view.document({"files": [r.as_dict() for r in results]})
    else:
        to_stdout = out_dir is None and not check
        for result in results:
            echo_lines([] if view.quiet else result.report(), err=to_stdout)
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
@click.option("--exclusions", "exclusions_path", metavar="FILE", help="Default: .lint.yaml.")
@flag("--strict", "Warnings and unused exclusions fail too.")
@output_options
@handles_errors
def lint_cmd(
    registry_path: pipeline.SourceSpec,
    out: Path,
    exclusions_path: str | None,
    strict: bool,
    view: View,
) -> None:
    """Lint the dashboards in OUT: PromQL, best practice, the registry's metric contract."""
    from tsedash.lint import lint_dir, load_exclusions
    from tsedash.pipeline.lintstep import lint_section

    reg = registry_path.load().registry  # its warnings are `registry check`'s to print
    report = lint_dir(out, reg, load_exclusions(exclusions_path))
    section = lint_section(report, exclusions_path, strict)
    if view.structured:
        view.document(section.document)
    else:
        echo_lines(section.finding_lines())
        echo(section.summary())
    if section.failed():
        sys.exit(1)
