"""Named Grafana contexts (`--context NAME` from the contexts file) against the Grafana double."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Result
from .grafana_double import ADMIN_TOKEN, BASIC, GrafanaDouble

RunCli = Callable[..., Result]
NO_ENV = {"GRAFANA_URL": "", "GRAFANA_TOKEN": "", "GRAFANA_USER": "", "GRAFANA_PASSWORD": ""}


def contexts(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "contexts.yaml"
    path.write_text(body)
    return path


def test_a_context_replaces_the_environment(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    file = contexts(
        tmp_path,
        f"contexts:\n  staging:\n    url: {grafana.url}\n    token_env: STAGING_TOKEN\n"
        "    org_id: 1\n    api: legacy\n",
    )
    env = {**NO_ENV, "STAGING_TOKEN": ADMIN_TOKEN, "TSEDASH_CONTEXTS": str(file)}
    res = run_cli("push", "--out", str(out), "--context", "staging", env=env)
    assert res.exit_code == 0, res.stderr
    assert f"grafana {grafana.url} (legacy): folder trading-ecosystem created" in res.stdout
    assert not any(r.path == "/apis" for r in grafana.state.requests)  # the context's api
    assert ADMIN_TOKEN not in res.stdout + res.stderr
    # An explicit flag still wins over the context: here the API.
    res = run_cli("diff", "--out", str(out), "--context", "staging", "--api", "auto", env=env)
    assert res.exit_code == 0, res.stderr
    assert any(r.path == "/apis" for r in grafana.state.requests)


def test_the_default_file_and_a_private_secret_file(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "lab-password"
    secret.write_text(BASIC[1] + "\n")
    secret.chmod(0o600)
    default = Path(os.environ["XDG_CONFIG_HOME"]) / "tsedash" / "contexts.yaml"
    default.parent.mkdir(parents=True)
    default.write_text(
        f"contexts:\n  lab:\n    url: {grafana.url}\n    user: {BASIC[0]}\n"
        f"    password_file: {secret}\n    org_id: 7\n"
    )
    res = run_cli("push", "--out", str(out), "--context", "lab", env=NO_ENV)
    assert res.exit_code == 0, res.stderr
    assert BASIC[1] not in res.stdout + res.stderr
    # Org 7: the header on every call, and the resource API's namespace `org-7`.
    writes = [r for r in grafana.state.requests if r.path.startswith("/apis/dashboard")]
    assert writes and all("/namespaces/org-7/" in r.path for r in writes)
    assert all(r.headers.get("X-Grafana-Org-Id") == "7" for r in writes)
    secret.chmod(0o644)
    res = run_cli("push", "--out", str(out), "--context", "lab", env=NO_ENV)
    assert res.exit_code == 2
    assert f"{secret} is readable by others; `chmod 600 {secret}` first" in res.stderr


def test_secrets_in_clear_only_when_the_context_says_so(
    run_cli: RunCli, grafana: GrafanaDouble, out: Path, tmp_path: Path
) -> None:
    body = f"contexts:\n  dev:\n    url: {grafana.url}\n    token: {ADMIN_TOKEN}\n"
    env = {**NO_ENV, "TSEDASH_CONTEXTS": str(contexts(tmp_path, body))}
    res = run_cli("push", "--out", str(out), "--context", "dev", env=env)
    assert res.exit_code == 2
    assert "`token` in clear is refused; use `token_env` or `token_file`" in res.stderr
    assert ADMIN_TOKEN not in res.stdout + res.stderr
    contexts(tmp_path, body + "    plaintext_secrets: true\n")
    assert run_cli("push", "--out", str(out), "--context", "dev", env=env).exit_code == 0
    wrong = body.replace(ADMIN_TOKEN, "glsa_wrong_but_secret") + "    plaintext_secrets: true\n"
    contexts(tmp_path, wrong)
    res = run_cli("push", "--out", str(out), "--context", "dev", env=env)
    assert res.exit_code == 3 and "401" in res.stderr
    assert "glsa_wrong_but_secret" not in res.stdout + res.stderr


@pytest.mark.parametrize(
    ("body", "args", "message"),
    [
        (None, ("--context", "x"), "a contexts file names each Grafana"),
        ("contexts: {a: {url: 'http://g'}}\n", ("--context", "b"), "no context 'b' (there are: a)"),
        ("contexts: {a: {url: 'http://g', tokn: x}}\n", ("--context", "a"), "unknown key 'tokn'"),
        ("contexts: {a: {token_env: T}}\n", ("--context", "a"), "`url` (Grafana's base URL)"),
        (
            "contexts: {a: {url: 'http://g', token_env: NOPE}}\n",
            ("--context", "a"),
            "NOPE, which is not set",
        ),
        ("contexts: {a: {url: 'http://g', api: v9}}\n", ("--context", "a"), "`api` must be one of"),
        ("contexts: [a\n", ("--context", "a"), "not YAML"),
        ("contexts: " + "[" * 300 + "]" * 300 + "\n", ("--context", "a"), ":1: nested deeper"),
        ("contexts: {}\n", ("--context", "a"), "expected a mapping `contexts:`"),
        ("contexts: {a: 5}\n", ("--context", "a"), "context 'a' must be a mapping"),
        (
            "contexts: {a: {url: 'http://g', token_file: /nonexistent/t}}\n",
            ("--context", "a"),
            "token_file /nonexistent/t: No such file or directory",
        ),
        (
            "contexts: {a: {url: 'http://g', password_file: /tmp}}\n",
            ("--context", "a"),
            "password_file /tmp: ",
        ),
        ("contexts: {a: {url: 'grafana:3000'}}\n", ("--context", "a"), "must start with http://"),
    ],
)
def test_bad_contexts_are_one_clear_line(
    run_cli: RunCli,
    out: Path,
    tmp_path: Path,
    body: str | None,
    args: tuple[str, ...],
    message: str,
) -> None:
    file = tmp_path / "contexts.yaml"
    if body is not None:
        file.write_text(body)
    res = run_cli("push", "--out", str(out), "--contexts", str(file), *args, env=NO_ENV)
    assert res.exit_code == 2, res.stdout + res.stderr
    assert message in res.stderr and str(file) in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
