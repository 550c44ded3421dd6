"""One finding model for the registry, validation and lint: one line format, one JSON shape."""

from __future__ import annotations

from tsedash.findings import Finding, Severity, sort_findings
from tsedash.lint import LintFinding
from tsedash.registry import Problem
from tsedash.validate import Finding as ValidationFinding


def test_the_three_kinds_are_one_type() -> None:
    assert Problem is Finding and LintFinding is Finding and ValidationFinding is Finding


def test_one_line_each_naming_file_severity_code_and_place() -> None:
    registry = Finding("r.yaml", 4, "instances[0] (x)", "bad", Severity.WARNING, "name-case")
    validation = Finding("d.json", uid="u", panel="P", pointer="/panels/0", message="overlap")
    lint = Finding(
        "d.json", uid="u", panel="P", ref_id="A", code="target-job", message="no job", expr="up"
    )
    assert str(registry) == "r.yaml:4: warning name-case: instances[0] (x): bad"
    assert str(validation) == "d.json: error: dashboard u panel 'P' at /panels/0: overlap"
    assert (
        str(lint)
        == "d.json: error target-job: dashboard u panel 'P' refId A: no job\n    expanded: up"
    )
    assert str(Finding("d.json", message="not valid JSON")) == "d.json: error: not valid JSON"
    shapes = {tuple(f.as_dict()) for f in (registry, validation, lint)}
    assert len(shapes) == 1  # the same keys for every kind
    assert (
        lint.as_dict()["code"] == "target-job" and registry.as_dict()["where"] == "instances[0] (x)"
    )


def test_reading_order_and_each_once() -> None:
    a = Finding("a.yaml", 9, message="late")
    b = Finding("a.yaml", 2, message="early")
    c = Finding("b.json", uid="x", panel="Z", message="z")
    d = Finding("b.json", uid="x", panel="A", message="a")
    assert sort_findings([c, a, d, b, a]) == [b, a, d, c]
