"""`.lint.yaml`: exclusions, each naming the rule, the dashboard (and panel) and a reason."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsedash.errors import InputError
from tsedash.inputs import read_text
from tsedash.lint.core import LintFinding
from tsedash.lint.rules import RULES_BY_NAME
from tsedash.registry.yamlsource import LineDict, load_yaml

DEFAULT_EXCLUSIONS = ".lint.yaml"
_KEYS = {"rule", "dashboard", "panel", "reason"}


class LintConfigError(InputError):
    """A malformed exclusions file (exit 2), one line per problem."""


@dataclass(frozen=True)
class Exclusion:
    rule: str
    dashboard: str
    panel: str | None
    reason: str
    line: int

    def matches(self, finding: LintFinding) -> bool:
        return (
            finding.code == self.rule
            and finding.uid == self.dashboard
            and (self.panel is None or finding.panel == self.panel)
        )


def _problems(file: str, index: int, item: Any) -> list[str]:
    line = getattr(item, "line", 0)
    where = f"{file}:{line}: exclusions[{index}]"
    if not isinstance(item, LineDict):
        return [f"{where}: expected a mapping with rule, dashboard, panel, reason"]
    out = []
    for key in sorted(set(item) - _KEYS):
        out.append(f"{where}: unknown key '{key}' (allowed: {', '.join(sorted(_KEYS))})")
    rule = item.get("rule")
    if rule not in RULES_BY_NAME:
        close = difflib.get_close_matches(str(rule), list(RULES_BY_NAME), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        out.append(f"{where}: unknown rule {rule!r}{hint}")
    if not isinstance(item.get("dashboard"), str) or not item.get("dashboard"):
        out.append(f"{where}: `dashboard:` (a uid) is required")
    if "panel" in item and not isinstance(item["panel"], str):
        out.append(f"{where}: `panel:` must be a panel title")
    reason = item.get("reason")
    if not isinstance(reason, str) or len(reason.strip()) < 10:
        out.append(f"{where}: every exclusion needs a `reason:` that says why (10+ characters)")
    return out


def load_exclusions(path: str | Path | None) -> list[Exclusion]:
    """The exclusions of `path` (default `.lint.yaml` when present; none otherwise)."""
    file = Path(path or DEFAULT_EXCLUSIONS)
    if not file.exists():
        if path is not None:
            raise LintConfigError(f"{file}: exclusions file not found")
        return []
    from tsedash.registry import RegistryError  # the loader reports YAML errors in this type

    try:
        data, key_problems, _ = load_yaml(read_text(file), str(file), "a mapping of exclusions")
    except RegistryError as exc:
        raise LintConfigError("\n".join(str(p) for p in exc.problems)) from None
    problems = [str(p) for p in key_problems]
    if not isinstance(data, LineDict) or set(data) - {"exclusions"}:
        raise LintConfigError(f"{file}: expected a mapping with one key, `exclusions:` (a list)")
    items = data.get("exclusions") or []
    if not isinstance(items, list):
        raise LintConfigError(f"{file}: `exclusions:` must be a list")
    for index, item in enumerate(items):
        problems.extend(_problems(str(file), index, item))
    if problems:
        raise LintConfigError("\n".join(problems))
    return [
        Exclusion(i["rule"], i["dashboard"], i.get("panel"), i["reason"].strip(), i.line)
        for i in items
    ]
