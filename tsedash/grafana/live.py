"""The live side of a Grafana, as `tsedash dashboards list|get|delete`, `context check` and
`diff --stat` see it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsedash.grafana import errors as e
from tsedash.grafana.api import SEARCH_PAGE, server_uid
from tsedash.grafana.ownership import last_push
from tsedash.grafana.session import Session
from tsedash.grafana.sync import (
    Action,
    Live,
    Outcome,
    _backup,
    check_uid,
    file_provider,
    read_all,
)

MAX_PAGES = 100


@dataclass(frozen=True)
class LiveDashboard:
    uid: str
    title: str
    folder: str  # the folder's uid; "" for the General folder
    version: int | None
    pushed: bool  # its newest version is a tsedash push of its live content

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def search(session: Session) -> list[dict[str, Any]]:
    """Every dashboard the legacy search lists (uid, title, folderUid), page by page."""
    hits: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        params = {"type": "dash-db", "limit": str(SEARCH_PAGE), "page": str(page)}
        got = session.client.request("GET", "/api/search", params=params)
        if not isinstance(got, list):
            raise e.UntrustedAnswer("GET /api/search: the answer is not a list")
        hits += [h for h in got if isinstance(h, dict)]
        if len(got) < SEARCH_PAGE:
            return hits
    raise e.UntrustedAnswer(f"GET /api/search did not end after {MAX_PAGES} pages")


def list_dashboards(session: Session) -> list[LiveDashboard]:
    """The live dashboards, each read back for its version and whether tsedash pushed it."""
    client = session.dashboards
    hits = {server_uid(h.get("uid"), "GET /api/search"): h for h in search(session)}
    lives = read_all(client, list(hits))
    out = []
    for uid, hit in hits.items():
        live = lives[uid]
        if isinstance(live, e.GrafanaError):
            raise live
        if live.dashboard is None:
            continue  # deleted meanwhile
        pushed = last_push(client, uid, live.dashboard, live.meta).is_live
        folder = str(live.meta.get("folderUid") or hit.get("folderUid") or "")
        version = live.meta.get("version")
        title = str(live.dashboard.get("title") or hit.get("title") or "")
        out.append(LiveDashboard(uid, title, folder, version, pushed))
    return out


def get_dashboard(session: Session, uid: str) -> dict[str, Any]:
    """The live model of `uid`, as Grafana answers it."""
    got = session.dashboards.get_dashboard(check_uid(uid))
    if got is None:
        raise e.NotFound(f"dashboard {uid} not found in Grafana", 404)
    return dict(got.get("dashboard") or {})


def delete_dashboards(
    session: Session, uids: tuple[str, ...], force: bool, dry_run: bool, backups: Path
) -> list[Outcome]:
    """Delete each dashboard tsedash pushed (its newest version is our push of its live
    content); another only with `force`, its live copy saved under `backups/` first. A
    dashboard a file provider loads is never deleted (the provider would bring it back)."""
    client = session.dashboards
    out = []
    for uid in uids:
        got = client.get_dashboard(check_uid(uid))
        if got is None:
            out.append(Outcome(uid, Action.FAILED, "not found in Grafana"))
            continue
        live = Live(got.get("dashboard") or {}, got.get("meta") or {})
        provider = file_provider(live.meta)
        if provider is not None:
            why = f"provisioned by file ({provider or 'a provider'}): remove it from the provider"
            out.append(Outcome(uid, Action.REFUSED, why))
            continue
        assert live.dashboard is not None
        last = last_push(client, uid, live.dashboard, live.meta)
        if not last.is_live and not force:
            why = "not pushed by tsedash (or edited since): --force deletes it (saved first)"
            out.append(Outcome(uid, Action.REFUSED, why, version=live.meta.get("version")))
            continue
        out.append(_delete(session, uid, live, dry_run, backups, saved=not last.is_live))
    return out


def _delete(
    session: Session, uid: str, live: Live, dry_run: bool, backups: Path, saved: bool
) -> Outcome:
    version = live.meta.get("version")
    if dry_run:
        return Outcome(uid, Action.WOULD_DELETE, version=version)
    backup = _backup(backups, uid, live) if saved else None
    try:
        session.dashboards.delete_dashboard(
            uid, version, live.meta.get("resourceVersion"), str(live.meta.get("folderUid") or "")
        )
    except e.Conflict as exc:
        return Outcome(uid, Action.CONFLICT, f"changed since it was read ({exc}): left alone")
    return Outcome(uid, Action.DELETED, version=version, backup=backup)


def table(found: list[LiveDashboard]) -> list[str]:
    """`dashboards list` as aligned columns under a header."""
    rows = [("UID", "TITLE", "FOLDER", "VERSION", "PUSHED")]
    rows += [(d.uid, d.title, d.folder, str(d.version), "yes" if d.pushed else "no") for d in found]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [
        "  ".join([*(c.ljust(widths[i]) for i, c in enumerate(row[:4])), row[4]]) for row in rows
    ]


def outcome_line(o: Outcome) -> str:
    detail = f": {o.detail}" if o.detail else ""
    return f"{o.action:<13} {o.uid}{detail}" + (
        f"; live copy saved to {o.backup}" if o.backup else ""
    )


def delete_exit(done: list[Outcome]) -> int:
    """3 when Grafana failed or a dashboard changed meanwhile, 1 when one was refused, else 0."""
    if any(o.action in (Action.FAILED, Action.CONFLICT) for o in done):
        return 3
    return 1 if any(o.action.fails for o in done) else 0


def check_line(found: dict[str, Any]) -> str:
    return (
        f"{found['context'] or found['url']}: ok: Grafana {found['version']} at {found['url']}, "
        f"database {found['database']}, org {found['org']!r}, API {found['api']}"
    )


def check(session: Session) -> dict[str, Any]:
    """Whether the Grafana answers and the credentials work: its version, database health,
    the organisation the credentials reach and the dashboard API it serves."""
    health = session.client.health()
    org = session.client.request("GET", "/api/org")
    return {
        "context": session.context,
        "url": session.url,
        "version": health.get("version"),
        "database": health.get("database"),
        "org": org.get("name") if isinstance(org, dict) else None,
        "api": session.dashboards.api,
    }
