"""The conventions of build, validate, migrate, lint, prometheus, deploy and watch: `-o json|yaml`
(`--json` its alias), `-q`, `migrate --out`, and what an extra's problems say."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE

RunCli = Callable[..., Result]
UPTIME = ROOT / "examples/extras/instance-uptime.json"
OLD = ROOT / "tests/data/old-dashboards/grafana10-graph.json"


def _ok(res: Result) -> Result:
    assert res.exit_code == 0, res.stderr
    return res


@pytest.mark.parametrize(
    "command",
    [
        ["build", "--registry", str(FIXTURE), "--out", "{tmp}/p", "--rebuild"],
        ["validate", "--out", str(ROOT / "provisioning")],
        ["lint", "--out", str(ROOT / "provisioning")],
        ["prometheus", "--registry", str(FIXTURE), "--out", "{tmp}/prom"],
        ["deploy", "--registry", str(FIXTURE), "--out", "{tmp}/deploy"],
        ["migrate", str(OLD)],
    ],
)
def test_yaml_is_the_json_document_and_json_is_its_alias(
    run_cli: RunCli, tmp_path: Path, command: list[str]
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    first = json.loads(_ok(run_cli(*args, "-o", "json")).stdout)  # writers: files written
    as_json = json.loads(_ok(run_cli(*args, "-o", "json")).stdout)  # … then unchanged
    assert isinstance(as_json, list if command[0] == "validate" else dict)
    assert command[0] == "validate" or first.keys() == as_json.keys()
    assert yaml.safe_load(_ok(run_cli(*args, "-o", "yaml")).stdout) == as_json
    assert json.loads(_ok(run_cli(*args, "--json")).stdout) == as_json


def _old_extras(tmp_path: Path) -> Path:
    extras = tmp_path / "extras"
    extras.mkdir()
    model = json.loads(UPTIME.read_text())
    model["schemaVersion"] = 36  # saved by Grafana 9: migrated on every build
    (extras / "uptime.json").write_text(json.dumps(model, indent=2))
    return extras


def test_migrations_are_told_when_their_file_is_written_and_quiet_drops_them(
    run_cli: RunCli, tmp_path: Path
) -> None:
    extras = _old_extras(tmp_path)
    args = ["build", "--registry", str(FIXTURE), "--extras", str(extras)]
    migrated = "migrated tse-extra-uptime: schemaVersion 36 → 42\n"
    first = _ok(run_cli(*args, "--out", str(tmp_path / "a")))
    assert first.stdout.startswith(migrated)
    reused = _ok(run_cli(*args, "--out", str(tmp_path / "a")))
    assert (
        reused.stdout
        == f"{tmp_path / 'a'}: 3 dashboards from 4 instances; 0 written, 5 unchanged, 0 removed\n"
    )
    rebuilt = _ok(run_cli(*args, "--out", str(tmp_path / "a"), "--rebuild"))
    assert rebuilt.stdout == reused.stdout  # built, nothing written: nothing to tell
    quiet = _ok(run_cli(*args, "--out", str(tmp_path / "b"), "-q"))
    assert "migrated" not in quiet.stdout + quiet.stderr
    assert quiet.stdout == first.stdout.replace(migrated, "").replace(
        str(tmp_path / "a"), str(tmp_path / "b")
    )
    root_quiet = _ok(run_cli("-q", *args, "--out", str(tmp_path / "c")))
    assert "migrated" not in root_quiet.stdout
    # The document lists the migrations whether or not they were printed.
    doc = json.loads(_ok(run_cli(*args, "--out", str(tmp_path / "a"), "-q", "-o", "json")).stdout)
    assert [m["change"] for m in doc["migrations"]] == ["schemaVersion 36 → 42"]


def test_an_extra_is_linted_on_every_build_at_its_own_file(run_cli: RunCli, tmp_path: Path) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    model = json.loads(UPTIME.read_text())
    panel = next(
        p for p in model["panels"] if p.get("fieldConfig", {}).get("defaults", {}).get("unit")
    )
    del panel["fieldConfig"]["defaults"]["unit"]  # a warning
    source = extras / "uptime.json"
    source.write_text(json.dumps(model, indent=2))
    line = next(
        n for n, t in enumerate(source.read_text().splitlines(), 1) if f'"{panel["title"]}"' in t
    )
    warning = (
        f"{source}:{line}: warning panel-units: dashboard tse-extra-uptime panel '{panel['title']}'"
    )
    args = ["build", "--registry", str(FIXTURE), "--extras", str(extras)]
    plain = _ok(run_cli(*args, "--out", str(tmp_path / "a")))
    assert plain.stderr.startswith(warning) and "lint:" not in plain.stdout
    assert "extra-uptime.json" in plain.stdout  # a warning does not stop the build
    linted = _ok(run_cli(*args, "--out", str(tmp_path / "b"), "--lint"))
    assert linted.stderr.startswith(warning) and "lint: 0 errors, 1 warnings" in linted.stdout
    # The document has the lint of a --lint build; the extras' own lint is on stderr.
    doc = json.loads(
        _ok(run_cli(*args, "--out", str(tmp_path / "b"), "--lint", "-o", "json")).stdout
    )
    assert [f["file"] for f in doc["lint"]["findings"]] == [str(source)]
    plain_doc = run_cli(*args, "--out", str(tmp_path / "a"), "-o", "json")
    assert "lint" not in json.loads(plain_doc.stdout) and plain_doc.stderr.startswith(warning)
    # An error stops the build with or without --lint: nothing written.
    panel["targets"][0]["expr"] = 'sum(rate(up{job=~"$service", instance=~"$instance"}[5m]))'
    source.write_text(json.dumps(model, indent=2))
    for extra in ([], ["--lint"]):
        out = tmp_path / f"c{len(extra)}"
        res = run_cli(*args, "--out", str(out), *extra)
        assert res.exit_code == 1
        assert f"{source}:{line}: error target-rate-interval: " in res.stderr
        assert res.stderr.endswith(f"error: lint failed; nothing written to {out}\n")
        assert not out.exists()


def test_a_missing_optional_library_says_how_to_install_it(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # grafanalib made unimportable for the extra's process, as in an install without it.
    shadow = tmp_path / "shadow/grafanalib"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'grafanalib'\", name='grafanalib')\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(shadow.parent))
    extras = tmp_path / "extras"
    extras.mkdir()
    shutil.copy(ROOT / "examples/extras/team-red.dashboard.py", extras)
    out = tmp_path / "p"
    res = run_cli("build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras))
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == (
        f"error: {extras / 'team-red.dashboard.py'}: needs grafanalib: "
        "pip install 'tsedash[grafanalib]'\n"
    )
    assert not out.exists()
    # Another missing module is the extra's own error, at its line.
    (extras / "team-red.dashboard.py").write_text("x = 1\nimport no_such_module\n")
    res = run_cli("build", "--registry", str(FIXTURE), "--out", str(out), "--extras", str(extras))
    assert res.exit_code == 2 and ":2: ModuleNotFoundError: No module named" in res.stderr


def test_migrate_o_is_the_format_and_a_directory_still_works_with_a_warning(
    run_cli: RunCli, tmp_path: Path
) -> None:
    old = _ok(run_cli("migrate", "-o", str(tmp_path / "a"), str(OLD)))
    assert old.stderr.startswith("warning: `migrate -o DIR` is deprecated: use --out DIR\n")
    new = _ok(run_cli("migrate", "--out", str(tmp_path / "b"), str(OLD)))
    assert "deprecated" not in new.stderr
    assert (tmp_path / "a" / OLD.name).read_bytes() == (tmp_path / "b" / OLD.name).read_bytes()
    assert new.stdout == old.stdout.replace(str(tmp_path / "a"), str(tmp_path / "b"))
    quiet = _ok(run_cli("migrate", "-q", "--out", str(tmp_path / "c"), str(OLD)))
    assert quiet.stdout == f"wrote {tmp_path / 'c' / OLD.name}\n"
    assert len(new.stdout.splitlines()) > 3  # the report -q dropped


def test_watch_builds_with_the_inputs_options_and_polls_their_files(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    class Recorder:
        def __init__(
            self, build: list[str], files: list[Path], dirs: list[Path], *rest: Any, **kw: Any
        ) -> None:
            seen.update(build=build, files=files, dirs=dirs, push=rest[0])

        def run(self, cycles: int | None) -> None:
            seen["cycles"] = cycles

    monkeypatch.setattr("tsedash.watch.Watcher", Recorder)
    extras = tmp_path / "x"
    extras.mkdir()
    args = ["--registry", "r.yaml", "--compose", "c.yml", "--extras", str(extras)]
    res = _ok(run_cli("watch", *args, "--base", "b.yml", "--cycles", "0"))
    assert res.stdout.startswith("watching 5 files and")
    assert seen["build"] == [
        *args, "--base", "b.yml", "--out", "provisioning", "--lint", "--strict",
        "--deploy", "deploy", "-q",
    ]  # fmt: skip
    assert seen["files"] == [
        Path(p) for p in ("r.yaml", "instances.yaml", "c.yml", ".lint.yaml", "b.yml")
    ]
    assert seen["dirs"][0] == extras and seen["cycles"] == 0
    quiet = _ok(run_cli("watch", *args, "--no-deploy", "-q", "--cycles", "0"))
    assert quiet.stdout == ""
    assert seen["build"][-3:] == ["--lint", "--strict", "-q"] and "--base" not in seen["build"]
    # A context is checked at start, then each good build is pushed to it.
    contexts = tmp_path / "contexts.yaml"
    contexts.write_text("contexts:\n  lab:\n    url: http://127.0.0.1:9\n    token_env: LAB_T\n")
    monkeypatch.setenv("LAB_T", "glsa_token")
    _ok(run_cli("watch", "--context", "lab", "--contexts", str(contexts), "-q", "--cycles", "0"))
    assert seen["push"] == [
        "--out",
        "provisioning",
        "--context",
        "lab",
        "--contexts",
        str(contexts),
    ]
    missing = run_cli("watch", "--context", "nope", "--contexts", str(contexts), "--cycles", "0")
    assert missing.exit_code == 2 and "nope" in missing.stderr


def test_watch_prints_lines_not_a_document(run_cli: RunCli) -> None:
    res = run_cli("watch", "-o", "json", "--cycles", "0")
    assert res.exit_code == 2 and res.stdout == ""
    assert "watch prints one line per cycle: -o json is not one" in res.stderr


def test_watch_says_each_line_and_stops_on_ctrl_c_or_sigterm(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    from tsedash.watch import _interrupt

    class Interrupted:
        def __init__(self, *args: Any, **kw: Any) -> None:
            self.say = args[5]

        def run(self, cycles: int | None) -> None:
            self.say("12:00:00 start: built 0 written, 4 unchanged in 0.1s")
            raise KeyboardInterrupt

    monkeypatch.setattr("tsedash.watch.Watcher", Interrupted)
    before = signal.getsignal(signal.SIGTERM)
    try:
        res = _ok(run_cli("watch", "--no-deploy", "-q"))
        assert signal.getsignal(signal.SIGTERM) is _interrupt  # `kill` stops it like Ctrl-C
    finally:
        signal.signal(signal.SIGTERM, before)
    assert res.stdout == "12:00:00 start: built 0 written, 4 unchanged in 0.1s\nstopped\n"
    with pytest.raises(KeyboardInterrupt):
        _interrupt(signal.SIGTERM, None)
