"""Exception types shared by every stage; each maps to one CLI exit code."""

from __future__ import annotations


class TsedashError(Exception):
    """Base of every error tsedash raises on purpose.

    `exit_code` follows the CLI contract: 1 findings, 2 bad input or usage, 3 remote failure.
    """

    exit_code = 2


class InputError(TsedashError):
    """Bad input a user can fix: a missing file, a malformed value."""

    exit_code = 2


# What an exception that is no TsedashError means, in one line (exit 2).
_PLAIN_ERRORS = {
    RecursionError: "an input is nested too deeply to read",
    MemoryError: "an input is too large to hold in memory",
}


def describe(exc: Exception) -> str:
    """An exception that is no TsedashError as one line: an OSError names its file; anything
    else unexpected is a bug, said so."""
    if isinstance(exc, OSError):  # a file or device the command could not use
        return (
            f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc.strerror or exc)
        )
    if type(exc) in _PLAIN_ERRORS:
        return _PLAIN_ERRORS[type(exc)]
    return f"unexpected {type(exc).__name__}: {exc} (a bug in tsedash)"
