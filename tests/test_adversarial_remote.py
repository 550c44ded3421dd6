"""Hostile servers behind the one server boundary (tsedash/remote.py): a Prometheus that
`verify` asks, and a Redis that `--discover` reads.

Each case runs the real command in its own process against a real server on 127.0.0.1 (a
`http.server` double for Prometheus, a small RESP server for Redis) and holds it to the
adversarial suite's judge: the documented exit code, a clear one-line message, no traceback,
never the bug line `(a bug in tsedash)`, no secret in any output, and bounded time and memory
(the child's own peak RSS, from `wait4`).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tsedash.remote import STRING, BadAnswer, Limits, ListOf, MapOf, Object, OneOf, expect
from tsedash.remote import parse_json as remote_parse_json

from .conftest import ROOT
from .dashboard_helpers import FIXTURE, fixture_registry

HANG_GUARD = 90  # seconds: far above any bounded wait below
MAX_SECONDS = 30.0  # what any case may take, a dripping server included
MAX_RSS_MB = 200.0
BUG_LINE = "(a bug in tsedash)"
PASSWORD = "pr0m-S3cret-pw"
REG = fixture_registry()


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float  # the child's own peak resident set
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


# Linux carries a process's peak RSS across fork and exec (a child of this big pytest process
# starts with its peak), so `tsedash` runs as the grandchild of a small launcher that reports
# the grandchild's own wait4 figure into a file.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "tsedash", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def run(*args: str, env: dict[str, str] | None = None) -> Outcome:
    """`tsedash …` in its own process; its own peak RSS (see _LAUNCHER)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GRAFANA_", "REDIS_URL", "TSEDASH_", "PROMETHEUS_URL"))
    }
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        report = Path(tmp) / "usage"
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(report), *args],
            cwd=ROOT,
            env={**base, **(env or {})},
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        guard = threading.Timer(HANG_GUARD, lambda: os.killpg(proc.pid, signal.SIGKILL))
        guard.start()
        try:
            proc.wait()
        finally:
            guard.cancel()
        seconds = time.monotonic() - start
        code, maxrss_kb = report.read_text().split() if report.exists() else ("-9", "0")
        out.seek(0)
        err.seek(0)
        return Outcome(
            int(code),
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            int(maxrss_kb) / 1024,
            seconds,
        )


def judge(res: Outcome, code: int, needle: str, secrets: tuple[str, ...] = ()) -> None:
    """The contract for a bad case: exit code, message, nothing leaking, bounded."""
    output = res.output
    assert res.returncode == code, output
    assert needle in output, output
    assert "Traceback" not in output, output
    assert BUG_LINE not in output, output
    assert len(res.stderr.strip().splitlines()) <= 3, output  # a clear line, not a dump
    for secret in secrets:
        assert secret not in output, f"{secret!r} leaked: {output}"
    assert res.seconds < MAX_SECONDS, res.seconds
    assert res.peak_mb < MAX_RSS_MB, f"peak RSS {res.peak_mb:.0f} MB"


# --- a hostile Prometheus ------------------------------------------------------------------

Reply = Callable[[BaseHTTPRequestHandler], None]


def _json(status: int, value: Any) -> Reply:
    return _raw(status, json.dumps(value).encode())


def _raw(status: int, body: bytes, headers: dict[str, str] | None = None) -> Reply:
    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for k, v in {"Content-Type": "application/json", **(headers or {})}.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return reply


def _targets() -> dict[str, Any]:
    active = [
        {
            "labels": {"job": i.service_name, "instance": i.instance_name},
            "health": "up",
            "scrapeUrl": f"http://{i.address}/metrics",
            "lastError": "",
        }
        for i in REG.instances
    ]
    for job in REG.infrastructure:
        active.append({"labels": {"job": job.job, "instance": job.address}, "health": "up"})
    return {"status": "success", "data": {"activeTargets": active, "droppedTargets": []}}


def _vector(result: Any, result_type: str = "vector") -> dict[str, Any]:
    return {"status": "success", "data": {"resultType": result_type, "result": result}}


GOOD_SERIES = [{"metric": {"job": "exchange-simulator", "instance": "x"}, "value": [1, "1"]}]


