"""`tsedash preview|verify|simulate|demo`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tsedash.redact import remember_url
from tsedash.spec import DEFAULT_REGISTRY

if TYPE_CHECKING:
    pass

# Every stage is imported by the commands that use it: `registry show` does not pay for the

from tsedash.commands.common import dashboards_option, echo, handles_errors
from tsedash.commands.root import cli
from tsedash.commands.sources import SourceSpec, load_registry, registry_option


@cli.command("preview")
@dashboards_option
@click.option(
    "--out",
    default="preview",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the HTML pages and PNGs go.",
)
@click.option("--no-png", is_flag=True, help="Only the HTML pages (no Chromium needed).")
@handles_errors
def preview_cmd(source: Path, out: Path, no_png: bool) -> None:
    """Draw each dashboard's layout to scale as HTML, and a PNG with headless Chromium."""
    from tsedash.preview import write_previews

    for page in write_previews(source, out, png=not no_png):
        echo(f"{page.uid}: {page.html}" + (f", {page.png}" if page.png else ""))


@cli.command("verify")
@registry_option
@click.option(
    "--prometheus",
    "prometheus_url",
    envvar="PROMETHEUS_URL",
    required=True,
    metavar="URL",
    help="The Prometheus the dashboards' datasource points at (env PROMETHEUS_URL).",
)
@dashboards_option
@click.option("--rate-interval", default="1m", show_default=True, help="$__rate_interval.")
@click.option("--range", "time_range", default="15m", show_default=True, help="$__range.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds per request.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@handles_errors
def verify_cmd(
    registry_path: SourceSpec,
    prometheus_url: str,
    source: Path,
    rate_interval: str,
    time_range: str,
    timeout: float,
    as_json: bool,
) -> None:
    """Do the dashboards show data for every instance on this Prometheus? Exit 0 when every
    visible panel has data for every instance it should show and every target is up, 1
    otherwise (naming panel, instance and query), 3 when Prometheus cannot be reached."""
    from tsedash.queries.expand import duration_ms
    from tsedash.verify import Macros, render_table, verify

    remember_url(prometheus_url)  # a password in the URL is masked wherever it is echoed
    for value, option in ((rate_interval, "--rate-interval"), (time_range, "--range")):
        try:
            duration_ms(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
    if not 0 < timeout <= 3600:  # also refuses nan and inf
        raise click.BadParameter(
            "expected seconds, more than 0 and at most 3600", param_hint="--timeout"
        )
    macros = Macros(rate_interval=rate_interval, range=time_range)
    report = verify(prometheus_url, load_registry(registry_path), source, macros, timeout)
    failures = report.failures()
    if as_json:
        echo(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    else:
        echo(render_table(report), nl=False)
        for line in failures:
            echo(f"verify: {line}", err=True)
        shown = sum(1 for p in report.panels if not p.planned)
        if not failures:
            echo(
                f"verify: ok: {shown} panels have data for all {len(report.instances)} "
                "instances; every target is up"
            )
    if failures:
        sys.exit(1)


RATE_HELP = "Requests per second of each instance's simulated API route."
PLANNED_HELP = "Also serve the planned domain metrics (no real service exposes them yet)."


@cli.command("simulate")
@registry_option
@click.option("--rate", default=2.0, show_default=True, help=RATE_HELP)
@click.option("--with-planned", is_flag=True, help=PLANNED_HELP)
@click.option("--bind", "bind_host", default=None, help="Bind this host instead of each address's.")
@handles_errors
def simulate_cmd(
    registry_path: SourceSpec, rate: float, with_planned: bool, bind_host: str | None
) -> None:
    """Serve what the real services serve, on each instance's registry address, until Ctrl-C.

    RED metrics, process and runtime collectors, readiness after GET /api/v1/ready, each
    type's own metrics path (404 elsewhere); series appear with their first request."""
    from tsedash.demo import stop_requested
    from tsedash.simulate import SimulationPlan, Simulator

    reg = load_registry(registry_path)
    simulator = Simulator(SimulationPlan(reg, rate, with_planned), bind_host)
    with stop_requested() as stop:
        served = simulator.start()
        more = " …" if len(served) > 4 else ""
        echo(f"serving {len(served)} endpoints ({', '.join(served[:4])}{more}); Ctrl-C stops")
        try:
            stop.wait()
        finally:
            simulator.stop()


@cli.command("demo")
@registry_option
@click.option("--port", type=int, default=None, help="Prometheus port (default: a free one).")
@click.option("--rate", default=2.0, show_default=True, help=RATE_HELP)
@click.option("--with-planned", is_flag=True, help=PLANNED_HELP)
@click.option("--for", "seconds", type=float, default=None, help="Stop after SECONDS (scripts).")
@dashboards_option
@handles_errors
def demo_cmd(
    registry_path: SourceSpec,
    port: int | None,
    rate: float,
    with_planned: bool,
    seconds: float | None,
    source: Path,
) -> None:
    """The simulator, simulated infrastructure exporters and a real Prometheus on 127.0.0.1,
    scraping with the generated config; "ready" once `tsedash verify` on the dashboards of
    --dashboards passes (without dashboard files there: once every target is scraped twice)."""
    from tsedash.demo import run_demo
    from tsedash.provisioning.render import dashboard_files

    say = lambda line: echo(line)  # noqa: E731
    # What the printed verify command needs besides the default registry.
    given = registry_path.path
    default = given is None or Path(given).resolve() == Path(DEFAULT_REGISTRY).resolve()
    hint = "" if default else f" --registry {given}"
    hint += "".join(f" --compose {c}" for c in registry_path.compose)
    hint += f" --discover {registry_path.discover}" if registry_path.discover else ""
    dashboards = source if dashboard_files(source) else None
    if dashboards is None:
        echo(f"warning: {source}: no dashboard files to verify (run `tsedash build`)", err=True)
    run_demo(
        load_registry(registry_path),
        say,
        port,
        rate,
        seconds,
        with_planned=with_planned,
        dashboards=dashboards,
        verify_hint=hint,
    )
