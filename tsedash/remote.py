"""The one boundary every answer of a server passes (a neutral module): Grafana, Prometheus,
and whatever is queried next.

A server is untrusted input that arrives over a socket. Every request made through `request`:

- is sent only to a URL that `check_url` accepted (an address that cannot be sent is an input
  error, exit 2, before any request);
- is bounded in time per read (`Limits.read_timeout`) and as a whole
  (`Limits.total_timeout`: a server that drips a byte before each read timeout is given up on);
- is read as a stream and stopped at `Limits.max_body` bytes, before and after a gzip or
  deflate `Content-Encoding` is undone (a small compressed answer that inflates without end
  stops at the same cap; other encodings are refused);
- is parsed as JSON with nesting bounded (`Limits.max_depth`);
- fails as a `RemoteError` (exit 3) with a one-line reason: unreachable, too slow, too large,
  broken off, not decodable, not JSON, nested too deeply.

What the answer means is the caller's: `expect` checks its shape against a small typed
description before anything reads it, and names what is wrong with a JSON pointer
("Prometheus answered an unexpected null at /data/result/0/metric"); `server_message` is the
server's own explanation of an error status (Prometheus' `error`, Grafana's `message`).
"""

from __future__ import annotations

import ipaddress
import json
import warnings
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tsedash import __version__
from tsedash.deadline import within
from tsedash.errors import InputError, TsedashError
from tsedash.redact import mask_password, url_password

if TYPE_CHECKING:
    import requests

MAX_BODY = 64 * 1024 * 1024  # bytes: a dashboard or a 10,000-instance target list is far less
MAX_DEPTH = 200  # JSON nesting levels; the APIs we read use fewer than 30
CHUNK = 1 << 16
ACCEPT_ENCODING = "gzip, deflate"  # the encodings `_Decoder` undoes within the cap
_MESSAGE_CHARS = 300  # of a server's explanation, shown on one line
_INFLATE_STEP = 1 << 20  # bytes inflated per zlib call


class RemoteError(TsedashError):
    """A server failed us or answered something we cannot use: exit 3 (remote failure)."""

    exit_code = 3

    def __init__(self, message: str, status: int | None = None, url: str = "", body: Any = None):
        self.status = status
        self.url = url
        self.body = body
        super().__init__(message)


class Unreachable(RemoteError):
    """No answer: connection refused, DNS or TLS failure, a read or the whole request timed out."""


class BadAnswer(RemoteError):
    """An answer we cannot use: too large, broken off, not decodable, not JSON, too deep, or of
    the wrong shape."""


class ErrorStatus(RemoteError):
    """The server answered an HTTP error status; the message carries its explanation."""


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    total_timeout: float = 0.0  # 0: four read timeouts (a whole request, retries included)
    max_body: int = MAX_BODY
    max_depth: int = MAX_DEPTH

    @property
    def total(self) -> float:
        return self.total_timeout or 4 * self.read_timeout


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the JSON value; the text of a non-JSON error page; None for an empty body
    url: str  # shown (password masked), without the query string
    empty: bool = False  # nothing was sent (as opposed to a JSON `null`)


# --- URLs ----------------------------------------------------------------------------------


