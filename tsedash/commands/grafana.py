"""`tsedash push|diff|restore|pull`, and the options naming a Grafana that its commands share."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tsedash.commands.common import CONTEXTS_OPTION, DIR, F, View, cli, echo, out_option
from tsedash.commands.registry import content, load_registry, registry_option
from tsedash.pipeline.inputs import SourceSpec
from tsedash.spec import DEFAULT_REGISTRY, REGISTRY_ENV

if TYPE_CHECKING:
    from tsedash.grafana.report import Line
    from tsedash.grafana.session import GrafanaTarget, Session

T = TypeVar("T")

_TARGET = (
    ("--url", {"help": "Grafana URL (default: $GRAFANA_URL, else the current context)."}),
    ("--ca-cert", {"type": click.Path(exists=True, dir_okay=False), "help": "Trust this CA."}),
    ("--insecure", {"is_flag": True, "help": "Do not verify TLS (warns)."}),
    ("--api", {"type": click.Choice(["auto", "legacy", "resource"]), "envvar": "GRAFANA_API",
               "help": "Dashboard API (default auto: /apis/dashboard.grafana.app if served)."}),
    ("--context", {"envvar": "TSEDASH_CONTEXT", "help": "A Grafana of the contexts file."}),
    ("--schema", {"type": click.Choice(["v1", "v2"]), "default": "v1", "show_default": True,
                  "help": "v2: converted, validated, through dashboard.grafana.app/v2."}),
    ("--timeout", {"default": 15.0, "show_default": True, "type": click.FloatRange(min=0.05),
                   "help": "Seconds per answer (a request, retries included: 4 times this)."}),
)  # fmt: skip
OVERWRITE = (
    ("--force", {"is_flag": True, "help": "Write over edits made in Grafana (saved first)."}),
    ("--backups", {"default": "backups", "show_default": True, "type": DIR}),
    ("--dry-run", {"is_flag": True, "help": "The plan (with each diff); write nothing."}),
)  # fmt: skip
UIDS = ("--uid", {"multiple": True, "help": "Only this dashboard (repeat); default: all built."})
PUSH = (
    ("--detailed-exitcode", {"is_flag": True, "help": "With --dry-run: exit 2 when changes "
                             "are pending, 1 refused, 3 Grafana error, 0 nothing to do."}),
    ("--prune", {"is_flag": True, "help": "Also delete what is no longer built, proven ours."}),
    (("--message", "note"), {"help": "Note added to each version message."}),
    (("--uid", "uids"), UIDS[1]),
)  # fmt: skip
PULL = (
    ("--uid", {"help": "The dashboard's uid."}),
    (("--out", "out_file"), {"type": click.Path(dir_okay=False, path_type=Path),
                             "help": "File to write (default: the one push reads, below)."}),
    ("--dashboards", {"default": "provisioning", "show_default": True, "type": DIR}),
    ("--backups", {"default": "backups", "show_default": True, "type": DIR}),
    ("--datasources", {"is_flag": True, "help": "Grafana's datasources into the registry."}),
    (("--registry", "registry_file"), {"envvar": REGISTRY_ENV, "default": DEFAULT_REGISTRY,
                                       "show_default": True, "metavar": "FILE"}),
)  # fmt: skip


def options(*specs: tuple[Any, dict[str, Any]]) -> Callable[[F], F]:
    """click options from a table of (declaration(s), settings)."""

    def apply(func: F) -> F:
        for decls, settings in reversed(specs):
            names = (decls,) if isinstance(decls, str) else decls
            func = click.option(*names, **settings)(func)
        return func

    return apply


def grafana_options(command: F) -> F:
    """The options naming a Grafana, handed to the command as one `target: GrafanaTarget`."""
    names = ("url", "ca_cert", "insecure", "timeout", "api", "context", "schema")

    @wraps(command)
    def wrapper(*args: Any, contexts_file: Path | None, **kwargs: Any) -> Any:
        from tsedash.grafana.session import GrafanaTarget

        given = {name: kwargs.pop(name) for name in names}
        return command(*args, target=GrafanaTarget(contexts_file=contexts_file, **given), **kwargs)

    return options(*_TARGET)(CONTEXTS_OPTION(wrapper))  # type: ignore[return-value]


def remote(target: GrafanaTarget, work: Callable[[Session], T]) -> T:
    """`work` on the target's Grafana: the command's one call into it (warnings on stderr)."""
    from tsedash.grafana.session import on_target

    return on_target(target, work, lambda line: echo(f"warning: {line}", err=True))


def painted(lines: list[Line]) -> list[tuple[bool, str]]:
    """A report's lines as `View.show` takes them; a diff's coloured on a terminal."""
    out = []
    for ln in lines:
        fg = {"+": "green", "-": "red", "@": "cyan"}.get(ln.text[:1])
        colour = fg and ln.diff and (sys.stderr if ln.err else sys.stdout).isatty()
        out.append((ln.err, ln.indent + (click.style(ln.text, fg=fg) if colour else ln.text)))
    return out


def _inputs(spec: SourceSpec, out: Path) -> tuple[Any, Any]:
    """Built in memory from the sources when given (the registry's `folder:`), else the files
    `build` wrote and its provider's folder."""
    from tsedash import pipeline
    from tsedash.grafana.session import provider_folder
    from tsedash.grafana.sync import local_dashboards
    from tsedash.provisioning.render import PROVIDER_FILE, read_dashboards

    if not spec.given:
        return local_dashboards(read_dashboards(out)), provider_folder(out / PROVIDER_FILE)
    registry = load_registry(spec)
    return pipeline.generate(registry, content()).by_uid, registry.folder


def _v2_notes(notes: list[Any], view: View) -> None:
    from tsedash.dashv2.report import summary_lines

    for line in [] if view.structured else summary_lines(notes):
        view.note(line)  # stderr: stdout is the report (or its document)


@cli.command("push")
@grafana_options
@out_option
@registry_option
@options(*OVERWRITE, *PUSH)
def push_cmd(
    target: GrafanaTarget, out: Path, registry_path: SourceSpec, view: View, **opts: Any
) -> None:
    """Push the built dashboards to Grafana: only what changed, never over an edit.

    With --registry/--compose/--discover the dashboards are built from those sources first.
    """
    from tsedash.grafana.session import PushRequest, exit_code, push_built

    built, folder = _inputs(registry_path, out)
    bar = sys.stdout.isatty() and not view.structured and not view.quiet
    progress = _progress_bar if bar else (lambda n: None)
    request = PushRequest(**opts)
    run = remote(target, lambda session: push_built(session, built, folder, request, progress))
    _v2_notes(run.v2_notes or [], view)
    view.show(run.summary(request.dry_run), painted(run.lines()))
    sys.exit(exit_code(run.report, request.detailed_exitcode))


def _progress_bar(count: int) -> Callable[[Any], Any]:
    """A bar over the `count` dashboards pushed (a terminal only)."""
    return lambda items: click.progressbar(items, label="pushing", length=count)


@cli.command("diff")
@grafana_options
@out_option
@registry_option
@options(UIDS, ("--stat", {"is_flag": True, "help": "Only +/- line counts and a total."}))
def diff_cmd(target: GrafanaTarget, registry_path: SourceSpec, view: View, **opts: Any) -> None:
    """Unified diff of each live dashboard against ours (normalised); exit 1 if any differs."""
    from tsedash.grafana.report import diff_document, diff_lines
    from tsedash.grafana.session import diff_built

    built, folder = _inputs(registry_path, opts["out"])
    results, notes = remote(target, lambda s: diff_built(s, built, folder, opts["uid"]))
    _v2_notes(notes, view)
    view.show(diff_document(results, opts["stat"]), painted(diff_lines(results, opts["stat"])))
    sys.exit(1 if any(r.status != "equal" for r in results) else 0)


@cli.command("restore")
@grafana_options
@click.argument("uid")
@click.option("--version", type=click.IntRange(min=1), help="A version from Grafana's history.")
@click.option("--backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options(*OVERWRITE)
def restore_cmd(target: GrafanaTarget, uid: str, view: View, **opts: Any) -> None:
    """Put a dashboard back as it was at --version N or as saved in a --backup file.

    The same protection as push: a dashboard edited in Grafana since our last push is refused
    unless --force (which saves the live copy first); a save in between is a conflict.
    """
    from tsedash.grafana.session import PushRequest, exit_code, restore

    version, backup, request = opts.pop("version"), opts.pop("backup"), PushRequest(**opts)
    run = remote(target, lambda session: restore(session, uid, version, backup, request))
    view.show(run.summary(request.dry_run), painted(run.lines()))
    sys.exit(exit_code(run.report))
