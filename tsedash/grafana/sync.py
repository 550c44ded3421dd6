"""push / diff / pull: compare what we build with what a Grafana holds, safely.

A write is made only when the normalised dashboards differ. Each write's version message is
`tsedash <hash>` with the hash of what we wrote, so the next push can tell from the version
history whether the live dashboard is still exactly our last push; if someone edited it since,
the push refuses (unless --force, which first saves the live copy under backups/). A prune
deletes only what tsedash.grafana.ownership proves ours, and nothing when a proof fails.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tsedash.dashv2 import resource
from tsedash.encode import dump_json
from tsedash.errors import InputError
from tsedash.files import atomic_write
from tsedash.grafana import errors as e
from tsedash.grafana.api import GROUP, Dashboards, server_uid
from tsedash.grafana.ownership import (
    Endpoints,
    Verdict,
    last_push_is_live,
    normalise,
    prove,
    version_message,
    who,
)

# Re-exported: the marker's functions are part of what push is (tests and tools use them here).
from tsedash.grafana.ownership import content_hash as content_hash
from tsedash.grafana.ownership import marker_hash as marker_hash
from tsedash.spec import UID_PATTERN

READ_WORKERS = 8
PRUNE = "(prune)"  # the outcome line of a prune that could not go ahead
STOPPED = "Grafana stopped answering"


class Action(StrEnum):
    """What push did (or, with --dry-run, would do) with one dashboard."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    WOULD_CREATE = "would-create"
    WOULD_UPDATE = "would-update"
    SKIPPED = "skipped"  # provisioned by file: Grafana refuses API writes
    REFUSED = "refused"  # edited in Grafana since our last push
    CONFLICT = "conflict"  # changed while we pushed
    FAILED = "failed"
    DELETED = "deleted"  # --prune: ours, no longer built
    WOULD_DELETE = "would-delete"
    KEPT = "kept"  # --prune: not built, but not (or no longer) exactly our last push

    @property
    def fails(self) -> bool:
        """The push exits 3 when any dashboard ends like this."""
        return self in (Action.REFUSED, Action.CONFLICT, Action.FAILED)

    @property
    def wrote(self) -> bool:
        return self in (Action.CREATED, Action.UPDATED, Action.DELETED)


class FolderState(StrEnum):
    EXISTS = "exists"
    CREATED = "created"
    WOULD_CREATE = "would-create"


@dataclass
class Outcome:
    uid: str
    action: Action
    detail: str = ""
    version: int | None = None
    backup: str | None = None
    diff: str = ""  # the plan (--dry-run): live → ours, for an update or a refusal

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None and v != ""}


@dataclass
class PushReport:
    folder: FolderState = FolderState.EXISTS
    folder_uid: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    writes: int = 0

    @property
    def failed(self) -> bool:
        return any(o.action.fails for o in self.outcomes)


@dataclass
class Live:
    dashboard: dict[str, Any] | None
    meta: dict[str, Any]
    last_version: dict[str, Any] | None = None


def read_live(client: Endpoints, uid: str) -> Live:
    got = client.get_dashboard(uid)
    if got is None:
        return Live(None, {})
    return Live(got.get("dashboard"), got.get("meta", {}) or {})


def read_all(client: Endpoints, uids: list[str]) -> dict[str, Live | e.GrafanaError]:
    """Reads in a bounded pool: the slow part of a push of many dashboards is the GETs."""

    def one(uid: str) -> Live | e.GrafanaError:
        try:
            return read_live(client, uid)
        except (e.NotFound, e.NotAcceptable, e.BadRequest, e.ServerError, e.Conflict) as exc:
            return exc

    with ThreadPoolExecutor(max_workers=min(READ_WORKERS, max(1, len(uids)))) as pool:
        return dict(zip(uids, pool.map(one, uids), strict=True))


def ensure_folder(
    client: Endpoints, uid: str, title: str, dry_run: bool, parent: str = ""
) -> FolderState:
    if client.get_folder(uid) is not None:
        return FolderState.EXISTS
    if dry_run:
        return FolderState.WOULD_CREATE
    try:
        client.create_folder(uid, title, parent)
    except e.Conflict:
        return FolderState.EXISTS  # created concurrently: fine
    return FolderState.CREATED


@dataclass(frozen=True)
class PushOptions:
    folder_uid: str
    dry_run: bool = False
    force: bool = False
    note: str | None = None
    backups: Path = Path("backups")


