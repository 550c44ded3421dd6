"""The front door to a Grafana: a target (context, URL, credentials, TLS, API, schema, timeout)
becomes a connected `Session`; push, diff, restore, pull and prune take one.

A session carries its own notices (a Retry-After cut short, TLS not verified): the command
prints them when it ends, so nothing about one Grafana is kept in a module global.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tsedash.errors import InputError, TsedashError
from tsedash.grafana.api import Dashboards
from tsedash.grafana.client import GrafanaClient, GrafanaSettings
from tsedash.grafana.contexts import current_context, load_context
from tsedash.grafana.sync import Action, FolderState, PushReport, push
from tsedash.redact import remember_secret, remember_url
from tsedash.spec import FOLDER_TITLE, FOLDER_UID

Built = list[tuple[str, dict[str, Any]]]  # (uid, model) as built
T = TypeVar("T")
Progress = Callable[[Iterable[tuple[str, dict[str, Any]]]], Iterable[tuple[str, dict[str, Any]]]]

# `push --dry-run --detailed-exitcode` (Terraform's convention).
NOTHING_TO_DO, REFUSED, CHANGES_PENDING, GRAFANA_ERROR = 0, 1, 2, 3
PENDING = (Action.WOULD_CREATE, Action.WOULD_UPDATE, Action.WOULD_DELETE)


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


@dataclass
class Session:
    """One connected Grafana: its dashboards (through the API it serves) and what to tell."""

    dashboards: Dashboards
    context: str | None = None  # the context it came from, if any
    warnings: list[str] = field(default_factory=list)  # said once, when it connected

    @property
    def client(self) -> GrafanaClient:
        return self.dashboards.client

    @property
    def url(self) -> str:
        return self.client.settings.shown_url

    @property
    def notices(self) -> list[str]:
        """What the user should know after the command (each once)."""
        return list(dict.fromkeys(self.client.notices))


def context_name(target: GrafanaTarget) -> str | None:
    """--context, else the contexts file's `current-context` — only when no URL is given
    (--url or GRAFANA_URL): a context's credentials never go to a URL it does not name."""
    if target.context:
        return target.context
    if target.url or os.environ.get("GRAFANA_URL"):
        return None
    return current_context(target.contexts_file)


def connect(target: GrafanaTarget) -> Session:
    """A session on the target's Grafana (no request made yet)."""
    environ, ca_cert, insecure, api = None, target.ca_cert, target.insecure, target.api
    where, name = "", context_name(target)
    if name:
        ctx = load_context(name, target.contexts_file)
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
    said = [str(w.message) for w in caught]
    return Session(Dashboards(client, api or "auto", target.schema), name, said)  # type: ignore[arg-type]


def on_target(target: GrafanaTarget, work: Callable[[Session], T], say: Callable[[str], None]) -> T:
    """Connect, `say` the session's warnings, do `work` on it, then `say` its notices (each
    once, whatever the outcome): a command's one call into Grafana."""
    session = connect(target)
    for warning in session.warnings:
        say(warning)
    try:
        return work(session)
    finally:
        for notice in session.notices:
            say(notice)


# --- what a push sends ---------------------------------------------------------------------


