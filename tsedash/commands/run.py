"""`tsedash verify|simulate|demo`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tsedash.commands.common import View, cli, dashboards_option, echo, echo_lines
from tsedash.commands.sources import SourceSpec, load_registry, registry_option

_HEALTH = "Target health from the server's targets API, or (a global store) its `up` series."
_SHARDS = "Target health from these Prometheus shards' targets APIs (repeat for each)."
_REFERENCE = "Also compare the values with this Prometheus scraping the same targets."
_PROMETHEUS = "The Prometheus the dashboards' datasource points at (env PROMETHEUS_URL; required)."
RATE_HELP = "Requests per second of each instance's simulated API route."
PLANNED_HELP = "Also serve the planned domain metrics (no real service exposes them yet)."


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
    from tsedash.verify import VerifyRequest, error_document, render_table

    with view.errors_as_document(error_document):
        report = VerifyRequest(**opts).run(lambda: load_registry(registry_path))
    failures = report.failures()
    if view.structured:
        view.document(report.as_dict())
    else:
        echo(render_table(report), nl=False)
        echo_lines([f"verify: {line}" for line in failures])
        if not failures:
            echo(report.ok_line())
    sys.exit(1 if failures else 0)


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
    from tsedash.demo import stop_requested, wait_for_stop
    from tsedash.simulate import SimulationPlan, Simulator

    simulator = Simulator(SimulationPlan(load_registry(registry_path), **plan), bind_host)
    with stop_requested() as stop:
        served = simulator.start()
        more = " …" if len(served) > 4 else ""
        if view.structured:
            view.document({"serving": served})
        else:
            view.note(f"serving {len(served)} endpoints ({', '.join(served[:4])}{more}); "
                      "Ctrl-C stops", err=False)  # fmt: skip
        try:
            wait_for_stop(stop)
        finally:
            simulator.stop()


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
        on_ready=lambda ready: (
            view.document(ready.as_dict()) if view.structured else echo_lines(ready.lines(), False)
        ),
        **run,
    )
