"""`tsedash prometheus|deploy`."""

from __future__ import annotations

from typing import Any

import click

from tsedash.commands.common import View, cli, echo_lines
from tsedash.commands.sources import (
    SourceSpec,
    base_options,
    dir_option,
    load_registry,
    registry_option,
)
from tsedash.pipeline.report import DeployReport

_PROM_OUT = "Directory for prometheus.yml and targets/*.json."
_SHARDS = "Scrape with N Prometheus shards writing to one store (default: the registry's)."
_GLOBAL = "The global store the shards write to (VictoriaMetrics; default: the registry's)."
_ALERTMANAGER = "With --shards: the Alertmanager the shards' alerts go to."
shards_option = click.option("--shards", type=click.IntRange(min=1), help=_SHARDS)


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
    if view.structured:
        view.document(report.as_dict())
    else:
        echo_lines([*([report.base_line] if report.base_line else []), *report.lines()], err=False)
