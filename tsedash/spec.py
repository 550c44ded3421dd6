"""What the engine and the content agree on (a neutral module: it imports nothing of the project).

The content (`dashboards/`, `panels/`) builds dashboards; the engine (pipeline, validation,
lint, provisioning, push) handles them without importing the content. The composition root
(`tsedash.cli`, `build.py`) hands a `Content` to the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tsedash.registry import Registry

# The Grafana folder every dashboard of this project lives in (provider config and push).
FOLDER_UID = "trading-ecosystem"
FOLDER_TITLE = "Trading Ecosystem"
# The grid Grafana lays panels on: 24 columns.
GRID_COLUMNS = 24
# Every panel and variable queries the datasource through the `datasource` variable; Grafana
# accepts both spellings of the reference.
DATASOURCE_REF = "${datasource}"
DATASOURCE_REFS = frozenset({DATASOURCE_REF, "$datasource"})
# A Grafana dashboard uid: what Grafana accepts, and safe as a file name.
UID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")
# Where the registry and the user's extra dashboards are, relative to the working directory.
DEFAULT_REGISTRY = "instances.yaml"
REGISTRY_ENV = "TSEDASH_REGISTRY"
DEFAULT_EXTRAS_DIR = "extras"

Model = dict[str, Any]


@dataclass(frozen=True)
class DashboardSpec:
    """A dashboard's identity and where its file lands under `provisioning/dashboards/…`."""

    uid: str
    title: str
    tag: str
    filename: str


class Content(Protocol):
    """The dashboards a build produces and the defaults pass every dashboard goes through."""

    def build_all(self, registry: Registry) -> Sequence[tuple[DashboardSpec, Model]]:
        """The generated dashboards, in order."""
        ...

    def apply_defaults(self, model: Model, spec: DashboardSpec) -> Model:
        """The project's defaults (tags, time, links, read-only …) on any dashboard model,
        generated or extra; returns a new model."""
        ...
