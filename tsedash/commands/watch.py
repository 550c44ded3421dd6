"""`tsedash watch`."""

from __future__ import annotations

from typing import Any

import click

from tsedash.commands.common import CONTEXTS_OPTION, View, cli, echo, out_option
from tsedash.commands.registry import base_options, dir_option, extras_option, flag, registry_option
from tsedash.pipeline.inputs import SourceSpec

_INTERVAL = "Seconds between looks at the inputs (default 0.5)."
_DEPLOY = "Also rewrite the deployment artefacts there, as `build --deploy DIR`."
_PROMETHEUS = (
    "After a cycle that changed the scrape targets, report when this Prometheus scrapes each "
    "new instance (up == 1) and drops each removed one."
)


@cli.command("watch")
@registry_option
@out_option
@extras_option
@flag("--no-lint", "Do not lint before writing (lint is strict).")
@click.option("--context", envvar="TSEDASH_CONTEXT", help="Also push each good build there.")
@CONTEXTS_OPTION
@click.option("--interval", default=0.5, type=click.FloatRange(min=0.05), help=_INTERVAL)
@dir_option("--deploy", "deploy_out", default="deploy", show_default=True, help=_DEPLOY)
@flag("--no-deploy", "Rewrite the provisioning files only.")
@click.option("--prometheus", "prometheus_url", metavar="URL", help=_PROMETHEUS)
@base_options
@click.option("--cycles", default=None, type=click.IntRange(min=0), hidden=True)
def watch_cmd(registry_path: SourceSpec, view: View, **opts: Any) -> None:
    """Rebuild on every change to the registry, compose files, extras or dashboard code.

    Each build validates, lints (strict) and rewrites atomically the provisioning files and
    (unless --no-deploy) the deployment artefacts: a new instance gets its scrape target.
    With --context each good build is pushed too; with --prometheus each target change is
    followed until Prometheus scrapes it. One line per cycle; a broken edit prints its error
    and leaves the last good files as they were. Ctrl-C stops.
    """
    from tsedash.watch import plan_watch, run_watch

    if view.structured:  # a stream of cycles is no one document
        raise click.UsageError(f"watch prints one line per cycle: -o {view.format} is not one")
    interval, cycles = opts.pop("interval"), opts.pop("cycles")
    plan, url = plan_watch(registry_path, **opts)
    view.note(plan.watching(), err=False)
    run_watch(plan, echo, interval, url, cycles)
