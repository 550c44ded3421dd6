"""`tsedash push|diff|restore|pull`."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tsedash.errors import InputError, TsedashError
from tsedash.redact import remember_secret, remember_url
from tsedash.spec import DEFAULT_REGISTRY, REGISTRY_ENV

if TYPE_CHECKING:
    from tsedash.grafana.sync import PushReport

# Every stage is imported by the commands that use it: `registry show` does not pay for the

from tsedash.commands.common import (
    CLIENTS,
    CONTEXTS_OPTION,
    F,
    echo,
    handles_errors,
    out_option,
    print_findings,
    v2_lines,
)
from tsedash.commands.root import cli
from tsedash.commands.sources import SourceSpec, content, load_registry, registry_option


def _grafana_options(command: F) -> F:
    """The options naming a Grafana, handed to the command as one `target: GrafanaTarget`."""

    @wraps(command)
    def wrapper(
        *args: Any,
        url: str | None,
        ca_cert: str | None,
        insecure: bool,
        api: str | None,
        context: str | None,
        contexts_file: Path | None,
        schema: str,
        timeout: float,
        **kwargs: Any,
    ) -> Any:
        target = GrafanaTarget(url, ca_cert, insecure, timeout, api, context, contexts_file, schema)
        return command(*args, target=target, **kwargs)

    func: F = wrapper  # type: ignore[assignment]
    func = click.option("--url", default=None, help="Grafana URL (default: $GRAFANA_URL).")(func)
    func = click.option(
        "--ca-cert",
        default=None,
        type=click.Path(exists=True, dir_okay=False),
        help="Trust this CA bundle (a private CA).",
    )(func)
    func = click.option("--insecure", is_flag=True, help="Do not verify TLS (warns).")(func)
    func = click.option(
        "--api",
        type=click.Choice(["auto", "legacy", "resource"]),
        default=None,
        envvar="GRAFANA_API",
        help="Dashboard API: the resource API /apis/dashboard.grafana.app (Grafana 12+) when "
        "the server lists it, else the legacy /api/dashboards (default auto; env GRAFANA_API).",
    )(func)
    func = click.option(
        "--context",
        default=None,
        envvar="TSEDASH_CONTEXT",
        help="A named Grafana from the contexts file (URL, auth, org, TLS; env TSEDASH_CONTEXT).",
    )(func)
    func = CONTEXTS_OPTION(func)
    func = click.option(
        "--schema",
        type=click.Choice(["v1", "v2"]),
        default="v1",
        show_default=True,
        help="v2: the dashboards as schema v2 through dashboard.grafana.app/v2 (Grafana 13+), "
        "converted from the built ones and validated first.",
    )(func)
    func = click.option(
        "--timeout",
        default=15.0,
        show_default=True,
        type=click.FloatRange(min=0.05),
        help="Seconds to wait for each answer; a whole request (retries included) gets at most "
        "4 times this.",
    )(func)
    return func


@dataclass(frozen=True)
class GrafanaTarget:
    """Where --url/--ca-cert/--insecure/--api/--context point, before a client exists."""

    url: str | None = None
    ca_cert: str | None = None
    insecure: bool = False
    timeout: float = 15.0
    api: str | None = None
    context: str | None = None
    contexts_file: Path | None = None
    schema: str = "v1"


def _client(target: GrafanaTarget) -> Any:
    import warnings

    from tsedash.grafana.api import Dashboards
    from tsedash.grafana.client import GrafanaClient, GrafanaSettings

    environ, ca_cert, insecure, api = None, target.ca_cert, target.insecure, target.api
    where = ""
    if target.context:
        from tsedash.grafana.contexts import load_context

        ctx = load_context(target.context, target.contexts_file)
        environ = ctx.environ
        remember_secret(environ.get("GRAFANA_TOKEN"))
        remember_secret(environ.get("GRAFANA_PASSWORD"), environ.get("GRAFANA_USER"))
        remember_url(environ.get("GRAFANA_URL"))
        ca_cert, insecure, api = ca_cert or ctx.ca_cert, insecure or ctx.insecure, api or ctx.api
        where = ctx.where
    remember_url(target.url)
    try:
        settings = GrafanaSettings.from_env(
            target.url, ca_cert, insecure, environ, read_timeout=target.timeout
        )
    except InputError as exc:
        if not where:
            raise
        raise InputError(f"{where}: {exc}") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = GrafanaClient(settings)
    for warning in caught:
        echo(f"warning: {warning.message}", err=True)
    CLIENTS.append(client)
    return Dashboards(client, api or "auto", target.schema)  # type: ignore[arg-type]  # Choices


def _provider_folder(out: Path) -> Any:
    """The folder the build wrote into the file provider (`out/dashboards/*.yml`; a parent is
    not recorded there), or the default one when there is none yet."""
    import yaml

    from tsedash.inputs import read_text
    from tsedash.provisioning.render import PROVIDER_FILE
    from tsedash.registry.model import Folder

    try:
        provider = yaml.safe_load(read_text(out / PROVIDER_FILE))["providers"][0]
        return Folder(str(provider["folderUid"]), str(provider["folder"]))
    except (OSError, TsedashError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return Folder()


def _push_inputs(spec: SourceSpec, out: Path) -> tuple[list[tuple[str, dict[str, Any]]], Any]:
    """The dashboards and their folder: built in memory from the sources when given (the
    registry's `folder:`), else the files `build` wrote and its provider's folder."""
    if not spec.given:
        return _local_dashboards(out), _provider_folder(out)
    from tsedash import pipeline

    registry = load_registry(spec)
    result = pipeline.generate(registry, content())
    return [(dash.uid, model) for dash, model in result.dashboards], registry.folder


def _selected(
    dashboards: list[tuple[str, dict[str, Any]]], uids: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    """Only the dashboards named by --uid (all when none is given); an unknown uid is an
    error naming the ones there are."""
    if not uids:
        return dashboards
    have = [uid for uid, _ in dashboards]
    unknown = [uid for uid in uids if uid not in have]
    if unknown:
        raise InputError(
            f"--uid {', '.join(unknown)}: not among the dashboards built ({', '.join(have)})"
        )
    return [(uid, model) for uid, model in dashboards if uid in uids]


def _in_schema(
    dashboards: list[tuple[str, dict[str, Any]]], schema: str, folder_uid: str
) -> tuple[list[tuple[str, dict[str, Any]]], list[Any]]:
    """The dashboards as push and diff send them: v1 as built, or converted to v2 specs (the
    uid beside the spec) and validated like `build --schema v2` does; with the conversion's
    report (`tsedash.dashv2.report.DashboardNote`s)."""
    if schema != "v2":
        return dashboards, []
    from tsedash.dashv2.resources import convert_all
    from tsedash.validate import ValidationFailed

    converted, findings, notes = convert_all(
        ((f"{uid} (v2)", m) for uid, m in dashboards), folder_uid
    )
    if findings:
        print_findings(findings)
        raise ValidationFailed(findings)
    specs = [
        (made["metadata"]["name"], {**made["spec"], "uid": made["metadata"]["name"]})
        for _, made in converted
    ]
    return specs, notes


def _print_v2_notes(notes: list[Any], err: bool = False) -> None:
    """The v2 conversion's report: each note that matters, a count of the inert ones."""
    for line in v2_lines(notes):
        echo(line, err=err)


def _print_diff(text: str, indent: str = "", err: bool = False) -> None:
    color = (sys.stderr if err else sys.stdout).isatty()
    for line in text.splitlines():
        fg = "green" if line.startswith("+") else "red" if line.startswith("-") else None
        fg = "cyan" if line.startswith("@@") else fg
        echo(indent + (click.style(line, fg=fg) if color and fg else line), err=err)


def _overwrite_options(func: F) -> F:
    """--force, --backups and --json: what push and restore share."""
    func = click.option(
        "--json", "as_json", is_flag=True, help="Print a machine-readable summary."
    )(func)
    func = click.option(
        "--backups",
        default="backups",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Where live copies are saved before a forced write.",
    )(func)
    return click.option(
        "--force", is_flag=True, help="Write over edits made in Grafana (saved to backups/ first)."
    )(func)


def _report_push(
    client: Any, report: PushReport, dry_run: bool, as_json: bool, v2_notes: list[Any] | None = None
) -> None:
    """Print what push (or restore) did; exit 3 when a dashboard was refused or failed.
    `v2_notes`: the v2 conversion's report, in the JSON (`v2_conversion`)."""
    if as_json:
        summary = _push_json(client, report, dry_run)
        if v2_notes is not None:
            summary["v2_conversion"] = [n.as_dict() for n in v2_notes]
        echo(json.dumps(summary, indent=2, sort_keys=True))
    else:
        _print_push(client, report)
    if report.failed:
        sys.exit(3)


_UID_OPTION = click.option(
    "--uid",
    "uids",
    multiple=True,
    help="Only this dashboard (repeat for several); default: every dashboard built.",
)


def _local_dashboards(out: Path) -> list[tuple[str, dict[str, Any]]]:
    from tsedash.grafana.sync import local_dashboards
    from tsedash.provisioning.render import read_dashboards

    return local_dashboards(read_dashboards(out))  # each an object with a Grafana uid


@cli.command("push")
@_grafana_options
@out_option
@registry_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="The plan: per dashboard create / update / unchanged / refused / delete, with the "
    "diff of each update or refusal; write nothing.",
)
@_UID_OPTION
@click.option(
    "--prune",
    is_flag=True,
    help="Also delete the dashboards of our folder that the build no longer produces, each "
    "only when read back it proves ours: in our folder, no other manager, exactly our last "
    "push (anything else is kept and named; nothing is deleted when a proof fails).",
)
@click.option("--message", "note", default=None, help="Note added to each version message.")
@_overwrite_options
@handles_errors
def push_cmd(
    target: GrafanaTarget,
    out: Path,
    dry_run: bool,
    force: bool,
    note: str | None,
    backups: Path,
    as_json: bool,
    registry_path: SourceSpec,
    uids: tuple[str, ...],
    prune: bool,
) -> None:
    """Push the built dashboards to Grafana: only what changed, never over an edit.

    With --registry/--compose/--discover the dashboards are built from those sources first.
    """
    from tsedash.grafana.sync import push

    if prune and uids:
        raise InputError("--prune compares every dashboard built: it cannot go with --uid")
    client = _client(target)
    built, folder = _push_inputs(registry_path, out)
    dashboards, v2_notes = _in_schema(_selected(built, uids), target.schema, folder.uid)
    if not as_json:
        _print_v2_notes(v2_notes, err=True)
    tty = sys.stdout.isatty() and not as_json

    def progress(items: Any) -> Any:
        if not tty:
            return items
        return click.progressbar(items, label="pushing", length=len(dashboards))

    report = push(
        client,
        dashboards,
        folder.uid,
        folder.title,
        dry_run=dry_run,
        force=force,
        note=note,
        backups=backups,
        progress=progress if tty else None,
        prune=prune,
        folder_parent=folder.parent,
    )
    _report_push(client, report, dry_run, as_json, v2_notes if target.schema == "v2" else None)


