"""The root group: `tsedash --help`, `--version`, the secrets the environment hands us."""

from __future__ import annotations

import click

from tsedash import __version__
from tsedash.commands.common import remember_environment_secrets
from tsedash.commands.output import Group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tsedash")
@click.option(
    "-q", "--quiet", is_flag=True, help="Only results, warnings and errors (every command)."
)
def cli(quiet: bool) -> None:
    """Trading Ecosystem dashboards as code: registry → dashboards → Grafana.

    \b
    Every command:
      -o, --output FORMAT  table (default), wide, json or yaml (--json: -o json)
      -q, --quiet          only results, warnings and errors
      -h, --help           its options
    \b
    Exit codes: 0 ok · 1 findings · 2 bad input or usage · 3 remote failure
    (push --dry-run --detailed-exitcode: 2 when changes are pending).
    Grafana: --context NAME (env TSEDASH_CONTEXT) or --url (env GRAFANA_URL).
    """
    remember_environment_secrets()


@cli.group()
def registry() -> None:
    """Inspect and check the instance registry."""
