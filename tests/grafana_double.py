"""A Grafana HTTP API test double on a real socket, built from Grafana's documented HTTP API.

Not shipped. It keeps folders, dashboards and their version history, enforces the save rules
with Grafana's status codes and bodies, authenticates like Grafana (Bearer token or basic auth,
401/403 bodies), records every request, simulates edits made in the UI, and injects faults.

Two dashboard APIs over the same store, as Grafana 12/13 has them: the legacy `/api/dashboards`
and, with `state.resource_api`, the resource API (Grafana's docs "Dashboard HTTP API" and
"Resource History HTTP API"): discovery at `GET /apis`, `…/namespaces/default/dashboards`
with POST (201, 409 when the name exists), GET/PUT/DELETE of one name, `metadata.resourceVersion`
checked on PUT (409 on a stale one), the folder and version note as `grafana.app/folder` /
`grafana.app/message` annotations, history by `labelSelector=grafana.app/get-history=true&
fieldSelector=metadata.name=<uid>`, newest first, and Kubernetes `Status` bodies for errors.
`state.new_layouts` makes the legacy GET of a dashboard answer 406 as Grafana does when the new
dashboard layouts are on. Lists are paged as Grafana pages them: the legacy search by `limit` and
`page`, the resource list by `limit` and the `metadata.continue` token it hands out.

Managers (Grafana's docs "Manage resources in Grafana"): a dashboard another tool manages carries
`grafana.app/managedBy` (`repo`, `terraform`, `kubectl`, `plugin`, `classic-file-provisioning`)
and `grafana.app/managerId` in the resource API; the legacy GET shows only file provisioning
(`meta.provisioned`, `meta.provisionedExternalId`). A resource DELETE honours Kubernetes
`DeleteOptions.preconditions.resourceVersion` (409 when the dashboard changed), and
`DELETE /api/folders/<uid>` removes the folder with every dashboard in it, as Grafana does.

What Grafana stores (tests/grafana_save.py, written from Grafana's code and apart from
tsedash's): with `state.schema_target` set (42 by default: Grafana 12.2+; 41 for 12.0-12.1, 43
for a Grafana one step ahead; None for Grafana 10-11, which store what they are sent) every v1
save is rewritten as Grafana 12+ rewrites it — its defaults and clean-up, its migration to the
target. The resource API refuses a dashboard above the target (422, `Invalid`, as
`apierrors.NewInvalid` answers); the legacy save path (`state.legacy_saves_v1`: newer Grafana
saves a legacy POST as a v1 object with field validation `Ignore`) stores it unmigrated with
`status.conversion.failed`. A v2 save has its byte order marks stripped and an empty layout
made a GridLayout. `state.rewrite` adds a rewrite of the test's own on top (one tsedash does
not predict).

Namespaces and orgs as Grafana forms them: a token belongs to an org (`TOKEN_ORGS`), the
request's org is `X-Grafana-Org-Id` or the token's; the namespace is `default` (org 1),
`org-<N>`, or `stacks-<id>` with `state.stack_id` (Grafana Cloud), and
`GET /api/frontend/settings` says which (`namespace`), `GET /api/org` names the org. History
is paged by `continue` (resource) or `continueToken` (legacy); `state.history_page` caps every
page, as a server may hand out fewer items than asked with a token for the rest.

Data sources: `GET /api/datasources` lists `state.datasources` of the request's org (each as
Grafana's docs show one: id, uid, name, type, URL, `isDefault`, JSON data, ...), for a
credential with `datasources:read` (an admin here; a viewer gets 403).

A misbehaving server: `state.answer(method, path, fn)` lets a test answer a request itself
(`fn(query, real)` returns `(status, body)`; `real()` is what the double would have answered).

Schema v2 (`dashboard.grafana.app/v2`): a version remembers the API it was written through. A
read through the other family (v1 ↔ v2) answers what Grafana 13 answers: `status.conversion`
with the `storedVersion` (and `failed`, `error` with `state.conversion_fails`). Converting the
content is Grafana's job, not the double's: the spec it serves then is a stand-in (the title in
the requested family's empty skeleton), which differs from what any client wrote — all a client
may rely on. The legacy GET of a dashboard stored as v2 answers 406, pointing at `/apis/…/v2`.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import grafana_save

Json = dict[str, Any]
UID_RE = re.compile(r"^[a-zA-Z0-9_-]*$")
ADMIN_TOKEN = "glsa_admin_0123456789abcdef"
VIEWER_TOKEN = "glsa_viewer_0123456789abcdef"
ORG3_TOKEN = "glsa_org3admin_0123456789abcdef"  # a service account of org 3
BASIC = ("admin", "s3cret-pass")
TOKEN_ORGS = {ADMIN_TOKEN: 1, VIEWER_TOKEN: 1, ORG3_TOKEN: 3}


@dataclass
class Version:
    version: int
    created: str
    created_by: str
    message: str
    data: dict[str, Any]
    resource_version: str = ""
    api: str = "v1"  # the API version it was written through (its stored version)
    conversion_error: str = ""  # a migration that failed on a save Grafana stored anyway


@dataclass
class Stored:
    model: dict[str, Any]
    folder_uid: str
    id: int
    created: str
    created_by: str
    provisioned: bool = False
    external_id: str = ""
    versions: list[Version] = field(default_factory=list)
    manager: tuple[str, str] | None = None  # (grafana.app/managedBy, grafana.app/managerId)
    allow_ui_updates: bool = False  # its file provider lets the UI and the API save it

    @property
    def version(self) -> int:
        return int(self.model["version"])


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


Answer = Callable[[dict[str, list[str]], Callable[[], tuple[int, Any]]], tuple[int, Any]]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class GrafanaState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.folders: dict[str, dict[str, Any]] = {}
        self.dashboards: dict[str, Stored] = {}
        self.requests: list[Recorded] = []
        self.faults: list[dict[str, Any]] = []
        self.next_id = 1
        self.legacy_versions = False  # Grafana < 12 returns the bare list
        self.resource_api = False  # serve /apis/dashboard.grafana.app (Grafana 12+)
        self.new_layouts = False  # the legacy GET of a dashboard answers 406
        self.conversion_fails = False  # a read across v1/v2 reports a failed conversion
        self.api_versions = ["v1", "v2"]  # what /apis lists (Grafana 12: ["v1"])
        self.revision = 1000  # the store's resourceVersion counter
        self.version = "12.2.0"  # GET /api/health
        self.schema_target: int | None = 42  # None: stored as sent (Grafana 10-11)
        self.legacy_saves_v1 = True  # the legacy save goes through the v1 admission (Ignore)
        self.rewrite: Callable[[dict[str, Any]], None] | None = None  # a test's own rewrite
        self.stack_id = ""  # Grafana Cloud: the namespace is stacks-<id>
        self.settings_namespace = True  # /api/frontend/settings names the namespace
        self.history_page = 0  # at most this many history entries per page (0: as asked)
        # Answers a test gives itself: (method, path) -> fn(query, real) -> (status, body).
        self.answers: dict[tuple[str, str], Answer] = {}
        # GET /api/datasources, per org: what Grafana's data source API lists.
        self.datasources: dict[int, list[dict[str, Any]]] = {1: [datasource("Prometheus", True)]}

    def next_revision(self) -> str:
        self.revision += 1
        return str(self.revision)

    # --- helpers used by tests ---------------------------------------------------------------

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "DELETE", "PUT")]

    def fault(self, kind: str, *, path: str = "", times: int = 1, **options: Any) -> None:
        """Queue a fault for the next `times` requests whose path starts with `path` (and
        whose method is `method=`, when given)."""
        for _ in range(times):
            self.faults.append({"kind": kind, "path": path, **options})

    def ui_edit(self, uid: str, user: str = "alice@example.com", title: str | None = None) -> int:
        """What a person saving in the UI does: a change, version + 1, no message."""
        with self.lock:
            stored = self.dashboards[uid]
            model = json.loads(json.dumps(stored.model))
            model["description"] = "edited in the UI"
            if title:
                model["title"] = title
            model["version"] = stored.version + 1
            stored.model = model
            api = stored.versions[-1].api if stored.versions else "v1"
            stored.versions.append(
                Version(model["version"], _now(), user, "", model, self.next_revision(), api)
            )
            return stored.version

    def answer(self, method: str, path: str, fn: Answer) -> None:
        """Answer `method path` with `fn(query, real)` from now on (a misbehaving server)."""
        with self.lock:
            self.answers[(method, path)] = fn

    def manage(self, uid: str, kind: str, identity: str) -> None:
        """Another tool takes the dashboard over: Git Sync (`repo`), Terraform, kubectl, …"""
        with self.lock:
            self.dashboards[uid].manager = (kind, identity)

    def move(self, uid: str, folder_uid: str) -> None:
        """Someone moves the dashboard to another folder (no new version, as a move in the UI
        of Grafana 11+ keeps the content)."""
        with self.lock:
            self.dashboards[uid].folder_uid = folder_uid
            self.dashboards[uid].versions[-1].resource_version = self.next_revision()

    def provision(
        self, model: dict[str, Any], folder_uid: str = "", allow_ui_updates: bool = False
    ) -> None:
        """A dashboard loaded by a file provider (meta.provisioned unless the provider allows
        UI updates; the resource API marks it classic-file-provisioning either way)."""
        with self.lock:
            stored = self._store(dict(model), folder_uid, "provisioner", "", provisioned=True)
            stored.allow_ui_updates = allow_ui_updates

    def namespace(self, org: int) -> str:
        """`request.GetNamespaceMapper`: the stack's on Grafana Cloud, else the org's."""
        if self.stack_id:
            return f"stacks-{self.stack_id}"
        return "default" if org == 1 else f"org-{org}"

    def as_saved(self, model: dict[str, Any]) -> dict[str, Any]:
        """What a v1 save of `model` leaves in the store, without what Grafana assigns on save
        (`id`, `version`): for tests comparing a pulled dashboard with what was built."""
        saved, _ = self.saved_v1(model, strict=False)
        return {k: v for k, v in saved.items() if k not in ("id", "version")}

    def saved_v1(self, model: dict[str, Any], strict: bool) -> tuple[dict[str, Any], str]:
        """What Grafana stores of a v1 save (the model keeps its uid), and the migration error
        a non-strict save stores it with; a strict one raises grafana_save.MigrationError."""
        uid = model.get("uid")
        if self.schema_target is None:
            stored = json.loads(json.dumps(model))
            error = ""
        else:
            stored, failed = grafana_save.mutate_v1(model, self.schema_target)
            if failed is not None and strict:
                raise failed
            error = str(failed or "")
        if self.rewrite is not None:
            self.rewrite(stored)
        if uid is not None:
            stored["uid"] = uid
        return stored, error

    def _store(
        self,
        model: dict[str, Any],
        folder_uid: str,
        user: str,
        message: str,
        provisioned: bool = False,
        api: str = "v1",
        conversion_error: str = "",
    ) -> Stored:
        uid = model["uid"]
        existing = self.dashboards.get(uid)
        model = json.loads(json.dumps(model))
        if existing is None:
            model["id"] = self.next_id
            model["version"] = 1
            stored = Stored(
                model,
                folder_uid,
                self.next_id,
                _now(),
                user,
                provisioned,
                f"{uid}.json" if provisioned else "",
            )
            self.next_id += 1
            self.dashboards[uid] = stored
        else:
            model["id"] = existing.id
            model["version"] = existing.version + 1
            existing.model = model
            existing.folder_uid = folder_uid
            stored = existing
        stored.versions.append(
            Version(
                model["version"],
                _now(),
                user,
                message,
                model,
                self.next_revision(),
                api,
                conversion_error,
            )
        )
        return stored


def datasource(
    name: str, default: bool = False, kind: str = "prometheus", uid: str = "", number: int = 1
) -> Json:
    """A data source as `GET /api/datasources` lists it (Grafana's docs, "Data source HTTP
    API"): the org's configured data sources with their settings, never the built-in ones."""
    return {
        "id": number,
        "uid": uid or name.lower().replace(" ", "-"),
        "orgId": 1,
        "name": name,
        "type": kind,
        "typeName": kind.capitalize(),
        "typeLogoUrl": f"public/app/plugins/datasource/{kind}/img/logo.svg",
        "access": "proxy",
        "url": f"http://{kind}:9090",
        "user": "",
        "database": "",
        "basicAuth": False,
        "isDefault": default,
        "jsonData": {},
        "readOnly": False,
    }


def _error(code: int, message: str, **extra: Any) -> tuple[int, dict[str, Any]]:
    return code, {"message": message, **extra}


class Handler(BaseHTTPRequestHandler):
    server: GrafanaDouble  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

    def log_message(self, format: str, *args: object) -> None:
        pass

    # --- plumbing ----------------------------------------------------------------------------

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode(errors="replace")
        with state.lock:
            state.requests.append(
                Recorded(
                    method, parts.path, parse_qs(parts.query), dict(self.headers.items()), body
                )
            )
            fault = next(
                (
                    f
                    for f in state.faults
                    if parts.path.startswith(f["path"]) and f.get("method", method) == method
                ),
                None,
            )
            if fault is not None:
                state.faults.remove(fault)
        if fault is not None and self._fault(fault):
            return
        query = parse_qs(parts.query)

        def real() -> tuple[int, Any]:
            return self._route(method, parts.path, query, body)

        given = state.answers.get((method, parts.path))
        status, payload = given(query, real) if given is not None else real()
        self._send(status, payload)

    def _fault(self, fault: dict[str, Any]) -> bool:
        kind = fault["kind"]
        if kind == "status":
            headers = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
            self._send(fault["status"], {"message": fault.get("message", "injected")}, headers)
            return True
        if kind == "reset":
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            self.connection.close()
            self.close_connection = True
            return True
        if kind == "slow":
            time.sleep(fault["seconds"])
            return False
        if kind == "race":
            self.server.state.ui_edit(fault["uid"], user=fault.get("user", "bob@example.com"))
            return False
        raise AssertionError(f"unknown fault {kind}")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")

    # --- auth ----------------------------------------------------------------------------------

    def _org(self) -> int:
        """The request's org: X-Grafana-Org-Id, else the org of the token (basic auth: 1)."""
        header = self.headers.get("X-Grafana-Org-Id")
        if header:
            return int(header)
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        return TOKEN_ORGS.get(token, 1)

    def _role(self) -> str | tuple[int, dict[str, Any]] | None:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ")
            if token in (ADMIN_TOKEN, ORG3_TOKEN):
                return "admin"
            if token == VIEWER_TOKEN:
                return "viewer"
            return _error(401, "Invalid API key", messageId="api-key.invalid", statusCode=401)
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if (user, password) == BASIC:
                return "admin"
            return _error(401, "Invalid username or password", messageId="password-auth.failed")
        return _error(401, "Unauthorized", messageId="auth.unauthorized", statusCode=401)

    # --- routes ----------------------------------------------------------------------------------

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        state = self.server.state
        if path == "/api/health" and method == "GET":
            return 200, {"commit": "double", "database": "ok", "version": state.version}
        role = self._role()
        if isinstance(role, tuple):
            return role
        if path == "/api/frontend/settings" and method == "GET":
            settings: dict[str, Any] = {"buildInfo": {"version": state.version}}
            if state.settings_namespace:
                settings["namespace"] = state.namespace(self._org())
            return 200, settings
        if path == "/api/org" and method == "GET":
            return 200, {"id": self._org(), "name": f"Org {self._org()}"}
        if path == "/api/datasources" and method == "GET":  # datasources:read, admins only
            if role != "admin":
                return 403, {
                    "title": "Access denied",
                    "message": "You'll need additional permissions to perform this action. "
                    "Permissions needed: datasources:read",
                    "accessErrorId": "ACE0000000002",
                }
            with state.lock:
                return 200, json.loads(json.dumps(state.datasources.get(self._org(), [])))
        if method != "GET" and role != "admin":
            return 403, {
                "title": "Access denied",
                "message": "You'll need additional permissions to perform this action. "
                "Permissions needed: dashboards:write",
                "accessErrorId": "ACE0000000001",
            }
        with state.lock:
            if path == "/apis" or path.startswith("/apis/"):
                return self._resource_route(method, path, query, body)
            legacy_get = method == "GET" and re.fullmatch(r"/api/dashboards/uid/[^/]+", path)
            stored_v2 = legacy_get and _family(_stored_api(state, path.rsplit("/", 1)[1])) == "v2"
            if (
                legacy_get
                and (state.new_layouts or stored_v2)
                and path.rsplit("/", 1)[1] in (state.dashboards)
            ):
                uid = path.rsplit("/", 1)[1]
                return _error(
                    406,
                    "dashboard api version not supported, use "
                    f"/apis/dashboard.grafana.app/v2/namespaces/{state.namespace(self._org())}"
                    f"/dashboards/{uid} "
                    "instead",
                )
            if path == "/api/folders" and method == "POST":
                uid = (body or {}).get("uid", "")
                if uid in state.folders:
                    return _error(409, "a folder with the same uid already exists")
                parent = (body or {}).get("parentUid") or ""
                if parent and parent not in state.folders:
                    return _error(404, "parent folder not found", status="not-found")
                folder = {
                    "id": state.next_id,
                    "uid": uid,
                    "title": body.get("title", ""),
                    "url": f"/dashboards/f/{uid}/",
                    **({"parentUid": parent} if parent else {}),
                }
                state.next_id += 1
                state.folders[uid] = folder
                return 200, folder
            m = re.fullmatch(r"/api/folders/([^/]+)", path)
            if m and method == "GET":
                folder = state.folders.get(m.group(1))
                return (
                    (200, folder) if folder else _error(404, "folder not found", status="not-found")
                )
            if m and method == "DELETE":  # the folder and every dashboard in it
                if state.folders.pop(m.group(1), None) is None:
                    return _error(404, "folder not found", status="not-found")
                for uid in [u for u, s in state.dashboards.items() if s.folder_uid == m.group(1)]:
                    del state.dashboards[uid]
                return 200, {"message": "Folder deleted"}
            if path == "/api/dashboards/db" and method == "POST":
                return self._save(body or {}, role)
            m = re.fullmatch(r"/api/dashboards/uid/([^/]+)/versions/(\d+)", path)
            if m and method == "GET":  # one version, by the number the history shows
                stored = state.dashboards.get(m.group(1))
                wanted = int(m.group(2))
                found = [v for v in (stored.versions if stored else []) if v.version == wanted]
                if not found:
                    return _error(404, "Dashboard version not found")
                v = found[0]
                return 200, {
                    "id": wanted,
                    "dashboardId": stored.id if stored else 0,
                    "uid": m.group(1),
                    "parentVersion": wanted - 1,
                    "restoredFrom": 0,
                    "version": wanted,
                    "created": v.created,
                    "createdBy": v.created_by,
                    "message": v.message,
                    "data": v.data,
                }
            m = re.fullmatch(r"/api/dashboards/uid/([^/]+)/versions", path)
            if m and method == "GET":
                stored = state.dashboards.get(m.group(1))
                if stored is None:
                    return _error(404, "Dashboard not found")
                limit = int(query.get("limit", ["0"])[0] or 0) or len(stored.versions)
                start = int(query.get("continueToken", ["0"])[0] or 0)
                if state.history_page and not state.legacy_versions:
                    limit = min(limit, state.history_page)
                items = [
                    {
                        "id": i + 1,
                        "dashboardId": stored.id,
                        "parentVersion": v.version - 1,
                        "restoredFrom": 0,
                        "version": v.version,
                        "created": v.created,
                        "createdBy": v.created_by,
                        "message": v.message,
                    }
                    for i, v in enumerate(stored.versions)
                ][::-1]
                page = items[start : start + limit]
                if state.legacy_versions:  # Grafana < 12: the bare list, one page
                    return 200, page
                more = str(start + limit) if start + limit < len(items) else ""
                return 200, {"continueToken": more, "versions": page}
            m = re.fullmatch(r"/api/dashboards/uid/([^/]+)", path)
            if m and method == "GET":
                stored = state.dashboards.get(m.group(1))
                if stored is None:
                    return _error(404, "Dashboard not found")
                folder = state.folders.get(stored.folder_uid, {})
                last = stored.versions[-1]
                return 200, {
                    "dashboard": stored.model,
                    "meta": {
                        "type": "db",
                        "slug": stored.model["title"].lower().replace(" ", "-"),
                        "url": f"/d/{stored.model['uid']}",
                        "version": stored.version,
                        "folderUid": stored.folder_uid,
                        "folderTitle": folder.get("title", "General"),
                        "provisioned": stored.provisioned and not stored.allow_ui_updates,
                        "provisionedExternalId": stored.external_id,
                        "created": stored.created,
                        "createdBy": stored.created_by,
                        "updated": last.created,
                        "updatedBy": last.created_by,
                    },
                }
            if m and method == "DELETE":
                stored = state.dashboards.get(m.group(1))
                if stored is None:
                    return _error(404, "Dashboard not found")
                if stored.provisioned:
                    return _error(
                        400,
                        "provisioned dashboard cannot be deleted",
                        status="cannot-delete-provisioned",
                    )
                del state.dashboards[m.group(1)]
                return 200, {
                    "title": stored.model["title"],
                    "message": "Dashboard deleted",
                    "id": stored.id,
                }
            if path == "/api/search" and method == "GET":
                limit = min(int(query.get("limit", ["1000"])[0]), 5000)
                page = max(int(query.get("page", ["1"])[0]), 1)
                folders = set(query.get("folderUIDs", [])) or None
                hits = [
                    {
                        "uid": uid,
                        "title": s.model["title"],
                        "type": "dash-db",
                        "folderUid": s.folder_uid,
                        "tags": s.model.get("tags", []),
                        "url": f"/d/{uid}",
                    }
                    for uid, s in sorted(state.dashboards.items())
                    if folders is None or s.folder_uid in folders
                ]
                return 200, hits[(page - 1) * limit : page * limit]
        return _error(404, "Not found")

    # --- the resource API ------------------------------------------------------------------

    def _resource_route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        state = self.server.state
        if not state.resource_api:
            return _error(404, "Not found")
        if path == "/apis" and method == "GET":
            return 200, {
                "kind": "APIGroupList",
                "apiVersion": "v1",
                "groups": [
                    {
                        "name": "dashboard.grafana.app",
                        "versions": [
                            {"groupVersion": f"dashboard.grafana.app/{v}", "version": v}
                            for v in state.api_versions
                        ],
                        "preferredVersion": {
                            "groupVersion": "dashboard.grafana.app/v1",
                            "version": "v1",
                        },
                    }
                ],
            }
        m = re.fullmatch(
            r"/apis/dashboard\.grafana\.app/(v1|v2)/namespaces/([^/]+)/dashboards(?:/([^/]+))?",
            path,
        )
        if m is None:
            return _status(404, "NotFound", "the server could not find the requested resource")
        api, namespace, name = m.group(1), m.group(2), m.group(3)
        if api not in state.api_versions:
            return _status(404, "NotFound", "the server could not find the requested resource")
        if namespace != state.namespace(self._org()):
            return _status(404, "NotFound", f'namespaces "{namespace}" not found')
        if name is None and method == "GET":
            return self._list(query, api)
        if name is None and method == "POST":
            return self._create(body or {}, api)
        stored = state.dashboards.get(name or "")
        if stored is None:
            return _status(404, "NotFound", f'dashboards.dashboard.grafana.app "{name}" not found')
        if method == "GET":
            return 200, _resource(stored, stored.versions[-1], api, state.conversion_fails)
        if method == "PUT":
            return self._update(stored, body or {}, api)
        if method == "DELETE":
            if stored.provisioned:
                return _status(403, "Forbidden", "provisioned dashboards cannot be deleted")
            wanted = ((body or {}).get("preconditions") or {}).get("resourceVersion")
            current = stored.versions[-1].resource_version
            if wanted is not None and wanted != current:
                return _status(
                    409,
                    "Conflict",
                    f"Precondition failed: ResourceVersion in precondition: {wanted}, "
                    f"ResourceVersion in object meta: {current}",
                )
            del state.dashboards[name or ""]
            return 200, {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Success",
                "details": {"name": name, "group": "dashboard.grafana.app", "kind": "dashboards"},
            }
        return _status(405, "MethodNotAllowed", f"{method} is not allowed")

    def _list(self, query: dict[str, list[str]], api: str) -> tuple[int, Any]:
        state = self.server.state
        limit = int(query.get("limit", ["0"])[0] or 0)
        if query.get("labelSelector") == ["grafana.app/get-history=true"]:
            field = query.get("fieldSelector", [""])[0]
            if not field.startswith("metadata.name="):
                return _status(400, "BadRequest", "history needs fieldSelector=metadata.name")
            stored = state.dashboards.get(field.removeprefix("metadata.name="))
            versions = [] if stored is None else stored.versions[::-1]
            fails = state.conversion_fails
            items = [_resource(stored, v, api, fails) for v in versions] if stored else []
        else:
            items = [
                _resource(s, s.versions[-1], api, state.conversion_fails)
                for _, s in sorted(state.dashboards.items())
            ]
        # Paged like Kubernetes: `limit` items, and a `continue` token while more remain.
        if state.history_page and query.get("labelSelector"):
            limit = min(limit or state.history_page, state.history_page)
        token = query.get("continue", ["0"])[0] or "0"
        if not token.isdigit():  # not one the double handed out
            return _status(400, "BadRequest", "continue key is not valid")
        start = int(token)
        end = start + limit if limit else len(items)
        metadata: dict[str, Any] = {"resourceVersion": str(state.revision)}
        if end < len(items):
            metadata["continue"] = str(end)
        return 200, {
            "kind": "DashboardList",
            "apiVersion": f"dashboard.grafana.app/{api}",
            "metadata": metadata,
            "items": items[start:end],
        }

    def _create(self, body: dict[str, Any], api: str) -> tuple[int, Any]:
        state = self.server.state
        name = str((body.get("metadata") or {}).get("name", ""))
        if name in state.dashboards:
            return _status(
                409, "AlreadyExists", f'dashboards.dashboard.grafana.app "{name}" already exists'
            )
        return self._store_resource(name, body, 201, api)

    def _update(self, stored: Stored, body: dict[str, Any], api: str) -> tuple[int, Any]:
        metadata = body.get("metadata") or {}
        if stored.provisioned and not stored.allow_ui_updates:
            return _error(400, "Cannot save provisioned dashboard", status="bad-request")
        wanted = str(metadata.get("resourceVersion", ""))
        if wanted and wanted != stored.versions[-1].resource_version:
            return _status(
                409,
                "Conflict",
                'Operation cannot be fulfilled on dashboards.dashboard.grafana.app "'
                f'{stored.model["uid"]}": the object has been modified; please apply your '
                "changes to the latest version and try again",
            )
        return self._store_resource(str(stored.model["uid"]), body, 200, api)

    def _store_resource(
        self, name: str, body: dict[str, Any], code: int, api: str
    ) -> tuple[int, Any]:
        state = self.server.state
        metadata, spec = body.get("metadata") or {}, body.get("spec")
        if not isinstance(spec, dict) or not str(spec.get("title", "")).strip():
            return _status(400, "BadRequest", "spec.title: Required value")
        v2_shaped = "elements" in spec and "layout" in spec
        if api == "v2" and not v2_shaped:
            return _status(400, "BadRequest", "spec.elements, spec.layout: Required value")
        if api == "v1" and v2_shaped and "panels" not in spec:
            return _status(
                400,
                "BadRequest",
                "dashboard appears to be in v2 format. Please use the "
                "/apis/dashboard.grafana.app/v2 API",
            )
        if not UID_RE.match(name) or not name or len(name) > 40:
            return _status(400, "BadRequest", f"metadata.name: Invalid value: {name!r}")
        notes = metadata.get("annotations") or {}
        folder_uid = str(notes.get("grafana.app/folder", ""))
        if folder_uid and folder_uid not in state.folders:
            return _status(400, "BadRequest", f"folder {folder_uid} not found")
        model = {**spec, "uid": name}
        if api == "v2":
            model = {**grafana_save.mutate_v2(spec), "uid": name}
            if state.rewrite is not None:
                state.rewrite(model)
        else:
            try:
                model, _ = state.saved_v1(model, strict=True)
            except grafana_save.MigrationError as exc:  # apierrors.NewInvalid
                return _status(
                    422,
                    "Invalid",
                    f'Dashboard.dashboard.grafana.app "{name}" is invalid: spec: Invalid value: '
                    f'"{name}": {exc}',
                )
        message = str(notes.get("grafana.app/message", ""))
        stored = state._store(model, folder_uid, "tsedash-sa", message, api=api)
        return code, _resource(stored, stored.versions[-1], api)

    def _save(self, body: dict[str, Any], role: str) -> tuple[int, Any]:
        state = self.server.state
        model = body.get("dashboard")
        if not isinstance(model, dict) or not str(model.get("title", "")).strip():
            return _error(400, "Dashboard title cannot be empty", status="empty-name")
        uid = str(model.get("uid", ""))
        if not UID_RE.match(uid):
            return _error(400, "uid contains illegal characters", status="bad-request")
        if len(uid) > 40:
            return _error(400, "uid too long, max 40 characters", status="bad-request")
        if any(len(t) > 50 for t in model.get("tags") or []):
            return _error(400, "dashboard tag too long, max 50 characters", status="bad-request")
        if len(body.get("message", "") or "") > 500:
            return _error(400, "message too long, max 500 characters", status="bad-request")
        folder_uid = body.get("folderUid", "") or ""
        if folder_uid and folder_uid not in state.folders:
            return _error(400, "folder not found", status="not-found")
        existing = state.dashboards.get(uid)
        if (
            existing is not None
            and not body.get("overwrite")
            and model.get("version") != existing.version
        ):
            return _error(
                412, "The dashboard has been changed by someone else", status="version-mismatch"
            )
        if existing is not None and existing.provisioned and not existing.allow_ui_updates:
            return _error(400, "Cannot save provisioned dashboard", status="bad-request")
        for other_uid, other in state.dashboards.items():
            if (
                other_uid != uid
                and other.folder_uid == folder_uid
                and other.model["title"] == model["title"]
            ):
                return _error(
                    412,
                    "A dashboard with the same name in the folder already exists",
                    status="name-exists",
                )
        error = ""
        if state.legacy_saves_v1:  # newer Grafana: a v1 object, saved with validation Ignore
            model, error = state.saved_v1(model, strict=False)
        message = str(body.get("message", ""))
        stored = state._store(model, folder_uid, "tsedash-sa", message, conversion_error=error)
        return 200, {
            "status": "success",
            "id": stored.id,
            "uid": uid,
            "url": f"/d/{uid}",
            "version": stored.version,
            "slug": model["title"].lower().replace(" ", "-"),
            "folderUid": folder_uid,
        }


def _status(code: int, reason: str, message: str) -> tuple[int, dict[str, Any]]:
    """A Kubernetes `Status` body, what the resource API answers on errors."""
    return code, {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _family(api: str) -> str:
    return "v2" if api.startswith("v2") else "v1"


def _stored_api(state: GrafanaState, uid: str) -> str:
    stored = state.dashboards.get(uid)
    return stored.versions[-1].api if stored and stored.versions else "v1"


def _stand_in(data: dict[str, Any], family: str) -> dict[str, Any]:
    """What the double serves for a read across families (see the module docstring)."""
    title = data.get("title", "")
    if family == "v2":
        return {
            "title": title,
            "elements": {},
            "layout": {"kind": "GridLayout", "spec": {"items": []}},
            "variables": [],
        }
    return {"title": title, "panels": [], "schemaVersion": 42}


def _resource(
    stored: Stored, version: Version, api: str = "v1", conversion_fails: bool = False
) -> dict[str, Any]:
    """One version of a dashboard as the resource API `api` shows it."""
    notes = {
        "grafana.app/folder": stored.folder_uid,
        "grafana.app/createdBy": stored.created_by,
        "grafana.app/updatedBy": version.created_by,
        "grafana.app/updatedTimestamp": version.created,
    }
    if version.message:
        notes["grafana.app/message"] = version.message
    if stored.provisioned:
        notes["grafana.app/managedBy"] = "classic-file-provisioning"
        notes["grafana.app/managerId"] = "tsedash"  # the provider's name
        notes["grafana.app/sourcePath"] = stored.external_id
    elif stored.manager is not None:
        notes["grafana.app/managedBy"], notes["grafana.app/managerId"] = stored.manager
    status: dict[str, Any] = {}
    if _family(version.api) == "v2":  # a v2 spec has no uid, id or version of its own
        spec = {k: v for k, v in version.data.items() if k not in ("id", "uid", "version")}
    else:
        spec = {k: v for k, v in version.data.items() if k != "id"}
    if version.conversion_error:  # saved with field validation Ignore despite the migration
        status = {
            "conversion": {
                "storedVersion": version.api,
                "failed": True,
                "error": version.conversion_error,
            }
        }
    if _family(version.api) != _family(api):
        conversion: dict[str, Any] = {"storedVersion": version.api, "failed": conversion_fails}
        if conversion_fails:
            conversion["error"] = f"converting {version.api} to {api} failed (the double)"
        status = {"conversion": conversion}
        spec = _stand_in(spec, _family(api))
    return {
        "kind": "Dashboard",
        "apiVersion": f"dashboard.grafana.app/{api}",
        "metadata": {
            "name": stored.model["uid"],
            "namespace": "default",
            "uid": f"k8s-{stored.id}",
            "resourceVersion": version.resource_version,
            "generation": version.version,
            "creationTimestamp": version.created,
            "annotations": {k: v for k, v in notes.items() if v},
        },
        "spec": spec,
        "status": status,
    }


class GrafanaDouble(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = GrafanaState()
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (timeouts, resets under test) is not an error of the double."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> GrafanaDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
