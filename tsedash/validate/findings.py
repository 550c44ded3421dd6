"""Validation findings (the project's one `Finding`: file, dashboard, panel, JSON pointer, why)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tsedash.errors import TsedashError
from tsedash.findings import Finding

__all__ = ["Finding", "ValidationFailed"]


class ValidationFailed(TsedashError):
    """Generated or existing dashboards that Grafana would reject or misread (exit 1)."""

    exit_code = 1

    def __init__(self, findings: list[Finding], migrations: Sequence[Any] = ()) -> None:
        self.findings = sorted(findings, key=Finding.sort_key)
        self.migrations = list(migrations)  # what importing old extras changed first
        super().__init__(
            f"{len(self.findings)} validation finding{'s' if len(self.findings) != 1 else ''}"
        )
