"""`tsedash.cli:main`, the console script's entry point: the commands live in `tsedash.commands`."""

from __future__ import annotations

from tsedash.commands import main
from tsedash.commands.common import cli

__all__ = ["cli", "main"]

if __name__ == "__main__":  # pragma: no cover
    main()