def check_url(url: str, what: str) -> str:
    """`url` without its trailing '/', when a request can be sent to it; else an InputError
    (exit 2) naming `what` (`--prometheus`, `Grafana URL`) and the reason, password masked."""
    shown = mask_password(url)

    def refused(reason: str) -> InputError:
        return InputError(f"{what} {shown!r}: {reason}")

    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise refused("contains spaces or control characters")
    if not url.startswith(("http://", "https://")):
        raise refused("expected an http:// or https:// URL")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number from 0 to 65535
        host = parts.hostname or ""
    except ValueError as exc:  # its text may quote part of the password: not shown
        broken_ipv6 = "IPv6" in str(exc)
        raise refused(
            "a broken IPv6 literal (an IPv6 address goes in brackets: http://[::1]:PORT)"
            if broken_ipv6
            else "the port is not a number from 1 to 65535, or the password holds '/', '#', "
            "'?' or '@' (percent-encode them)"
        ) from None
    password = url_password(url)
    if password is not None and password != parts.password:
        raise refused("the password holds '/', '#', '?' or '@'; percent-encode them")
    if port == 0:
        raise refused("the port is not a number from 1 to 65535")
    if not host:
        raise refused("has no host")
    host_port = parts.netloc.rpartition("@")[2]
    bracketed = host_port[:1] == "["
    if bracketed and host_port.partition("]")[2][:1] not in ("", ":"):
        # urlsplit reads "[::1]x:3000" as host ::1, port 3000 and ignores the "x"
        raise refused("text after an IPv6 literal's ']' that is not ':PORT'")
    if host_problem := _host_problem(host, bracketed=bracketed):
        raise refused(host_problem)
    if parts.query or parts.fragment:
        raise refused("a base URL has no query ('?') or fragment ('#')")
    return url.rstrip("/")


def _host_problem(host: str, bracketed: bool) -> str | None:
    if bracketed:
        try:
            ipaddress.IPv6Address(host.partition("%")[0])
        except ValueError:
            return f"[{host}] is not an IPv6 address"
        return None
    bad = sorted({c for c in host if c.isascii() and not (c.isalnum() or c in "-._")})
    if bad:
        return f"the host {host!r} has characters a host name cannot have ({''.join(bad)!r})"
    if not host.isascii():
        import idna  # requests' own encoder of international names

        try:
            idna.encode(host, uts46=True)
        except (idna.IDNAError, UnicodeError):
            return f"the host {host!r} is not a valid international host name"
    return None


# --- one request ---------------------------------------------------------------------------


def new_session() -> requests.Session:
    """A session for a server that gets no retries: one request, one answer or one error."""
    import requests
    from requests.adapters import HTTPAdapter

    session = requests.Session()
    adapter = HTTPAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = 5
    session.headers["User-Agent"] = f"tsedash/{__version__}"
    session.headers["Accept"] = "application/json"
    return session


def request(
    session: requests.Session,
    method: str,
    base: str,
    path: str,
    *,
    server: str,
    limits: Limits,
    tls_hint: str = "",
    **kwargs: Any,
) -> Answer:
    """One request to `base` + `path` (query parameters go in `params=`), bounded in total
    time: run in a worker thread and abandoned at the deadline."""
    shown = mask_password(f"{base}{path}")
    total = limits.total
    return within(
        total,
        lambda: _request_once(
            session, method, base, path, shown, server, limits, tls_hint, **kwargs
        ),
        lambda: Unreachable(f"{method} {shown}: no complete answer within {total:g}s", url=shown),
    )


def _request_once(
    session: requests.Session,
    method: str,
    base: str,
    path: str,
    shown: str,
    server: str,
    limits: Limits,
    tls_hint: str,
    **kwargs: Any,
) -> Answer:
    import requests
    from urllib3.exceptions import InsecureRequestWarning, ReadTimeoutError

    headers = {"Accept-Encoding": ACCEPT_ENCODING, **(kwargs.pop("headers", None) or {})}
    try:
        with warnings.catch_warnings():
            # A caller that turned TLS verification off has warned once, not per request.
            warnings.simplefilter("ignore", InsecureRequestWarning)
            resp = session.request(
                method,
                f"{base}{path}",
                headers=headers,
                timeout=(limits.connect_timeout, limits.read_timeout),
                stream=True,
                **kwargs,
            )
            with resp:
                data = read_body(resp, method, shown, limits)
    except requests.exceptions.SSLError as exc:
        raise Unreachable(
            f"TLS error talking to {shown}: {type(exc).__name__}{tls_hint}", url=shown
        ) from None
    except requests.exceptions.Timeout:
        raise Unreachable(
            f"{method} {shown}: no answer within {limits.read_timeout:g}s", url=shown
        ) from None
    except requests.exceptions.RetryError as exc:
        raise BadAnswer(
            f"{method} {shown}: still failing after retries ({exc.__class__.__name__})", url=shown
        ) from None
    except requests.exceptions.TooManyRedirects:
        raise BadAnswer(f"{method} {shown}: too many redirects", url=shown) from None
    except (
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    ) as exc:
        raise BadAnswer(
            f"{method} {shown}: the answer broke off or could not be decoded "
            f"({type(exc).__name__})",
            url=shown,
        ) from None
    except requests.exceptions.ConnectionError as exc:
        reason = getattr(exc.args[0] if exc.args else None, "reason", None)
        if isinstance(reason, ReadTimeoutError):  # a read timeout, wrapped by a Retry
            raise Unreachable(
                f"{method} {shown}: no answer within {limits.read_timeout:g}s", url=shown
            ) from None
        raise Unreachable(
            f"cannot reach {server} at {mask_password(base)} ({method} {path})", url=shown
        ) from None
    except requests.exceptions.RequestException as exc:
        raise BadAnswer(f"{method} {shown}: {type(exc).__name__}", url=shown) from None
    body = parse_json(data, resp.status_code, method, shown, limits)
    return Answer(resp.status_code, body, shown, empty=not data)


