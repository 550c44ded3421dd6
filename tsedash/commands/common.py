"""What every command shares: the root group, `-o/--json/-q` as one `View`, output through
`redact`, errors mapped to exit codes, and the options several commands take. Every stage is
imported by the commands that use it: `registry show` does not pay for the dashboard
builders, an unchanged `build` not even for the registry loader."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from tsedash import __version__
from tsedash.errors import TsedashError, describe
from tsedash.redact import redact, remember_environment

F = TypeVar("F", bound=Callable[..., Any])
DIR = click.Path(file_okay=False, path_type=Path)
FILE = click.Path(dir_okay=False, path_type=Path)
FORMATS = ("table", "wide", "json", "yaml")
_FORMAT = "Output format: table (default), wide (every column), json or yaml."
_QUIET = "Only results, warnings and errors: no chatter."
_PROVISIONING = "Provisioning directory (mount it at /etc/grafana/provisioning)."
_DASHBOARDS = "The provisioning directory whose dashboards to read (what `tsedash build` wrote)."
_CONTEXTS = "The contexts file (default: $TSEDASH_CONTEXTS or ~/.config/tsedash/contexts.yaml)."
_IN_PROVISIONING: dict[str, Any] = {"default": "provisioning", "show_default": True, "type": DIR}
out_option = click.option("--out", help=_PROVISIONING, **_IN_PROVISIONING)
dashboards_option = click.option("--dashboards", "source", help=_DASHBOARDS, **_IN_PROVISIONING)
CONTEXTS_OPTION = click.option("--contexts", "contexts_file", type=FILE, help=_CONTEXTS)


def echo(message: Any = "", err: bool = False, nl: bool = True) -> None:
    """The one way out for text: every line passes `redact` (no secret leaves the program)."""
    click.echo(redact(str(message)), err=err, nl=nl)


def echo_lines(lines: list[Any], err: bool = True) -> None:
    for line in lines:
        echo(line, err=err)


@dataclass(frozen=True)
class View:
    """What the user asked to see. A document (json, yaml) is all of stdout; `table` is the
    human text, `wide` the same with every column; `quiet` drops informational lines (chatter,
    progress), never a result, a warning or an error."""

    format: str = "table"
    quiet: bool = False

    @property
    def structured(self) -> bool:
        """json or yaml: stdout is exactly one document."""
        return self.format in ("json", "yaml")

    def document(self, payload: Any) -> None:
        """Print `payload` as the one document of stdout (sorted keys: byte-stable)."""
        from tsedash.encode import render_document

        echo(render_document(payload, self.format))

    def show(self, payload: Any, lines: Iterable[Any], err: bool = False) -> None:
        """A result: `payload` as the one document (-o json|yaml), else its `lines`, each a
        line for stdout (`err`: stderr) or an `(err, line)` pair naming its stream."""
        if self.structured:
            return self.document(payload)
        for line in lines:
            to_err, text = line if isinstance(line, tuple) else (err, line)
            echo(text, err=to_err)

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


class Command(click.Command):
    """Every command, by construction: -o/--output, --json (= -o json) and -q/--quiet handed
    to its function as one `view: View`; its errors one clear line per problem on stderr (a
    RegistryError's each, else `error: …`) and the contract's exit code, never a traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params += [
            click.Option(["-o", "--output"], type=click.Choice(FORMATS), help=_FORMAT),
            click.Option(["--json", "as_json"], is_flag=True, help="Same as -o json."),
            click.Option(["-q", "--quiet"], is_flag=True, help=_QUIET),
        ]

    def invoke(self, ctx: click.Context) -> Any:
        output, as_json, quiet = (ctx.params.pop(name) for name in ("output", "as_json", "quiet"))
        if as_json and output not in (None, "json"):
            raise click.UsageError(f"--json is -o json: it cannot go with -o {output}")
        fmt = "json" if as_json else (output or "table")
        root_quiet = ctx.find_root().params.get("quiet")  # `tsedash -q COMMAND`
        ctx.params["view"] = View(fmt, bool(quiet or root_quiet))
        try:
            return super().invoke(ctx)
        except TsedashError as exc:
            problems = getattr(exc, "problems", None)
            echo_lines([str(p) for p in problems] if problems else [f"error: {exc}"])
            sys.exit(exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # OSError, RecursionError, MemoryError, a bug
            echo(f"error: {describe(exc)}", err=True)
            sys.exit(2)


class Group(click.Group):
    """A group whose commands are `Command`s and whose subgroups are `Group`s."""

    command_class = Command
    group_class = type


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tsedash")
@click.option(
    "-q", "--quiet", is_flag=True, help="Only results, warnings and errors (every command)."
)
def cli(quiet: bool) -> None:
    """Trading Ecosystem dashboards as code: registry → dashboards → Grafana.

    \b
    Every command:
      -o, --output FORMAT  table (default), wide, json or yaml (--json: -o json)
      -q, --quiet          only results, warnings and errors
      -h, --help           its options
    \b
    Exit codes: 0 ok · 1 findings · 2 bad input or usage · 3 remote failure
    (push --dry-run --detailed-exitcode: 2 when changes are pending).
    Grafana: --context NAME (env TSEDASH_CONTEXT) or --url (env GRAFANA_URL).
    """
    remember_environment(os.environ)
