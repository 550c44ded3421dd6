"""Grafana's dashboard endpoints, legacy or resource API, chosen by what the server speaks.

Grafana 12 added, and Grafana 13 prefers, the resource API
`/apis/dashboard.grafana.app/<version>/namespaces/<namespace>/dashboards[/<uid>]`: the
dashboard is `spec`, the folder is the annotation `grafana.app/folder`, the version note is
`grafana.app/message`, an update carries the `metadata.resourceVersion` it read (a write in
between is a 409), and the history is the list filtered by
`labelSelector=grafana.app/get-history=true&fieldSelector=metadata.name=<uid>`, newest first.
Grafana 10-11 have only the legacy `/api/dashboards/*`. With the new dashboard layouts enabled
the legacy GET answers 406 and points at `/apis/…`.

With `schema="v2"` the dashboards go through `dashboard.grafana.app/v2` (Grafana 13): the spec
is the v2 one. A dashboard stored in the other family (v1 ↔ v2) is converted by Grafana on read
and says so in `status.conversion.storedVersion`; that stored version is kept in `meta` so a
push can read the dashboard as it was written (`read_as`) to tell whether it is our last push.

`Dashboards` answers in the legacy shapes sync.py reads (`{"dashboard", "meta"}`, version
lists with `version`/`created`/`createdBy`/`message`), so push, diff and pull keep one set of
rules for both APIs; everything else (health, folders, the request counter) is the client's.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from tsedash.errors import InputError
from tsedash.grafana import errors as e
from tsedash.grafana.client import GrafanaClient

GROUP = "dashboard.grafana.app"
VERSIONS = ("v1", "v1beta1")  # the dashboard API versions we speak, preferred first
V2_VERSIONS = ("v2",)  # schema v2: the GA version only (v2beta1 differs in transformations)
FOLDER = "grafana.app/folder"
MESSAGE = "grafana.app/message"
MANAGED_BY = "grafana.app/managedBy"
MANAGER_ID = "grafana.app/managerId"
SOURCE_PATH = "grafana.app/sourcePath"
FILE_PROVISIONING = "classic-file-provisioning"
Mode = Literal["auto", "legacy", "resource"]
MODES: tuple[Mode, ...] = ("auto", "legacy", "resource")
Schema = Literal["v1", "v2"]


def same_family(a: str, b: str) -> bool:
    """Whether two dashboard API versions hold the same schema (v1/v1beta1, or v2…): only
    a read across families is converted by Grafana."""
    return a.startswith("v2") == b.startswith("v2")


def namespace(org_id: str | None) -> str:
    """Org 1 is `default`; another org N is `org-N`."""
    return "default" if not org_id or org_id == "1" else f"org-{org_id}"


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

    def _base(self, version: str | None = None) -> str:
        ns = namespace(self.client.settings.org_id)
        return f"/apis/{GROUP}/{version or self._detect()}/namespaces/{ns}/dashboards"

    @property
    def version(self) -> str:
        """The resource API version in use ("" for the legacy API)."""
        return self._detect()

    def detect(self) -> str:
        """Find the API now (an unusable one raises here, before anything is written)."""
        return self.api

    def read_as(self, uid: str, version: str) -> dict[str, Any] | None:
        """The dashboard read through the API version it is stored in (a v2 one through v2,
        a v1 one through the v1 version this server serves), in the legacy shape."""
        if not version.startswith("v2"):
            served = self._served_versions()
            version = next((v for v in VERSIONS if v in served), version)
        try:
            body = self.client.request("GET", f"{self._base(version)}/{quote(uid)}")
        except e.NotFound:
            return None
        return _as_legacy(_resource(body, f"GET {self._base(version)}/{uid}"))

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
            body = self.client.request("GET", f"{self._base()}/{quote(uid)}")
        except e.NotFound:
            return None
        return _as_legacy(_resource(body, f"GET {self._base()}/{uid}"))

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
                "PUT", f"{self._base()}/{quote(uid)}", json={"metadata": metadata, "spec": spec}
            )
        saved = _resource(body, f"save {uid}")
        return {"uid": uid, "version": saved["metadata"].get("generation")}

    def versions(self, uid: str, limit: int = 1) -> list[dict[str, Any]]:
        if not self._detect():
            return self.client.versions(uid, limit)
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
        """The uids of the dashboards in a folder."""
        if not self._detect():
            params = {"folderUIDs": folder_uid, "type": "dash-db", "limit": "5000"}
            hits = self.client.request("GET", "/api/search", params=params)
            return [str(h["uid"]) for h in hits if isinstance(h, dict) and "uid" in h]
        uids: list[str] = []
        token = ""
        while True:  # the list is paged: follow `metadata.continue` to the end
            params = {"limit": "500", **({"continue": token} if token else {})}
            body = self.client.request("GET", self._base(), params=params)
            for item in body.get("items", []) if isinstance(body, dict) else []:
                meta = item.get("metadata", {}) if isinstance(item, dict) else {}
                if (meta.get("annotations") or {}).get(FOLDER, "") == folder_uid:
                    uids.append(str(meta.get("name")))
            token = str((body.get("metadata") or {}).get("continue") or "")
            if not token:
                return uids

    def delete_dashboard(self, uid: str) -> None:
        if not self._detect():
            self.client.request("DELETE", f"/api/dashboards/uid/{quote(uid)}")
        else:
            self.client.request("DELETE", f"{self._base()}/{quote(uid)}")

    def version_model(self, uid: str, version: int) -> dict[str, Any]:
        """The dashboard as it was at `version` (the number Grafana's history shows)."""
        if not self._detect():
            body = self.client.request(
                "GET", f"/api/dashboards/uid/{quote(uid)}/versions/{version}"
            )
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict):
                raise e.ServerError(f"version {version} of {uid}: no dashboard in the answer")
            return data
        for item in self._history(uid):
            if item["metadata"].get("generation") == version:
                return {**item["spec"], "uid": uid}
        raise e.NotFound(f"dashboard {uid} has no version {version} in Grafana's history", 404)

    def _history(self, uid: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Every saved version of `uid` (at most `limit`), newest first."""
        params = {
            "labelSelector": "grafana.app/get-history=true",
            "fieldSelector": f"metadata.name={uid}",
            **({"limit": str(limit)} if limit else {}),
        }
        body = self.client.request("GET", self._base(), params=params)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise e.ServerError(f"GET {self._base()} (history of {uid}): no items in the answer")
        return [_resource(i, f"history of {uid}") for i in items[:limit]]


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
        },
    }
