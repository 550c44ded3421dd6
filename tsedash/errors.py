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
