"""Layout preview without a Grafana: a self-contained HTML page per dashboard, drawn to scale,
and a PNG of it taken with headless Chromium."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tsedash.errors import InputError
from tsedash.files import atomic_write
from tsedash.preview.html import CELL_HEIGHT, COLUMN_WIDTH, page_height, render_html
from tsedash.preview.screenshot import chromium_args, dump_dom, need_chromium, screenshot
from tsedash.provisioning.render import read_dashboards

if TYPE_CHECKING:
    from tsedash.preview.withdata import DataOptions

__all__ = [
    "CELL_HEIGHT",
    "COLUMN_WIDTH",
    "Page",
    "chromium_args",
    "dump_dom",
    "need_chromium",
    "render_html",
    "screenshot",
    "write_comparisons",
    "write_previews",
]

PAGE_WIDTH = 24 * COLUMN_WIDTH + 32

Progress = Callable[[int, int, str], None]  # (done, total, uid of the page just drawn)


@dataclass(frozen=True)
class Page:
    uid: str
    html: Path
    png: Path | None

    def __str__(self) -> str:
        return f"{self.uid}: {self.html}" + (f", {self.png}" if self.png else "")

    def as_dict(self) -> dict[str, str | None]:
        return {"uid": self.uid, "html": str(self.html), "png": str(self.png) if self.png else None}


Job = tuple[str, str, Callable[[], str], int, int]  # uid, file stem, page, width, height


def preview(
    source: Path,
    out: Path,
    no_png: bool = False,
    ref: str | None = None,
    progress: Progress | None = None,
    prometheus: str | None = None,
    data_file: Path | None = None,
    from_: str = "now-1h",
    to: str = "now",
    variables: tuple[str, ...] = (),
    timeout: float = 10.0,
    save_data: Path | None = None,
) -> list[Page]:
    """`tsedash preview`: the pages of the dashboards under `source` (with `ref`, the ones that
    differ from it, side by side), drawn with data from `prometheus` or `data_file` if given."""
    from tsedash.preview.withdata import data_options
    from tsedash.redact import remember_url

    remember_url(prometheus)  # a password in the URL is masked wherever it is echoed
    span = (from_, to)
    data = data_options(prometheus, data_file, span, variables, timeout, source, save_data)
    if ref:
        return write_comparisons(source, ref, out, not no_png, progress, data, save_data)
    return write_previews(source, out, not no_png, progress, data, save_data)


def write_previews(
    source: Path,
    out: Path,
    png: bool = True,
    progress: Progress | None = None,
    data: DataOptions | None = None,
    save_data: Path | None = None,
) -> list[Page]:
    """A page (and PNG) for every dashboard file under `source` (a provisioning directory);
    with `data`, every panel drawn with its data (and every answer saved to `save_data`)."""
    jobs: list[Job] = []
    for path, model in read_dashboards(source):
        page = functools.partial(_page, model, str(path), data, frozenset())
        jobs.append((str(model.get("uid", "")), path.stem, page, PAGE_WIDTH, page_height(model)))
    return _draw(jobs, out, png, progress, data, save_data)


def write_comparisons(
    source: Path,
    ref: str,
    out: Path,
    png: bool = True,
    progress: Progress | None = None,
    data: DataOptions | None = None,
    save_data: Path | None = None,
) -> list[Page]:
    """A before/after page (`<name>.compare.html`) for each dashboard under `source` that
    differs from its version in `ref`, both sides drawn from the same data; the panels that
    changed are marked."""
    from tsedash.preview.compare import dashboards_at

    before = dashboards_at(ref, source)
    jobs: list[Job] = []
    for path, model in read_dashboards(source):
        uid = str(model.get("uid") or path.stem)
        old = before.get(uid, ("", {"uid": uid, "title": "(new)", "panels": []}))[1]
        if old == model:
            continue
        page = functools.partial(_comparison, old, model, str(path), ref, data)
        height = max(page_height(old), page_height(model)) + 40
        jobs.append((uid, f"{path.stem}.compare", page, 2 * PAGE_WIDTH + 8, height))
    return _draw(jobs, out, png, progress, data, save_data)


def _draw(
    jobs: list[Job],
    out: Path,
    png: bool,
    progress: Progress | None,
    data: DataOptions | None,
    save_data: Path | None,
) -> list[Page]:
    """Nothing partial: Chromium is looked for before anything is drawn, every page and PNG
    is drawn in a scratch directory, and only when all exist are they written into `out`."""
    if png:
        need_chromium()
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: output path exists and is not a directory")
    drawn: list[tuple[str, str, str | None]] = []  # uid, html name, png name
    with tempfile.TemporaryDirectory(prefix="tsedash-preview-") as scratch:
        for done, (uid, stem, page, width, height) in enumerate(jobs, 1):
            html = Path(scratch) / f"{stem}.html"
            html.write_text(page(), encoding="utf-8")
            image = Path(scratch) / f"{stem}.png"
            if png:
                screenshot(html, image, width, height)
            drawn.append((uid, html.name, image.name if png else None))
            if progress:
                progress(done, len(jobs), uid)
        out.mkdir(parents=True, exist_ok=True)
        for _, *names in drawn:
            for name in filter(None, names):
                atomic_write(out / name, (Path(scratch) / name).read_bytes())
    if data is not None and save_data is not None:
        data.saved().write(save_data)
    return [Page(uid, out / html, out / image if image else None) for uid, html, image in drawn]


def _page(
    model: dict[str, Any], name: str, data: DataOptions | None, changed: frozenset[int]
) -> str:
    if data is None:
        return render_html(model, name, changed=changed)
    from tsedash.preview.withdata import draw_with_data  # matplotlib only when drawing data

    return draw_with_data(model, name, data, changed)


def _comparison(
    before: dict[str, Any], after: dict[str, Any], name: str, ref: str, data: DataOptions | None
) -> str:
    from tsedash.preview.compare import changed_panels, side_by_side

    old = _page(before, f"{ref}: {name}", data, changed_panels(after, before))
    new = _page(after, name, data, changed_panels(before, after))
    height = max(page_height(before), page_height(after))
    return side_by_side(str(after.get("title", "")), old, new, PAGE_WIDTH, height)
