"""The two Prometheus HTTP API endpoints `verify` reads, through the one server boundary
(`tsedash.remote`: size, time, encoding and depth bounded) and checked for shape before use.

Prometheus answers `{"status": "success", "data": …}`, or `{"status": "error", "errorType",
"error"}` with an HTTP error status. A query Prometheus refuses as such (400 `bad_data`, 422
`execution`) is the query's problem and becomes a finding of its panel; any other error status
(503 when it is overloaded or shutting down, a proxy's 502) is the server's, exit 3, with its
message. An answer of another shape is named with a JSON pointer, never read blindly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tsedash.redact import mask_password
from tsedash.remote import (
    NUMBER,
    STRING,
    BadAnswer,
    ErrorStatus,
    Limits,
    ListOf,
    MapOf,
    Object,
    OneOf,
    Pair,
    check_url,
    expect,
    new_session,
    request,
    server_message,
)

SERVER = "Prometheus"
QUERY = "/api/v1/query"
TARGETS = "/api/v1/targets"
RESULT_TYPES = ("vector", "matrix", "scalar", "string")
_REFUSED_QUERY = (400, 422)  # bad_data, execution: the query's fault, not the server's

_ENVELOPE = Object({"status": OneOf(("success", "error"))})
_ERROR = Object({"status": OneOf(("error",))}, optional={"error": STRING, "errorType": STRING})
_LABELS = MapOf(STRING, expected="an object of label names to strings")
_SERIES = Object({"metric": _LABELS})  # the values are not read: only who has data
_RESULT = {
    "vector": ListOf(_SERIES),
    "matrix": ListOf(_SERIES),
    "scalar": Pair((NUMBER, STRING)),
    "string": Pair((NUMBER, STRING)),
}
_QUERY_DATA = Object({"data": Object({"resultType": OneOf(RESULT_TYPES)})})
_TARGET = Object({"labels": _LABELS, "health": STRING}, {"scrapeUrl": STRING, "lastError": STRING})
_TARGETS = Object({"data": Object({"activeTargets": ListOf(_TARGET)})})


@dataclass(frozen=True)
class Rejected:
    """Prometheus refused the query itself: a finding of its panel, not an outage."""

    message: str


@dataclass(frozen=True)
class QueryResult:
    result_type: str
    series: list[dict[str, str]]  # label sets; one empty set for a scalar or string


class PrometheusAPI:
    """One Prometheus: `timeout` seconds per read, four times that per request."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = check_url(url, "--prometheus")
        self.shown = mask_password(self.url)
        self.limits = Limits(read_timeout=timeout)
        self.session = new_session()

    def query(self, expr: str, expected_type: str | None = None) -> QueryResult | Rejected:
        """An instant query; `expected_type` (vector, matrix, scalar, string), when the
        expression says it, is what the answer's `resultType` must be."""
        body = self._get(QUERY, {"query": expr}, refusable=True)
        if isinstance(body, Rejected):
            return body
        where = f"GET {self.shown}{QUERY}"
        expect(body, _QUERY_DATA, SERVER, where)
        result_type = body["data"]["resultType"]
        if expected_type is not None and result_type != expected_type:
            wanted = Object({"data": Object({"resultType": OneOf((expected_type,))})})
            expect(body, wanted, SERVER, where)  # names /data/resultType
        result = body["data"].get("result")
        shape = Object({"data": Object({"result": _RESULT[result_type]})})
        expect(body, shape, SERVER, where)
        if result_type in ("scalar", "string"):
            return QueryResult(result_type, [{}])
        return QueryResult(result_type, [series["metric"] for series in result])

    def active_targets(self) -> list[dict[str, Any]]:
        """Every active scrape target: `labels`, `health`, and `scrapeUrl`/`lastError` if sent."""
        body = self.get(TARGETS, {"state": "active"})
        expect(body, _TARGETS, SERVER, f"GET {self.shown}{TARGETS}")
        targets: list[dict[str, Any]] = body["data"]["activeTargets"]
        return targets

    def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """Any endpoint's successful answer (`{"status": "success", …}`); every error status
        and error answer is a RemoteError with Prometheus' message."""
        body = self._get(path, params, refusable=False)
        if isinstance(body, Rejected):  # pragma: no cover - only a refusable call returns it
            raise ErrorStatus(f"{SERVER} answered an error: {body.message}")
        return body

    def _get(self, path: str, params: dict[str, str], refusable: bool) -> dict[str, Any] | Rejected:
        """A successful answer's envelope; a Rejected query (when `refusable`); else a
        RemoteError with Prometheus' own message."""
        answer = request(
            self.session, "GET", self.url, path, server=SERVER, limits=self.limits, params=params
        )
        where = f"GET {answer.url}"
        body = answer.body
        if answer.status >= 400:
            message = server_message(body)
            if refusable and answer.status in _REFUSED_QUERY and _is_error(body):
                return Rejected(message)
            raise ErrorStatus(
                f"{SERVER} answered {answer.status}: {message} ({where})",
                answer.status,
                answer.url,
                body,
            )
        if answer.empty:
            raise BadAnswer(f"{SERVER} answered an empty body ({where})", answer.status, answer.url)
        expect(body, _ENVELOPE, SERVER, where)
        if body["status"] == "error":
            expect(body, _ERROR, SERVER, where)
            if refusable:
                return Rejected(server_message(body))
            raise ErrorStatus(
                f"{SERVER} answered an error: {server_message(body)} ({where})",
                answer.status,
                answer.url,
                body,
            )
        envelope: dict[str, Any] = body
        return envelope


def _is_error(body: Any) -> bool:
    return isinstance(body, dict) and body.get("status") == "error"
