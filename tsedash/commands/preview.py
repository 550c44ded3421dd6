"""`tsedash preview`: each dashboard drawn to scale, with its data when given some."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tsedash.commands.common import DIR, FILE, View, cli, dashboards_option, echo_lines
from tsedash.redact import remember_url

if TYPE_CHECKING:
    from tsedash.preview import Progress

SAVE_HELP = "Write every query's answer here (JSON) for --data."
DATA_HELP = "Draw from answers saved with --save-data, with no Prometheus."
COMPARE_HELP = "Draw the dashboards that differ from REF (git ref or directory) side by side."


@cli.command("preview")
@dashboards_option
@click.option("--out", default="preview", show_default=True, type=DIR, help="The pages' directory.")
@click.option("--no-png", is_flag=True, help="Only the HTML pages (no Chromium needed).")
@click.option("--prometheus", metavar="URL", help="Draw every panel with its data from here.")
@click.option("--from", "from_", default="now-1h", show_default=True, help="Start of the data.")
@click.option("--to", default="now", show_default=True, help="End of the data.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="A variable's value.")
@click.option("--save-data", type=FILE, help=SAVE_HELP)
@click.option("--data", "data_file", type=FILE, help=DATA_HELP)
@click.option("--compare", "ref", metavar="REF", help=COMPARE_HELP)
@click.option("--timeout", default=10.0, show_default=True, help="Seconds per request.")
def preview_cmd(
    source: Path,
    out: Path,
    no_png: bool,
    prometheus: str | None,
    from_: str,
    to: str,
    variables: tuple[str, ...],
    save_data: Path | None,
    data_file: Path | None,
    ref: str | None,
    timeout: float,
    view: View,
) -> None:
    """Draw each dashboard to scale as HTML, and a PNG with headless Chromium: the layout, or
    with --prometheus/--data every panel with its data as Grafana would show it. Written only
    once every page is drawn; one line per dashboard on stderr as it goes."""
    from tsedash.preview import write_comparisons, write_previews
    from tsedash.preview.withdata import data_options

    remember_url(prometheus)
    data = data_options(
        prometheus, data_file, (from_, to), variables, timeout, source, save_data
    )  # fmt: skip
    with _progress(view) as progress:
        if ref:
            pages = write_comparisons(source, ref, out, not no_png, progress, data, save_data)
        else:
            pages = write_previews(source, out, not no_png, progress, data, save_data)
    if view.structured:
        view.document([page.as_dict() for page in pages])
    else:
        echo_lines([str(page) for page in pages], err=False)


@contextlib.contextmanager
def _progress(view: View) -> Iterator[Progress | None]:
    """A bar on a terminal, else one line per dashboard on stderr (none with -q)."""
    bar = click.progressbar(length=1, label="preview", file=sys.stderr)

    def step(done: int, total: int, uid: str) -> None:
        if not sys.stderr.isatty():
            return view.note(f"preview: {done}/{total} {uid}")
        bar.length = total  # known with the first page
        bar.update(1)

    try:
        yield None if view.quiet else step
    finally:
        if bar.pos:
            bar.render_finish()