# --- reading an answer: size, encoding, JSON -----------------------------------------------


def read_body(resp: requests.Response, method: str, shown: str, limits: Limits) -> bytearray:
    """The body as sent, its Content-Encoding undone, stopped at `limits.max_body` bytes both
    before and after decoding. Reads the raw stream: nothing is decoded unbounded."""
    from urllib3.exceptions import HTTPError, ProtocolError, ReadTimeoutError, SSLError

    cap = limits.max_body
    too_large = BadAnswer(f"{method} {shown}: answer larger than {cap >> 20} MiB", url=shown)
    declared = resp.headers.get("Content-Length", "").strip()
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > cap):
        raise too_large
    decoder = _Decoder.for_encoding(resp.headers.get("Content-Encoding", ""), method, shown)
    out = bytearray()
    received = 0
    try:
        for chunk in resp.raw.stream(CHUNK, decode_content=False):
            received += len(chunk)
            if received > cap:
                raise too_large
            decoder.feed(chunk, out, cap)
        decoder.finish(out, cap)
    except _TooLarge:
        raise too_large from None
    except _Undecodable as exc:
        raise BadAnswer(
            f"{method} {shown}: the answer could not be decoded ({exc})", url=shown
        ) from None
    except ReadTimeoutError:
        raise Unreachable(
            f"{method} {shown}: no answer within {limits.read_timeout:g}s", url=shown
        ) from None
    except SSLError as exc:
        raise Unreachable(f"TLS error reading from {shown}: {type(exc).__name__}") from None
    except ProtocolError as exc:  # IncompleteRead (a Content-Length that lies), a reset
        cause = _innermost(exc)
        raise BadAnswer(
            f"{method} {shown}: the answer broke off ({type(cause).__name__})", url=shown
        ) from None
    except HTTPError as exc:
        raise BadAnswer(
            f"{method} {shown}: the answer could not be read ({type(exc).__name__})", url=shown
        ) from None
    return out


def _innermost(exc: BaseException) -> BaseException:
    for arg in exc.args:
        if isinstance(arg, BaseException):
            return _innermost(arg)
    return exc


class _TooLarge(Exception):
    pass


class _Undecodable(Exception):
    pass