class Prometheus:
    """A Prometheus double: `replies[path]` answers that API path; every request is counted."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {
            "/api/v1/targets": _json(200, _targets()),
            "/api/v1/query": _json(200, _vector(GOOD_SERIES)),
        }
        self.requests: list[str] = []
        self.auth: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                outer.requests.append(path)
                outer.auth.append(self.headers.get("Authorization", ""))
                with contextlib.suppress(OSError):  # the client gave up on an endless answer
                    outer.replies.get(path, _raw(404, b"404 page not found"))(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def prom() -> Iterator[Prometheus]:
    double = Prometheus()
    yield double
    double.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prov") / "p"
    res = run("build", "--registry", str(FIXTURE), "--out", str(out))
    assert res.returncode == 0, res.output
    return out


def verify(built: Path, url: str, *extra: str) -> Outcome:
    return run(
        "verify",
        "--registry",
        str(FIXTURE),
        "--dashboards",
        str(built),
        "--prometheus",
        url,
        "--timeout",
        "1",
        *extra,
    )


QUERY = "/api/v1/query"
TARGETS = "/api/v1/targets"
AT = "Prometheus answered an unexpected"


@pytest.mark.parametrize(
    ("path", "body", "needle"),
    [
        (QUERY, [], f"{AT} list at the top level"),
        (QUERY, None, f"{AT} null at the top level"),
        (
            QUERY,
            {"status": "success"},
            f'{AT} object at the top level: expected an object with "data"',
        ),
        (QUERY, {"status": "success", "data": []}, f"{AT} list at /data"),
        (QUERY, _vector([1700000000, "1"]), f"{AT} number at /data/result/0"),
        (QUERY, _vector([1700000000, "1"], "scalar"), f'{AT} "scalar" at /data/resultType'),
        (
            QUERY,
            _vector([{"metric": None, "value": [1, "1"]}]),
            f"{AT} null at /data/result/0/metric",
        ),
        (
            QUERY,
            _vector([{"metric": {"job": "exchange-simulator", "instance": 5}}]),
            f"{AT} number at /data/result/0/metric/instance",
        ),
        (QUERY, _vector({"0": GOOD_SERIES[0]}), f"{AT} object at /data/result"),
        (QUERY, {"status": 1, "data": {}}, f"{AT} number at /status"),
        (TARGETS, {"status": "success", "data": {}}, f"{AT} object at /data"),
        (
            TARGETS,
            {"status": "success", "data": {"activeTargets": [{"labels": None, "health": "up"}]}},
            f"{AT} null at /data/activeTargets/0/labels",
        ),
        (
            TARGETS,
            {
                "status": "success",
                "data": {"activeTargets": [{"labels": {"job": ["x"]}, "health": "up"}]},
            },
            f"{AT} list at /data/activeTargets/0/labels/job",
        ),
    ],
    ids=[
        "body-list",
        "body-null",
        "data-missing",
        "data-list",
        "scalar-pair-as-vector",
        "scalar-for-a-vector-query",
        "metric-null",
        "label-value-number",
        "result-object",
        "status-number",
        "targets-missing",
        "target-labels-null",
        "target-label-list",
    ],
)
def test_a_wrong_shaped_answer_is_named_with_a_pointer(
    prom: Prometheus, built: Path, path: str, body: Any, needle: str
) -> None:
    prom.replies[path] = _json(200, body)
    judge(verify(built, prom.url), 3, needle)


def _lying_length(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(b'{"status": "success", "da')
    h.wfile.flush()
    h.connection.shutdown(socket.SHUT_RDWR)


def _endless(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.end_headers()  # no Content-Length: the answer ends when the connection does
    h.wfile.write(b'{"status": "success", "data": {"activeTargets": [')
    chunk = b'{"labels": {"job": "x"}, "health": "up"},' * 4096
    while True:
        h.wfile.write(chunk)


def _drip(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(600):
        h.wfile.write(b" ")
        h.wfile.flush()
        time.sleep(0.3)


def _gzip_bomb() -> bytes:
    """256 MiB of zeros in about 256 KiB of gzip, inflating far past the 64 MiB cap."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"0" * (1 << 20)
    return b"".join([*(packer.compress(block) for _ in range(256)), packer.flush()])


