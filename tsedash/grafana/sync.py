"""push / diff / pull: compare what we build with what a Grafana holds, safely.

Grafana rewrites what it saves (tsedash.grafana.stored: its defaults, its clean-up, its
migration to its own latest schemaVersion), so ours is compared, hashed and sent as Grafana
will store it. A write is made only when that differs from the live copy. Each write's version
message is `tsedash <stored> <source>`: the hash of what Grafana stores and of the dashboard
as built, so the next push can tell from the version history whether the live dashboard is
still exactly our last push (and of which build); if someone edited it since, the push refuses
(unless --force, which first saves the live copy under backups/). Every write is read back: when
Grafana stored something else than computed, the answer is saved once more with the marker of
what it stores, so the next push still knows its own. A prune deletes only what
tsedash.grafana.ownership proves ours, and nothing when a proof fails.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
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
from tsedash.grafana.api import FILE_PROVISIONING, GROUP, Dashboards, server_uid
from tsedash.grafana.ownership import (
    Endpoints,
    Verdict,
    last_push,
    normalise,
    prove,
    version_message,
    who,
)

# Re-exported: the marker's functions are part of what push is (tests and tools use them here).
from tsedash.grafana.ownership import content_hash as content_hash
from tsedash.grafana.ownership import marker_hash as marker_hash
from tsedash.grafana.stored import BUILT, NEWEST_STEP, as_stored, as_stored_v2, schema_version
from tsedash.spec import UID_PATTERN

READ_WORKERS = 8
PRUNE = "(prune)"  # the outcome line of a prune that could not go ahead
STOPPED = "Grafana stopped answering"
REFUSES_SCHEMA = "Grafana refuses our schemaVersion"
MIGRATION_ERROR = re.compile(r"schema migration from version (\d+) to (\d+) failed")


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
    resaved: int | None = None  # saved again with the marker of what Grafana stored

    def as_dict(self) -> dict[str, Any]:
        """Plain values (the action as its string), without the empty ones."""
        return {
            k: v
            for k, v in {**self.__dict__, "action": str(self.action)}.items()
            if v not in (None, "")
        }

    @property
    def writes(self) -> int:
        return (1 + (self.resaved or 0)) if self.action.wrote else 0


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
    stored: Stored | None = None


@dataclass(frozen=True)
class Stored:
    """How this Grafana stores what we save: schema v1 or v2, and for v1 the schemaVersion
    it migrates to as far as it is known (its stored copies show it), at least ours."""

    schema: str = "v1"
    target: int = BUILT

    def of(self, model: dict[str, Any]) -> dict[str, Any]:
        """`model` (normalised) as Grafana will store it, normalised."""
        if self.schema == "v2":
            return normalise(as_stored_v2(model))
        target = max(schema_version(model), min(self.target, NEWEST_STEP))
        return normalise(as_stored(model, target))


def stored_by(client: Endpoints, lives: Iterable[Live | e.GrafanaError]) -> Stored:
    """What this Grafana stores: schema v2 through dashboard.grafana.app/v2; for v1 the
    highest schemaVersion among the live copies stored as v1 (Grafana migrates every v1
    dashboard it saves to its latest: a copy at 43 shows a Grafana at 43 or later)."""
    schema = client.schema if isinstance(client, Dashboards) else "v1"
    versions = [
        schema_version(live.dashboard)
        for live in lives
        if isinstance(live, Live)
        and live.dashboard is not None
        and not str(live.meta.get("storedVersion") or "v1").startswith("v2")
    ]
    return Stored(schema, max([BUILT, *versions]))


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
    report = PushReport(folder_uid=folder_uid)
    client.health()
    if isinstance(client, Dashboards):
        client.detect()  # which API, before any write: one it cannot push to creates nothing
    report.folder = ensure_folder(client, folder_uid, folder_title, dry_run, folder_parent)
    live_by_uid = read_all(client, [uid for uid, _ in dashboards])
    stored = stored_by(client, live_by_uid.values())
    options = PushOptions(folder_uid, dry_run, force, note, backups, stored)
    stopped = ""  # once Grafana stops answering (or refuses our schema), the rest are reported
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
                elif isinstance(exc, e.SchemaRefused):
                    stopped = REFUSES_SCHEMA
    if prune and not stopped and report.folder is not FolderState.WOULD_CREATE:
        built = {uid for uid, _ in dashboards}
        api = client if isinstance(client, Dashboards) else Dashboards(client, "legacy")
        report.outcomes.extend(_prune(api, built, folder_uid, dry_run))
    report.requests = client.requests_made
    report.writes = sum(o.writes for o in report.outcomes) + (
        1 if report.folder is FolderState.CREATED else 0
    )
    return report


def _push_one(
    client: Endpoints, uid: str, ours: dict[str, Any], live: Live, options: PushOptions
) -> Outcome:
    """What to do with one dashboard given its live copy, done unless it is a dry run."""
    dry_run = options.dry_run
    stored = options.stored or Stored()
    wanted = stored.of(ours)
    source = content_hash(ours)
    if live.dashboard is None:
        outcome = Outcome(uid, Action.WOULD_CREATE if dry_run else Action.CREATED)
        return outcome if dry_run else _write(client, uid, wanted, source, options, None, outcome)
    provider = file_provider(live.meta)
    if provider is not None:
        return Outcome(
            uid,
            Action.SKIPPED,
            f"provisioned by file ({provider or 'a provider'}): the file provider owns it "
            "(Grafana refuses API writes, or overwrites them); change provisioning/ instead",
        )
    same_folder = (live.meta.get("folderUid") or "") == options.folder_uid
    if normalise(live.dashboard) == wanted and same_folder:
        return Outcome(uid, Action.UNCHANGED, version=live.meta.get("version"))
    # Only a dashboard that differs needs its history: was the live one our last push?
    last = last_push(client, uid, live.dashboard, live.meta)
    live.last_version = last.version
    if last.of_build(source) and same_folder:  # stored otherwise than computed, but ours
        return Outcome(uid, Action.UNCHANGED, version=live.meta.get("version"))
    plan = _unified(live.dashboard, wanted, uid) if dry_run else ""
    backup = None
    if not last.is_live:
        # Saved already (`tsedash pull` kept the edit): replacing it loses nothing.
        backup = None if options.force else saved_copy(options.backups, uid, live)
        if backup is None and not options.force:
            why = (
                f"edited in Grafana since our last push ({who(live.last_version)})"
                if last.found is None
                else f"changed since our last push ({who(live.last_version)}) although no "
                "version was saved since: its content is not what that push stored"
            )
            return Outcome(
                uid,
                Action.REFUSED,
                f"{why}; review with `tsedash diff`, then keep the edit with `tsedash pull "
                f"--uid {uid}` (the next push then goes ahead) or drop it with push --force "
                "(the live copy is saved to backups/ first)",
                version=live.meta.get("version"),
                diff=plan,
            )
        if not dry_run and backup is None:
            backup = _backup(options.backups, uid, live)
    outcome = Outcome(
        uid, Action.WOULD_UPDATE if dry_run else Action.UPDATED, backup=backup, diff=plan
    )
    if dry_run and not same_folder and not plan:
        outcome.detail = f"moves to folder {options.folder_uid}"
    return outcome if dry_run else _write(client, uid, wanted, source, options, live, outcome)


def file_provider(meta: dict[str, Any]) -> str | None:
    """The file a file provider loads the dashboard from ("" when unnamed), None when no file
    provider has it. The legacy API says `provisioned` only when the provider forbids UI
    updates, but names the file either way; the resource API marks it
    `classic-file-provisioning` either way: both are the provider's."""
    kind = str(meta.get("managedBy") or "")
    external = str(meta.get("provisionedExternalId") or "")
    if kind == FILE_PROVISIONING or (not kind and (meta.get("provisioned") or external)):
        return external
    return None


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


