"""`-o json|yaml|table|wide`, `--json` (its alias) and `-q/--quiet`: how every command prints.

Every command is a `Command` (the root `Group` makes it one) and receives one `view: View`.
A document (`-o json`, `-o yaml`) is all of stdout; `table` is the human text, `wide` the same
with every column; `--quiet` drops informational lines (chatter, progress), never a result, a
warning or an error.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import click

from tsedash.commands.common import echo, handles_errors
from tsedash.errors import TsedashError

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

    @contextlib.contextmanager
    def errors_as_document(self, document_of: Callable[[Exception], Any]) -> Iterator[None]:
        """With -o json|yaml an error is also the one document of stdout (then mapped as ever)."""
        try:
            yield
        except (TsedashError, OSError) as exc:
            if self.structured:
                self.document(document_of(exc))
            raise


def render_document(payload: Any, fmt: str) -> str:
    if fmt != "yaml":
        return json.dumps(payload, indent=2, sort_keys=True)
    import yaml

    return str(yaml.safe_dump(payload, sort_keys=True, allow_unicode=True)).rstrip("\n")


def _root_quiet(ctx: click.Context) -> bool:
    """`tsedash -q COMMAND`: the root group's flag applies to every command."""
    return bool(ctx.find_root().params.get("quiet"))


class Command(click.Command):
    """Every command, by construction: -o/--output, --json (= -o json) and -q/--quiet handed
    to its function as one `view: View`; its errors mapped to exit codes (`handles_errors`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params += [
            click.Option(["-o", "--output"], type=click.Choice(FORMATS), help=_FORMAT),
            click.Option(["--json", "as_json"], is_flag=True, help="Same as -o json."),
            click.Option(["-q", "--quiet"], is_flag=True, help=_QUIET),
        ]
        self.callback = self.callback and handles_errors(self.callback)

    def invoke(self, ctx: click.Context) -> Any:
        output, as_json, quiet = (ctx.params.pop(name) for name in ("output", "as_json", "quiet"))
        if as_json and output not in (None, "json"):
            raise click.UsageError(f"--json is -o json: it cannot go with -o {output}")
        fmt = "json" if as_json else (output or "table")
        ctx.params["view"] = View(fmt, quiet or _root_quiet(ctx))
        return super().invoke(ctx)


class Group(click.Group):
    """A group whose commands are `Command`s and whose subgroups are `Group`s."""

    command_class = Command
    group_class = type
