"""What every command shares: output through `redact`, errors to exit codes, options."""

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

# Every stage is imported by the commands that use it: `registry show` does not pay for the
# dashboard builders, an unchanged `build` not even for the registry loader.

F = TypeVar("F", bound=Callable[..., Any])


def echo(message: Any = "", err: bool = False, nl: bool = True) -> None:
    """The one way out for text: every line passes `redact` (no secret leaves the program)."""
    click.echo(redact(str(message)), err=err, nl=nl)


def remember_environment_secrets() -> None:
    """The secrets the environment hands us, so that `redact` can mask them in any output."""
    remember_secret(os.environ.get("GRAFANA_TOKEN"))
    remember_secret(os.environ.get("GRAFANA_PASSWORD"), os.environ.get("GRAFANA_USER"))
    remember_url(os.environ.get("GRAFANA_URL"))
    remember_url(os.environ.get("REDIS_URL"))


def fail(exc: TsedashError) -> None:
    problems = getattr(exc, "problems", None)  # RegistryError: one line per problem
    if problems:
        for problem in problems:
            echo(str(problem), err=True)
    else:
        echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


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
        except OSError as exc:  # a file or device the command could not use
            where = f"{exc.filename}: " if exc.filename else ""
            echo(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(2)
        except RecursionError:
            echo("error: an input is nested too deeply to read", err=True)
            sys.exit(2)
        except MemoryError:
            echo("error: an input is too large to hold in memory", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug: say so in one line, never a traceback
            echo(f"error: unexpected {type(exc).__name__}: {exc} (a bug in tsedash)", err=True)
            sys.exit(2)
        finally:
            for client in CLIENTS:
                for notice in dict.fromkeys(client.notices):  # each once
                    echo(f"warning: {notice}", err=True)
            CLIENTS.clear()

    return wrapper  # type: ignore[return-value]


dashboards_option = click.option(
    "--dashboards",
    "source",
    default="provisioning",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The provisioning directory whose dashboards to read (what `tsedash build` wrote).",
)
out_option = click.option(
    "--out",
    "out",
    default="provisioning",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Provisioning directory (mount it at /etc/grafana/provisioning).",
)


def print_report(out: Path, report: Any, what: str) -> None:
    """The files a writer touched, then one summary line (same format for every writer)."""
    for rel in report.written:
        echo(f"wrote    {out / rel}")
    for rel in report.removed:
        echo(f"removed  {out / rel}")
    echo(
        f"{out}: {what}; {len(report.written)} written, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed"
    )


def print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        echo(str(finding), err=True)


def echo_lines(lines: list[str], err: bool = True) -> None:
    for line in lines:
        echo(line, err=err)


CLIENTS: list[Any] = []  # the command's Grafana clients: their notices are printed at the end


CONTEXTS_OPTION = click.option(
    "--contexts",
    "contexts_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The contexts file (default: $TSEDASH_CONTEXTS or ~/.config/tsedash/contexts.yaml).",
)


def v2_lines(notes: list[Any]) -> list[str]:
    """The v2 conversion's report as lines (`tsedash.dashv2.report.summary_lines`)."""
    from tsedash.dashv2.report import summary_lines

    return summary_lines(notes)


def report_dict(report: Any) -> dict[str, list[str]]:
    return {"written": report.written, "unchanged": report.unchanged, "removed": report.removed}
