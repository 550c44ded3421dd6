"""`tsedash context list|use|current|check`: the contexts file, kubectl-like."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tsedash.commands.common import CONTEXTS_OPTION, echo
from tsedash.commands.grafana import grafana_options, open_session
from tsedash.commands.output import View
from tsedash.commands.root import cli

if TYPE_CHECKING:
    from tsedash.grafana.session import GrafanaTarget


@cli.group("context")
def context_group() -> None:
    """The named Grafanas of the contexts file, and which one commands use by default."""


@context_group.command("list")
@CONTEXTS_OPTION
def list_cmd(contexts_file: Path | None, view: View) -> None:
    """Every context with its URL; `*` marks the current one."""
    from tsedash.grafana.contexts import listed

    current, rows = listed(contexts_file)
    if view.structured:
        return view.document({"current": current, "contexts": rows})
    width = max(len(name) for name in rows)
    for name, url in rows.items():
        echo(f"{'*' if name == current else ' '} {name:<{width}}  {url}")


@context_group.command("use")
@click.argument("name")
@CONTEXTS_OPTION
def use_cmd(name: str, contexts_file: Path | None, view: View) -> None:
    """Make NAME the current context (`current-context:` in the contexts file)."""
    from tsedash.grafana.contexts import use_context

    path = use_context(name, contexts_file)
    if view.structured:
        return view.document({"current": name, "file": str(path)})
    view.note(f"current context: {name} ({path})", err=False)


@context_group.command("current")
@CONTEXTS_OPTION
def current_cmd(contexts_file: Path | None, view: View) -> None:
    """Print the current context; exit 1 when none is set."""
    from tsedash.grafana.contexts import current_context, default_path

    current = current_context(contexts_file)
    if view.structured:
        view.document({"current": current})
    else:
        echo(current or f"no current context in {contexts_file or default_path()}", not current)
    sys.exit(0 if current else 1)


@context_group.command("check")
@click.argument("name", required=False)
@grafana_options
def check_cmd(name: str | None, target: GrafanaTarget, view: View) -> None:
    """Connect to NAME (default: the current context) and report Grafana's version, database
    health, the organisation the credentials reach and the dashboard API; exit 3 when it does
    not answer or refuses the credentials, 2 when the context is bad."""
    from dataclasses import replace

    from tsedash.grafana.live import check, check_line

    found = check(open_session(replace(target, context=name or target.context)))
    return view.document(found) if view.structured else echo(check_line(found))
