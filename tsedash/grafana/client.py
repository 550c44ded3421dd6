"""A small client of Grafana's classic HTTP API (its documented /api endpoints).

requests + urllib3's Retry: 429/502/503/504 and connection errors are retried with backoff,
honouring Retry-After up to the read timeout (at most MAX_RETRY_AFTER; a longer wish is cut
and reported in `notices`); read timeouts are not retried (a POST that may have landed is
never re-sent). Every request goes through the one server boundary (`tsedash.remote`):
bounded in total time (four read timeouts, a server dripping bytes included), in size
(MAX_BODY, before and after gzip/deflate), in JSON depth; an answer that is not the JSON object
an endpoint returns is a clear error.
Secrets come from the environment only and never appear in messages: URLs go through
`mask_password`, the Authorization header is never logged, and a token or password that HTTP
cannot carry (a trailing newline, a non-Latin-1 character) is refused before any request.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tsedash import __version__, remote
from tsedash.errors import InputError
from tsedash.grafana import errors as e
from tsedash.redact import mask_password, url_password

RETRY_STATUSES = (429, 502, 503, 504)
MAX_RETRY_AFTER = 10.0  # seconds; Grafana's own rate limiter asks for about one
MAX_BODY = remote.MAX_BODY  # the largest answer read (a dashboard is far smaller)


class _CappedRetry(Retry):
    """urllib3's Retry, with Retry-After obeyed up to MAX_RETRY_AFTER and the cut noted."""

    notes: list[str]
    cap: float = MAX_RETRY_AFTER

    def new(self, **kw: Any) -> _CappedRetry:
        retry: _CappedRetry = super().new(**kw)
        retry.notes, retry.cap = self.notes, self.cap
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        try:
            wanted = super().get_retry_after(response)
        except Exception:  # an unparseable header: back off as if there were none
            return None
        if wanted is not None and wanted > self.cap:
            self.notes.append(
                f"Grafana asked to wait {wanted:.0f}s before retrying (Retry-After); "
                f"waited {self.cap:g}s"
            )
            return self.cap
        return wanted


