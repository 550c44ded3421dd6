"""tsedash/remote.py called directly: the URL check, the decoder, the JSON reader, the shapes
and each way a request fails, against a real HTTP server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tsedash.errors import InputError
from tsedash.remote import (
    BOOLEAN,
    NUMBER,
    STRING,
    Answer,
    BadAnswer,
    Limits,
    ListOf,
    MapOf,
    Object,
    OneOf,
    Pair,
    Unreachable,
    check_url,
    expect,
    kind_of,
    new_session,
    parse_json,
    request,
    server_message,
)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://a b:3000", "contains spaces or control characters"),
        ("ftp://grafana", "expected an http:// or https:// URL"),
        ("http://grafana:99999", "the port is not a number from 1 to 65535"),
        ("http://grafana:0", "the port is not a number from 1 to 65535"),
        ("http://[::1:3000", "a broken IPv6 literal"),
        ("http://:3000", "has no host"),
        ("http://[::1]x:3000", "text after an IPv6 literal's ']' that is not ':PORT'"),
        ("http://[v1.x]:3000", "[v1.x] is not an IPv6 address"),
        ("http://gra_fana!:3000", "has characters a host name cannot have ('!')"),
        ("http://grafana:3000/?x=1", "a base URL has no query ('?') or fragment ('#')"),
        ("http://grafana:3000/#top", "a base URL has no query ('?') or fragment ('#')"),
        ("http://xn--a.\u00e9\u0301\u200d:3000", "is not a valid international host name"),
    ],
)
def test_a_url_that_cannot_be_sent_names_why(url: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        check_url(url, "--prometheus")
    assert str(caught.value).startswith("--prometheus ")
    assert reason in str(caught.value)


def test_a_password_with_a_slash_is_refused_without_showing_it() -> None:
    with pytest.raises(InputError) as caught:
        check_url("http://admin:se/cret@grafana:3000", "Grafana URL")
    assert "secret" not in str(caught.value) and "se/cret" not in str(caught.value)
    assert "percent-encode" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("http://grafana:3000/", "http://grafana:3000"),
        ("https://[::1]:3000", "https://[::1]:3000"),
        ("http://b\u00fccher.example:3000", "http://b\u00fccher.example:3000"),
        ("http://user:p%2Fw@127.0.0.1:9090/prom/", "http://user:p%2Fw@127.0.0.1:9090/prom"),
    ],
)
def test_a_url_that_can_be_sent_loses_only_its_trailing_slash(url: str, sent: str) -> None:
    assert check_url(url, "--prometheus") == sent


LIMITS = Limits(max_depth=3)


@pytest.mark.parametrize(
    ("data", "status", "value"),
    [
        (b"", 200, None),
        (b'{"a": [1, 2]}', 200, {"a": [1, 2]}),
        (b"<html>bad gateway</html>", 502, "<html>bad gateway</html>"),
        (b"[[[]]]", 200, [[[]]]),
    ],
)
def test_parse_json_reads_what_it_can_use(data: bytes, status: int, value: Any) -> None:
    assert parse_json(data, status, "GET", "u", LIMITS) == value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html>ok</html>", "GET u: the answer is not JSON"),
        (b"[[[[]]]]", "nested too deeply (more than 3 levels)"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_parse_json_refuses_what_it_cannot(data: bytes, message: str) -> None:
    with pytest.raises(BadAnswer, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_json(data, 200, "GET", "u", LIMITS)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": "parse error at char 3"}, "parse error at char 3"),
        ({"message": "Dashboard not found"}, "Dashboard not found"),
        ({"title": "Forbidden"}, "Forbidden"),
        ({"status": "error"}, '{"status": "error"}'),
        (None, "(no explanation in the answer)"),
        ("line one\n  line two", "line one line two"),
        ("x" * 400, "x" * 300 + "…"),
    ],
)
def test_server_message_is_one_line(body: Any, message: str) -> None:
    assert server_message(body) == message


@pytest.mark.parametrize(
    ("value", "shape", "error"),
    [
        ({"a": 1}, Object({"a": STRING}), "unexpected number at /a: expected a string"),
        (
            {},
            Object({"a": STRING}),
            'unexpected object at the top level: expected an object with "a"',
        ),
        ({"a": "x", "b": True}, Object({"a": STRING}, {"b": NUMBER}), "unexpected boolean at /b"),
        ([1, "2"], ListOf(NUMBER), "unexpected string at /1: expected a number"),
        ({"x": 1}, ListOf(NUMBER), "unexpected object at the top level: expected a list"),
        ([1], Pair((NUMBER, STRING)), "unexpected list at the top level: expected a list of 2"),
        ([1, 2], Pair((NUMBER, STRING)), "unexpected number at /1: expected a string"),
        ({"a/b": 1}, MapOf(STRING), "unexpected number at /a~1b"),
        ([], MapOf(STRING), "unexpected list at the top level: expected an object"),
        ("matrixx", OneOf(("vector", "matrix")), 'unexpected "matrixx" at the top level'),
        (3, OneOf(("vector",)), "unexpected number at the top level"),
        (1, BOOLEAN, "unexpected number at the top level: expected true or false"),
        (True, NUMBER, "unexpected boolean at the top level: expected a number"),
    ],
)
def test_expect_names_the_first_wrong_place(value: Any, shape: Any, error: str) -> None:
    with pytest.raises(BadAnswer) as caught:
        expect(value, shape, "Prometheus", "GET /api/v1/query")
    assert error in str(caught.value)
    assert str(caught.value).startswith("Prometheus answered an unexpected ")


def test_expect_returns_a_value_that_fits() -> None:
    value = {"a": "x", "b": 2, "c": [[1, "2"]], "d": {"k": "v"}}
    shape = Object({"a": STRING, "c": ListOf(Pair((NUMBER, STRING)))}, {"b": NUMBER})
    assert expect(value, Object({"d": MapOf(STRING)}), "s", "w") is value
    assert expect(value, shape, "s", "w") is value


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, "null"),
        (False, "boolean"),
        (1.5, "number"),
        ("", "string"),
        ([], "list"),
        ({}, "object"),
        (b"", "bytes"),
    ],
)
def test_kind_of(value: Any, kind: str) -> None:
    assert kind_of(value) == kind


# --- requests against a real server ----------------------------------------------------------

Handler = Callable[[BaseHTTPRequestHandler], None]


class Server:
    """A loopback HTTP server answering each GET with the handler of its path."""

    def __init__(self, routes: dict[str, Handler]) -> None:
        routes_ = routes

        class _H(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                routes_[self.path.split("?")[0]](self)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _send(status: int, body: bytes, headers: dict[str, str] | None = None) -> Handler:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(body)

    return handle


def _redirect_loop(h: BaseHTTPRequestHandler) -> None:
    h.send_response(302)
    h.send_header("Location", "/loop")
    h.send_header("Content-Length", "0")
    h.end_headers()


def _bad_chunks(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    h.wfile.write(b"zz\r\nnot a chunk\r\n")
    h.wfile.flush()
    h.close_connection = True


def _silent(h: BaseHTTPRequestHandler) -> None:
    threading.Event().wait(2.0)


def _raw_deflate(body: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(body) + packer.flush()


PAYLOAD = b'{"status": "success", "data": [1, 2, 3]}'


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server(
        {
            "/plain": _send(200, PAYLOAD),
            "/gzip": _send(200, gzip.compress(PAYLOAD), {"Content-Encoding": "gzip"}),
            "/zlib": _send(200, zlib.compress(PAYLOAD), {"Content-Encoding": "deflate"}),
            "/raw-deflate": _send(200, _raw_deflate(PAYLOAD), {"Content-Encoding": "deflate"}),
            "/cut-gzip": _send(200, gzip.compress(PAYLOAD)[:20], {"Content-Encoding": "gzip"}),
            "/one-byte": _send(200, gzip.compress(PAYLOAD)[:1], {"Content-Encoding": "gzip"}),
            "/broken-gzip": _send(200, b"\x1f\x8b" + b"\x00" * 30, {"Content-Encoding": "gzip"}),
            "/br": _send(200, PAYLOAD, {"Content-Encoding": "br"}),
            "/empty-gzip": _send(200, b"", {"Content-Encoding": "gzip"}),
            "/loop": _redirect_loop,
            "/chunks": _bad_chunks,
            "/silent": _silent,
            "/declared-huge": _send(200, b"{}", {"Content-Length": "9" * 30}),
        }
    )
    yield srv
    srv.close()


FIVE_SECONDS = Limits(read_timeout=5.0)


def _get(server: Server, path: str, limits: Limits = FIVE_SECONDS) -> Answer:
    return request(new_session(), "GET", server.url, path, server="Prometheus", limits=limits)


@pytest.mark.parametrize("path", ["/plain", "/gzip", "/zlib", "/raw-deflate"])
def test_every_encoding_we_ask_for_is_read_to_the_same_value(server: Server, path: str) -> None:
    answer = _get(server, path)
    assert answer.status == 200
    assert answer.body == {"status": "success", "data": [1, 2, 3]}
    assert answer.url == f"{server.url}{path}" and not answer.empty


def test_an_empty_compressed_answer_is_empty(server: Server) -> None:
    answer = _get(server, "/empty-gzip")
    assert answer.body is None and answer.empty


@pytest.mark.parametrize(
    ("path", "kind", "message"),
    [
        ("/cut-gzip", BadAnswer, "could not be decoded (the compressed answer is cut short)"),
        ("/one-byte", BadAnswer, "could not be decoded (the compressed answer is cut short)"),
        ("/broken-gzip", BadAnswer, "the answer could not be decoded"),
        ("/br", BadAnswer, "Content-Encoding 'br' is not one we asked for: gzip, deflate"),
        ("/loop", BadAnswer, "too many redirects"),
        ("/chunks", BadAnswer, "the answer broke off"),
        ("/declared-huge", BadAnswer, "answer larger than 64 MiB"),
    ],
)
def test_each_unusable_answer_is_one_reason(
    server: Server, path: str, kind: type[Exception], message: str
) -> None:
    with pytest.raises(kind) as caught:
        _get(server, path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"GET {server.url}{path}") or "Content-Encoding" in str(
        caught.value
    )


def test_a_server_that_never_answers_is_unreachable_within_the_read_timeout(
    server: Server,
) -> None:
    with pytest.raises(Unreachable) as caught:
        _get(server, "/silent", Limits(read_timeout=0.3))
    assert str(caught.value) == f"GET {server.url}/silent: no answer within 0.3s"


def test_a_closed_port_names_the_server_and_the_request() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with pytest.raises(Unreachable) as caught:
        request(new_session(), "GET", base, "/api/v1/targets", server="Prometheus", limits=Limits())
    assert str(caught.value) == f"cannot reach Prometheus at {base} (GET /api/v1/targets)"
    assert caught.value.exit_code == 3


def test_tls_to_a_plain_server_is_a_tls_error_with_the_hint(server: Server) -> None:
    base = server.url.replace("http://", "https://")
    with pytest.raises(Unreachable) as caught:
        request(
            new_session(),
            "GET",
            base,
            "/plain",
            server="Grafana",
            limits=Limits(),
            tls_hint=" (--ca-cert FILE trusts a private CA)",
        )
    assert str(caught.value).startswith(f"TLS error talking to {base}/plain: SSLError")
    assert str(caught.value).endswith("(--ca-cert FILE trusts a private CA)")
