"""`-o json|yaml|table|wide`, `--json` (its alias) and `-q/--quiet`: how every command prints.

A command declares `@output_options` and receives one `view: View`. A document (`-o json`,
`-o yaml`) is all of stdout; `table` is the human text, `wide` the same with every column;
`--quiet` drops informational lines (chatter, progress), never a result, a warning or an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import wraps
from typing import Any

import click

from tsedash.commands.common import F, echo

FORMATS = ("table", "wide", "json", "yaml")
_FORMAT = "Output format: table (default), wide (every column), json or yaml."
_QUIET = "Only results, warnings and errors: no chatter."


@dataclass(frozen=True)
class View:
    """What the user asked to see: the format and whether informational lines are wanted."""

    format: str = "table"
    quiet: bool = False

    @property
    def structured(self) -> bool:
        """json or yaml: stdout is exactly one document."""
        return self.format in ("json", "yaml")

    @property
    def wide(self) -> bool:
        return self.format == "wide"

    def document(self, payload: Any) -> None:
        """Print `payload` as the one document of stdout (sorted keys: byte-stable)."""
        echo(render_document(payload, self.format))

    def note(self, line: str, err: bool = True) -> None:
        """An informational line: dropped with --quiet."""
        if not self.quiet:
            echo(line, err=err)


def render_document(payload: Any, fmt: str) -> str:
    if fmt != "yaml":
        return json.dumps(payload, indent=2, sort_keys=True)
    import yaml

    return str(yaml.safe_dump(payload, sort_keys=True, allow_unicode=True)).rstrip("\n")


def _root_quiet() -> bool:
    """`tsedash -q COMMAND`: the root group's flag applies to every command."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("quiet"))


def output_options(func: F) -> F:
    """-o/--output, --json (= -o json) and -q/--quiet → one `view: View`."""

    @click.option("-o", "--output", type=click.Choice(FORMATS), help=_FORMAT)
    @click.option("--json", "as_json", is_flag=True, help="Same as -o json.")
    @click.option("-q", "--quiet", is_flag=True, help=_QUIET)
    @wraps(func)
    def wrapper(*args: Any, output: str | None, as_json: bool, quiet: bool, **kwargs: Any) -> Any:
        if as_json and output not in (None, "json"):
            raise click.UsageError(f"--json is -o json: it cannot go with -o {output}")
        fmt = "json" if as_json else (output or "table")
        return func(*args, view=View(fmt, quiet or _root_quiet()), **kwargs)

    return wrapper  # type: ignore[return-value]