class Folder(Protocol):
    """Where the dashboards go (the registry's `folder:`, or `Provided`)."""

    @property
    def uid(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def parent(self) -> str: ...


@dataclass(frozen=True)
class Provided:
    """The folder of a file provider `build` wrote."""

    uid: str = FOLDER_UID
    title: str = FOLDER_TITLE
    parent: str = ""  # not recorded in a provider file


def provider_folder(provider_file: Path) -> Provided:
    """The folder the build wrote into the file provider, or the default one when there is
    none (yet)."""
    import yaml

    from tsedash.inputs import read_text

    try:
        provider = yaml.safe_load(read_text(provider_file))["providers"][0]
        return Provided(str(provider["folderUid"]), str(provider["folder"]))
    except (OSError, TsedashError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return Provided()


def selected(dashboards: Built, uids: tuple[str, ...]) -> Built:
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


def in_schema(dashboards: Built, schema: str, folder_uid: str) -> tuple[Built, list[Any]]:
    """The dashboards as push and diff send them: v1 as built, or converted to v2 specs (the
    uid beside the spec) and validated like `build --schema v2` does (ValidationFailed with
    the findings when one is not valid); with the conversion's report (`DashboardNote`s)."""
    if schema != "v2":
        return dashboards, []
    from tsedash.dashv2.resources import convert_all

    converted, findings, notes = convert_all(
        ((f"{uid} (v2)", m) for uid, m in dashboards), folder_uid
    )
    if findings:
        raise SchemaInvalid(findings)
    specs = [
        (made["metadata"]["name"], {**made["spec"], "uid": made["metadata"]["name"]})
        for _, made in converted
    ]
    return specs, notes


class SchemaInvalid(TsedashError):
    """Dashboards that do not convert to a valid schema v2 (exit 1): a line per finding."""

    exit_code = 1

    def __init__(self, findings: list[Any]) -> None:
        self.problems = findings
        super().__init__(f"{len(findings)} validation finding(s)")


@dataclass(frozen=True)
class PushRequest:
    """What `tsedash push` was asked to do, beyond the dashboards."""

    uids: tuple[str, ...] = ()
    dry_run: bool = False
    force: bool = False
    prune: bool = False
    note: str | None = None
    backups: Path = Path("backups")
    detailed_exitcode: bool = False  # with dry_run: Terraform's exit codes (`exit_code`)

    def __post_init__(self) -> None:
        if self.detailed_exitcode and not self.dry_run:
            raise InputError("--detailed-exitcode describes a plan: it goes with --dry-run")


@dataclass
class PushRun:
    """A push's typed result: the report and the v2 conversion's notes (schema v2)."""

    session: Session  # where it went (its URL and API, for the report)
    report: PushReport
    v2_notes: list[Any] | None = None

    def summary(self, dry_run: bool) -> dict[str, Any]:
        """The push (or restore) as a document (-o json|yaml)."""
        return push_summary(self.session, self, dry_run)

    def lines(self) -> list[Any]:
        """The push (or restore) as `tsedash.grafana.report.Line`s."""
        from tsedash.grafana.report import push_lines

        return push_lines(self.session.url, self.session.dashboards.api, self.report)


def push_built(
    session: Session,
    built: Built,
    folder: Folder,
    request: PushRequest,
    progress: Callable[[int], Progress | None] = lambda n: None,
) -> PushRun:
    """Select, convert (schema v2) and push; `progress(count)` may wrap the dashboards."""
    if request.prune and request.uids:
        raise InputError("--prune compares every dashboard built: it cannot go with --uid")
    schema = session.dashboards.schema
    dashboards, notes = in_schema(selected(built, request.uids), schema, folder.uid)
    report = push(
        session.dashboards,
        dashboards,
        folder.uid,
        folder.title,
        dry_run=request.dry_run,
        force=request.force,
        note=request.note,
        backups=request.backups,
        progress=progress(len(dashboards)),
        prune=request.prune,
        folder_parent=folder.parent,
    )
    return PushRun(session, report, notes if schema == "v2" else None)


def diff_built(
    session: Session, built: Built, folder: Folder, uids: tuple[str, ...]
) -> tuple[list[Any], list[Any]]:
    """`tsedash diff`: each selected dashboard, in the session's schema, against the live one;
    with the v2 conversion's notes."""
    from tsedash.grafana.sync import diff

    dashboards, notes = in_schema(selected(built, uids), session.dashboards.schema, folder.uid)
    return diff(session.dashboards, dashboards), notes


def push_summary(session: Session, run: PushRun, dry_run: bool) -> dict[str, Any]:
    """The push (or restore) as a document (-o json|yaml)."""
    report = run.report
    summary: dict[str, Any] = {
        "url": session.url,
        "api": session.dashboards.api,
        "dry_run": dry_run,
        "folder": str(report.folder),
        "dashboards": [o.as_dict() for o in report.outcomes],
        "requests": report.requests,
        "writes": report.writes,
    }
    if run.v2_notes is not None:
        summary["v2_conversion"] = [n.as_dict() for n in run.v2_notes]
    return summary


def exit_code(report: PushReport, detailed: bool = False) -> int:
    """0 when all went well, 3 when a dashboard was refused or failed. `detailed` (a dry
    run's plan): 0 nothing to do, 2 changes pending, 1 refused (an edit, a conflict), 3 a
    Grafana error."""
    if not detailed:
        return GRAFANA_ERROR if report.failed else 0
    actions = {o.action for o in report.outcomes}
    if Action.FAILED in actions:
        return GRAFANA_ERROR
    if actions & {Action.REFUSED, Action.CONFLICT}:
        return REFUSED
    if actions & set(PENDING) or report.folder is FolderState.WOULD_CREATE:
        return CHANGES_PENDING
    return NOTHING_TO_DO


# --- restore -------------------------------------------------------------------------------


def restore(
    session: Session,
    uid: str,
    version: int | None,
    backup: Path | None,
    request: PushRequest,
) -> PushRun:
    """Put `uid` back as it was at `version` or in a `backup` file (a v2 backup only with
    --schema v2, a v1 one only without), where it is (a deleted one into our folder)."""
    from tsedash.grafana.sync import live_folder, restore_model

    if (version is None) == (backup is None):
        raise InputError("restore needs exactly one of --version N and --backup FILE")
    client, schema = session.dashboards, session.dashboards.schema
    model = restore_model(client, uid, version, backup)
    if backup is not None and ("elements" in model and "layout" in model) != (schema == "v2"):
        held = "a schema v2" if schema == "v1" else "a v1 (classic)"
        hint = "--schema v2" if schema == "v1" else "without --schema v2"
        raise InputError(f"{backup}: holds {held} dashboard: restore it {hint}")
    source = f"version {version}" if version is not None else f"backup {backup}"
    folder = live_folder(client.get_dashboard(uid)) or FOLDER_UID
    report = push(
        client,
        [(uid, model)],
        folder,
        FOLDER_TITLE,
        dry_run=request.dry_run,
        force=request.force,
        note=f"restored from {source}",
        backups=request.backups,
    )
    return PushRun(session, report)