def saved_copy(backups: Path, uid: str, live: Live) -> str | None:
    """A file under `backups/<uid>/` holding exactly the live copy (`pull` or a forced push
    saved it, named by its content hash): overwriting it then loses nothing."""
    digest = hashlib.sha256(dump_json(live.dashboard)).hexdigest()[:12]
    directory = backups / check_uid(uid)
    for path in sorted(directory.glob(f"*-{digest}*.json")) if directory.is_dir() else []:
        if path.read_bytes() == dump_json(live.dashboard):
            return str(path)
    return None


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
    source: str,
    options: PushOptions,
    live: Live | None,
    outcome: Outcome,
) -> Outcome:
    """Save `wanted` (ours as Grafana stores it) with its marker, then read it back."""
    try:
        saved = _save(client, wanted, source, options, live.meta if live else None, live)
    except e.Conflict as exc:
        return Outcome(
            uid, Action.CONFLICT, f"changed in Grafana while we pushed ({exc}); run push again"
        )
    except e.Provisioned as exc:
        return Outcome(uid, Action.SKIPPED, str(exc))
    except e.BadRequest as exc:
        raise _schema_refusal(exc) from None
    outcome.version = saved.get("version")
    _read_back(client, uid, wanted, source, options, outcome)
    return outcome


def _save(
    client: Endpoints,
    model: dict[str, Any],
    source: str,
    options: PushOptions,
    base: dict[str, Any] | None,
    live: Live | None = None,
) -> dict[str, Any]:
    body = dict(model)
    if base is not None:
        # The version we read: a change in between is a 412, reported, never overwritten.
        body["version"] = base.get("version", ((live and live.dashboard) or {}).get("version"))
    return client.save_dashboard(
        body,
        options.folder_uid,
        version_message(model, options.note, source),
        overwrite=False,
        base=base,
    )


