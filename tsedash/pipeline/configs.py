"""`tsedash prometheus` and `tsedash deploy` as one call each: the registry's Prometheus
config (sharded, merged into a base, or our own) or its deployment artefacts, written, with
a `DeployReport` the command prints."""

from __future__ import annotations

from pathlib import Path

from tsedash.errors import InputError
from tsedash.pipeline.inputs import BaseChoice, SourceSpec
from tsedash.pipeline.report import DeployReport
from tsedash.registry import Registry


def write_prometheus_config(
    spec: SourceSpec,
    registry: Registry,
    out: Path,
    scrape_interval: str | None,
    base: BaseChoice,
    shards: int | None = None,
    global_url: str | None = None,
    alertmanager: str = "",
) -> DeployReport:
    """The shards' and global tier's files (a sharded registry or `shards` above 1), else
    prometheus.yml merged into the base (given or found) or our own, and the targets."""
    from tsedash.prometheus import write_prometheus
    from tsedash.prometheus.shards import sharded_prometheus

    count = f"{len(registry.instances)} instances"
    given = bool(base.file or base.replace_jobs)
    scaling = (shards, global_url, alertmanager)
    if (sharded := sharded_prometheus(registry, out, scrape_interval, given, *scaling)) is not None:
        return DeployReport.of(out, f"{sharded[1]}, {count}", sharded[0], None)
    merge, merged = base.merge(spec, registry)
    if merge is not None and scrape_interval is not None:
        raise InputError(
            f"--scrape-interval: the base {merge.base.path} keeps its own global section; "
            "set scrape_interval there, or pass --no-base"
        )
    try:
        report = write_prometheus(registry, out, scrape_interval or "15s", merge=merge)
    except ValueError as exc:
        raise InputError(f"Invalid value for --scrape-interval: {exc}") from None
    jobs = len(registry.services) + len(registry.infrastructure)
    if merged is not None:
        jobs = len(merged.kept) + len(merged.replaced) + len(merged.added)
    return DeployReport.of(out, f"{jobs} jobs, {count}", report, merged)


def write_deploy_files(
    spec: SourceSpec, registry: Registry, out: Path, base: BaseChoice, shards: int | None
) -> DeployReport:
    """The compose snippet, volumes script, schemas and Prometheus config (merged into the
    base, given or found beside the orchestrator's compose file)."""
    from tsedash.deploy import write_deploy

    merge, merged = base.merge(spec, registry)
    written = write_deploy(registry, out, merge, spec.compose_files(registry), shards)
    return DeployReport.of(out, f"{len(registry.instances)} instances", written, merged)
