"""`tsedash dashboards list|get|delete` and `tsedash pull`: the live dashboards of a Grafana."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from tsedash.commands.common import echo
from tsedash.commands.grafana import OVERWRITE, PULL, grafana_options, open_session, options
from tsedash.commands.output import View, render_document
from tsedash.commands.root import cli
from tsedash.errors import InputError

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

    found = list_dashboards(open_session(target))
    if view.structured:
        return view.document([d.as_dict() for d in found])
    for line in table(found):
        echo(line)


@dashboards_group.command("get")
@click.argument("uid")
@grafana_options
def get_cmd(uid: str, target: GrafanaTarget, view: View) -> None:
    """The live model of UID (JSON; -o yaml for YAML)."""
    from tsedash.grafana.live import get_dashboard

    model = get_dashboard(open_session(target), uid)
    echo(render_document(model, "yaml" if view.format == "yaml" else "json"))


@dashboards_group.command("delete")
@click.argument("uids", nargs=-1, required=True)
@grafana_options
@options(*OVERWRITE)
def delete_cmd(uids: tuple[str, ...], target: GrafanaTarget, view: View, **opts: Any) -> None:
    """Delete each UID that tsedash pushed; another only with --force (saved to backups/
    first). Exit 1 when one is refused, 3 when Grafana fails."""
    from tsedash.grafana.live import delete_dashboards, delete_exit, outcome_line

    done = delete_dashboards(open_session(target), uids, **opts)
    if view.structured:
        view.document([o.as_dict() for o in done])
    for o in [] if view.structured else done:
        echo(outcome_line(o), err=o.action.fails)
    sys.exit(delete_exit(done))


@cli.command("pull")
@grafana_options
@options(*PULL)
def pull_cmd(target: GrafanaTarget, uid: str | None, view: View, **opts: Any) -> None:
    """Save a live dashboard, normalised, where the next push reads it (that push then goes
    ahead: the edit is kept), or with --datasources record the Grafana's datasources."""
    from tsedash.grafana.sync import pull
    from tsedash.provisioning.render import dashboard_files

    if opts["datasources"] and (uid or opts["out_file"]):
        raise InputError("--datasources fills the registry: it cannot go with --uid or --out")
    if not (uid or opts["datasources"]):
        raise InputError("give --uid UID (a dashboard) or --datasources")
    session = open_session(target)
    if opts["datasources"]:
        return _pull_datasources(session.client.datasources(), opts["registry_file"], view)
    built = dashboard_files(opts["dashboards"])
    pulled = pull(session.dashboards, uid or "", opts["out_file"], built, opts["backups"])
    if view.structured:
        return view.document(pulled.as_dict())
    echo(f"wrote {pulled.path} (live copy saved to {pulled.backup})")
    view.note(pulled.advice)


def _pull_datasources(answer: list[dict[str, Any]], registry_file: str, view: View) -> None:
    from tsedash.registry.edit import write_grafana_datasources
    from tsedash.registry.model import GrafanaDatasource

    found = [GrafanaDatasource(d["name"], d["uid"], d["type"], d["isDefault"]) for d in answer]
    write_grafana_datasources(registry_file, found)
    if view.structured:
        return view.document({"registry": registry_file, "datasources": [vars(d) for d in found]})
    default = next((d.name for d in found if d.default), "none")
    where = f"{registry_file} (datasource.grafana; default: {default})"
    echo(f"wrote {len(found)} datasource(s) into {where}")
