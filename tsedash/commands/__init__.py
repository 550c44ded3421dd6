"""The `tsedash` command: parse options, call the library, map errors to exit codes.

One module per command family; each only parses options, calls one library function and
prints its typed result. Exit codes (README.md): 0 ok · 1 findings · 2 bad input or usage ·
3 remote failure.
"""

from __future__ import annotations

from tsedash.commands import build, grafana, live, registry, run, watch  # noqa: F401
from tsedash.commands.common import cli


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="tsedash")
