"""Every panel query's answer, as Grafana would ask Prometheus for it, live or from a file.

A `Source` answers `(path, params)` requests: `LiveSource` asks a Prometheus through the
verify client (`tsedash.verify.api`, every answer bounded and shape-checked) and records each
answer; `SavedSource` reads the recorded answers back (`--data`), with no Prometheus. The saved
file holds the time range, the variable values and every answer, keyed by the exact request,
as sorted JSON: the same data always draws the same bytes.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from tsedash.errors import InputError
from tsedash.files import atomic_write
from tsedash.queries.expand import duration_ms
from tsedash.remote import NUMBER, STRING, ListOf, MapOf, Object, Pair, RemoteError, expect
from tsedash.verify.api import SERVER, PrometheusAPI, Rejected

FORMAT = "tsedash-preview-data/1"
QUERY = "/api/v1/query"
QUERY_RANGE = "/api/v1/query_range"

_LABELS = MapOf(STRING, expected="an object of label names to strings")
_SAMPLE = Pair((NUMBER, STRING))
_RESULTS = {
    "matrix": ListOf(Object({"metric": _LABELS, "values": ListOf(_SAMPLE)})),
    "vector": ListOf(Object({"metric": _LABELS, "value": _SAMPLE})),
    "scalar": _SAMPLE,
    "string": _SAMPLE,
}


def request_key(path: str, params: dict[str, str]) -> str:
    """One request as text: the key of its answer in the saved file."""
    return f"{path}?{urlencode(sorted(params.items()))}"


class Source(Protocol):
    def answer(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """Prometheus' JSON answer: `{"status": "success", …}` or a refused query's
        `{"status": "error", "error": …}`."""
        ...  # pragma: no cover - a protocol


class LiveSource(PrometheusAPI):
    """A Prometheus; every answer is kept in `answers` for `--save-data`."""

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(url, timeout)
        self.answers: dict[str, dict[str, Any]] = {}

    def answer(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        key = request_key(path, params)
        if key not in self.answers:
            body = self._get(path, params, refusable=True)
            if isinstance(body, Rejected):
                body = {"status": "error", "error": body.message}
            self.answers[key] = body
        return self.answers[key]


class SavedSource:
    """Answers read from a `--save-data` file."""

    def __init__(self, path: Path, answers: dict[str, dict[str, Any]]) -> None:
        self.path = path
        self.answers = answers

    def answer(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        key = request_key(path, params)
        if key not in self.answers:
            raise InputError(
                f"{self.path}: no saved answer for {key} (the dashboards or --var changed "
                "since it was saved: save it again with --save-data)"
            )
        return self.answers[key]


@dataclass(frozen=True)
class TimeRange:
    from_ms: int
    to_ms: int


_RELATIVE = re.compile(r"^now(?:-(?P<ago>\w+))?$")


def parse_time(text: str, now_ms: int) -> int:
    """`now`, `now-1h` (a Prometheus duration back from now) or epoch seconds."""
    match = _RELATIVE.match(text.strip())
    try:
        if match:
            return now_ms - (duration_ms(match["ago"]) if match["ago"] else 0)
        return int(float(text) * 1000)
    except ValueError:
        raise InputError(f"{text!r}: not a time (now, now-1h, or epoch seconds)") from None


def time_range(from_text: str, to_text: str, now_ms: int | None = None) -> TimeRange:
    now = int(time.time() * 1000) if now_ms is None else now_ms
    span = TimeRange(parse_time(from_text, now), parse_time(to_text, now))
    if span.from_ms >= span.to_ms:
        raise InputError(f"--from {from_text} is not before --to {to_text}")
    return span


@dataclass
class SavedData:
    """The content of a `--save-data` file."""

    span: TimeRange
    variables: dict[str, list[str]]
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> str:
        """Sorted JSON, one answer a line (small, and a change shows as a line in a diff)."""

        def compact(value: Any) -> str:
            return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

        answers = ",\n".join(f"{compact(k)}:{compact(v)}" for k, v in sorted(self.answers.items()))
        head = {"format": FORMAT, "from": self.span.from_ms, "to": self.span.to_ms}
        return (
            f'{compact(head)[:-1]},"variables":{compact(self.variables)},\n'
            f'"answers":{{\n{answers}\n}}}}\n'
        )

    def write(self, path: Path) -> None:
        atomic_write(path, self.to_json().encode())


def read_saved(path: Path) -> SavedData:
    """A `--save-data` file; InputError naming the file when it is not one."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise InputError(f"{path}: not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"{path}: not a preview data file (`format` is not {FORMAT!r})")
    try:
        span = TimeRange(int(doc["from"]), int(doc["to"]))
        variables = {str(k): [str(v) for v in vs] for k, vs in doc["variables"].items()}
        answers = dict(doc["answers"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{path}: malformed preview data ({exc!r})") from None
    return SavedData(span, variables, answers)


# --- answers to series ----------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    times: list[float]  # seconds
    values: list[float]  # NaN where Prometheus says NaN


@dataclass(frozen=True)
class Result:
    series: list[Series]
    error: str = ""


def sample_value(text: str) -> float:
    """Prometheus' sample strings ("1.5", "NaN", "+Inf") as `parseFloat` reads them."""
    return float(text.replace("+Inf", "inf").replace("-Inf", "-inf"))


def to_result(body: dict[str, Any], where: str) -> Result:
    """Series of a query answer (shape-checked); a refused query's message as the error."""
    if body.get("status") == "error":
        return Result([], str(body.get("error", "query failed")))
    expect(body, Object({"data": Object({"resultType": STRING})}), SERVER, where)
    kind = body["data"]["resultType"]
    if kind not in _RESULTS:
        return Result([], f"unsupported result type {kind!r}")
    expect(body, Object({"data": Object({"result": _RESULTS[kind]})}), SERVER, where)
    result = body["data"]["result"]
    if kind in ("scalar", "string"):
        return Result([Series({}, [float(result[0])], [sample_value(result[1])])])
    out = []
    for item in result:
        samples = item["values"] if kind == "matrix" else [item["value"]]
        times = [float(t) for t, _ in samples]
        out.append(Series(dict(item["metric"]), times, [sample_value(v) for _, v in samples]))
    return Result(out)


def run_query(source: Source, path: str, params: dict[str, str]) -> Result:
    where = f"{path} {params.get('query', '')[:80]}"
    try:
        return to_result(source.answer(path, params), where)
    except RemoteError as exc:
        if isinstance(source, SavedSource):
            raise InputError(f"{source.path}: {exc}") from None
        raise


def seconds_text(ms: int) -> str:
    """Epoch ms as the seconds Grafana's backend sends (`FormatFloat(…, 'f', -1)`)."""
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".")


def is_null(value: float) -> bool:
    return math.isnan(value)