def _read_back(
    client: Endpoints,
    uid: str,
    wanted: dict[str, Any],
    source: str,
    options: PushOptions,
    outcome: Outcome,
) -> None:
    """What Grafana stored of our write. When it is not what we computed (a rewrite we do not
    reproduce), the stored copy is saved once more, unchanged, with the marker of what it is:
    Grafana's rewrite of its own output changes nothing, so the next push finds its marker.
    Only when the copy read is still our write (its version is the one saved); a save by
    someone else in between is left for the next push to refuse."""
    try:
        got = client.get_dashboard(uid)
    except e.GrafanaError as exc:
        outcome.detail = f"written; reading it back failed ({exc})"
        return
    stored = normalise((got or {}).get("dashboard") or {})
    if got is None or stored == wanted:
        return
    what = _first_difference(wanted, stored)
    if (got.get("meta") or {}).get("version") != outcome.version:
        outcome.detail = f"changed again before it could be read back ({what})"
        return
    try:
        again = _save(client, stored, source, options, got.get("meta") or {})
        outcome.version, outcome.resaved = again.get("version"), 1
        after = client.get_dashboard(uid) or {}
    except e.GrafanaError as exc:
        outcome.detail = (
            f"Grafana stored it rewritten ({what}); saving that with its marker failed ({exc}): "
            "a later change of it will be refused as an edit"
        )
        return
    if (after.get("meta") or {}).get("version") != outcome.version:
        outcome.detail = f"Grafana stored it rewritten ({what}); changed again since"
    elif normalise(after.get("dashboard") or {}) == stored:
        outcome.detail = f"Grafana stored it rewritten ({what}); saved again with its marker"
    else:
        rewritten = _first_difference(stored, normalise(after.get("dashboard") or {}))
        outcome.detail = (
            f"Grafana rewrites it on every save ({rewritten}): "
            "a later change of it will be refused as an edit"
        )