def _push_json(client: Any, report: PushReport, dry_run: bool) -> dict[str, Any]:
    return {
        "url": client.settings.shown_url,
        "api": client.api,
        "dry_run": dry_run,
        "folder": report.folder,
        "dashboards": [o.as_dict() for o in report.outcomes],
        "requests": report.requests,
        "writes": report.writes,
    }


def _print_push(client: Any, report: PushReport) -> None:
    """One line per dashboard (those that fail on stderr), then the counts."""
    echo(
        f"grafana {client.settings.shown_url} ({client.api}): "
        f"folder {report.folder_uid} {report.folder}"
    )
    counts: dict[str, int] = {}
    for o in report.outcomes:
        version = f" (version {o.version})" if o.version else ""
        detail = f": {o.detail}" if o.detail else ""
        backup = f"; live copy saved to {o.backup}" if o.backup else ""
        echo(f"  {o.action:<15} {o.uid}{version}{detail}{backup}", err=o.action.fails)
        if o.diff:
            _print_diff(o.diff, "      ", err=o.action.fails)
        counts[str(o.action)] = counts.get(str(o.action), 0) + 1
    summary = ", ".join(f"{n} {a}" for a, n in sorted(counts.items()))
    echo(f"{summary}; {report.writes} writes, {report.requests} requests")