class _Decoder:
    """Undoes one Content-Encoding, never producing more than the cap (zlib's `max_length`)."""

    def __init__(self, wbits: int | None) -> None:
        self._wbits = wbits
        self._zlib: Any = None
        self._pending = b""  # deflate: the first bytes, until the header says zlib or raw

    @classmethod
    def for_encoding(cls, header: str, method: str, shown: str) -> _Decoder:
        encoding = header.strip().lower()
        if encoding in ("", "identity"):
            return cls(None)
        if encoding in ("gzip", "x-gzip"):
            return cls(16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return cls(zlib.MAX_WBITS)
        raise BadAnswer(
            f"{method} {shown}: the answer could not be decoded (Content-Encoding {header[:40]!r} "
            f"is not one we asked for: {ACCEPT_ENCODING})",
            url=shown,
        )

    def feed(self, chunk: bytes, out: bytearray, cap: int) -> None:
        if self._wbits is None:
            out += chunk
            if len(out) > cap:
                raise _TooLarge
            return
        if self._zlib is None:
            self._pending += chunk
            if len(self._pending) < 2:
                return
            chunk, self._pending = self._pending, b""
            self._zlib = zlib.decompressobj(self._window(chunk))
        data = chunk
        try:
            while data and not self._zlib.eof:
                # A step of at most 1 MiB: no large temporary beside `out`.
                out += self._zlib.decompress(data, min(cap - len(out) + 1, _INFLATE_STEP))
                if len(out) > cap:
                    raise _TooLarge
                data = self._zlib.unconsumed_tail
        except zlib.error as exc:
            raise _Undecodable(str(exc)) from None

    def _window(self, start: bytes) -> int:
        """Servers send "deflate" both zlib-wrapped (as RFC 9110 says) and raw: the two-byte
        zlib header tells them apart."""
        if self._wbits != zlib.MAX_WBITS:
            return self._wbits or 0
        zlib_header = (start[0] & 0x0F) == 8 and (start[0] << 8 | start[1]) % 31 == 0
        return zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS

    def finish(self, out: bytearray, cap: int) -> None:
        if self._wbits is None or (self._zlib is None and not self._pending):
            return  # nothing was sent: an empty body
        if self._zlib is None:
            raise _Undecodable("the compressed answer is cut short")
        try:
            out += self._zlib.flush(cap - len(out) + 1)
        except zlib.error as exc:
            raise _Undecodable(str(exc)) from None
        if len(out) > cap:
            raise _TooLarge
        if not self._zlib.eof:
            raise _Undecodable("the compressed answer is cut short")


def parse_json(
    data: bytes | bytearray, status: int, method: str, shown: str, limits: Limits
) -> Any:
    """The JSON value of a body, nesting bounded; None for an empty body; the text of a
    non-JSON error page (status >= 400), for the error message."""
    if not data:
        return None
    text = data.decode("utf-8", errors="replace")
    too_deep = BadAnswer(
        f"{method} {shown}: the answer is nested too deeply (more than {limits.max_depth} levels)",
        url=shown,
    )
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep from None
    except ValueError:  # not JSON, or an integer of more than 4,300 digits
        if status < 400:
            raise BadAnswer(f"{method} {shown}: the answer is not JSON", url=shown) from None
        return text
    if _deeper_than(value, limits.max_depth):
        raise too_deep
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether a parsed value nests deeper than `limit` (iterative: no recursion to crash)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict | list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in _children(node))
    return False


def _children(node: dict[str, Any] | list[Any]) -> Iterator[Any]:
    values = node.values() if isinstance(node, dict) else node
    return (v for v in values if isinstance(v, dict | list))


def server_message(body: Any) -> str:
    """The server's explanation of an error, on one line: Prometheus' `error`, Grafana's
    `message`, or the start of a text page."""
    if isinstance(body, dict):
        for key in ("error", "message", "title"):
            if isinstance(body.get(key), str) and body[key]:
                text = body[key]
                break
        else:
            text = json.dumps(body)[:_MESSAGE_CHARS]
    elif body is None:
        text = "(no explanation in the answer)"
    else:
        text = str(body)
    one_line = " ".join(text.split())
    if len(one_line) > _MESSAGE_CHARS:
        one_line = one_line[:_MESSAGE_CHARS] + "…"
    return one_line


# --- the shape of an answer ----------------------------------------------------------------


class Shape:
    """What a JSON value must be; `problem` names the first place where it is not."""

    def problem(self, value: Any, pointer: str) -> tuple[str, str, str] | None:
        """(what was found, JSON pointer, what was expected), or None when the value fits."""
        raise NotImplementedError


