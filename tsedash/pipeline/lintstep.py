"""The lint step of a build: the dashboards in memory, before anything is written.

An extra dashboard is linted on every build (its errors stop it, its warnings print) and its
findings name the user's file, `extras/foo.json:12`, not the provisioning file it would
become; `--lint` lints the generated dashboards too, `--strict` fails on warnings.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tsedash.pipeline.report import LintSection

if TYPE_CHECKING:
    from tsedash.lint import LintReport
    from tsedash.pipeline.inputs import SourceSpec
    from tsedash.registry import Registry


def lint_json(report: LintReport) -> dict[str, Any]:
    """The `-o json` form of a lint report (also `tsedash lint`'s document)."""
    return {
        "findings": [f.as_dict() for f in report.findings],
        "excluded": len(report.excluded),
        "unused_exclusions": [
            {"rule": e.rule, "dashboard": e.dashboard, "panel": e.panel, "line": e.line}
            for e in report.unused
        ],
    }


def lint_section(
    report: LintReport, exclusions: str | None, strict: bool, full: bool = True
) -> LintSection:
    from tsedash.lint import RULES

    return LintSection(lint_json(report), exclusions, strict, len(RULES), full)


def lint_files(
    spec: SourceSpec, out: Path, exclusions_path: str | None, strict: bool
) -> LintSection:
    """`tsedash lint`: the dashboards in `out` against the registry of `spec` (its warnings
    are `registry check`'s to print)."""
    from tsedash.lint import lint_dir, load_exclusions

    report = lint_dir(out, spec.load().registry, load_exclusions(exclusions_path))
    return lint_section(report, exclusions_path, strict)


def lint_built(
    dashboards: list[tuple[Any, dict[str, Any]]],
    registry: Registry,
    out: Path,
    exclusions: str | None,
    strict: bool,
    full: bool,
) -> LintSection:
    """Lint every dashboard (`full`) or only the extras; unused exclusions count only for a
    full lint (an extras-only lint does not see the dashboards they are about)."""
    from tsedash.lint import lint_dashboards, load_exclusions
    from tsedash.provisioning.render import DASHBOARD_DIR

    sources = {spec.uid: spec.source for spec, _ in dashboards if hasattr(spec, "source")}
    items = [
        (str(out / DASHBOARD_DIR / spec.filename), model)
        for spec, model in dashboards
        if full or spec.uid in sources
    ]
    report = lint_dashboards(items, registry, load_exclusions(exclusions))
    report.findings = sorted(
        (_at_source(f, sources.get(f.uid)) for f in report.findings), key=lambda f: f.sort_key()
    )
    if not full:
        report.unused = []
    return lint_section(report, exclusions, strict and full, full)


def _at_source(finding: Any, source: str | None) -> Any:
    """An extra's finding at the user's file, at the line naming its panel when one does."""
    if source is None:
        return finding
    return replace(finding, file=source, line=_panel_line(Path(source), finding.panel))


def _panel_line(path: Path, panel: str) -> int:
    """The first line of the source that holds the panel's title as a string (0: none)."""
    if not panel:
        return 0
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0
    quoted = (json.dumps(panel, ensure_ascii=False), repr(panel))
    for number, line in enumerate(text.splitlines(), 1):
        if any(q in line for q in quoted):
            return number
    return 0
