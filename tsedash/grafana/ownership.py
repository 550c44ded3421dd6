"""What makes a live dashboard ours: the marker every push writes, and the proof a delete needs.

Each write's version message is `tsedash <stored> <source>`: `stored` is the hash of the
dashboard as Grafana stores it (what we computed it would store, tsedash.grafana.stored, or,
when Grafana rewrote it otherwise, what it answered when read back), `source` the hash of the
dashboard as built. The live dashboard is "our last push" when its newest version carries the
hash of its content now; it is our last push *of this build* when `source` is also the hash of
what we build now — whatever Grafana rewrote on save. A note with only `tsedash <stored>`
(written before the source was recorded) proves the first only.

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
import re
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
HASH = re.compile(r"[0-9a-f]{16}")


def normalise(model: dict[str, Any]) -> dict[str, Any]:
    """The dashboard without what Grafana assigns on save (`id`, `version`, `iteration`).

    A shallow copy: only top-level keys go, nested objects are shared and never mutated (a
    deep copy of 200 dashboards was 3/4 of a push's time).
    """
    return {k: v for k, v in model.items() if k not in VOLATILE_KEYS}


def content_hash(model: dict[str, Any]) -> str:
    canonical = json.dumps(normalise(model), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def version_message(model: dict[str, Any], note: str | None, source: str | None = None) -> str:
    """`tsedash <hash of model>[ <source>][: note]`: `model` as Grafana stores it, `source`
    the hash of the dashboard as built."""
    base = f"{MARKER} {content_hash(model)}" + (f" {source}" if source else "")
    return f"{base}: {note}" if note else base


@dataclass(frozen=True)
class Marker:
    """What a `tsedash …` version note says: the stored hash, and the source hash if any."""

    stored: str
    source: str | None = None


def marker(message: str | None) -> Marker | None:
    """The marker of a `tsedash <stored>[ <source>][: note]` version message, else None."""
    if not message or not message.startswith(MARKER + " "):
        return None
    words = message[len(MARKER) + 1 :].split(":", 1)[0].split()
    if not words:
        return None
    source = words[1] if len(words) > 1 and HASH.fullmatch(words[1]) else None
    return Marker(words[0], source)


def marker_hash(message: str | None) -> str | None:
    """The stored hash in a `tsedash <hash>[ <source>][: note]` version message, else None."""
    found = marker(message)
    return found.stored if found else None


def who(version: dict[str, Any] | None) -> str:
    """`version N by <user> at <time>` of a history entry, for messages."""
    if not version:
        return "no version history"
    by = version.get("createdBy") or "someone"
    when = version.get("created") or "an unknown time"
    return f"version {version.get('version', '?')} by {by} at {when}"


@dataclass(frozen=True)
class LastPush:
    """The newest version of a live dashboard, read from its history: whether its note is our
    marker with the hash of the live content (`is_live`), and the marker it carries."""

    is_live: bool
    version: dict[str, Any] | None
    found: Marker | None = None

    def of_build(self, source: str) -> bool:
        """The newest version is our push of the build whose source hash is `source`: nobody
        saved since, so the live copy is what Grafana made of exactly that build. (A note of
        an earlier tsedash hashed what it sent, the build itself.)"""
        if self.found is None:
            return False
        return (self.found.source or self.found.stored) == source


def last_push(client: Endpoints, uid: str, live: dict[str, Any], meta: dict[str, Any]) -> LastPush:
    """Whether the live dashboard is exactly our last write (the newest version's message
    carries the hash of what Grafana stored), and that newest version. A dashboard Grafana
    converted on read (stored as v1, read as v2, or the other way) is hashed as it is stored."""
    versions = client.versions(uid, limit=1)
    last = versions[0] if versions else None
    found = marker((last or {}).get("message"))
    if found is None:
        return LastPush(False, last)
    stored = str(meta.get("storedVersion") or "")
    if isinstance(client, Dashboards) and stored and not same_family(stored, client.version):
        written = client.read_as(uid, stored)
        live = (written or {}).get("dashboard") or {}
    return LastPush(found.stored == content_hash(live), last, found)


def last_push_is_live(
    client: Endpoints, uid: str, live: dict[str, Any], meta: dict[str, Any]
) -> tuple[bool, dict[str, Any] | None]:
    """`last_push`, as (is it live, the newest version)."""
    found = last_push(client, uid, live, meta)
    return found.is_live, found.version


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