@dataclass(frozen=True)
class Kind(Shape):
    """A JSON scalar of one kind: string, number or boolean."""

    types: tuple[type, ...]
    expected: str = "a value"

    def problem(self, value: Any, pointer: str) -> tuple[str, str, str] | None:
        if isinstance(value, bool) and bool not in self.types:
            return kind_of(value), pointer, self.expected
        return None if isinstance(value, self.types) else (kind_of(value), pointer, self.expected)


STRING = Kind((str,), "a string")
NUMBER = Kind((int, float), "a number")
BOOLEAN = Kind((bool,), "true or false")


@dataclass(frozen=True)
class OneOf(Shape):
    """One of a few literal strings (an enumeration: `resultType`)."""

    values: tuple[str, ...]

    def problem(self, value: Any, pointer: str) -> tuple[str, str, str] | None:
        if isinstance(value, str) and value in self.values:
            return None
        found = json.dumps(value)[:40] if isinstance(value, str) else kind_of(value)
        return found, pointer, " or ".join(json.dumps(v) for v in self.values)


@dataclass(frozen=True)
class ListOf(Shape):
    item: Shape
    expected: str = "a list"

    def problem(self, value: Any, pointer: str) -> tuple[str, str, str] | None:
        if not isinstance(value, list):
            return kind_of(value), pointer, self.expected
        for i, item in enumerate(value):
            if found := self.item.problem(item, f"{pointer}/{i}"):
                return found
        return None


@dataclass(frozen=True)
class Pair(Shape):
    """A fixed-length list such as Prometheus' `[timestamp, "value"]`."""

    items: tuple[Shape, ...]

    def problem(self, value: Any, pointer: str) -> tuple[str, str, str] | None:
        if not isinstance(value, list) or len(value) != len(self.items):
            return kind_of(value), pointer, f"a list of {len(self.items)} items"
        for i, (item, shape) in enumerate(zip(value, self.items, strict=True)):
            if found := shape.problem(item, f"{pointer}/{i}"):
                return found
        return None


@dataclass(frozen=True)
class MapOf(Shape):
    """An object of any keys, each value of one shape (label sets: strings to strings)."""

    value: Shape
    expected: str = "an object"

    def problem(self, value: Any, pointer: str) -> tuple[str, str, str] | None:
        if not isinstance(value, dict):
            return kind_of(value), pointer, self.expected
        for key, item in value.items():
            if found := self.value.problem(item, f"{pointer}/{escape(key)}"):
                return found
        return None


@dataclass(frozen=True)
class Object(Shape):
    """An object with these keys (others are ignored: servers add fields over time)."""

    required: Mapping[str, Shape]
    optional: Mapping[str, Shape] = field(default_factory=dict)
    expected: str = "an object"

    def problem(self, value: Any, pointer: str) -> tuple[str, str, str] | None:
        if not isinstance(value, dict):
            return kind_of(value), pointer, self.expected
        for key, shape in self.required.items():
            if key not in value:
                return "object", pointer, f"an object with {json.dumps(key)}"
            if found := shape.problem(value[key], f"{pointer}/{escape(key)}"):
                return found
        for key, shape in self.optional.items():
            if key in value and (found := shape.problem(value[key], f"{pointer}/{escape(key)}")):
                return found
        return None


def kind_of(value: Any) -> str:
    """A JSON value's kind as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def escape(key: str) -> str:
    """A key as a JSON pointer segment (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def expect(value: Any, shape: Shape, server: str, where: str) -> Any:
    """`value` when it has `shape`; else a BadAnswer: "<server> answered an unexpected <kind>
    at <JSON pointer>: expected <what> (<where>)"."""
    found = shape.problem(value, "")
    if found is None:
        return value
    kind, pointer, expected = found
    place = pointer or "the top level"
    raise BadAnswer(
        f"{server} answered an unexpected {kind} at {place}: expected {expected} ({where})",
        url=where,
    )