def push(
    client: Endpoints,
    dashboards: list[tuple[str, dict[str, Any]]],
    folder_uid: str,
    folder_title: str,
    *,
    dry_run: bool = False,
    force: bool = False,
    note: str | None = None,
    backups: Path = Path("backups"),
    progress: Callable[[Iterable[tuple[str, dict[str, Any]]]], Iterable[tuple[str, dict[str, Any]]]]
    | None = None,
    prune: bool = False,
    folder_parent: str = "",
) -> PushReport:
    """Create, update or leave each dashboard; never overwrite an edit without `force`."""
    options = PushOptions(folder_uid, dry_run, force, note, backups)
    report = PushReport(folder_uid=folder_uid)
    client.health()
    if isinstance(client, Dashboards):
        client.detect()  # which API, before any write: one it cannot push to creates nothing
    report.folder = ensure_folder(client, folder_uid, folder_title, dry_run, folder_parent)
    live_by_uid = read_all(client, [uid for uid, _ in dashboards])
    stopped = ""  # once Grafana stops answering, the rest are reported, not attempted
    for uid, ours in progress(dashboards) if progress else dashboards:
        live = live_by_uid[uid]
        if stopped:
            report.outcomes.append(Outcome(uid, Action.FAILED, f"not attempted: {stopped}"))
        elif isinstance(live, e.GrafanaError):
            report.outcomes.append(Outcome(uid, Action.FAILED, str(live)))
        else:
            try:
                report.outcomes.append(_push_one(client, uid, normalise(ours), live, options))
            except e.GrafanaError as exc:  # this one failed; what was written stays reported
                report.outcomes.append(Outcome(uid, Action.FAILED, str(exc)))
                if isinstance(exc, e.Unreachable):
                    stopped = STOPPED
    if prune and not stopped and report.folder is not FolderState.WOULD_CREATE:
        built = {uid for uid, _ in dashboards}
        api = client if isinstance(client, Dashboards) else Dashboards(client, "legacy")
        report.outcomes.extend(_prune(api, built, folder_uid, dry_run))
    report.requests = client.requests_made
    report.writes = sum(1 for o in report.outcomes if o.action.wrote) + (
        1 if report.folder is FolderState.CREATED else 0
    )
    return report


def _push_one(
    client: Endpoints, uid: str, wanted: dict[str, Any], live: Live, options: PushOptions
) -> Outcome:
    """What to do with one dashboard given its live copy, done unless it is a dry run."""
    dry_run = options.dry_run
    if live.dashboard is None:
        outcome = Outcome(uid, Action.WOULD_CREATE if dry_run else Action.CREATED)
        return outcome if dry_run else _write(client, uid, wanted, options, None, outcome)
    if live.meta.get("provisioned"):
        return Outcome(
            uid,
            Action.SKIPPED,
            f"provisioned by file ({live.meta.get('provisionedExternalId') or 'a provider'}): "
            "Grafana refuses API writes to it; change provisioning/ instead",
        )
    same_folder = (live.meta.get("folderUid") or "") == options.folder_uid
    if normalise(live.dashboard) == wanted and same_folder:
        return Outcome(uid, Action.UNCHANGED, version=live.meta.get("version"))
    plan = _unified(live.dashboard, wanted, uid) if dry_run else ""
    # Only a dashboard that differs needs its history: was the live one our last push?
    ours_last, live.last_version = last_push_is_live(client, uid, live.dashboard, live.meta)
    backup = None
    if not ours_last:
        if not options.force:
            return Outcome(
                uid,
                Action.REFUSED,
                f"edited in Grafana since our last push ({who(live.last_version)}); "
                "review with `tsedash diff`, then pull it or push --force "
                "(the live copy is saved to backups/ first)",
                version=live.meta.get("version"),
                diff=plan,
            )
        if not dry_run:
            backup = _backup(options.backups, uid, live)
    outcome = Outcome(
        uid, Action.WOULD_UPDATE if dry_run else Action.UPDATED, backup=backup, diff=plan
    )
    if dry_run and not same_folder and not plan:
        outcome.detail = f"moves to folder {options.folder_uid}"
    return outcome if dry_run else _write(client, uid, wanted, options, live, outcome)