@cli.command("diff")
@_grafana_options
@out_option
@registry_option
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@_UID_OPTION
@handles_errors
def diff_cmd(
    target: GrafanaTarget,
    out: Path,
    as_json: bool,
    registry_path: SourceSpec,
    uids: tuple[str, ...],
) -> None:
    """Unified diff of each live dashboard against ours (normalised); exit 1 if any differs."""
    from tsedash.grafana.sync import diff

    client = _client(target)
    built, folder = _push_inputs(registry_path, out)
    dashboards, v2_notes = _in_schema(_selected(built, uids), target.schema, folder.uid)
    _print_v2_notes(v2_notes, err=True)  # stderr: stdout is the diff (or its JSON)
    results = diff(client, dashboards)
    if as_json:
        echo(json.dumps([r.__dict__ for r in results], indent=2, sort_keys=True))
    else:
        for r in results:
            echo(f"{r.uid}: {r.status}")
            _print_diff(r.diff)
    if any(r.status != "equal" for r in results):
        sys.exit(1)


@cli.command("restore")
@_grafana_options
@click.argument("uid")
@click.option(
    "--version", "version", type=click.IntRange(min=1), help="A version from Grafana's history."
)
@click.option(
    "--backup",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A live copy `push --force` saved (backups/<uid>/v….json).",
)
@click.option("--dry-run", is_flag=True, help="Show the plan (with its diff); write nothing.")
@_overwrite_options
@handles_errors
def restore_cmd(
    target: GrafanaTarget,
    uid: str,
    version: int | None,
    backup: Path | None,
    dry_run: bool,
    force: bool,
    backups: Path,
    as_json: bool,
) -> None:
    """Put a dashboard back as it was at --version N or as saved in a --backup file.

    The same protection as push: a dashboard edited in Grafana since our last push is refused
    unless --force (which saves the live copy first); a save in between is a conflict.
    """
    from tsedash.grafana.sync import live_folder, push, restore_model
    from tsedash.spec import FOLDER_TITLE, FOLDER_UID

    if (version is None) == (backup is None):
        raise InputError("restore needs exactly one of --version N and --backup FILE")
    client = _client(target)
    model = restore_model(client, uid, version, backup)
    if backup is not None and ("elements" in model and "layout" in model) != (
        target.schema == "v2"
    ):
        held = "a schema v2" if target.schema == "v1" else "a v1 (classic)"
        hint = "--schema v2" if target.schema == "v1" else "without --schema v2"
        raise InputError(f"{backup}: holds {held} dashboard: restore it {hint}")
    source = f"version {version}" if version is not None else f"backup {backup}"
    live = client.get_dashboard(uid)  # restored where it is; a deleted one into our folder
    folder = live_folder(live) or FOLDER_UID
    report = push(
        client,
        [(uid, model)],
        folder,
        FOLDER_TITLE,
        dry_run=dry_run,
        force=force,
        note=f"restored from {source}",
        backups=backups,
    )
    _report_push(client, report, dry_run, as_json)


