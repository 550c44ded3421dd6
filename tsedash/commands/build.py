"""`tsedash build|validate|migrate|lint`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tsedash import pipeline
from tsedash.commands.common import FORMATS, Command, View, cli, echo, echo_lines, out_option
from tsedash.commands.sources import (
    SourceSpec,
    base_options,
    content,
    dir_option,
    extras_option,
    flag,
    load_registry,
    registry_option,
)
from tsedash.spec import DEFAULT_REGISTRY, REGISTRY_ENV

# Every stage is imported by the commands that use it (`tsedash.pipeline` loads them lazily).
_TIMEOUT_HELP = "Seconds each *.dashboard.py extra may run (default 30)."
_DS_HELP = f"The registry datasource names resolve to (default: {DEFAULT_REGISTRY})."
_V2_HELP = "v2: also write each dashboard as a v2 resource under OUT/dashboards-v2/."
_SCHEMA = click.Choice(["v1", "v2"])


@cli.command("build")
@registry_option
@out_option
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
def build_cmd(registry_path: SourceSpec, view: View, **opts: Any) -> None:
    """Build and validate both dashboards and write the provisioning files.

    Extra dashboards in an old format (grafanalib's, Grafana 8-10 JSON) are migrated the way
    Grafana migrates them; the changes to a file it writes are printed (-q: not; -o json:
    listed). Extras are linted on every build: errors stop it, warnings print. With --lint
    and --deploy, `make dashboards` is one process. When nothing it reads changed since the
    last build into the same directory, the files are known to be current and are not built
    again (`--rebuild` builds anyway)."""
    try:
        report = pipeline.build_from(registry_path, content, **opts)
    except pipeline.BuildFailed as exc:
        echo_lines(exc.lines(view.quiet))
        raise
    for err, line in report.lines(view.structured, view.quiet):
        echo(line, err=err)
    if view.structured:
        view.document(report.as_dict())


@cli.command("validate")
@out_option
def validate_cmd(out: Path, view: View) -> None:
    """Check the dashboards in OUT against Grafana's rules; exit 1 on findings.

    The v2 resources `build --schema v2` wrote (OUT/dashboards-v2/) are checked too, each
    against the v1 dashboard of the same name."""
    from tsedash.dashv2.files import validate_all

    findings = validate_all(out)
    if view.structured:
        view.document([f.as_dict() for f in findings])
    else:
        echo_lines(findings)
    if findings:
        sys.exit(1)
    if not view.structured:
        echo(f"{out}: ok: dashboards valid")


class _MigrateCommand(Command):
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
@click.option("--registry", "registry_file", envvar=REGISTRY_ENV, metavar="FILE", help=_DS_HELP)
def migrate_cmd(registry_file: str | None, view: View, **opts: Any) -> None:
    """Migrate dashboard files (exports of Grafana 4-11, grafanalib JSON) the way Grafana does,
    without building: print every change per schema step and panel (-q: not), write the results.

    --check is a CI step for a repository of exported dashboards: exit 1 naming the files that
    would change, 0 when every one is current."""
    from tsedash.migrate.files import MigrateRequest, MigrationFindings

    path = registry_file or (DEFAULT_REGISTRY if Path(DEFAULT_REGISTRY).is_file() else None)
    request = MigrateRequest(**opts, structured=view.structured)
    try:
        done = request.run(load_registry(SourceSpec(path)) if path else None)
    except MigrationFindings as exc:
        echo_lines(exc.findings)
        raise
    if view.structured:
        view.document(done.as_dict())
    for err, line in [] if view.structured else done.lines(view.quiet):
        echo(line, err=err)
    if done.stdout:
        echo(done.stdout, nl=False)
    sys.exit(done.exit_code)


@cli.command("lint")
@registry_option
@out_option
@click.option("--exclusions", "exclusions_path", metavar="FILE", help="Default: .lint.yaml.")
@flag("--strict", "Warnings and unused exclusions fail too.")
def lint_cmd(registry_path: SourceSpec, view: View, **opts: Any) -> None:
    """Lint the dashboards in OUT: PromQL, best practice, the registry's metric contract."""
    from tsedash.pipeline.lintstep import lint_files

    section = lint_files(registry_path, **opts)
    if view.structured:
        view.document(section.document)
    else:
        echo_lines(section.finding_lines())
        echo(section.summary())
    if section.failed():
        sys.exit(1)