def _prune(client: Dashboards, built: set[str], folder_uid: str, dry_run: bool) -> list[Outcome]:
    """Delete what we pushed and no longer build — only what is proven ours, read back by uid
    (tsedash.grafana.ownership.prove: our folder itself, no other manager, our marker on its
    live content); anything else listed there is kept and said so. When the list or any
    dashboard's proof cannot be had (an error, a uid that is no uid, a list without end),
    nothing at all is deleted: one failed line says why."""
    try:
        listed = client.list_in_folder(folder_uid)
        verdicts = [_proof(client, uid, folder_uid) for uid in sorted(set(listed) - built)]
    except e.GrafanaError as exc:
        return [Outcome(PRUNE, Action.FAILED, f"{exc}; nothing deleted")]
    outcomes: list[Outcome] = []
    stopped = ""
    for verdict in verdicts:
        if verdict.gone:
            continue  # deleted meanwhile
        if not verdict.ours:
            outcomes.append(Outcome(verdict.uid, Action.KEPT, verdict.kept))
        elif dry_run:
            outcomes.append(Outcome(verdict.uid, Action.WOULD_DELETE, "not built any more"))
        elif stopped:
            outcomes.append(Outcome(verdict.uid, Action.FAILED, f"not deleted: {stopped}"))
        else:
            outcomes.append(_delete(client, verdict))
            stopped = STOPPED if outcomes[-1].detail == STOPPED else ""
    return outcomes


def _proof(client: Dashboards, uid: str, folder_uid: str) -> Verdict:
    try:
        return prove(client, uid, folder_uid)
    except e.GrafanaError as exc:
        raise type(exc)(f"cannot prove {uid} is ours: {exc}", exc.status, exc.url) from None


def _delete(client: Dashboards, verdict: Verdict) -> Outcome:
    """One proven dashboard deleted, unless it changed since it was read (then kept)."""
    try:
        client.delete_dashboard(
            verdict.uid, verdict.version, verdict.resource_version, verdict.folder
        )
    except e.Conflict as exc:
        return Outcome(verdict.uid, Action.KEPT, f"changed since it was read ({exc}): left alone")
    except e.Unreachable:
        return Outcome(verdict.uid, Action.FAILED, STOPPED)
    except e.GrafanaError as exc:
        return Outcome(verdict.uid, Action.FAILED, str(exc))
    return Outcome(verdict.uid, Action.DELETED, "not built any more")


def live_folder(got: dict[str, Any] | None) -> str:
    """The folder uid of a dashboard as Grafana answered it ("" when none, or no dashboard),
    checked like every uid a server names before it is used in a request."""
    folder = ((got or {}).get("meta") or {}).get("folderUid") or ""
    return server_uid(folder, "the dashboard's folder") if folder else ""


