"""What every command shares: output through `redact`, errors to exit codes, shared options.

Every stage is imported by the commands that use it: `registry show` does not pay for the
dashboard builders, an unchanged `build` not even for the registry loader."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tsedash.errors import TsedashError
from tsedash.redact import redact, remember_secret, remember_url

if TYPE_CHECKING:
    from tsedash.validate import Finding

F = TypeVar("F", bound=Callable[..., Any])
DIR = click.Path(file_okay=False, path_type=Path)
FILE = click.Path(dir_okay=False, path_type=Path)
_PROVISIONING = "Provisioning directory (mount it at /etc/grafana/provisioning)."
_DASHBOARDS = "The provisioning directory whose dashboards to read (what `tsedash build` wrote)."
_CONTEXTS = "The contexts file (default: $TSEDASH_CONTEXTS or ~/.config/tsedash/contexts.yaml)."
_IN_PROVISIONING: dict[str, Any] = {"default": "provisioning", "show_default": True, "type": DIR}
out_option = click.option("--out", help=_PROVISIONING, **_IN_PROVISIONING)
dashboards_option = click.option("--dashboards", "source", help=_DASHBOARDS, **_IN_PROVISIONING)
CONTEXTS_OPTION = click.option("--contexts", "contexts_file", type=FILE, help=_CONTEXTS)
# What an exception that is no TsedashError means, in one line (exit 2).
_PLAIN_ERRORS = {
    RecursionError: "an input is nested too deeply to read",
    MemoryError: "an input is too large to hold in memory",
}


def echo(message: Any = "", err: bool = False, nl: bool = True) -> None:
    """The one way out for text: every line passes `redact` (no secret leaves the program)."""
    click.echo(redact(str(message)), err=err, nl=nl)


def echo_lines(lines: list[str], err: bool = True) -> None:
    for line in lines:
        echo(line, err=err)


def print_findings(findings: list[Finding]) -> None:
    echo_lines([str(finding) for finding in findings])


def remember_environment_secrets() -> None:
    """The secrets the environment hands us, so that `redact` can mask them in any output."""
    remember_secret(os.environ.get("GRAFANA_TOKEN"))
    remember_secret(os.environ.get("GRAFANA_PASSWORD"), os.environ.get("GRAFANA_USER"))
    remember_url(os.environ.get("GRAFANA_URL"))
    remember_url(os.environ.get("REDIS_URL"))


def fail(exc: TsedashError) -> None:
    """One line per problem (a RegistryError's each), or `error: …`; the error's exit code."""
    problems = getattr(exc, "problems", None)
    echo_lines([str(p) for p in problems] if problems else [f"error: {exc}"])
    sys.exit(exc.exit_code)


def message_of(exc: Exception) -> str:
    """An exception that is no TsedashError as one line: an OSError names its file; anything
    else unexpected is a bug, said so."""
    if isinstance(exc, OSError):  # a file or device the command could not use
        return (
            f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc.strerror or exc)
        )
    if type(exc) in _PLAIN_ERRORS:
        return _PLAIN_ERRORS[type(exc)]
    return f"unexpected {type(exc).__name__}: {exc} (a bug in tsedash)"


def handles_errors(func: F) -> F:
    """One clear line per problem on stderr and the contract's exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TsedashError as exc:
            fail(exc)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # OSError, RecursionError, MemoryError, a bug
            echo(f"error: {message_of(exc)}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]
