"""Deployment artefacts from the registry: compose snippet, volumes, schema SQL, scrape config."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tsedash.deploy.compose import SNIPPET, compose_snippet
from tsedash.deploy.instances import own_output_excluded, render_instances
from tsedash.deploy.sharded import render_sharded_deploy
from tsedash.deploy.sql import schema_scripts
from tsedash.deploy.volumes import SCRIPT, volumes_script
from tsedash.encode import dump_yaml
from tsedash.files import WriteReport, write_tree
from tsedash.prometheus.config import render_prometheus
from tsedash.prometheus.merge import PrometheusMerge
from tsedash.registry import Registry

DEFAULT_OUT = "deploy"


def render_deploy(
    registry: Registry,
    scrape_interval: str = "15s",
    merge: PrometheusMerge | None = None,
    compose: Sequence[str | os.PathLike[str]] = (),
    shards: int | None = None,
) -> dict[str, bytes]:
    """Every file of the directory; `merge`: prometheus/prometheus.yml merged into its base;
    `compose`: the orchestrator's compose files, whose services new instances copy; `shards`
    (default: the registry's `scaling.shards`) above 1: the sharded stack's overlay too."""
    files = {
        SNIPPET: dump_yaml(compose_snippet(registry), "tsedash deploy"),
        SCRIPT: volumes_script(registry).encode(),
        **render_instances(registry, compose),
    }
    files.update({name: text.encode() for name, text in schema_scripts(registry).items()})
    files.update(
        {
            f"prometheus/{name}": data
            for name, data in render_prometheus(registry, scrape_interval, merge=merge).items()
        }
    )
    count = registry.scaling.shards if shards is None else shards
    if count > 1:
        files.update(render_sharded_deploy(registry, count, scrape_interval))
    return files


def write_deploy(
    registry: Registry,
    out: str | os.PathLike[str] = DEFAULT_OUT,
    merge: PrometheusMerge | None = None,
    compose: Sequence[str | os.PathLike[str]] = (),
    shards: int | None = None,
) -> WriteReport:
    compose = own_output_excluded(compose, out)
    files = render_deploy(registry, merge=merge, compose=compose, shards=shards)
    return write_tree(Path(out), files, "deploy")
