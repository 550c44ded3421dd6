"""The lint rules, one module each; this list is the whole set, in report order."""

from __future__ import annotations

from tsedash.lint.core import Rule
from tsedash.lint.rules import (
    panel_datasource,
    panel_no_targets,
    panel_title_description,
    panel_unit_known,
    panel_units,
    target_counter_agg,
    target_instance,
    target_job,
    target_job_known,
    target_metric_contract,
    target_planned_metric,
    target_promql,
    target_rate_interval,
    target_route_unbounded,
    template_datasource,
    template_instance,
    template_job,
    template_label_promql,
    template_on_time_change_reload,
    uneditable_dashboard,
)

RULES: tuple[Rule, ...] = (
    template_datasource.RULE,
    template_job.RULE,
    template_instance.RULE,
    template_label_promql.RULE,
    template_on_time_change_reload.RULE,
    panel_datasource.RULE,
    panel_title_description.RULE,
    panel_units.RULE,
    panel_no_targets.RULE,
    target_promql.RULE,
    target_rate_interval.RULE,
    target_job.RULE,
    target_instance.RULE,
    target_counter_agg.RULE,
    uneditable_dashboard.RULE,
    target_metric_contract.RULE,
    target_job_known.RULE,
    target_planned_metric.RULE,
    panel_unit_known.RULE,
    target_route_unbounded.RULE,
)

RULES_BY_NAME = {rule.name: rule for rule in RULES}
