"""`tsedash verify|simulate|demo|preview`: the dashboards against a running Prometheus."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tsedash.commands.common import DIR, FILE, View, cli, dashboards_option, echo
from tsedash.commands.registry import load_registry, registry_option
from tsedash.pipeline.inputs import SourceSpec

if TYPE_CHECKING:
    from tsedash.preview import Progress

_HEALTH = "Target health from the server's targets API, or (a global store) its `up` series."
_SHARDS = "Target health from these Prometheus shards' targets APIs (repeat for each)."
_REFERENCE = "Also compare the values with this Prometheus scraping the same targets."
_PROMETHEUS = "The Prometheus the dashboards' datasource points at (env PROMETHEUS_URL; required)."
RATE_HELP = "Requests per second of each instance's simulated API route."
PLANNED_HELP = "Also serve the planned domain metrics (no real service exposes them yet)."
SAVE_HELP = "Write every query's answer here (JSON) for --data."
DATA_HELP = "Draw from answers saved with --save-data, with no Prometheus."
COMPARE_HELP = "Draw the dashboards that differ from REF (git ref or directory) side by side."


@cli.command("verify")
@registry_option
@click.option("--prometheus", envvar="PROMETHEUS_URL", metavar="URL", help=_PROMETHEUS)
@dashboards_option
@click.option("--rate-interval", default="1m", show_default=True, help="$__rate_interval.")
@click.option("--range", "time_range", default="15m", show_default=True, help="$__range.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds per request.")
@click.option("--health", type=click.Choice(("targets", "up")), default="targets", help=_HEALTH)
@click.option("--shard-targets", multiple=True, metavar="URL", help=_SHARDS)
@click.option("--reference", metavar="URL", help=_REFERENCE)
def verify_cmd(registry_path: SourceSpec, view: View, **opts: Any) -> None:
    """Do the dashboards show data for every instance on this Prometheus? Exit 0 when every
    visible panel has data for every instance it should show and every target is up, 1
    otherwise (naming panel, instance and query), 3 when Prometheus cannot be reached.
    -o json: one document, also when verify cannot run ({"ok": false, "error": ...})."""
    from tsedash.verify import VerifyRequest, error_document

    with view.errors_as_document(error_document):
        report = VerifyRequest(**opts).run(lambda: load_registry(registry_path))
    view.show(report.as_dict(), report.lines())
    sys.exit(1 if report.failures() else 0)


@cli.command("simulate")
@registry_option
@click.option("--rate", "base_rate", default=2.0, show_default=True, help=RATE_HELP)
@click.option("--with-planned", is_flag=True, help=PLANNED_HELP)
@click.option("--bind", "bind_host", default=None, help="Bind this host instead of each address's.")
def simulate_cmd(registry_path: SourceSpec, view: View, bind_host: str | None, **plan: Any) -> None:
    """Serve what the real services serve, on each instance's registry address, until Ctrl-C.

    RED metrics, process and runtime collectors, readiness after GET /api/v1/ready, each
    type's own metrics path (404 elsewhere); series appear with their first request.
    -o json: the endpoints served, as one document once they listen."""
    from tsedash.demo import serving_line, simulate_until_stopped
    from tsedash.simulate import SimulationPlan

    def serving(served: list[str]) -> None:
        if view.structured:
            return view.document({"serving": served})
        view.note(serving_line(served), err=False)

    simulate_until_stopped(SimulationPlan(load_registry(registry_path), **plan), bind_host, serving)


@cli.command("demo")
@registry_option
@click.option("--port", type=int, default=None, help="Prometheus port (default: a free one).")
@click.option("--rate", default=2.0, show_default=True, help=RATE_HELP)
@click.option("--with-planned", is_flag=True, help=PLANNED_HELP)
@click.option("--for", "seconds", type=float, default=None, help="Stop after SECONDS (scripts).")
@dashboards_option
def demo_cmd(registry_path: SourceSpec, source: Path, view: View, **run: Any) -> None:
    """The simulator, simulated infrastructure exporters and a real Prometheus on 127.0.0.1,
    scraping with the generated config; "ready" once `tsedash verify` on the dashboards of
    --dashboards passes (without dashboard files there: once every target is scraped twice).
    -q: only the ready lines; -o json: they are one document, the rest goes to stderr."""
    from tsedash.demo import run_demo, verify_options
    from tsedash.provisioning.render import dashboard_files

    dashboards = source if dashboard_files(source) else None
    if dashboards is None:
        echo(f"warning: {source}: no dashboard files to verify (run `tsedash build`)", err=True)
    spec = registry_path
    run_demo(
        load_registry(spec),
        lambda line: view.note(line, err=view.structured),
        dashboards=dashboards,
        verify_hint=verify_options(spec.path, spec.compose, spec.discover),
        on_ready=lambda ready: view.show(ready.as_dict(), ready.lines()),
        **run,
    )


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
def preview_cmd(view: View, **opts: Any) -> None:
    """Draw each dashboard to scale as HTML, and a PNG with headless Chromium: the layout, or
    with --prometheus/--data every panel with its data as Grafana would show it. Written only
    once every page is drawn; one line per dashboard on stderr as it goes."""
    from tsedash.preview import preview

    with _progress(view) as progress:
        pages = preview(progress=progress, **opts)
    view.show([page.as_dict() for page in pages], pages)


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
