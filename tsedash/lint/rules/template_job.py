"""template-job: the job variable (ours is `service`: job = SERVICE_NAME) is well formed."""

from __future__ import annotations

from tsedash.lint.core import Rule, Severity
from tsedash.lint.rules._variables import check_label_variable

RULE = Rule(
    "template-job",
    "A multi-value `service` variable of job label values, from the datasource variable.",
    Severity.WARNING,
    dashboard=lambda ctx: check_label_variable(ctx, "service", "job"),
)
