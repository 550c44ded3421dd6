"""Layout preview without a Grafana: a self-contained HTML page per dashboard, drawn to scale,
and a PNG of it taken with headless Chromium."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tsedash.files import atomic_write
from tsedash.preview.html import CELL_HEIGHT, COLUMN_WIDTH, page_height, render_html
from tsedash.preview.screenshot import chromium_args, dump_dom, screenshot
from tsedash.provisioning.render import read_dashboards

__all__ = [
    "CELL_HEIGHT",
    "COLUMN_WIDTH",
    "Page",
    "chromium_args",
    "dump_dom",
    "render_html",
    "screenshot",
    "write_previews",
]

PAGE_WIDTH = 24 * COLUMN_WIDTH + 32


@dataclass(frozen=True)
class Page:
    uid: str
    html: Path
    png: Path | None


def write_previews(source: Path, out: Path, png: bool = True) -> list[Page]:
    """A page (and PNG) for every dashboard file under `source` (a provisioning directory)."""
    pages = []
    for path, model in read_dashboards(source):
        html = out / f"{path.stem}.html"
        atomic_write(html, render_html(model, str(path)).encode())
        image = (
            screenshot(html, out / f"{path.stem}.png", PAGE_WIDTH, page_height(model))
            if png
            else None
        )
        pages.append(Page(str(model.get("uid", "")), html, image))
    return pages
