"""What makes a live dashboard ours: the marker every push writes, and the proof a delete needs.

Each write's version message is `tsedash <hash>`, the hash of what we wrote; the live dashboard
is "our last push" when its newest version carries the hash of its content now.

Nothing is deleted on what a list says. `prove` reads the dashboard back by uid — the same
`Dashboards` calls for the legacy and the resource API — and it is ours only when all hold:

- the answer is the dashboard asked for (its uid), and a dashboard, not a folder;
- it is in our folder itself: the folder uid it names is ours (a folder nested in ours is
  another folder; "" is the General folder);
- no other manager claims it: no `grafana.app/managedBy` (Git Sync `repo`, `terraform`,
  `kubectl`, `plugin`, `classic-file-provisioning`), no file provider in the legacy meta;
- its newest version carries our marker with the hash of its live content.

A dashboard failing one of them is not ours (the verdict says why); an answer that cannot tell
(an error, a wrong shape, another dashboard) raises, and the caller deletes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from tsedash.grafana import errors as e
from tsedash.grafana.api import FILE_PROVISIONING, Dashboards, same_family
from tsedash.grafana.client import GrafanaClient
from tsedash.spec import UID_PATTERN

# A bare client speaks the legacy API; `Dashboards` picks the API the server serves.
Endpoints = GrafanaClient | Dashboards
MARKER = "tsedash"
VOLATILE_KEYS = ("id", "version", "iteration")


def normalise(model: dict[str, Any]) -> dict[str, Any]:
    """The dashboard without what Grafana assigns on save (`id`, `version`, `iteration`).

    A shallow copy: only top-level keys go, nested objects are shared and never mutated (a
    deep copy of 200 dashboards was 3/4 of a push's time).
    """
    return {k: v for k, v in model.items() if k not in VOLATILE_KEYS}


def content_hash(model: dict[str, Any]) -> str:
    canonical = json.dumps(normalise(model), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def version_message(model: dict[str, Any], note: str | None) -> str:
    base = f"{MARKER} {content_hash(model)}"
    return f"{base}: {note}" if note else base


def marker_hash(message: str | None) -> str | None:
    """The hash in a `tsedash <hash>[: note]` version message, else None."""
    if not message or not message.startswith(MARKER + " "):
        return None
    return message[len(MARKER) + 1 :].split(":", 1)[0].strip() or None


def who(version: dict[str, Any] | None) -> str:
    """`version N by <user> at <time>` of a history entry, for messages."""
    if not version:
        return "no version history"
    by = version.get("createdBy") or "someone"
    when = version.get("created") or "an unknown time"
    return f"version {version.get('version', '?')} by {by} at {when}"


def last_push_is_live(
    client: Endpoints, uid: str, live: dict[str, Any], meta: dict[str, Any]
) -> tuple[bool, dict[str, Any] | None]:
    """Whether the live dashboard is exactly our last write (the newest version's message
    carries the hash of what we wrote), and that newest version. A dashboard Grafana converted
    on read (stored as v1, read as v2, or the other way) is hashed as it is stored."""
    versions = client.versions(uid, limit=1)
    last = versions[0] if versions else None
    marker = marker_hash((last or {}).get("message"))
    if marker is None:
        return False, last
    stored = str(meta.get("storedVersion") or "")
    if isinstance(client, Dashboards) and stored and not same_family(stored, client.version):
        written = client.read_as(uid, stored)
        live = (written or {}).get("dashboard") or {}
    return marker == content_hash(live), last


@dataclass(frozen=True)
class Verdict:
    """What reading a dashboard back said: ours (with what was read, for the delete), not ours
    (`kept`: why), or gone."""

    uid: str
    ours: bool = False
    kept: str = ""
    gone: bool = False
    version: Any = None  # as read: the delete goes ahead only if it is still this
    resource_version: Any = None
    folder: str = ""


def prove(client: Dashboards, uid: str, folder_uid: str) -> Verdict:
    """Read `uid` back and decide whether it is ours to delete (see the module docstring).
    Raises a GrafanaError when the answer cannot decide it."""
    got = client.get_dashboard(uid)
    if got is None:
        return Verdict(uid, gone=True)
    dashboard, meta = got.get("dashboard"), got.get("meta")
    if not isinstance(dashboard, dict) or not isinstance(meta, dict):
        raise e.UntrustedAnswer(f"dashboard {uid}: no dashboard and meta in the answer")
    if dashboard.get("uid") != uid:
        raise e.UntrustedAnswer(
            f"dashboard {uid}: the answer is another dashboard ({_shown(dashboard.get('uid'))})"
        )
    if meta.get("isFolder"):  # the legacy API serves folders by uid too: never one of ours
        return Verdict(uid, kept="a folder, not a dashboard: not ours")
    folder = meta.get("folderUid", "")
    if not isinstance(folder, str):
        raise e.UntrustedAnswer(f"dashboard {uid}: its folder uid is {_shown(folder)}")
    if folder != folder_uid:
        where = f"in folder {_shown(folder)}" if folder else "in the General folder"
        return Verdict(uid, kept=f"{where}, not {folder_uid}: not ours")
    manager = client.manager(uid, meta)
    if manager is not None:
        kind, identity = manager
        by = "provisioned by file" if kind == FILE_PROVISIONING else f"managed by {_shown(kind)}"
        named = f" ({_shown(identity)})" if identity else ""
        return Verdict(uid, kept=f"{by}{named}: not ours")
    ours_last, last = last_push_is_live(client, uid, dashboard, meta)
    if not ours_last:
        return Verdict(uid, kept=f"not built any more, but not our last push ({who(last)})")
    return Verdict(
        uid,
        ours=True,
        version=meta.get("version"),
        resource_version=meta.get("resourceVersion"),
        folder=folder,
    )


def _shown(value: Any) -> str:
    """A name a server gave, safe on one line: as is when it is uid-like, else quoted."""
    text = value if isinstance(value, str) else repr(value)
    return text if UID_PATTERN.fullmatch(text) else repr(text)[:60]