def _schema_refusal(exc: e.BadRequest) -> e.BadRequest:
    """A 4xx naming Grafana's schema migration: the server migrates to an older schemaVersion
    than ours and refuses it (nothing was written). Anything else is returned as it was."""
    found = MIGRATION_ERROR.search(str(exc))
    if found is None:
        return exc
    ours, theirs = found.groups()
    return e.SchemaRefused(
        f"Grafana refused schemaVersion {ours} (it migrates dashboards to {theirs}; nothing "
        f"written): our dashboards need a Grafana whose dashboard migrator knows schemaVersion "
        f"{ours}; upgrade Grafana",
        exc.status,
        exc.url,
        exc.body,
    )


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    """Where two JSON values first differ, as a JSON pointer with both values when short."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key, _MISSING) != b.get(key, _MISSING):
                inner = f"{path}/{key}"
                return _first_difference(a.get(key, _MISSING), b.get(key, _MISSING), inner)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}/{index}")
    shown = f"{_short(a)} → {_short(b)}"
    return f"{path or '/'}: {shown}"


_MISSING = object()


def _short(value: Any) -> str:
    if value is _MISSING:
        return "absent"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 40 else text[:37] + "..."


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
    """Each live dashboard against ours as Grafana will store it: equal when they are the same,
    or when the live one is exactly our last push of this very build (Grafana stored it
    otherwise than computed)."""
    client.health()
    lives = {uid: read_live(client, uid) for uid, _ in dashboards}
    stored = stored_by(client, lives.values())
    out = []
    for uid, ours in dashboards:
        live = lives[uid]
        wanted = stored.of(normalise(ours))
        if live.dashboard is None:
            out.append(DiffResult(uid, "missing", _unified(None, wanted, uid)))
            continue
        text = _unified(live.dashboard, wanted, uid)
        if text and last_push(client, uid, live.dashboard, live.meta).of_build(
            content_hash(normalise(ours))
        ):
            text = ""
        out.append(DiffResult(uid, "different" if text else "equal", text))
    return out


@dataclass(frozen=True)
class Pulled:
    path: Path
    backup: str  # the live copy under backups/: the next push may replace it
    replaced_build: bool  # written over the file `build` wrote, which push reads

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "backup": self.backup,
            "replaced_build": self.replaced_build,
        }

    @property
    def advice(self) -> str:
        """What the next push does with it, and what keeps the edit for good."""
        if self.replaced_build:
            return (
                f"the next `tsedash push` finds {self.path} equal to Grafana's copy; a rebuild "
                "writes that file anew: carry the edit into its source (an extra, the registry) "
                "to keep it"
            )
        return (
            f"the next `tsedash push` may replace Grafana's copy (saved); to keep the edit, "
            f"bring {self.path} under the build (`extras/`, docs/cli.md, Pull)"
        )


def check_pull(uid: str | None, out: Path | None, datasources: bool) -> None:
    """`tsedash pull` pulls a dashboard (--uid, --out) or the datasources, one of them."""
    if datasources and (uid or out):
        raise InputError("--datasources fills the registry: it cannot go with --uid or --out")
    if not (uid or datasources):
        raise InputError("give --uid UID (a dashboard) or --datasources")


def pull(
    client: Endpoints,
    uid: str,
    out: Path | None = None,
    built: Iterable[Path] = (),
    backups: Path = Path("backups"),
) -> Pulled:
    """The live dashboard as a bare v1 model, or (schema v2) as the v2 resource `build
    --schema v2` writes, with its folder; written to `out`, by default over the file `build`
    wrote for that uid (one of `built`: what the next push reads), else `<uid>.json`. The
    live copy is saved under `backups/`, so the next push no longer refuses it as an edit."""
    got = client.get_dashboard(check_uid(uid))
    if got is None:
        raise e.NotFound(f"dashboard {uid} not found in Grafana", 404)
    live = Live(got.get("dashboard"), got.get("meta") or {})
    model = normalise(live.dashboard or {})
    v2 = isinstance(client, Dashboards) and client.schema == "v2"  # never over a v1 build file
    if v2:
        spec = {k: v for k, v in model.items() if k != "uid"}
        model = resource(uid, spec, str((got.get("meta") or {}).get("folderUid") or ""))
    ours = None if out is not None or v2 else _built_file(built, uid)
    path = out or ours or Path(f"{uid}.json")
    atomic_write(path, dump_json(model))
    backup = saved_copy(backups, uid, live) or _backup(backups, uid, live)
    return Pulled(path, backup, ours is not None)


def _built_file(built: Iterable[Path], uid: str) -> Path | None:
    """The file among `built` that holds dashboard `uid`, if any."""
    from tsedash.inputs import read_json

    for path in built:
        model = read_json(path)
        if isinstance(model, dict) and model.get("uid") == uid:
            return path
    return None
