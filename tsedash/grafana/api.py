"""Grafana's dashboard endpoints, legacy or resource API, chosen by what the server speaks.

Grafana 12 added, and Grafana 13 prefers, the resource API
`/apis/dashboard.grafana.app/<version>/namespaces/<namespace>/dashboards[/<uid>]`: the
dashboard is `spec`, the folder is the annotation `grafana.app/folder`, the version note is
`grafana.app/message`, an update carries the `metadata.resourceVersion` it read (a write in
between is a 409), and the history is the list filtered by
`labelSelector=grafana.app/get-history=true&fieldSelector=metadata.name=<uid>`, newest first.
Grafana 10-11 have only the legacy `/api/dashboards/*`. With the new dashboard layouts enabled
the legacy GET answers 406 and points at `/apis/…`.

The namespace is the one Grafana forms for the credentials (`request.GetNamespaceMapper`):
`default` for org 1, `org-<N>`, `stacks-<id>` on Grafana Cloud. Grafana says which in
`GET /api/frontend/settings` (`namespace`, for the org of the request: X-Grafana-Org-Id or
the credentials' own); without it, the org is GRAFANA_ORG_ID or `GET /api/org`. Histories are
read page by page (`continue`; `continueToken` on the legacy API) until the versions asked
for are there, as Grafana's own history client reads them, bounded like every list.

With `schema="v2"` the dashboards go through `dashboard.grafana.app/v2` (Grafana 13): the spec
is the v2 one. A dashboard stored in the other family (v1 ↔ v2) is converted by Grafana on read
and says so in `status.conversion.storedVersion`; that stored version is kept in `meta` so a
push can read the dashboard as it was written (`read_as`) to tell whether it is our last push.

`Dashboards` answers in the legacy shapes sync.py reads (`{"dashboard", "meta"}`, version
lists with `version`/`created`/`createdBy`/`message`), so push, diff and pull keep one set of
rules for both APIs; everything else (health, folders, the request counter) is the client's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal

from tsedash.deadline import within
from tsedash.errors import InputError
from tsedash.grafana import errors as e
from tsedash.grafana.client import GrafanaClient, api_path
from tsedash.spec import UID_PATTERN

GROUP = "dashboard.grafana.app"
VERSIONS = ("v1", "v1beta1")  # the dashboard API versions we speak, preferred first
V2_VERSIONS = ("v2",)  # schema v2: the GA version only (v2beta1 differs in transformations)
FOLDER = "grafana.app/folder"
MESSAGE = "grafana.app/message"
MANAGED_BY = "grafana.app/managedBy"
MANAGER_ID = "grafana.app/managerId"
SOURCE_PATH = "grafana.app/sourcePath"
FILE_PROVISIONING = "classic-file-provisioning"
# Lists are paged, and bounded: at most this many pages (and the client's total timeout for
# the whole list). 200 pages of 1,000 (legacy search) or 500 (resource list) dashboards.
MAX_LIST_PAGES = 200
SEARCH_PAGE = 1000
RESOURCE_PAGE = 500
HISTORY_PAGE = 1000  # versions per page when looking one up (Grafana's own client asks 1000)
MAX_TOKEN = 4096  # characters of a `continue` token sent back (Kubernetes' are far shorter)
# A dashboard API version as a path segment: v1, v2, v1beta1, v2alpha1 …
API_VERSION = re.compile(r"v[0-9]+(?:(?:alpha|beta)[0-9]+)?")
Mode = Literal["auto", "legacy", "resource"]
MODES: tuple[Mode, ...] = ("auto", "legacy", "resource")
Schema = Literal["v1", "v2"]


def same_family(a: str, b: str) -> bool:
    """Whether two dashboard API versions hold the same schema (v1/v1beta1, or v2…): only
    a read across families is converted by Grafana."""
    return a.startswith("v2") == b.startswith("v2")


def server_uid(value: Any, where: str) -> str:
    """A uid a server named, before it goes into a request path: it must pass Grafana's own
    uid rule (letters, digits, '-' and '_', at most 40), else the answer is not trusted."""
    if isinstance(value, str) and UID_PATTERN.fullmatch(value):
        return value
    shown = repr(value)[:80]
    raise e.UntrustedAnswer(
        f"{where}: the answer names uid {shown}, which is not a Grafana uid "
        "(letters, digits, '-' and '_', at most 40)"
    )


def namespace(org_id: str | None) -> str:
    """Org 1 is `default`; another org N is `org-N` (`claims.OrgNamespaceFormatter`)."""
    return "default" if not org_id or org_id == "1" else f"org-{org_id}"


# The namespaces Grafana forms: `default`, `org-<N>`, and on Grafana Cloud `stacks-<id>`
# (`claims.CloudNamespaceFormatter`; `stack-<id>` in earlier releases).
NAMESPACE = re.compile(r"default|org-[1-9][0-9]{0,18}|stacks?-[0-9]{1,19}")


class Dashboards:
    """One Grafana's dashboards through the API it serves (see the module docstring)."""

    def __init__(self, client: GrafanaClient, mode: Mode = "auto", schema: Schema = "v1") -> None:
        if schema == "v2" and mode == "legacy":
            raise InputError(
                "--schema v2 needs the resource API (dashboard.grafana.app/v2): "
                "it cannot go with --api legacy"
            )
        self.client = client
        self.mode = mode
        self.schema = schema
        self._version: str | None = None  # the resource API version in use; "" for legacy
        self._served: list[str] | None = None
        self._namespace: str | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)  # health, folders, settings, requests_made, notices

    # --- which API -------------------------------------------------------------------------

    @property
    def api(self) -> str:
        """`legacy` or `dashboard.grafana.app/<version>`, detected on first use."""
        version = self._detect()
        return f"{GROUP}/{version}" if version else "legacy"

    def _detect(self) -> str:
        if self._version is not None:
            return self._version
        if self.mode == "legacy":
            self._version = ""
            return ""
        served = self._served_versions()
        wanted = V2_VERSIONS if self.schema == "v2" else VERSIONS
        usable = [v for v in wanted if v in served]
        if usable:
            self._version = usable[0]
        elif self.schema == "v2":
            raise e.BadRequest(
                f"{self.client.settings.shown_url} does not serve {GROUP}/v2 (it lists "
                f"{', '.join(served) or 'no dashboard API versions'} at /apis): schema v2 "
                "dashboards need Grafana 13 or later; push v1 (drop --schema v2)"
            )
        elif self.mode == "resource":
            raise e.BadRequest(
                f"{self.client.settings.shown_url} does not serve the dashboard resource API "
                f"({GROUP} {' or '.join(VERSIONS)} not listed at /apis); use --api legacy"
            )
        else:
            self._version = ""
        return self._version

    def _served_versions(self) -> list[str]:
        """The versions of the dashboard group listed by `GET /apis` (Kubernetes discovery);
        none on a Grafana without the resource API (404 there). Asked once."""
        if self._served is None:
            self._served = self._discover()
        return self._served

    def _discover(self) -> list[str]:
        try:
            body = self.client.request("GET", "/apis")
        except (e.NotFound, e.BadRequest, e.Forbidden):
            return []
        groups = body.get("groups") if isinstance(body, dict) else None
        for group in groups if isinstance(groups, list) else []:
            if isinstance(group, dict) and group.get("name") == GROUP:
                versions = group.get("versions")
                return [
                    str(v.get("version"))
                    for v in (versions if isinstance(versions, list) else [])
                    if isinstance(v, dict)
                ]
        return []

    @property
    def namespace(self) -> str:
        """The namespace Grafana forms for these credentials, asked once: the `namespace` of
        `GET /api/frontend/settings` (the org of the request, or the Grafana Cloud stack), else
        the org — GRAFANA_ORG_ID, or the credentials' own org from `GET /api/org`."""
        if self._namespace is None:
            self._namespace = self._ask_namespace()
        return self._namespace

    def _ask_namespace(self) -> str:
        try:
            settings = self.client.request("GET", "/api/frontend/settings")
        except (e.NotFound, e.Forbidden, e.BadRequest):
            settings = None
        given = settings.get("namespace") if isinstance(settings, dict) else None
        if given is not None:
            if not isinstance(given, str) or not NAMESPACE.fullmatch(given):
                raise e.UntrustedAnswer(
                    f"GET /api/frontend/settings: the namespace {str(given)[:60]!r} is not one "
                    "Grafana forms (default, org-<N>, stacks-<id>)"
                )
            return given
        org = self.client.settings.org_id
        if not org:
            body = self.client.request("GET", "/api/org")
            org = body.get("id") if isinstance(body, dict) else None
            if isinstance(org, bool) or not isinstance(org, int) or org < 1:
                raise e.UntrustedAnswer("GET /api/org: the answer names no organisation id")
        return namespace(str(org))

    def _base(self, version: str | None = None) -> str:
        version = version or self._detect()
        return api_path("apis", GROUP, version, "namespaces", self.namespace, "dashboards")

    def _item(self, uid: str, version: str | None = None) -> str:
        return f"{self._base(version)}{api_path(uid)}"

    @property
    def version(self) -> str:
        """The resource API version in use ("" for the legacy API)."""
        return self._detect()

    def detect(self) -> str:
        """Find the API now (an unusable one raises here, before anything is written), and
        for the resource API its namespace (asked once, before reads run in parallel)."""
        if self._detect():
            _ = self.namespace
        return self.api

    def read_as(self, uid: str, version: str) -> dict[str, Any] | None:
        """The dashboard read through the API version it is stored in (a v2 one through v2,
        a v1 one through the v1 version this server serves), in the legacy shape."""
        if not API_VERSION.fullmatch(version):  # the server named it: a path segment next
            raise e.UntrustedAnswer(f"dashboard {uid}: stored as {version[:40]!r}, no API version")
        if not version.startswith("v2"):
            served = self._served_versions()
            version = next((v for v in VERSIONS if v in served), version)
        try:
            body = self.client.request("GET", self._item(uid, version))
        except e.NotFound:
            return None
        return _as_legacy(_resource(body, f"GET {self._item(uid, version)}"))

    # --- the calls sync.py makes -------------------------------------------------------------

    def get_dashboard(self, uid: str) -> dict[str, Any] | None:
        if not self._detect():
            try:
                return self.client.get_dashboard(uid)
            except e.NotAcceptable as exc:
                raise e.NotAcceptable(
                    f"{exc}: this dashboard is only served by the resource API "
                    f"(/apis/{GROUP}/…), which {self.client.settings.shown_url} did not list at "
                    "/apis; try --api resource",
                    exc.status,
                    exc.url,
                    exc.body,
                ) from None
        try:
            body = self.client.request("GET", self._item(uid))
        except e.NotFound:
            return None
        return _as_legacy(_resource(body, f"GET {self._item(uid)}"))

    def save_dashboard(
        self,
        dashboard: dict[str, Any],
        folder_uid: str,
        message: str,
        overwrite: bool,
        base: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create (no `base`) or update the live copy `base` describes; the legacy API gets
        the version inside `dashboard`, the resource API the resourceVersion from `base`."""
        if not self._detect():
            return self.client.save_dashboard(dashboard, folder_uid, message, overwrite)
        uid = str(dashboard.get("uid", ""))
        # A v2 spec has no uid (it is metadata.name): sync.py carries it beside the spec.
        own = ("id", "version", "uid") if self.schema == "v2" else ("id", "version")
        spec = {k: v for k, v in dashboard.items() if k not in own}
        metadata: dict[str, Any] = {
            "name": uid,
            "annotations": {FOLDER: folder_uid, MESSAGE: message[:500]},
        }
        if base is None:
            body = self.client.request(
                "POST", self._base(), json={"metadata": metadata, "spec": spec}
            )
        else:
            metadata["resourceVersion"] = str(base.get("resourceVersion", ""))
            body = self.client.request(
                "PUT", self._item(uid), json={"metadata": metadata, "spec": spec}
            )
        saved = _resource(body, f"save {uid}")
        return {"uid": uid, "version": saved["metadata"].get("generation")}

    def versions(self, uid: str, limit: int = 1) -> list[dict[str, Any]]:
        """The newest `limit` versions, newest first, every page followed until there are
        that many (a page may hold fewer than asked and a continue token)."""
        if not self._detect():
            return self._legacy_versions(uid, limit)
        out = []
        for item in self._history(uid, limit):
            meta = item["metadata"]
            notes = meta.get("annotations") or {}
            out.append(
                {
                    "version": meta.get("generation"),
                    "created": meta.get("creationTimestamp"),
                    "createdBy": notes.get("grafana.app/updatedBy")
                    or notes.get("grafana.app/createdBy"),
                    "message": notes.get(MESSAGE, ""),
                }
            )
        return out

    # --- prune and restore -------------------------------------------------------------------

    def list_in_folder(self, folder_uid: str) -> list[str]:
        """The uids of the dashboards the server lists in a folder, every page of the list, each
        uid checked against the uid rule. Bounded: at most MAX_LIST_PAGES pages and the client's
        total timeout for the whole list; a list that does not end, or repeats its continue
        token, is an UntrustedAnswer. What the list says about folders decides nothing: each
        dashboard is read back before a delete (tsedash.grafana.ownership)."""
        seconds = self.client.settings.total_timeout
        ends = time.monotonic() + seconds
        what = f"the list of dashboards in folder {folder_uid}"

        def listing() -> list[str]:
            if not self._detect():
                return self._search_pages(folder_uid, ends, what)
            return self._resource_pages(folder_uid, ends, what)

        return within(
            seconds,
            listing,
            lambda: e.UntrustedAnswer(f"{what} did not end within {seconds:g}s"),
        )

    def _search_pages(self, folder_uid: str, ends: float, what: str) -> list[str]:
        """The legacy search, page by page (`page`, `limit`), to the first page that is not full."""
        uids: dict[str, None] = {}
        for page in range(1, MAX_LIST_PAGES + 1):
            _in_time(ends, what)
            params = {
                "folderUIDs": folder_uid,
                "type": "dash-db",
                "limit": str(SEARCH_PAGE),
                "page": str(page),
            }
            hits = self.client.request("GET", "/api/search", params=params)
            if not isinstance(hits, list):
                raise e.UntrustedAnswer(f"GET /api/search ({what}): the answer is not a list")
            for hit in hits:
                uid = hit.get("uid") if isinstance(hit, dict) else None
                uids[server_uid(uid, f"GET /api/search ({what})")] = None
            if len(hits) < SEARCH_PAGE:
                return list(uids)
        raise e.UntrustedAnswer(
            f"{what} did not end after {MAX_LIST_PAGES} pages of {SEARCH_PAGE} dashboards"
        )

    def _resource_pages(self, folder_uid: str, ends: float, what: str) -> list[str]:
        """The resource list, page by page, following `metadata.continue` to its end; the
        folder is each item's `grafana.app/folder` annotation."""
        uids: dict[str, None] = {}
        seen: set[str] = set()
        token = ""
        for _ in range(MAX_LIST_PAGES):
            _in_time(ends, what)
            params = {"limit": str(RESOURCE_PAGE), **({"continue": token} if token else {})}
            body = self.client.request("GET", self._base(), params=params)
            items = body.get("items") if isinstance(body, dict) else None
            where = f"GET {self._base()} ({what})"
            if not isinstance(items, list):
                raise e.UntrustedAnswer(f"{where}: no items in the answer")
            for item in items:
                meta = _mapping(item, "metadata")
                if _mapping(meta, "annotations").get(FOLDER) == folder_uid:
                    uids[server_uid(meta.get("name"), where)] = None
            token = _mapping(body, "metadata").get("continue") or ""
            if not token:
                return list(uids)
            if not isinstance(token, str) or len(token) > MAX_TOKEN:
                raise e.UntrustedAnswer(f"{where}: the continue token is not a token")
            if token in seen:
                raise e.UntrustedAnswer(
                    f"{where}: the server repeated its continue token {token[:40]!r}"
                )
            seen.add(token)
        raise e.UntrustedAnswer(
            f"{what} did not end after {MAX_LIST_PAGES} pages of {RESOURCE_PAGE} dashboards"
        )

    def manager(self, uid: str, meta: dict[str, Any]) -> tuple[str, str] | None:
        """Who else manages the dashboard, as (`grafana.app/managedBy`, `grafana.app/managerId`):
        Git Sync (`repo`), Terraform, kubectl, a plugin, a file provider; None when nobody does.

        The resource API says so in those annotations; the legacy API shows only file
        provisioning (`meta.provisioned`, `meta.provisionedExternalId`). On a Grafana that also
        serves the resource API, a dashboard read through the legacy one is asked there too."""
        found = _manager_in(meta)
        if found or self._detect():  # read through the resource API: that was all of it
            return found
        served = [v for v in VERSIONS if v in self._served_versions()]
        if not served:  # Grafana 10-11: a file provider is the only other manager there is
            return None
        got = self.read_as(uid, served[0])
        if got is None:
            raise e.UntrustedAnswer(
                f"dashboard {uid}: served by /api/dashboards but not by the resource API"
            )
        return _manager_in(got["meta"])

    def delete_dashboard(self, uid: str, version: Any, resource_version: Any, folder: str) -> None:
        """Delete the dashboard as it was read (its version, resourceVersion and folder); a
        change since is a Conflict and nothing is deleted. The resource API checks it itself
        (Kubernetes `preconditions.resourceVersion`); through the legacy API, which has no
        precondition, the dashboard is read again just before the DELETE."""
        if self._detect():
            options: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
            if resource_version:
                options["preconditions"] = {"resourceVersion": str(resource_version)}
            self.client.request("DELETE", self._item(uid), json=options)
            return
        now = self.client.get_dashboard(uid)
        meta = (now or {}).get("meta") or {}
        if now is None or meta.get("version") != version or meta.get("folderUid") != folder:
            raise e.Conflict(f"dashboard {uid} changed since it was read", 409)
        self.client.request("DELETE", api_path("api", "dashboards", "uid", uid))

    def version_model(self, uid: str, version: int) -> dict[str, Any]:
        """The dashboard as it was at `version` (the number Grafana's history shows)."""
        if not self._detect():
            body = self.client.request(
                "GET", api_path("api", "dashboards", "uid", uid, "versions", str(version))
            )
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict):
                raise e.ServerError(f"version {version} of {uid}: no dashboard in the answer")
            return data
        for item in self._history(uid, found=lambda i: i["metadata"].get("generation") == version):
            if item["metadata"].get("generation") == version:
                return {**item["spec"], "uid": uid}
        raise e.NotFound(f"dashboard {uid} has no version {version} in Grafana's history", 404)

    def _history(
        self,
        uid: str,
        limit: int | None = None,
        found: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """The saved versions of `uid`, newest first: page after page (`continue`), as
        Grafana's own history client reads them, until there are `limit` of them or one
        `found` accepts, or the history ends. Bounded like every list (MAX_LIST_PAGES, the
        client's total timeout; a repeated continue token is an UntrustedAnswer)."""
        what = f"the history of {uid}"
        seconds = self.client.settings.total_timeout
        ends = time.monotonic() + seconds

        def pages() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            params = {
                "labelSelector": "grafana.app/get-history=true",
                "fieldSelector": f"metadata.name={uid}",
            }
            for token in _tokens(f"GET {self._base()} ({what})", what):
                _in_time(ends, what)
                page = {"limit": str(limit - len(items) if limit else HISTORY_PAGE)}
                body = self.client.request(
                    "GET", self._base(), params={**params, **page, **token.param("continue")}
                )
                got = body.get("items") if isinstance(body, dict) else None
                if not isinstance(got, list):
                    raise e.ServerError(f"GET {self._base()} ({what}): no items in the answer")
                items += [_resource(i, what) for i in got]
                done = (limit and len(items) >= limit) or (found and any(map(found, items)))
                if done or not token.follow(_mapping(body, "metadata").get("continue")):
                    return items[:limit] if limit else items
            return items  # pragma: no cover  # _tokens raises past its last page

        return within(seconds, pages, lambda: e.UntrustedAnswer(f"{what} did not end in time"))

    def _legacy_versions(self, uid: str, limit: int) -> list[dict[str, Any]]:
        """`GET /api/dashboards/uid/<uid>/versions`, paged by `continueToken` (Grafana 12+
        answers `{continueToken, versions}`; older releases the bare list, one page)."""
        path = api_path("api", "dashboards", "uid", uid, "versions")
        what = f"the versions of {uid}"
        out: list[dict[str, Any]] = []
        for token in _tokens(f"GET {path}", what):
            params = {"limit": str(limit - len(out)), **token.param("continueToken")}
            body = self.client.request("GET", path, params=params)
            items = body.get("versions", []) if isinstance(body, dict) else body
            if not isinstance(items, list):
                raise e.ServerError(f"GET {path}: expected a list")
            out += [v for v in items if isinstance(v, dict)]
            following = body.get("continueToken") if isinstance(body, dict) else None
            if len(out) >= limit or not token.follow(following):
                return out[:limit]
        return out  # pragma: no cover  # _tokens raises past its last page


class _Token:
    """The continue token of a paged list: followed while the server hands out a new one."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.value = ""
        self.seen: set[str] = set()

    def param(self, name: str) -> dict[str, str]:
        return {name: self.value} if self.value else {}

    def follow(self, token: Any) -> bool:
        """Take the next page's token; False at the end of the list."""
        if not token:
            return False
        if not isinstance(token, str) or len(token) > MAX_TOKEN:
            raise e.UntrustedAnswer(f"{self.where}: the continue token is not a token")
        if token in self.seen:
            raise e.UntrustedAnswer(
                f"{self.where}: the server repeated its continue token {token[:40]!r}"
            )
        self.seen.add(token)
        self.value = token
        return True


def _tokens(where: str, what: str) -> Iterator[_Token]:
    """One token holder per page, at most MAX_LIST_PAGES pages."""
    token = _Token(where)
    for _ in range(MAX_LIST_PAGES):
        yield token
    raise e.UntrustedAnswer(f"{what} did not end after {MAX_LIST_PAGES} pages")


def _mapping(value: Any, key: str) -> dict[str, Any]:
    """`value[key]` when both are JSON objects, else {} (a list item of the wrong shape)."""
    inner = value.get(key) if isinstance(value, dict) else None
    return inner if isinstance(inner, dict) else {}


def _manager_in(meta: dict[str, Any]) -> tuple[str, str] | None:
    kind = str(meta.get("managedBy") or "")
    if kind:
        return kind, str(meta.get("managerId") or "")
    if meta.get("provisioned") or meta.get("provisionedExternalId"):
        return FILE_PROVISIONING, str(meta.get("provisionedExternalId") or "")
    return None


def _in_time(ends: float, what: str) -> None:
    """Between pages: the abandoned worker of a list past its deadline stops asking."""
    if time.monotonic() > ends:
        raise e.UntrustedAnswer(f"{what} did not end in time")


def _resource(body: Any, what: str) -> dict[str, Any]:
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("metadata"), dict)
        or not isinstance(body.get("spec"), dict)
    ):
        raise e.ServerError(f"{what}: not a dashboard resource (metadata and spec expected)")
    return body


def _as_legacy(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as the legacy GET shapes it: the model (with uid and version) and meta."""
    meta = resource["metadata"]
    notes = meta.get("annotations") or {}
    generation = meta.get("generation")
    dashboard = {**resource["spec"], "uid": meta.get("name"), "version": generation}
    conversion = (resource.get("status") or {}).get("conversion") or {}
    read_as = str(resource.get("apiVersion", "")).rpartition("/")[2]
    return {
        "dashboard": dashboard,
        "meta": {
            "storedVersion": conversion.get("storedVersion") or read_as,
            "folderUid": notes.get(FOLDER, ""),
            "version": generation,
            "resourceVersion": meta.get("resourceVersion"),
            "provisioned": notes.get(MANAGED_BY) == FILE_PROVISIONING,
            "provisionedExternalId": notes.get(SOURCE_PATH) or notes.get(MANAGER_ID, ""),
            "managedBy": notes.get(MANAGED_BY, ""),
            "managerId": notes.get(MANAGER_ID, ""),
        },
    }
