"""Hostile input and failing servers, as an attacker or an unlucky operator would bring them.

Every case runs the real command in its own process (a traceback, a hang or a leaked secret
would show there) and asserts: the documented exit code, a clear one-line message, no
traceback, no secret in any output, no file lost — and that the command ends (the subprocess
timeout only catches a hang; it measures nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsedash.errors import InputError
from tsedash.redact import forget_secrets, mask_password, redact, remember_url
from tsedash.registry import load_registry_text
from tsedash.registry.sources.redis_registry import parse_registration

from .conftest import ROOT
from .dashboard_helpers import FIXTURE

HANG_GUARD = 90  # seconds: far above any bounded wait below
BUG_LINE = "(a bug in tsedash)"  # what the CLI prints for an exception nobody foresaw


def run(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GRAFANA_", "REDIS_URL", "TSEDASH_"))
    }
    res = subprocess.run(
        [sys.executable, "-m", "tsedash", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert BUG_LINE not in res.stdout + res.stderr, res.stderr  # in no case, judged or not
    return res


def clean(
    res: subprocess.CompletedProcess[str], code: int, needle: str, secrets: tuple[str, ...] = ()
) -> None:
    """The contract for a bad case: its exit code, its message, nothing else leaking, and
    never the line of an unexpected exception (a case tsedash did not foresee is a bug)."""
    output = res.stdout + res.stderr
    assert res.returncode == code, output
    assert needle in output, output
    assert "Traceback" not in output, output
    assert BUG_LINE not in output, output
    for secret in secrets:
        assert secret not in output, f"{secret!r} leaked: {output}"


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# --- the registry and compose files --------------------------------------------------------

REGISTRY = FIXTURE.read_text()


def _deep_flow(depth: int) -> str:
    return "version: 1\nx: " + "[" * depth + "]" * depth + "\n"


def _block_deep(depth: int) -> str:
    return "version: 1\n" + "".join(f"{' ' * i}k{i}:\n" for i in range(depth)) + " " * depth + "v\n"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"version: 1\nservices: {\xff\xfe}\n", ":2: error: not UTF-8 text"),
        (_deep_flow(30_000).encode(), "nested deeper than 200 levels"),
        (_block_deep(400).encode(), "nested deeper than 200 levels"),
        (("version: " + "9" * 4400 + "\n").encode(), ":1: error: version: an integer of 4,400"),
        (REGISTRY.replace("version: 1", 'version: 1\n"x\\u0000": 1', 1).encode(), "error"),
        (
            REGISTRY.replace(
                "name: exchange-OKX}", 'name: exchange-OKX, schema: "exchange_okx\\n"}'
            ).encode(),
            "schema",
        ),
        (
            REGISTRY.replace('address: "binance:9100"', 'address: "binance:99999"').encode(),
            "binance:99999",
        ),
        (REGISTRY.replace('address: "binance:9100"', 'address: "binance:0"').encode(), "binance:0"),
        (REGISTRY.replace('address: "binance:9100"', 'address: "-1"').encode(), "-1"),
        (
            REGISTRY.replace(
                'address: "binance:9100"', 'address: "a\\"}or vector(1)#:8080"'
            ).encode(),
            "expected host:port",
        ),
        (b"", "the file is empty"),
        (REGISTRY.replace("uid: prom-test", 'uid: "prom-test\\n"').encode(), "datasource.uid"),
        (REGISTRY.replace("{job: redis,", '{job: "redis\\n",').encode(), "job"),
        (REGISTRY.replace("{name: trades_total,", '{name: "trades_total\\n",').encode(), "name"),
        (
            REGISTRY.replace(
                "    acknowledge:", '    db_role: "exchange\\n"\n    acknowledge:'
            ).encode(),
            "db_role",
        ),
    ],
    ids=[
        "not-utf8",
        "flow-30000-deep",
        "block-400-deep",
        "4400-digit-int",
        "nul-in-key",
        "schema-trailing-newline",
        "port-99999",
        "port-0",
        "address-minus-1",
        "address-promql-injection",
        "empty",
        "datasource-uid-newline",
        "job-newline",
        "metric-newline",
        "db-role-newline",
    ],
)
def test_hostile_registry_files(tmp_path: Path, content: bytes, needle: str) -> None:
    registry = tmp_path / "r.yaml"
    registry.write_bytes(content)
    out = tmp_path / "p"
    clean(run("registry", "check", "--registry", str(registry)), 2, needle)
    clean(run("build", "--registry", str(registry), "--out", str(out)), 2, needle)
    assert not out.exists()


def _fifo(tmp_path: Path) -> Path:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    return fifo


def _loop(tmp_path: Path) -> Path:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    return tmp_path / "a"


def _under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("x")
    return tmp_path / "file" / "r.yaml"


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (_fifo, "not a regular file"),
        (lambda tmp: Path("/dev/zero"), "not a regular file"),
        (lambda tmp: tmp, "is a directory"),
        (_loop, "cannot open"),
        (_under_a_file, "cannot open"),
    ],
    ids=["fifo", "dev-zero", "directory", "symlink-loop", "path-under-a-file"],
)
@pytest.mark.parametrize("option", ["--registry", "--compose"])
def test_files_that_are_not_files(tmp_path: Path, make: Any, needle: str, option: str) -> None:
    path = make(tmp_path)
    args = ["registry", "check", option, str(path)]
    if option == "--compose":
        args += ["--registry", str(FIXTURE)]
    clean(run(*args), 2, needle)


@pytest.mark.parametrize(
    ("service", "needle"),
    [
        ("    environment: 5\n", "environment: must be a mapping or a list"),
        (
            "    environment: [SERVICE_NAME=exchange-simulator]\n    ports: 8080\n",
            "ports: must be a list",
        ),
        (
            "    environment: [SERVICE_NAME=exchange-simulator]\n    container_name: [x]\n",
            "must be a string",
        ),
        (
            "    environment: [SERVICE_NAME=exchange-simulator]\n    volumes: {a: b}\n",
            "volumes: must be a list",
        ),
    ],
    ids=["environment-5", "ports-8080", "container-name-list", "volumes-mapping"],
)
def test_hostile_compose_files(tmp_path: Path, service: str, needle: str) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  x:\n    image: y\n" + service)
    clean(run("registry", "show", "--registry", str(FIXTURE), "--compose", str(compose)), 2, needle)


def test_compose_odd_but_harmless_values(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n  x:\n    environment: {SERVICE_NAME: exchange-simulator, "
        "SERVICE_INSTANCE_NAME: exchange-x, HTTP_PORT: ''}\n"
    )
    res = run("registry", "show", "--json", "--registry", str(FIXTURE), "--compose", str(compose))
    assert res.returncode == 0, res.stderr
    [inst] = [i for i in json.loads(res.stdout) if i["instance_name"] == "exchange-x"]
    assert inst["address"] == "x:9100"  # an empty HTTP_PORT is unset: the registry's default
    # '²' is a digit to Python, no port to Docker: refused at its line, never the default
    # (the other port cases: tests/test_adversarial_inputs.py).
    compose.write_text(compose.read_text().replace("HTTP_PORT: ''", "HTTP_PORT: '²'"))
    clean(
        run("registry", "show", "--registry", str(FIXTURE), "--compose", str(compose)),
        2,
        f"{compose}:3: error: services.x.environment.HTTP_PORT: '²' is not a port",
    )
    empty = tmp_path / "empty.yml"
    empty.write_text("")
    clean(
        run("registry", "show", "--registry", str(FIXTURE), "--compose", str(empty)),
        2,
        "expected a compose file",
    )


# --- output directories ----------------------------------------------------------------------


def test_commands_sharing_a_directory_keep_each_others_files(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    assert run("build", "--registry", str(FIXTURE), "--out", str(shared)).returncode == 0
    dashboards = snapshot(shared / "dashboards")
    assert run("prometheus", "--registry", str(FIXTURE), "--out", str(shared)).returncode == 0
    assert snapshot(shared / "dashboards") == dashboards
    deploy = tmp_path / "deploy"
    assert run("deploy", "--registry", str(FIXTURE), "--out", str(deploy)).returncode == 0
    before = snapshot(deploy)
    assert run("build", "--registry", str(FIXTURE), "--out", str(deploy)).returncode == 0
    assert all(snapshot(deploy)[k] == v for k, v in before.items() if not k.startswith(".tsedash"))


def test_a_record_never_deletes_outside_the_tree_or_through_a_symlink(tmp_path: Path) -> None:
    out, outside = tmp_path / "p", tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.json").write_text("{}")
    assert run("build", "--registry", str(FIXTURE), "--out", str(out)).returncode == 0
    (out / "link").symlink_to(outside)
    (out / "mine.json").symlink_to(outside / "victim.json")
    record = out / ".tsedash-build-files"
    record.write_text(record.read_text() + "link/victim.json\n../outside/victim.json\nmine.json\n")
    res = run("build", "--registry", str(FIXTURE), "--out", str(out), "--rebuild")
    assert res.returncode == 0, res.stderr
    assert (outside / "victim.json").read_text() == "{}"


def test_an_io_error_midway_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "p"
    assert run("build", "--registry", str(FIXTURE), "--out", str(out)).returncode == 0
    shutil.rmtree(out / "datasources")
    (out / "datasources").write_text("in the way")  # writing datasources/prometheus.yml fails
    before = snapshot(out)
    changed = tmp_path / "r.yaml"
    changed.write_text(REGISTRY.replace("uid: prom-test", "uid: prom-other"))
    res = run("build", "--registry", str(changed), "--out", str(out))
    clean(res, 2, "error")
    assert snapshot(out) == before  # no dashboard points at a datasource file that is not there


# --- extras ------------------------------------------------------------------------------------

# With the `datasource` variable every build's lint of an extra requires (an error without).
DICT_DASHBOARD = (
    "{'uid': 'x', 'title': 'X', 'panels': [], 'schemaVersion': 42, 'templating': {'list': "
    "[{'name': 'datasource', 'type': 'datasource', 'query': 'prometheus'}]}}"
)


@pytest.mark.parametrize(
    ("name", "code", "needle"),
    [
        ("loop.dashboard.py", "while True:\n    pass\n", "did not finish within 2s"),
        (
            "exit.dashboard.py",
            "import sys\nsys.exit(0)\n",
            "exit.dashboard.py:2: called sys.exit(0)",
        ),
        ("exit1.dashboard.py", "raise SystemExit(1)\n", "called sys.exit(1)"),
        (
            "tojson.dashboard.py",
            "class D:\n    def to_json_data(self):\n        raise KeyError('boom')\ndashboard = D()\n",
            "tojson.dashboard.py:3: KeyError",
        ),
        (
            "deep.dashboard.py",
            "x = []\nfor _ in range(100_000):\n    x = [x]\ndashboard = {'uid': 'd', 'panels': x}\n",
            "error",
        ),
        ("a\nb.json", "{}", "has characters a dashboard file name cannot have"),
        ("dup.json", '{"uid": "a", "uid": "b"}', "duplicate key 'uid'"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
    ids=[
        "endless-loop",
        "sys-exit-0",
        "system-exit-1",
        "to-json-raises",
        "deep-value",
        "newline-name",
        "duplicate-key",
        "deep-json",
    ],
)
def test_hostile_extras(tmp_path: Path, name: str, code: str, needle: str) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    (extras / name).write_text(code)
    out = tmp_path / "p"
    args = ["build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras)]
    clean(run(*args, "--extras-timeout", "2", "--json"), 2, needle)
    assert not out.exists()


def test_an_extra_cannot_corrupt_json_or_hang_the_build_with_a_thread(tmp_path: Path) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    (extras / "noisy.dashboard.py").write_text(
        "import threading, time\n"
        "print('hello from an extra')\n"
        "threading.Thread(target=time.sleep, args=(3600,)).start()  # not a daemon\n"
        f"def dashboard(registry):\n    return {DICT_DASHBOARD}\n"
    )
    res = run(
        "build",
        "--registry",
        str(FIXTURE),
        "--out",
        str(tmp_path / "p"),
        "--extras",
        str(extras),
        "--json",
    )
    assert res.returncode == 0, res.stderr
    assert "x" in [d["uid"] for d in json.loads(res.stdout)["dashboards"]]
    assert "hello from an extra" in res.stderr


# --- a failing or hostile Grafana ----------------------------------------------------------

TOKEN = "glsa_Hostile0Token0Value_0123456789"


class FaultyGrafana(BaseHTTPRequestHandler):
    mode = "ok"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in {
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            **(headers or {}),
        }.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        mode = type(self).mode
        if mode == "reset":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"dash')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        elif mode == "drip":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(600):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
        elif mode == "gzip":
            self._send(200, b"\x1f\x8b\x08\x00not gzip at all", {"Content-Encoding": "gzip"})
        elif mode == "redirect":
            self._send(302, b"", {"Location": self.path})
        elif mode == "huge":
            self.send_response(200)
            self.send_header("Content-Length", str(80 << 20))
            self.end_headers()
            try:
                for _ in range(80):
                    self.wfile.write(b" " * (1 << 20))
            except OSError:
                pass
        elif mode == "deep":
            self._send(200, b"[" * 100_000 + b"]" * 100_000)
        elif mode == "retry-after":
            self._send(429, b'{"message": "slow down"}', {"Retry-After": "3600"})
        elif mode == "retry-after-date":
            self._send(503, b"{}", {"Retry-After": "Wed, 21 Oct 2037 07:28:00 GMT"})
        elif mode == "html":
            self._send(200, b"<html>login</html>", {"Content-Type": "text/html"})
        elif mode == "list":
            self._send(200, b"[1, 2]")
        elif mode == "echo-auth":
            echoed = json.dumps(
                {"message": f"bad header Authorization: {self.headers['Authorization']}"}
            )
            self._send(400, echoed.encode())


@pytest.fixture
def faulty() -> Iterator[tuple[str, type[FaultyGrafana]]]:
    handler = type("Handler", (FaultyGrafana,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("mode", "needle"),
    [
        ("reset", "broke off"),
        ("drip", "no complete answer within 2s"),
        ("gzip", "could not be decoded"),
        ("redirect", "too many redirects"),
        ("huge", "larger than 64 MiB"),
        ("deep", "nested too deeply"),
        ("retry-after", "no complete answer within 2s"),
        ("retry-after-date", "no complete answer within 2s"),
        ("html", "not JSON"),
        ("list", "expected a JSON object"),
        ("echo-auth", "400 bad header Authorization: Bearer ***"),
    ],
)
def test_a_hostile_grafana(
    faulty: tuple[str, type[FaultyGrafana]], tmp_path: Path, mode: str, needle: str
) -> None:
    url, handler = faulty
    handler.mode = mode
    res = run(
        "pull",
        "--uid",
        "tse-devops-docker",
        "--out",
        str(tmp_path / "d.json"),
        "--timeout",
        "0.5",
        env={"GRAFANA_URL": url, "GRAFANA_TOKEN": TOKEN},
    )
    clean(res, 3, needle, secrets=(TOKEN,))
    assert not (tmp_path / "d.json").exists()
    if mode.startswith("retry-after"):
        assert "waited 0.5s" in res.stderr  # the cut is reported


@pytest.mark.parametrize(
    ("env", "needle", "secret"),
    [
        (
            {"GRAFANA_TOKEN": TOKEN + "\n"},
            "GRAFANA_TOKEN contains whitespace or control characters",
            TOKEN,
        ),
        ({"GRAFANA_TOKEN": "glsa_\u20ac\u20ac\u20ac\u20ac"}, "not Latin-1", "\u20ac\u20ac"),
        (
            {"GRAFANA_USER": "admin", "GRAFANA_PASSWORD": "pw\twith\ttabs"},
            "GRAFANA_PASSWORD contains",
            "with",
        ),
        (
            {"GRAFANA_URL": "http://admin:zq#xv/yy@127.0.0.1:9", "GRAFANA_TOKEN": "x" * 12},
            "percent-encode",
            "zq",
        ),
    ],
    ids=["token-newline", "token-not-latin1", "password-tabs", "url-password-with-hash"],
)
def test_secrets_never_printed(env: dict[str, str], needle: str, secret: str) -> None:
    env = {"GRAFANA_URL": "http://127.0.0.1:9", **env}
    res = run("pull", "--uid", "x", "--timeout", "0.5", env=env)
    clean(res, 2, needle, secrets=(secret,))


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("redis://reader:zq/xv@127.0.0.1:1/0", 2),
        ("redis://reader:zq?xv@127.0.0.1:1/0", 2),
        ("redis://reader:zq#xv@127.0.0.1:1/0", 2),
        ("redis://reader:zqxv@127.0.0.1:1/0", 3),
    ],
    ids=["slash", "question-mark", "hash", "plain-unreachable"],
)
def test_redis_url_passwords_never_printed(url: str, code: int) -> None:
    res = run("registry", "show", "--registry", str(FIXTURE), "--discover", url)
    clean(res, code, "redis://reader:***@", secrets=("zq",))


@pytest.mark.parametrize(
    ("uid", "needle"),
    [
        ("../uid/x", "is not a Grafana uid"),
        ("x/versions", "is not a Grafana uid"),
        ("a" * 41, "at most 40"),
    ],
)
def test_pull_never_writes_outside_the_working_directory(
    tmp_path: Path, uid: str, needle: str
) -> None:
    res = run("pull", "--uid", uid, cwd=tmp_path, env={"GRAFANA_URL": "http://127.0.0.1:9"})
    clean(res, 2, needle)
    assert list(tmp_path.iterdir()) == []


def test_a_server_version_never_decides_where_a_backup_goes(tmp_path: Path) -> None:
    from tsedash.grafana.sync import Live, _backup

    for version in ("../../../../tmp/x", None, 3, True):
        live = Live({"uid": "u", "version": version}, {"version": version})
        path = Path(_backup(tmp_path / "bk", "u", live))
        assert path.parent == tmp_path / "bk" / "u"
    assert len(list((tmp_path / "bk" / "u").iterdir())) == 4  # none overwrote another


# --- Redis ---------------------------------------------------------------------------------


NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("key", "raw", "reason"),
    [
        (
            "services:exchange-simulator:x",
            '{"name": "exchange-simulator", "status": "healthy", "host": "x", "http_port": 8080, "last_seen": "9999-01-01T00:00:00Z"}',
            "in the future",
        ),
        (
            "services:exchange-simulator:x",
            '{"name": "exchange-simulator", "status": "healthy", "host": "x", "http_port": 8080, "last_seen": NaN}',
            "is not a timestamp",
        ),
        (
            "services:exchange-simulator:x",
            '{"name": "exchange-simulator", "status": "healthy", "host": "x", "http_port": 8080, "last_seen": "²"}',
            "is not a timestamp",
        ),
        ("services:exchange-simulator:x", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (
            "services:exchange-simulator:x",
            '{"name": "exchange-simulator", "status": "healthy", "host": "a\\"}or vector(1)#", "http_port": 8080}',
            "is not a host name",
        ),
        (
            "services:exchange-simulator:x",
            '{"name": "exchange-simulator", "status": "healthy", "host": "x", "http_port": 99999}',
            "1 to 65535",
        ),
        (
            "registry:services:risk-monitor",
            {b"status": b"\xff\xfe", b"name": b"risk-monitor"},
            "not UTF-8",
        ),
    ],
    ids=[
        "year-9999",
        "nan",
        "superscript-two",
        "deep-json",
        "address-injection",
        "port-99999",
        "hash-not-utf8",
    ],
)
def test_hostile_redis_values_are_skipped_with_a_reason(key: str, raw: Any, reason: str) -> None:
    parsed = parse_registration(key, raw, NOW, 45.0)
    assert isinstance(parsed, str) and reason in parsed, parsed


# --- the remaining classes -----------------------------------------------------------------


def test_a_fifo_among_the_extras_is_refused_not_waited_on(tmp_path: Path) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    os.mkfifo(extras / "pipe.json")
    res = run(
        "build", "--registry", str(FIXTURE), "--out", str(tmp_path / "p"), "--extras", str(extras)
    )
    clean(res, 2, "pipe.json: is not a regular file")


def test_dashboards_read_back_may_be_hostile_too(tmp_path: Path) -> None:
    out = tmp_path / "p"
    assert run("build", "--registry", str(FIXTURE), "--out", str(out)).returncode == 0
    folder = out / "dashboards" / "trading-ecosystem"
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "latin1.json").write_bytes(b'{"title": "caf\xe9"}')
    (folder / "dup.json").write_text('{"uid": "a", "uid": "b"}')
    res = run("validate", "--out", str(out))
    clean(res, 1, "deep.json: error: JSON nested too deeply")
    assert (
        "latin1.json:1: error: not UTF-8 text" in res.stderr and "duplicate key 'uid'" in res.stderr
    )
    clean(run("lint", "--registry", str(FIXTURE), "--out", str(out)), 2, "nested too deeply")
    clean(
        run("preview", "--dashboards", str(out), "--out", str(tmp_path / "v"), "--no-png"),
        2,
        "nested too deeply",
    )


def test_a_registry_without_cadvisor_builds_lints_and_validates_alike(tmp_path: Path) -> None:
    text = (ROOT / "instances.yaml").read_text()
    registry = tmp_path / "instances.yaml"
    registry.write_text("".join(ln for ln in text.splitlines(True) if "job: cadvisor" not in ln))
    out = tmp_path / "p"
    res = run(
        "build",
        "--registry",
        str(registry),
        "--out",
        str(out),
        "--lint",
        "--strict",
        "--deploy",
        str(tmp_path / "d"),
    )
    assert res.returncode == 0, res.stderr
    assert run("validate", "--out", str(out)).returncode == 0
    devops = json.loads((out / "dashboards/trading-ecosystem/devops-docker-view.json").read_text())
    assert "Container Resources" not in [p["title"] for p in devops["panels"]]


def test_ca_cert_and_insecure_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from tsedash.grafana.client import GrafanaClient, GrafanaSettings

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/bundle.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/nonexistent/bundle.pem")
    seen: list[Any] = []

    def fake_request(method: str, url: str, **kwargs: Any) -> Any:
        seen.append(kwargs["verify"])
        raise OSError("stop here")

    for grafana_settings, wanted in (
        (
            GrafanaSettings("https://g.example", ca_cert="/etc/ssl/private-ca.pem"),
            "/etc/ssl/private-ca.pem",
        ),
        (GrafanaSettings("https://g.example", insecure=True), False),
    ):
        with pytest.warns(UserWarning) if grafana_settings.insecure else _no_warning():
            client = GrafanaClient(grafana_settings)
        monkeypatch.setattr(client.session, "request", fake_request)
        with pytest.raises(OSError):
            client.request("GET", "/api/health")
        # requests lets the environment's bundle override only a verify of True or None.
        assert seen.pop() == wanted


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_push_failing_midway_says_what_was_written(tmp_path: Path) -> None:
    from .grafana_double import ADMIN_TOKEN, GrafanaDouble

    out = tmp_path / "p"
    assert (
        run(
            "build",
            "--registry",
            str(FIXTURE),
            "--out",
            str(out),
            "--extras",
            str(ROOT / "examples/extras"),
        ).returncode
        == 0
    )
    with GrafanaDouble() as grafana:
        grafana.state.fault("reset", path="/api/dashboards/db")  # the first save
        res = run(
            "push",
            "--out",
            str(out),
            "--timeout",
            "2",
            env={"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN},
        )
        assert res.returncode == 3
        assert "failed          tse-devops-docker" in res.stderr
        assert res.stderr.count("not attempted: Grafana stopped answering") == 5
        grafana.state.fault("status", path="/api/dashboards/db", status=400, message="nope")
        res = run(
            "push",
            "--out",
            str(out),
            env={"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN},
        )
        clean(res, 3, "400 nope", secrets=(ADMIN_TOKEN,))
        assert "created" in res.stdout  # the others were written, and said so


def test_a_full_disk_midway_puts_back_what_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC on the second rename (root cannot make a directory read-only: the failure is
    injected where the kernel would report it)."""
    import errno

    from tsedash import files

    out = tmp_path / "p"
    files.write_tree(out, {"a.json": b"old a", "b/c.json": b"old c"})
    before = snapshot(out)
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: Any, dst: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        files.write_tree(out, {"a.json": b"new a", "b/c.json": b"new c", "d.json": b"new d"})
    monkeypatch.setattr(files.os, "replace", real_replace)
    assert snapshot(out) == before  # a.json put back, no d.json, no temp file left


# --- properties ------------------------------------------------------------------------------


PASSWORD = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="@"),
    min_size=6,
    max_size=30,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(password=PASSWORD, tail=st.sampled_from(["@redis:6379/0", "@grafana.example/", "@h"]))
def test_a_url_password_is_never_shown_however_it_is_written(password: str, tail: str) -> None:
    url = f"redis://reader:{password}{tail}"
    assert password not in mask_password(url)
    forget_secrets()
    remember_url(url)
    # Whatever a library makes of it: quoted, cut at a delimiter and echoed in an error.
    echoed = f"error: cannot parse {url!r}; netloc {url.split('/')[2]}"
    assert password not in redact(echoed)
    forget_secrets()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=400))
def test_any_text_as_a_registry_is_a_registry_or_a_located_error(text: str) -> None:
    try:
        load_registry_text(text, "r.yaml")
    except InputError as exc:  # RegistryError is one: located, one line per problem
        assert str(exc).startswith("r.yaml")
