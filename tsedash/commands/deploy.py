"""`tsedash prometheus|deploy`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tsedash.commands.common import echo_lines
from tsedash.commands.output import View
from tsedash.commands.root import cli
from tsedash.commands.sources import (
    BaseChoice,
    SourceSpec,
    base_options,
    dir_option,
    load_registry,
    registry_option,
)
from tsedash.errors import InputError
from tsedash.pipeline.report import DeployReport

if TYPE_CHECKING:
    from tsedash.prometheus import MergeReport

_PROM_OUT = "Directory for prometheus.yml and targets/*.json."
_SHARDS = "Scrape with N Prometheus shards writing to one store (default: the registry's)."
_GLOBAL = "The global store the shards write to (VictoriaMetrics; default: the registry's)."
_ALERTMANAGER = "With --shards: the Alertmanager the shards' alerts go to."


@cli.command("prometheus")
@registry_option
@dir_option("--out", default="deploy/prometheus", show_default=True, help=_PROM_OUT)
@click.option("--scrape-interval", help="Default 15s (a base keeps its own global section).")
@base_options
@click.option("--shards", type=click.IntRange(min=1), help=_SHARDS)
@click.option("--global-url", metavar="URL", help=_GLOBAL)
@click.option("--alertmanager", metavar="HOST:PORT", default="", help=_ALERTMANAGER)
def prometheus_cmd(
    registry_path: SourceSpec,
    out: Path,
    scrape_interval: str | None,
    base: BaseChoice,
    view: View,
    **scaling: Any,
) -> None:
    """Write the scrape config: one job per service type and infrastructure job, file_sd
    targets relabeled so that `job` is the service and `instance` the instance name.

    With a base config (--base, or prometheus/prometheus.yml beside the first compose file)
    the written prometheus.yml is that file with only the jobs tsedash owns replaced and its
    own added; everything else of it is kept (docs/cli.md)."""
    from tsedash.prometheus import write_prometheus
    from tsedash.prometheus.shards import sharded_prometheus

    reg = load_registry(registry_path)
    given = bool(base.file or base.replace_jobs)
    if (sharded := sharded_prometheus(reg, out, scrape_interval, given, **scaling)) is not None:
        return _emit(out, sharded[0], f"{sharded[1]}, {len(reg.instances)} instances", None, view)
    merge, merged = base.merge(registry_path, reg)
    if merge is not None and scrape_interval is not None:
        raise InputError(
            f"--scrape-interval: the base {merge.base.path} keeps its own global section; "
            "set scrape_interval there, or pass --no-base"
        )
    try:
        report = write_prometheus(reg, out, scrape_interval or "15s", merge=merge)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scrape-interval") from None
    jobs = len(reg.services) + len(reg.infrastructure)
    if merged is not None:
        jobs = len(merged.kept) + len(merged.replaced) + len(merged.added)
    _emit(out, report, f"{jobs} jobs, {len(reg.instances)} instances", merged, view)


@cli.command("deploy")
@registry_option
@dir_option("--out", default="deploy", show_default=True, help="The artefacts' directory.")
@base_options
@click.option("--shards", type=click.IntRange(min=1), help=_SHARDS)
def deploy_cmd(
    registry_path: SourceSpec, out: Path, base: BaseChoice, shards: int | None, view: View
) -> None:
    """Write the compose snippet, init-volumes.sh, one schema SQL per instance, and the
    Prometheus config with its alert rules, all from the registry.

    Given the orchestrator's compose file (--compose or --registry), its own
    prometheus/prometheus.yml beside it is the base of ours (as `prometheus --base`)."""
    from tsedash.deploy import write_deploy

    reg = load_registry(registry_path)
    merge, merged = base.merge(registry_path, reg)
    report = write_deploy(reg, out, merge, registry_path.compose_files(reg), shards)
    _emit(out, report, f"{len(reg.instances)} instances", merged, view)


def _emit(out: Path, written: Any, what: str, merged: MergeReport | None, view: View) -> None:
    """A writer's report with what merging into the base did: lines, or one document."""
    report = DeployReport.of(out, what, written, merged)
    if view.structured:
        view.document(report.as_dict())
    else:
        echo_lines([*([report.base_line] if report.base_line else []), *report.lines()], err=False)