def _parsed_password(url: str) -> str | None:
    """The password as an URL parser reads it (None when the URL does not parse)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a password that spilled into the port
    except ValueError:
        return None
    return parts.password


def _check_credential(name: str, value: str | None) -> None:
    """HTTP headers carry printable Latin-1 only; say which variable is wrong, never its value."""
    if value is None:
        return
    if value != value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InputError(
            f"{name} contains whitespace or control characters (a trailing newline from a "
            "file?); its value is not shown"
        )
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise InputError(
            f"{name} contains characters HTTP cannot send (not Latin-1); its value is not shown"
        ) from None


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
        if any(ord(c) <= 32 or ord(c) == 127 for c in base):
            raise InputError(f"Grafana URL {mask_password(base)!r} contains spaces or controls")
        if url_password(base) is not None and url_password(base) != _parsed_password(base):
            raise InputError(
                f"Grafana URL {mask_password(base)!r}: the password holds '/', '#', '?' or '@'; "
                "percent-encode them (or use GRAFANA_USER and GRAFANA_PASSWORD)"
            )
        remote.check_url(base, "Grafana URL")  # no host, a broken IPv6 literal, a bad port
        credentials = {
            name: env.get(name) or None
            for name in ("GRAFANA_TOKEN", "GRAFANA_USER", "GRAFANA_PASSWORD", "GRAFANA_ORG_ID")
        }
        for name, value in credentials.items():
            _check_credential(name, value)
        return cls(
            url=base.rstrip("/"),
            token=credentials["GRAFANA_TOKEN"],
            user=credentials["GRAFANA_USER"],
            password=credentials["GRAFANA_PASSWORD"],
            org_id=credentials["GRAFANA_ORG_ID"],
            ca_cert=ca_cert,
            insecure=insecure,
            **overrides,
        )

    @property
    def total_timeout(self) -> float:
        """One request, its retries and waits included: four times the read timeout."""
        return 4 * self.read_timeout

    @property
    def retry_after_cap(self) -> float:
        return min(MAX_RETRY_AFTER, self.read_timeout)

    @property
    def shown_url(self) -> str:
        return mask_password(self.url)


def api_path(*segments: str) -> str:
    """A request path from its segments, each quoted whole: a '/', '?' or '%' inside a value
    stays inside its segment (`../folders/x` is one segment, never a walk up the path); an
    empty, '.' or '..' segment is refused, as no name Grafana gives can be one."""
    for segment in segments:
        if segment in ("", ".", ".."):
            raise InputError(f"{segment!r} cannot be part of a Grafana API path")
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


def _object(body: Any, what: str) -> dict[str, Any]:
    """An endpoint's answer must be a JSON object; anything else is the server's fault."""
    if not isinstance(body, dict):
        raise e.ServerError(f"{what}: expected a JSON object, got {type(body).__name__}")
    return body


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("title") or body.get("status") or body)
    return str(body)[:300]


class GrafanaClient:
    def __init__(self, settings: GrafanaSettings) -> None:
        self.settings = settings
        self.requests_made = 0
        self.notices: list[str] = []  # what the user should know (a Retry-After cut short)
        session = requests.Session()
        retry = _CappedRetry(
            total=settings.retries,
            connect=settings.retries,
            read=0,
            status=settings.retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD", "POST", "PUT", "DELETE"}),
            backoff_factor=settings.backoff,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.notes, retry.cap = self.notices, settings.retry_after_cap
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
        # Given on every request: REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE would otherwise override
        # a session-level setting, and --ca-cert / --insecure would silently lose to them.
        self.verify: bool | str = (
            False if settings.insecure else settings.ca_cert if settings.ca_cert else True
        )
        self.session = session

    @property
    def limits(self) -> remote.Limits:
        return remote.Limits(
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            total_timeout=self.settings.total_timeout,
            max_body=MAX_BODY,
        )

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call through the server boundary, bounded in total time (a per-read timeout
        alone never ends a server that drips a byte at a time) and in size and depth."""
        shown = mask_password(f"{self.settings.url}{path}")
        self.requests_made += 1
        try:
            answer = remote.request(
                self.session,
                method,
                self.settings.url,
                path,
                server="Grafana",
                limits=self.limits,
                tls_hint=" (use --ca-cert FILE for a private CA)",
                verify=self.verify,
                **kwargs,
            )
        except remote.Unreachable as exc:
            raise e.Unreachable(str(exc), url=shown) from None
        except remote.RemoteError as exc:
            raise e.ServerError(str(exc), url=shown) from None
        if answer.status < 400:
            return answer.body
        raise self._error(answer.status, method, path, shown, answer.body)

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
        if status == 406:
            return e.NotAcceptable(f"{where}: 406 {msg}", status, shown, body)
        if status in (409, 412):
            return e.Conflict(f"{where}: {status} {msg}", status, shown, body)
        if status == 400 and "provisioned" in msg.lower():
            return e.Provisioned(f"{where}: {msg}", status, shown, body)
        if status >= 500:
            return e.ServerError(f"{where}: {status} {msg}", status, shown, body)
        return e.BadRequest(f"{where}: {status} {msg}", status, shown, body)

    # --- the endpoints we use -----------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return _object(self.request("GET", "/api/health"), "GET /api/health")

    def get_folder(self, uid: str) -> dict[str, Any] | None:
        path = api_path("api", "folders", uid)
        try:
            body = self.request("GET", path)
        except e.NotFound:
            return None
        return _object(body, f"GET {path}")

    def create_folder(self, uid: str, title: str, parent: str = "") -> dict[str, Any]:
        """At the top level, or nested under the folder `parent` (Grafana 10+)."""
        payload = {"uid": uid, "title": title, **({"parentUid": parent} if parent else {})}
        body = self.request("POST", "/api/folders", json=payload)
        return _object(body, "POST /api/folders")

    def get_dashboard(self, uid: str) -> dict[str, Any] | None:
        path = api_path("api", "dashboards", "uid", uid)
        try:
            body = self.request("GET", path)
        except e.NotFound:
            return None
        answer = _object(body, f"GET {path}")
        if not isinstance(answer.get("dashboard"), dict) or not isinstance(
            answer.get("meta", {}), dict
        ):
            raise e.ServerError(f"GET {path}: no dashboard in the answer")
        return answer

    def save_dashboard(
        self,
        dashboard: dict[str, Any],
        folder_uid: str,
        message: str,
        overwrite: bool,
        base: dict[str, Any] | None = None,  # the legacy API reads the version in `dashboard`
    ) -> dict[str, Any]:
        payload = {
            "dashboard": dashboard,
            "folderUid": folder_uid,
            "overwrite": overwrite,
            "message": message[:500],
        }
        body = self.request("POST", "/api/dashboards/db", json=payload)
        return _object(body, "POST /api/dashboards/db")

    def datasources(self) -> list[dict[str, Any]]:
        """`GET /api/datasources`: the datasources of the credentials' org, each as
        `{name, uid, type, isDefault}` (Grafana answers more: URLs, JSON data, ...)."""
        body = self.request("GET", "/api/datasources")
        if not isinstance(body, list):
            raise e.ServerError("GET /api/datasources: expected a list")
        out = []
        for i, item in enumerate(body):
            fields = (
                {k: item.get(k) for k in ("name", "uid", "type")} if isinstance(item, dict) else {}
            )
            if not fields or not all(isinstance(v, str) and v for v in fields.values()):
                raise e.ServerError(
                    f"GET /api/datasources: item {i} has no name, uid and type (a Grafana "
                    "before 7 gives no uids)"
                )
            out.append({**fields, "isDefault": item.get("isDefault") is True})
        return out

    def versions(self, uid: str, limit: int = 1) -> list[dict[str, Any]]:
        path = api_path("api", "dashboards", "uid", uid, "versions")
        body = self.request("GET", path, params={"limit": limit})
        # Grafana 12+: {"continueToken", "versions": [...]}; older: the bare list.
        items = body.get("versions", []) if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise e.ServerError(f"GET {path}: expected a list")
        return [v for v in items if isinstance(v, dict)]