@pytest.mark.parametrize(
    ("path", "reply", "needle"),
    [
        (TARGETS, _lying_length, "the answer broke off (IncompleteRead)"),
        (TARGETS, _drip, "no complete answer within 4s"),
        (
            TARGETS,
            _json(503, {"status": "error", "errorType": "unavailable", "error": "TSDB not ready"}),
            "Prometheus answered 503: TSDB not ready",
        ),
        (
            QUERY,
            _json(503, {"status": "error", "errorType": "timeout", "error": "query timed out"}),
            "Prometheus answered 503: query timed out",
        ),
        (
            QUERY,
            _raw(502, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"}),
            "Prometheus answered 502: <html><body>Bad Gateway</body></html>",
        ),
        (TARGETS, _raw(200, b"[" * 100_000 + b"]" * 100_000), "nested too deeply"),
        (TARGETS, _raw(200, b"<html>login</html>"), "the answer is not JSON"),
        (TARGETS, _raw(200, b""), "Prometheus answered an empty body"),
        (
            TARGETS,
            _raw(200, b"\x1f\x8b\x08\x00not gzip", {"Content-Encoding": "gzip"}),
            "could not be decoded",
        ),
        (TARGETS, _raw(200, b"junk", {"Content-Encoding": "br"}), "could not be decoded"),
    ],
    ids=[
        "content-length-lies",
        "drip",
        "targets-503-json",
        "query-503-json",
        "query-502-html",
        "deep-100000",
        "not-json",
        "empty",
        "broken-gzip",
        "unasked-encoding",
    ],
)
def test_a_misbehaving_prometheus_is_exit_3_with_its_reason(
    prom: Prometheus, built: Path, path: str, reply: Reply, needle: str
) -> None:
    prom.replies[path] = reply
    judge(verify(built, prom.url), 3, needle)


def test_an_endless_answer_stops_at_the_cap_not_the_clock(prom: Prometheus, built: Path) -> None:
    """With the default 10 s per read (40 s per request) the size cap, not the deadline, ends
    it: the process stays far below 200 MB (it grew past 1 GB in 4 s before the boundary)."""
    prom.replies[TARGETS] = _endless
    res = verify(built, prom.url, "--timeout", "10")
    judge(res, 3, "answer larger than 64 MiB")
    assert res.seconds < 20, res.seconds


def test_a_gzip_bomb_stops_at_the_cap(prom: Prometheus, built: Path) -> None:
    bomb = _gzip_bomb()
    assert len(bomb) < 2 << 20
    prom.replies[TARGETS] = _raw(200, bomb, {"Content-Encoding": "gzip"})
    judge(verify(built, prom.url), 3, "answer larger than 64 MiB")


def test_a_gzipped_answer_is_read(prom: Prometheus, built: Path) -> None:
    """Compression itself is fine: a real Prometheus gzips when asked."""
    body = gzip.compress(json.dumps(_targets()).encode())
    prom.replies[TARGETS] = _raw(200, body, {"Content-Encoding": "gzip"})
    deflated = zlib.compress(json.dumps(_vector(GOOD_SERIES)).encode())
    prom.replies[QUERY] = _raw(200, deflated, {"Content-Encoding": "deflate"})
    res = verify(built, prom.url, "--json")
    assert res.returncode == 1, res.output  # read, then found panels without data: a finding
    report = json.loads(res.stdout)
    assert {s["state"] for s in report["scrapes"]} == {"up"}


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("{url} /", "contains spaces or control characters"),
        ("{url}/\n", "contains spaces or control characters"),
        ("http://", "has no host"),
        ("http://[::1:9090", "a broken IPv6 literal"),
        ("http://[fe80::zz]:9090", "a broken IPv6 literal"),
        ("http://127.0.0.1:99999", "the port is not a number from 1 to 65535"),
        ("http://127.0.0.1:0", "the port is not a number from 1 to 65535"),
        ("http://prometheus'x:9090", "has characters a host name cannot have"),
        ("{url}/?x=1", "no query"),
        ("ftp://127.0.0.1:9090", "expected an http:// or https:// URL"),
    ],
    ids=[
        "space",
        "newline",
        "no-host",
        "broken-ipv6",
        "not-ipv6",
        "port-99999",
        "port-0",
        "quote-in-host",
        "query",
        "ftp",
    ],
)
def test_a_url_that_cannot_be_sent_is_refused_before_any_request(
    prom: Prometheus, built: Path, url: str, needle: str
) -> None:
    judge(verify(built, url.format(url=prom.url)), 2, needle)
    assert prom.requests == []


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://", "has no host"),
        ("http://:3000", "has no host"),
        ("http://[::1:3000", "a broken IPv6 literal"),
        ("http://grafana:0", "the port is not a number from 1 to 65535"),
    ],
    ids=["empty-host", "port-only", "broken-ipv6", "port-0"],
)
def test_a_grafana_url_that_cannot_be_sent_is_refused_before_any_request(
    url: str, needle: str
) -> None:
    """The same URL check guards Grafana: exit 2 at once, not exit 3 after a failed send."""
    res = run("pull", "--uid", "x", env={"GRAFANA_URL": url})
    judge(res, 2, f"Grafana URL {url!r}: {needle}")


