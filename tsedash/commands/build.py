"""`tsedash build|validate|migrate|lint|prometheus|deploy`: the files the registry makes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tsedash import pipeline
from tsedash.commands.common import FORMATS, Command, View, cli, echo, echo_lines, out_option
from tsedash.commands.registry import (
    base_options,
    content,
    dir_option,
    extras_option,
    flag,
    load_registry,
    registry_option,
)
from tsedash.pipeline.inputs import SourceSpec
from tsedash.pipeline.report import DeployReport
from tsedash.spec import DEFAULT_REGISTRY, REGISTRY_ENV

# Every stage is imported by the commands that use it (`tsedash.pipeline` loads them lazily).
_TIMEOUT_HELP = "Seconds each *.dashboard.py extra may run (default 30)."
_DS_HELP = f"The registry datasource names resolve to (default: {DEFAULT_REGISTRY})."
_V2_HELP = "v2: also write each dashboard as a v2 resource under OUT/dashboards-v2/."
_SCHEMA = click.Choice(["v1", "v2"])
_PROM_OUT = "Directory for prometheus.yml and targets/*.json."
_SHARDS = "Scrape with N Prometheus shards writing to one store (default: the registry's)."
_GLOBAL = "The global store the shards write to (VictoriaMetrics; default: the registry's)."
_ALERTMANAGER = "With --shards: the Alertmanager the shards' alerts go to."
shards_option = click.option("--shards", type=click.IntRange(min=1), help=_SHARDS)


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
    view.show([f.as_dict() for f in findings], findings, err=True)
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
    view.show(done.as_dict(), done.lines(view.quiet))
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
    view.show(section.document, [*section.finding_lines(), (False, section.summary())], err=True)
    if section.failed():
        sys.exit(1)


@cli.command("prometheus")
@registry_option
@dir_option("--out", default="deploy/prometheus", show_default=True, help=_PROM_OUT)
@click.option("--scrape-interval", help="Default 15s (a base keeps its own global section).")
@base_options
@shards_option
@click.option("--global-url", metavar="URL", help=_GLOBAL)
@click.option("--alertmanager", metavar="HOST:PORT", default="", help=_ALERTMANAGER)
def prometheus_cmd(registry_path: SourceSpec, view: View, **opts: Any) -> None:
    """Write the scrape config: one job per service type and infrastructure job, file_sd
    targets relabeled so that `job` is the service and `instance` the instance name.

    With a base config (--base, or prometheus/prometheus.yml beside the first compose file)
    the written prometheus.yml is that file with only the jobs tsedash owns replaced and its
    own added; everything else of it is kept (docs/cli.md)."""
    from tsedash.pipeline.configs import write_prometheus_config

    reg = load_registry(registry_path)
    _emit(write_prometheus_config(registry_path, reg, **opts), view)


@cli.command("deploy")
@registry_option
@dir_option("--out", default="deploy", show_default=True, help="The artefacts' directory.")
@base_options
@shards_option
def deploy_cmd(registry_path: SourceSpec, view: View, **opts: Any) -> None:
    """Write the compose snippet, init-volumes.sh, one schema SQL per instance, and the
    Prometheus config with its alert rules, all from the registry.

    Given the orchestrator's compose file (--compose or --registry), its own
    prometheus/prometheus.yml beside it is the base of ours (as `prometheus --base`)."""
    from tsedash.pipeline.configs import write_deploy_files

    _emit(write_deploy_files(registry_path, load_registry(registry_path), **opts), view)


def _emit(report: DeployReport, view: View) -> None:
    """A writer's report with what merging into the base did: lines, or one document."""
    view.show(
        report.as_dict(), [*([report.base_line] if report.base_line else []), *report.lines()]
    )