def local_dashboards(files: list[tuple[Path, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """The dashboards read from `build`'s files, each a JSON object with a Grafana uid (it
    becomes part of a request path): a file that is not is a located error."""
    out = []
    for path, model in files:
        if not isinstance(model, dict):
            raise InputError(
                f"{path}: a dashboard file holds a JSON object, not a {_json_kind(model)}"
            )
        try:
            out.append((check_uid(str(model.get("uid", ""))), model))
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None
    return out


def _json_kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def restore_model(
    client: Dashboards, uid: str, version: int | None, backup: Path | None
) -> dict[str, Any]:
    """What `tsedash restore` puts back: a version from Grafana's history or a backup file
    (`push --force` writes them), with the uid checked."""
    check_uid(uid)
    if backup is not None:
        from tsedash.inputs import read_json

        model = _bare(read_json(backup))
        if not isinstance(model, dict) or not isinstance(model.get("panels", []), list):
            raise InputError(f"{backup}: not a dashboard model (a JSON object expected)")
        if model.get("uid", uid) != uid:
            raise InputError(f"{backup}: holds dashboard {model.get('uid')!r}, not {uid!r}")
        return {**model, "uid": uid}
    assert version is not None
    return {**client.version_model(uid, version), "uid": uid}


def _bare(data: Any) -> Any:
    """A backup as the bare model: a dashboard resource (what `pull --schema v2` and `build
    --schema v2` write, `apiVersion: dashboard.grafana.app/…`) is its spec, its name the uid;
    so a v2 resource is seen as v2 and refused or restored as such."""
    if not isinstance(data, dict) or not str(data.get("apiVersion", "")).startswith(f"{GROUP}/"):
        return data
    spec, metadata = data.get("spec"), data.get("metadata")
    if not isinstance(spec, dict) or not isinstance(metadata, dict):
        return data
    name = metadata.get("name")
    return {**spec, **({"uid": name} if name is not None else {})}


def _backup(backups: Path, uid: str, live: Live) -> str:
    """The live copy, saved under a name no other backup has: `<uid>/v<version>-<UTC time>-
    <content hash>.json`, built only from checked parts (the server's version must be a
    number; the uid is one of ours). An existing file is never replaced."""
    check_uid(uid)
    version = live.meta.get("version") or (live.dashboard or {}).get("version")
    shown = f"v{version}" if isinstance(version, int) and not isinstance(version, bool) else "v-"
    data = dump_json(live.dashboard)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    stem = f"{shown}-{stamp}-{hashlib.sha256(data).hexdigest()[:12]}"
    directory = backups / uid
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(1000):
        path = directory / (f"{stem}.json" if n == 0 else f"{stem}-{n}.json")
        try:
            with open(path, "xb") as fh:  # exclusive: never over another backup
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except FileExistsError:
            continue
        return str(path)
    raise e.GrafanaError(f"{directory}: cannot find a free backup name")  # pragma: no cover


def check_uid(uid: str) -> str:
    """A dashboard uid as Grafana accepts it (letters, digits, - and _, at most 40): safe in
    a URL path and as a file name."""
    if not UID_PATTERN.fullmatch(uid):
        raise InputError(
            f"dashboard uid {uid!r} is not a Grafana uid (letters, digits, '-' and '_', at most 40)"
        )
    return uid


def _write(
    client: Endpoints,
    uid: str,
    wanted: dict[str, Any],
    options: PushOptions,
    live: Live | None,
    outcome: Outcome,
) -> Outcome:
    body = dict(wanted)
    if live is not None:
        # The version we read: a change in between is a 412, reported, never overwritten.
        body["version"] = live.meta.get("version", (live.dashboard or {}).get("version"))
    try:
        saved = client.save_dashboard(
            body,
            options.folder_uid,
            version_message(wanted, options.note),
            overwrite=False,
            base=live.meta if live is not None else None,
        )
    except e.Conflict as exc:
        return Outcome(
            uid, Action.CONFLICT, f"changed in Grafana while we pushed ({exc}); run push again"
        )
    except e.Provisioned as exc:
        return Outcome(uid, Action.SKIPPED, str(exc))
    outcome.version = saved.get("version")
    return outcome


# --- diff and pull ---------------------------------------------------------------------------


@dataclass
class DiffResult:
    uid: str
    status: str  # equal · different · missing
    diff: str = ""


def _unified(live: dict[str, Any] | None, ours: dict[str, Any], uid: str) -> str:
    """A unified diff of the normalised live dashboard (None: missing) against ours."""
    local = dump_json(normalise(ours)).decode().splitlines(keepends=True)
    if live is None:
        return "".join(difflib.unified_diff([], local, f"grafana/{uid} (missing)", f"local/{uid}"))
    before = dump_json(normalise(live)).decode().splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, local, f"grafana/{uid}", f"local/{uid}"))


def diff(client: Endpoints, dashboards: list[tuple[str, dict[str, Any]]]) -> list[DiffResult]:
    client.health()
    out = []
    for uid, ours in dashboards:
        got = client.get_dashboard(uid)
        if got is None:
            out.append(DiffResult(uid, "missing", _unified(None, ours, uid)))
            continue
        text = _unified(got.get("dashboard") or {}, ours, uid)
        out.append(DiffResult(uid, "different" if text else "equal", text))
    return out


def pull(client: Endpoints, uid: str, out: Path) -> Path:
    """The live dashboard as a bare v1 model, or (schema v2) as the v2 resource `build
    --schema v2` writes, with its folder."""
    got = client.get_dashboard(check_uid(uid))
    if got is None:
        raise e.NotFound(f"dashboard {uid} not found in Grafana", 404)
    model = normalise(got.get("dashboard") or {})
    if isinstance(client, Dashboards) and client.schema == "v2":
        spec = {k: v for k, v in model.items() if k != "uid"}
        model = resource(uid, spec, str((got.get("meta") or {}).get("folderUid") or ""))
    atomic_write(out, dump_json(model))
    return out
