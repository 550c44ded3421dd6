"""A small client of Grafana's classic HTTP API (its documented /api endpoints).

requests + urllib3's Retry: 429/502/503/504 and connection errors are retried with backoff,
honouring Retry-After; read timeouts are not (a POST that may have landed is never re-sent).
Secrets come from the environment only and never appear in messages: URLs go through
`mask_password`, and the Authorization header is never logged.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InsecureRequestWarning, ReadTimeoutError
from urllib3.util.retry import Retry

from tsedash import __version__
from tsedash.errors import InputError
from tsedash.grafana import errors as e
from tsedash.redact import mask_password

RETRY_STATUSES = (429, 502, 503, 504)


@dataclass(frozen=True)
class GrafanaSettings:
    url: str
    token: str | None = None
    user: str | None = None
    password: str | None = None
    org_id: str | None = None
    ca_cert: str | None = None
    insecure: bool = False
    connect_timeout: float = 3.0
    read_timeout: float = 15.0
    retries: int = 4
    backoff: float = 0.2

    @classmethod
    def from_env(
        cls,
        url: str | None = None,
        ca_cert: str | None = None,
        insecure: bool = False,
        environ: dict[str, str] | None = None,
        **overrides: Any,
    ) -> GrafanaSettings:
        env = os.environ if environ is None else environ
        base = url or env.get("GRAFANA_URL")
        if not base:
            raise InputError("no Grafana URL: pass --url or set GRAFANA_URL")
        if not base.startswith(("http://", "https://")):
            raise InputError(
                f"Grafana URL {mask_password(base)!r} must start with http:// or https://"
            )
        return cls(
            url=base.rstrip("/"),
            token=env.get("GRAFANA_TOKEN") or None,
            user=env.get("GRAFANA_USER") or None,
            password=env.get("GRAFANA_PASSWORD") or None,
            org_id=env.get("GRAFANA_ORG_ID") or None,
            ca_cert=ca_cert,
            insecure=insecure,
            **overrides,
        )

    @property
    def shown_url(self) -> str:
        return mask_password(self.url)


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("title") or body.get("status") or body)
    return str(body)[:300]


class GrafanaClient:
    def __init__(self, settings: GrafanaSettings) -> None:
        self.settings = settings
        self.requests_made = 0
        session = requests.Session()
        retry = Retry(
            total=settings.retries,
            connect=settings.retries,
            read=0,
            status=settings.retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD", "POST", "DELETE"}),
            backoff_factor=settings.backoff,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=16)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = f"tsedash/{__version__}"
        session.headers["Accept"] = "application/json"
        if settings.token:
            session.headers["Authorization"] = f"Bearer {settings.token}"
        elif settings.user and settings.password:
            session.auth = (settings.user, settings.password)
        if settings.org_id:
            session.headers["X-Grafana-Org-Id"] = settings.org_id
        if settings.insecure:
            warnings.warn(
                "TLS verification is off (--insecure): anyone on the path can read the token",
                stacklevel=2,
            )
            session.verify = False
        elif settings.ca_cert:
            session.verify = settings.ca_cert
        self.session = session

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.settings.url}{path}"
        shown = mask_password(url)
        self.requests_made += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InsecureRequestWarning)  # warned once above
                resp = self.session.request(
                    method,
                    url,
                    timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                    **kwargs,
                )
        except requests.exceptions.SSLError as exc:
            raise e.Unreachable(
                f"TLS error talking to {shown}: {type(exc).__name__} (use --ca-cert FILE for a "
                "private CA)",
                url=shown,
            ) from None
        except requests.exceptions.Timeout:
            raise e.Unreachable(
                f"{method} {shown}: no answer within {self.settings.read_timeout:g}s", url=shown
            ) from None
        except requests.exceptions.RetryError as exc:
            raise e.ServerError(
                f"{method} {shown}: still failing after retries ({exc.__class__.__name__})",
                url=shown,
            ) from None
        except requests.exceptions.ConnectionError as exc:
            reason = getattr(exc.args[0] if exc.args else None, "reason", None)
            if isinstance(reason, ReadTimeoutError):  # a read timeout, wrapped by Retry
                raise e.Unreachable(
                    f"{method} {shown}: no answer within {self.settings.read_timeout:g}s",
                    url=shown,
                ) from None
            raise e.Unreachable(
                f"cannot reach Grafana at {self.settings.shown_url} ({method} {path})", url=shown
            ) from None
        try:
            body: Any = resp.json() if resp.content else None
        except ValueError:
            body = resp.text
        if resp.status_code < 400:
            return body
        raise self._error(resp.status_code, method, path, shown, body)

    def _error(self, status: int, method: str, path: str, shown: str, body: Any) -> e.GrafanaError:
        msg = _message(body)
        where = f"{method} {path}"
        if status == 401:
            return e.Unauthorized(
                f"{where}: 401 unauthorized ({msg}); check GRAFANA_TOKEN "
                "(or GRAFANA_USER/GRAFANA_PASSWORD)",
                status,
                shown,
                body,
            )
        if status == 403:
            return e.Forbidden(f"{where}: 403 access denied: {msg}", status, shown, body)
        if status == 404:
            return e.NotFound(f"{where}: 404 {msg}", status, shown, body)
        if status in (409, 412):
            return e.Conflict(f"{where}: {status} {msg}", status, shown, body)
        if status == 400 and "provisioned" in msg.lower():
            return e.Provisioned(f"{where}: {msg}", status, shown, body)
        if status >= 500:
            return e.ServerError(f"{where}: {status} {msg}", status, shown, body)
        return e.BadRequest(f"{where}: {status} {msg}", status, shown, body)

    # --- the endpoints we use -----------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        body: dict[str, Any] = self.request("GET", "/api/health")
        return body

    def get_folder(self, uid: str) -> dict[str, Any] | None:
        try:
            body: dict[str, Any] = self.request("GET", f"/api/folders/{uid}")
        except e.NotFound:
            return None
        return body

    def create_folder(self, uid: str, title: str) -> dict[str, Any]:
        body: dict[str, Any] = self.request(
            "POST", "/api/folders", json={"uid": uid, "title": title}
        )
        return body

    def get_dashboard(self, uid: str) -> dict[str, Any] | None:
        try:
            body: dict[str, Any] = self.request("GET", f"/api/dashboards/uid/{uid}")
        except e.NotFound:
            return None
        return body

    def save_dashboard(
        self, dashboard: dict[str, Any], folder_uid: str, message: str, overwrite: bool
    ) -> dict[str, Any]:
        payload = {
            "dashboard": dashboard,
            "folderUid": folder_uid,
            "overwrite": overwrite,
            "message": message[:500],
        }
        body: dict[str, Any] = self.request("POST", "/api/dashboards/db", json=payload)
        return body

    def versions(self, uid: str, limit: int = 1) -> list[dict[str, Any]]:
        body = self.request("GET", f"/api/dashboards/uid/{uid}/versions", params={"limit": limit})
        # Grafana 12+: {"continueToken", "versions": [...]}; older: the bare list.
        items = body.get("versions", []) if isinstance(body, dict) else body
        return list(items or [])
