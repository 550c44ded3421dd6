"""The conventions every command keeps (docs/cli.md): -o json|yaml|table|wide with --json as
its alias, -q/--quiet, one document on stdout, and `tsedash --help` saying so."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from tsedash.cli import cli
from tsedash.commands.common import FORMATS, View
from tsedash.encode import render_document

from .conftest import ROOT


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


COMMANDS = dict(_commands(cli))


def test_the_command_tree_is_the_one_documented() -> None:
    documented = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert len(COMMANDS) >= 24
    # `push`, `registry show`, or a family's row: `context list|use|current|check`
    missing = [
        name
        for name in COMMANDS
        if not re.search(
            rf"`{re.escape(name.split()[0])}[ `/|][^`]*?\b{name.split()[-1]}\b", documented
        )
        and f"`{name}`" not in documented
    ]
    assert missing == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_takes_the_output_and_quiet_options(name: str) -> None:
    options = {opt for p in COMMANDS[name].params for opt in p.opts}
    assert {"-o", "--output", "--json", "-q", "--quiet"} <= options
    output = next(p for p in COMMANDS[name].params if p.name == "output")
    assert isinstance(output.type, click.Choice)
    assert tuple(output.type.choices) == FORMATS


def test_json_with_another_format_is_a_usage_error(run_cli: Callable[..., Any]) -> None:
    res = run_cli("registry", "check", "--json", "-o", "yaml")
    assert res.exit_code == 2
    assert "--json is -o json: it cannot go with -o yaml" in res.stderr
    assert res.stdout == ""


@pytest.mark.parametrize(
    "args",
    [("registry", "check"), ("registry", "show"), ("prometheus", "--out", "{tmp}/p")],
)
def test_yaml_and_json_are_the_same_document(
    args: tuple[str, ...], run_cli: Callable[..., Any], tmp_path: Any
) -> None:
    def run(*extra: str) -> Any:  # each into its own directory: the same files written
        return run_cli(*[a.replace("{tmp}", str(tmp_path / extra[-1])) for a in args], *extra)

    as_json, alias, as_yaml = run("-o", "json"), run("--json"), run("-o", "yaml")
    assert as_json.exit_code == alias.exit_code == as_yaml.exit_code == 0
    docs = [json.loads(as_json.stdout), json.loads(alias.stdout), yaml.safe_load(as_yaml.stdout)]
    for doc in docs:  # the one difference: the directory each wrote into
        if isinstance(doc, dict) and "out" in doc:
            doc["out"] = Path(doc["out"]).name
    assert docs[0] == docs[1] == docs[2]
    assert as_yaml.stdout != as_json.stdout  # truly YAML, not JSON (which YAML also reads)


def test_the_root_quiet_flag_reaches_the_command(
    run_cli: Callable[..., Any], tmp_path: Any
) -> None:
    old = str(ROOT / "tests" / "data" / "old-dashboards" / "grafana4-rows.json")
    loud = run_cli("migrate", old, "--out", str(tmp_path / "a"))
    quiet = run_cli("-q", "migrate", old, "--out", str(tmp_path / "b"))
    assert loud.exit_code == quiet.exit_code == 0
    assert len(loud.stdout.splitlines()) > 10  # the report: a line per step and panel
    assert quiet.stdout == f"wrote {tmp_path / 'b' / 'grafana4-rows.json'}\n"  # the result only


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_document_is_sorted_and_byte_stable(fmt: str) -> None:
    payload = {"b": [1, {"z": 1, "a": 2}], "a": "é"}
    first = render_document(payload, fmt)
    assert first == render_document(dict(reversed(payload.items())), fmt)
    assert first.index("a") < first.index("b")
    assert (json.loads(first) if fmt == "json" else yaml.safe_load(first)) == payload


def test_a_view_drops_notes_only_when_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    View("table", quiet=True).note("chatter")
    View("table").note("said")
    View("json").document({"k": 1})
    captured = capsys.readouterr()
    assert captured.err == "said\n"
    assert json.loads(captured.out) == {"k": 1}
    assert View("yaml").structured and View("json").structured and not View("wide").structured
    assert View("wide").format == "wide" and not View().structured


def test_help_names_the_conventions(run_cli: Callable[..., Any]) -> None:
    text = run_cli("--help").stdout
    for needle in ("-o, --output", "-q, --quiet", "Exit codes: 0 ok", "--detailed-exitcode"):
        assert needle in text
    for name in {name.split()[0] for name in COMMANDS}:
        assert f"  {name} " in text or f"  {name}\n" in text