@cli.command("pull")
@_grafana_options
@click.option("--uid", default=None, help="The dashboard's uid.")
@click.option(
    "--out",
    "out_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: <uid>.json).",
)
@click.option(
    "--datasources",
    is_flag=True,
    help="Instead of a dashboard: list Grafana's datasources in the registry "
    "(`datasource.grafana`), which old dashboards' datasource names resolve to.",
)
@click.option(
    "--registry",
    "registry_file",
    envvar=REGISTRY_ENV,
    default=DEFAULT_REGISTRY,
    show_default=True,
    metavar="FILE",
    help=f"With --datasources: the registry file to fill in (env {REGISTRY_ENV}).",
)
@handles_errors
def pull_cmd(
    target: GrafanaTarget,
    uid: str | None,
    out_file: Path | None,
    datasources: bool,
    registry_file: str,
) -> None:
    """Save a live dashboard as a normalised bare model (to bring it under the pipeline), or
    with --datasources record the Grafana's datasources in the registry."""
    from tsedash.grafana.sync import check_uid, pull

    if datasources:
        if uid or out_file:
            raise InputError("--datasources fills the registry: it cannot go with --uid or --out")
        _pull_datasources(target, registry_file)
        return
    if not uid:
        raise InputError("give --uid UID (a dashboard) or --datasources")
    check_uid(uid)  # before it becomes a request path or the default file name
    path = pull(
        _client(target),
        uid,
        out_file or Path(f"{uid}.json"),
    )
    echo(f"wrote {path}")


def _pull_datasources(target: GrafanaTarget, registry_file: str) -> None:
    from tsedash.registry.edit import write_grafana_datasources
    from tsedash.registry.model import GrafanaDatasource

    found = [
        GrafanaDatasource(d["name"], d["uid"], d["type"], d["isDefault"])
        for d in _client(target).datasources()
    ]
    write_grafana_datasources(registry_file, found)
    default = next((d.name for d in found if d.default), "none")
    echo(
        f"wrote {len(found)} datasource(s) into {registry_file} (datasource.grafana; default: "
        f"{default})"
    )
