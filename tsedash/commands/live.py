"""What a Grafana holds: `tsedash dashboards list|get|delete`, `tsedash pull`, and the
contexts naming the Grafanas (`tsedash context list|use|current|check`, kubectl-like)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tsedash.commands.common import CONTEXTS_OPTION, View, cli, echo
from tsedash.commands.grafana import OVERWRITE, PULL, grafana_options, options, remote

if TYPE_CHECKING:
    from tsedash.grafana.session import GrafanaTarget


@cli.group("dashboards")
def dashboards_group() -> None:
    """List, show or delete the dashboards a Grafana holds."""


@dashboards_group.command("list")
@grafana_options
def list_cmd(target: GrafanaTarget, view: View) -> None:
    """Every live dashboard: uid, title, folder, version, and whether tsedash pushed it (its
    newest version is a tsedash push of what it holds)."""
    from tsedash.grafana.live import list_dashboards, table

    found = remote(target, list_dashboards)
    view.show([d.as_dict() for d in found], table(found))


@dashboards_group.command("get")
@click.argument("uid")
@grafana_options
def get_cmd(uid: str, target: GrafanaTarget, view: View) -> None:
    """The live model of UID (JSON; -o yaml for YAML)."""
    from tsedash.grafana.live import get_dashboard

    model = remote(target, lambda session: get_dashboard(session, uid))
    View("yaml" if view.format == "yaml" else "json").document(model)


@dashboards_group.command("delete")
@click.argument("uids", nargs=-1, required=True)
@grafana_options
@options(*OVERWRITE)
def delete_cmd(uids: tuple[str, ...], target: GrafanaTarget, view: View, **opts: Any) -> None:
    """Delete each UID that tsedash pushed; another only with --force (saved to backups/
    first). Exit 1 when one is refused, 3 when Grafana fails."""
    from tsedash.grafana.live import delete_dashboards, delete_exit, outcome_line

    done = remote(target, lambda session: delete_dashboards(session, uids, **opts))
    view.show([o.as_dict() for o in done], [(o.action.fails, outcome_line(o)) for o in done])
    sys.exit(delete_exit(done))


@cli.command("pull")
@grafana_options
@options(*PULL)
def pull_cmd(target: GrafanaTarget, uid: str | None, view: View, **opts: Any) -> None:
    """Save a live dashboard, normalised, where the next push reads it (that push then goes
    ahead: the edit is kept), or with --datasources record the Grafana's datasources."""
    from tsedash.grafana.sync import check_pull, pull
    from tsedash.provisioning.render import dashboard_files

    check_pull(uid, opts["out_file"], opts["datasources"])
    if opts["datasources"]:
        return _pull_datasources(target, opts["registry_file"], view)

    built, out, backups = dashboard_files(opts["dashboards"]), opts["out_file"], opts["backups"]
    pulled = remote(target, lambda s: pull(s.dashboards, uid or "", out, built, backups))
    if view.structured:
        return view.document(pulled.as_dict())
    echo(f"wrote {pulled.path} (live copy saved to {pulled.backup})")
    view.note(pulled.advice)


def _pull_datasources(target: GrafanaTarget, registry_file: str, view: View) -> None:
    from tsedash.registry.edit import record_grafana_datasources

    answer = remote(target, lambda session: session.client.datasources())
    recorded = record_grafana_datasources(registry_file, answer)
    view.show(recorded.as_dict(), [recorded.line()])


@cli.group("context")
def context_group() -> None:
    """The named Grafanas of the contexts file, and which one commands use by default."""


@context_group.command("list")
@CONTEXTS_OPTION
def context_list(contexts_file: Path | None, view: View) -> None:
    """Every context with its URL; `*` marks the current one."""
    from tsedash.grafana.contexts import listed, listing

    current, rows = listed(contexts_file)
    view.show({"current": current, "contexts": rows}, listing(current, rows))


@context_group.command("use")
@click.argument("name")
@CONTEXTS_OPTION
def context_use(name: str, contexts_file: Path | None, view: View) -> None:
    """Make NAME the current context (`current-context:` in the contexts file)."""
    from tsedash.grafana.contexts import use_context

    path = use_context(name, contexts_file)
    if view.structured:
        return view.document({"current": name, "file": str(path)})
    view.note(f"current context: {name} ({path})", err=False)


@context_group.command("current")
@CONTEXTS_OPTION
def context_current(contexts_file: Path | None, view: View) -> None:
    """Print the current context; exit 1 when none is set."""
    from tsedash.grafana.contexts import current_context, default_path

    current = current_context(contexts_file)
    missing = f"no current context in {contexts_file or default_path()}"
    view.show({"current": current}, [current or missing], err=not current)
    sys.exit(0 if current else 1)


@context_group.command("check")
@click.argument("name", required=False)
@grafana_options
def context_check(name: str | None, target: GrafanaTarget, view: View) -> None:
    """Connect to NAME (default: the current context) and report Grafana's version, database
    health, the organisation the credentials reach and the dashboard API; exit 3 when it does
    not answer or refuses the credentials, 2 when the context is bad."""
    from tsedash.grafana.live import check, check_line

    found = remote(replace(target, context=name or target.context), check)
    view.show(found, [check_line(found)])