def test_a_query_prometheus_refuses_stays_a_finding(prom: Prometheus, built: Path) -> None:
    """400 bad_data is the query's fault: exit 1 naming it, not an outage."""
    error = {"status": "error", "errorType": "bad_data", "error": "1:5: parse error"}
    prom.replies[QUERY] = _json(400, error)
    res = verify(built, prom.url)
    assert res.returncode == 1, res.output
    assert "(1:5: parse error)" in res.stderr
    assert "Traceback" not in res.output and BUG_LINE not in res.output


def test_the_url_password_never_shows_even_when_echoed(prom: Prometheus, built: Path) -> None:
    def echo_auth(h: BaseHTTPRequestHandler) -> None:
        said = f"bad header Authorization: {h.headers.get('Authorization')}"
        _json(401, {"status": "error", "errorType": "auth", "error": said})(h)

    prom.replies[TARGETS] = echo_auth
    url = prom.url.replace("http://", f"http://reader:{PASSWORD}@")
    res = verify(built, url)
    judge(res, 3, "Prometheus answered 401: bad header Authorization: Basic ***", (PASSWORD,))
    assert prom.auth[0].startswith("Basic ")  # the credentials did go to the server
    assert prom.auth[0].split()[1] not in res.output


def test_the_timeout_is_checked(prom: Prometheus, built: Path) -> None:
    for value in ("-1", "0", "nan", "inf"):
        res = verify(built, prom.url, "--timeout", value)
        assert res.returncode == 2 and "--timeout" in res.stderr, res.output
    assert prom.requests == []


# --- the boundary's own parts ----------------------------------------------------------------


def test_the_json_depth_limit_is_explicit() -> None:
    limits = Limits(max_depth=5)
    assert remote_parse_json(b"[[[[[1]]]]]", 200, "GET", "u", limits) == [[[[[1]]]]]
    with pytest.raises(BadAnswer, match="nested too deeply"):
        remote_parse_json(b"[[[[[[1]]]]]]", 200, "GET", "u", limits)
    assert remote_parse_json(b"oops", 500, "GET", "u", limits) == "oops"  # an error page


def test_a_pointer_escapes_keys_and_names_what_was_found() -> None:
    shape = Object({"a/b": MapOf(STRING), "list": ListOf(OneOf(("x",)))})
    with pytest.raises(BadAnswer, match=r"unexpected number at /a~1b/k~0: expected a string"):
        expect({"a/b": {"k~": 1}, "list": []}, shape, "S", "here")
    with pytest.raises(BadAnswer, match=r'unexpected "y" at /list/1: expected "x" \(here\)'):
        expect({"a/b": {}, "list": ["x", "y"]}, shape, "S", "here")
    assert expect({"a/b": {}, "list": ["x"], "extra": None}, shape, "S", "here")


# --- a hostile Redis -----------------------------------------------------------------------


def _bulk(value: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(value), value)


HELLO_OK = b"%1\r\n+proto\r\n:3\r\n"  # RESP3, what redis-py asks for


