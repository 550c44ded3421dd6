"""A validation finding: which file, which dashboard, which panel, where (JSON pointer), why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tsedash.errors import TsedashError


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    uid: str
    pointer: str
    message: str
    panel: str = ""

    def __str__(self) -> str:
        panel = f" panel '{self.panel}'" if self.panel else ""
        where = f" at {self.pointer}" if self.pointer else ""
        return f"{self.file}: dashboard {self.uid or '?'}{panel}{where}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {
            "file": self.file,
            "uid": self.uid,
            "panel": self.panel,
            "pointer": self.pointer,
            "message": self.message,
        }


class ValidationFailed(TsedashError):
    """Generated or existing dashboards that Grafana would reject or misread (exit 1)."""

    exit_code = 1

    def __init__(self, findings: list[Finding], migrations: Sequence[Any] = ()) -> None:
        self.findings = sorted(findings)
        self.migrations = list(migrations)  # what importing old extras changed first
        super().__init__(
            f"{len(self.findings)} validation finding{'s' if len(self.findings) != 1 else ''}"
        )
