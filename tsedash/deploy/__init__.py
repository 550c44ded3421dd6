"""Deployment artefacts from the registry: compose snippet, volumes, schema SQL, scrape config."""

from __future__ import annotations

import os
from pathlib import Path

from tsedash.deploy.compose import SNIPPET, compose_snippet
from tsedash.deploy.sql import schema_scripts
from tsedash.deploy.volumes import SCRIPT, volumes_script
from tsedash.encode import dump_yaml
from tsedash.files import WriteReport, write_tree
from tsedash.prometheus.config import render_prometheus
from tsedash.registry import Registry

DEFAULT_OUT = "deploy"


def render_deploy(registry: Registry, scrape_interval: str = "15s") -> dict[str, bytes]:
    files = {
        SNIPPET: dump_yaml(compose_snippet(registry), "tsedash deploy"),
        SCRIPT: volumes_script(registry).encode(),
    }
    files.update({name: text.encode() for name, text in schema_scripts(registry).items()})
    files.update(
        {
            f"prometheus/{name}": data
            for name, data in render_prometheus(registry, scrape_interval).items()
        }
    )
    return files


def write_deploy(registry: Registry, out: str | os.PathLike[str] = DEFAULT_OUT) -> WriteReport:
    return write_tree(Path(out), render_deploy(registry), "deploy")
