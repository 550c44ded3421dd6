"""template-instance: the `instance` variable is well formed."""

from __future__ import annotations

from tsedash.lint.core import Rule, Severity
from tsedash.lint.rules._variables import check_label_variable

RULE = Rule(
    "template-instance",
    "A multi-value `instance` variable of instance label values, from the datasource variable.",
    Severity.WARNING,
    dashboard=lambda ctx: check_label_variable(ctx, "instance", "instance"),
)
