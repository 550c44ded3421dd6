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
    empty = {"line": 0, "where": "", "code": "", "uid": "", "panel": "", "pointer": ""}
    empty |= {"refId": "", "expr": "", "severity": "error"}
    # The same keys for every kind (empty where they do not apply), each holding its value.
    assert registry.as_dict() == empty | {
        "file": "r.yaml",
        "line": 4,
        "where": "instances[0] (x)",
        "severity": "warning",
        "code": "name-case",
        "message": "bad",
    }
    assert validation.as_dict() == empty | {
        "file": "d.json",
        "where": "dashboard u panel 'P' at /panels/0",
        "uid": "u",
        "panel": "P",
        "pointer": "/panels/0",
        "message": "overlap",
    }
    assert lint.as_dict() == empty | {
        "file": "d.json",
        "where": "dashboard u panel 'P' refId A",
        "code": "target-job",
        "uid": "u",
        "panel": "P",
        "refId": "A",
        "message": "no job",
        "expr": "up",
    }


def test_reading_order_and_each_once() -> None:
    a = Finding("a.yaml", 9, message="late")
    b = Finding("a.yaml", 2, message="early")
    c = Finding("b.json", uid="x", panel="Z", message="z")
    d = Finding("b.json", uid="x", panel="A", message="a")
    assert sort_findings([c, a, d, b, a]) == [b, a, d, c]