class FakeRedis:
    """A RESP server on 127.0.0.1 answering each command from `answers` (by command name;
    `+OK` otherwise), optionally one byte every `drip` seconds."""

    def __init__(self, answers: dict[str, bytes], drip: float = 0.0) -> None:
        self.answers = answers
        self.drip = drip
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.listener.accept()
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        with conn, contextlib.suppress(OSError):
            while data := conn.recv(65536):
                buffer += data
                while (parsed := _command(buffer)) is not None:
                    name, buffer = parsed
                    reply = self.answers.get(name, b"+OK\r\n")
                    if self.drip:
                        for byte in reply:
                            conn.sendall(bytes([byte]))
                            time.sleep(self.drip)
                    else:
                        conn.sendall(reply)

    def close(self) -> None:
        self.listener.close()


def _command(buffer: bytes) -> tuple[str, bytes] | None:
    """(command name, the rest) when `buffer` holds one whole RESP array of bulk strings."""
    if not buffer.startswith(b"*") or b"\r\n" not in buffer:
        return None
    head, rest = buffer.split(b"\r\n", 1)
    parts = []
    for _ in range(int(head[1:])):
        if b"\r\n" not in rest:
            return None
        size_line, rest = rest.split(b"\r\n", 1)
        size = int(size_line[1:])
        if len(rest) < size + 2:
            return None
        parts.append(rest[:size])
        rest = rest[size + 2 :]
    return parts[0].decode().upper(), rest


KEY = b"registry:services:risk-monitor"
SCAN_ONE = b"*2\r\n" + _bulk(b"0") + b"*1\r\n" + _bulk(KEY)
SCAN_NONE = b"*2\r\n" + _bulk(b"0") + b"*0\r\n"


@pytest.mark.parametrize(
    ("answers", "drip", "needle"),
    [
        (
            {"HELLO": b"+OK\r\n"},
            0.05,
            "Redis answered the connection handshake (HELLO) with a value",
        ),
        (
            {"HELLO": _bulk(b"hello")},
            0.0,
            "Redis answered the connection handshake (HELLO) with a value",
        ),
        ({"HELLO": b"xyz\r\n"}, 0.0, "with something that is not the Redis protocol"),
        (
            {"HELLO": HELLO_OK, "SCAN": _bulk(b"nope")},
            0.0,
            "Redis answered SCAN 0 MATCH services:*",
        ),
        (
            {
                "HELLO": HELLO_OK,
                "SCAN": SCAN_ONE,
                "TYPE": b"+hash\r\n",
                "PTTL": b":-1\r\n",
                "HGETALL": _bulk(b"not a hash"),
            },
            0.0,
            "Redis answered HGETALL registry:services:risk-monitor with a string where a mapping is due",
        ),
        (
            {
                "HELLO": HELLO_OK,
                "SCAN": SCAN_ONE,
                "TYPE": b"+string\r\n",
                "PTTL": b":-1\r\n",
                "GET": b":42\r\n",
            },
            0.0,
            "Redis answered GET registry:services:risk-monitor with a number where a string is due",
        ),
        (
            {"HELLO": HELLO_OK, "SCAN": SCAN_ONE, "TYPE": b"*0\r\n", "PTTL": b":-1\r\n"},
            0.0,
            "Redis answered TYPE registry:services:risk-monitor with a list",
        ),
    ],
    ids=[
        "hello-simple-string-dripped",
        "hello-bulk-string",
        "not-resp",
        "scan-a-string",
        "hgetall-a-string",
        "get-a-number",
        "type-a-list",
    ],
)
def test_a_hostile_redis_is_exit_3_naming_the_command_and_key(
    answers: dict[str, bytes], drip: float, needle: str
) -> None:
    server = FakeRedis(answers, drip)
    try:
        res = run("registry", "show", "--registry", str(FIXTURE), "--discover", server.url)
    finally:
        server.close()
    judge(res, 3, needle)


def test_the_fake_redis_speaks_enough_redis_for_a_clean_discovery() -> None:
    """The double itself: a server with nothing registered gives an ordinary, empty discovery."""
    server = FakeRedis({"HELLO": HELLO_OK, "SCAN": SCAN_NONE})
    try:
        res = run("registry", "show", "--registry", str(FIXTURE), "--discover", server.url)
    finally:
        server.close()
    assert res.returncode == 0, res.output
