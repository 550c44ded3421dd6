"""The v2 resources `build --schema v2` wrote, read back and validated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tsedash.dashv2 import V2_DIR
from tsedash.dashv2.checks import validate_resource
from tsedash.findings import Finding
from tsedash.inputs import UnreadableInput, read_json
from tsedash.provisioning.render import DASHBOARD_DIR


def validate_all(out: Path) -> list[Finding]:
    """`tsedash validate`: the dashboards in `out` against Grafana's rules and the v2
    resources beside them (each against the v1 dashboard of its name), in file order."""
    from tsedash.validate import validate_dir

    return sorted(validate_dir(out) + validate_v2_dir(out), key=Finding.sort_key)


def validate_v2_dir(out: Path) -> list[Finding]:
    """Findings for every `out/dashboards-v2/*.json`, each compared with the v1 dashboard of
    the same name when there is one; none when the directory does not exist."""
    root = out / V2_DIR
    findings: list[Finding] = []
    for path in sorted(root.glob("*.json")) if root.is_dir() else []:
        source: Any = None
        v1 = out / DASHBOARD_DIR / path.name
        try:
            made = read_json(path)
            source = read_json(v1) if v1.is_file() else None
        except UnreadableInput as exc:
            findings.append(Finding(exc.path, exc.line, message=exc.reason))
            continue
        findings += validate_resource(str(path), made, source if isinstance(source, dict) else None)
    return findings
