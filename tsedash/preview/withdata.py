"""A dashboard page drawn with its data: variables resolved, every panel's queries run
(`panel_data`) and drawn (`panels`), from a live Prometheus or a saved data file."""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tsedash.preview.data import LiveSource, SavedData, SavedSource, Source, TimeRange
from tsedash.preview.html import render_html
from tsedash.preview.interval import DEFAULT_SCRAPE
from tsedash.preview.panel_data import fetch_panel
from tsedash.preview.panels import DRAWN
from tsedash.preview.variables import resolve


@dataclass
class DataOptions:
    """Where the data comes from and for which time range and variables."""

    source: Source
    span: TimeRange
    overrides: dict[str, list[str]] = field(default_factory=dict)
    scrape: str = DEFAULT_SCRAPE

    def saved(self) -> SavedData:
        answers = self.source.answers if isinstance(self.source, LiveSource | SavedSource) else {}
        return SavedData(self.span, self.overrides, dict(answers))


def scrape_interval(source_dir: Path) -> str:
    """The default datasource's "Scrape interval" (`jsonData.timeInterval`) from the
    provisioning files next to the dashboards; Grafana's 15s without one."""
    for path in sorted((source_dir / "datasources").glob("*.y*ml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for ds in doc.get("datasources") or []:
            if isinstance(ds, dict) and ds.get("isDefault") and ds.get("type") == "prometheus":
                return str((ds.get("jsonData") or {}).get("timeInterval") or DEFAULT_SCRAPE)
    return DEFAULT_SCRAPE


def _utc(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms / 1000))


def draw_with_data(
    model: dict[str, Any],
    source_name: str,
    data: DataOptions,
    changed: frozenset[int] = frozenset(),
) -> str:
    """The page of one dashboard with every drawable panel showing its data."""
    values, shown = resolve(model, data.source, data.span, data.overrides, base={})
    bodies = {}
    for index, panel in enumerate(model.get("panels", [])):
        draw = DRAWN.get(str(panel.get("type")))
        if draw is None:
            continue
        result = fetch_panel(panel, data.source, data.span, values, data.scrape)
        bodies[index] = draw(panel, result, data.span)
    note = f" · data {_utc(data.span.from_ms)} to {_utc(data.span.to_ms)} UTC"
    return render_html(model, source_name, bodies, shown, note, changed)


def data_options(
    prometheus: str | None,
    data_file: Path | None,
    span: tuple[str, str],
    variables: tuple[str, ...],
    timeout: float,
    source_dir: Path,
    save_data: Path | None = None,
) -> DataOptions | None:
    """What `preview`'s data options ask for: a live Prometheus, a saved file, or neither
    (the layout alone); InputError for a combination that cannot work."""
    from tsedash.errors import InputError
    from tsedash.preview.data import read_saved, time_range
    from tsedash.preview.variables import parse_overrides

    if prometheus and data_file:
        raise InputError("--prometheus and --data exclude each other: draw live or from the file")
    if save_data and not prometheus:
        raise InputError("--save-data needs --prometheus (it saves what Prometheus answered)")
    overrides = parse_overrides(variables)
    scrape = scrape_interval(source_dir)
    if (prometheus or data_file) and importlib.util.find_spec("matplotlib") is None:
        raise InputError("drawing data needs matplotlib: pip install 'tsedash[preview]'")
    if data_file:
        saved = read_saved(data_file)
        chosen = overrides or saved.variables
        return DataOptions(SavedSource(data_file, saved.answers), saved.span, chosen, scrape)
    if prometheus:
        live = LiveSource(prometheus, timeout)
        return DataOptions(live, time_range(*span), overrides, scrape)
    if variables:
        raise InputError("--var needs --prometheus or --data (the layout preview runs no query)")
    return None
