"""`tsedash prometheus|deploy`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tsedash.errors import InputError

if TYPE_CHECKING:
    from tsedash.prometheus import MergeReport

# Every stage is imported by the commands that use it: `registry show` does not pay for the

from tsedash.commands.common import echo, handles_errors, print_report, report_dict
from tsedash.commands.root import cli
from tsedash.commands.sources import (
    BaseChoice,
    SourceSpec,
    base_options,
    compose_files,
    load_registry,
    prometheus_merge,
    registry_option,
)


@cli.command("prometheus")
@registry_option
@click.option(
    "--out",
    "out",
    default="deploy/prometheus",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for prometheus.yml and targets/*.json.",
)
@click.option(
    "--scrape-interval",
    default=None,
    help="Global scrape interval (default 15s; with a base, the base's global section is kept).",
)
@base_options
@click.option("--json", "as_json", is_flag=True, help="Print what was written and merged as JSON.")
@handles_errors
def prometheus_cmd(
    registry_path: SourceSpec,
    out: Path,
    scrape_interval: str | None,
    base: BaseChoice,
    as_json: bool,
) -> None:
    """Write the scrape config: one job per service type and infrastructure job, file_sd
    targets relabeled so that `job` is the service and `instance` the instance name.

    With a base config (--base, or prometheus/prometheus.yml beside the first compose file)
    the written prometheus.yml is that file with only the jobs tsedash owns replaced and its
    own added; everything else of it is kept (docs/cli.md)."""
    from tsedash.prometheus import write_prometheus

    reg = load_registry(registry_path)
    merge, merged = prometheus_merge(base, registry_path, reg)
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
    _emit_written(out, report, f"{jobs} jobs, {len(reg.instances)} instances", merged, as_json)


def _emit_written(
    out: Path, report: Any, what: str, merged: MergeReport | None, as_json: bool
) -> None:
    """A writer's report with what merging into the base did: lines, or one JSON object."""
    if as_json:
        document: dict[str, Any] = {"out": str(out), **report_dict(report)}
        document["base"] = merged.as_dict() if merged else None
        echo(json.dumps(document, indent=2, sort_keys=True))
        return
    if merged is not None:
        echo(merged.line())
    print_report(out, report, what)


@cli.command("deploy")
@registry_option
@click.option(
    "--out",
    "out",
    default="deploy",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the deployment artefacts.",
)
@base_options
@click.option("--json", "as_json", is_flag=True, help="Print what was written and merged as JSON.")
@handles_errors
def deploy_cmd(registry_path: SourceSpec, out: Path, base: BaseChoice, as_json: bool) -> None:
    """Write the compose snippet, init-volumes.sh, one schema SQL per instance, and the
    Prometheus config with its alert rules, all from the registry.

    Given the orchestrator's compose file (--compose or --registry), its own
    prometheus/prometheus.yml beside it is the base of ours (as `prometheus --base`)."""
    from tsedash.deploy import write_deploy

    reg = load_registry(registry_path)
    merge, merged = prometheus_merge(base, registry_path, reg)
    report = write_deploy(reg, out, merge, compose_files(registry_path, reg))
    _emit_written(out, report, f"{len(reg.instances)} instances", merged, as_json)
