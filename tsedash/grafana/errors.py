"""Typed Grafana API errors that keep the status, the URL (masked) and the response body."""

from __future__ import annotations

from tsedash.remote import RemoteError


class GrafanaError(RemoteError):
    """Any failure talking to Grafana: exit 3 (remote failure), with status, URL and body."""


class Unreachable(GrafanaError):
    """Connection refused, DNS failure, TLS failure or timeout."""


class Unauthorized(GrafanaError):
    """401: the token or password is missing, wrong or expired."""


class Forbidden(GrafanaError):
    """403: authenticated, but the account lacks a permission."""


class NotFound(GrafanaError):
    """404."""


class Conflict(GrafanaError):
    """409/412: someone else wrote in between (version mismatch, duplicate uid)."""


class NotAcceptable(GrafanaError):
    """406: the legacy API cannot serve this dashboard (it uses the new layouts); Grafana points
    at the resource API `/apis/dashboard.grafana.app/…`."""


class Provisioned(GrafanaError):
    """400 "Cannot save provisioned dashboard": it belongs to a file provider."""


class BadRequest(GrafanaError):
    """Another 4xx: Grafana rejected what we sent."""


class ServerError(GrafanaError):
    """5xx after retries."""


class Refused(GrafanaError):
    """Our own refusal: the live dashboard was edited since our last push (use --force)."""


class UntrustedAnswer(ServerError):
    """An answer that cannot be acted on safely: a uid that breaks Grafana's uid rule (it would
    become part of a request path), a list that does not end, the wrong dashboard."""


class SchemaRefused(BadRequest):
    """Grafana refused the dashboard's schemaVersion: it migrates dashboards to an older one."""
