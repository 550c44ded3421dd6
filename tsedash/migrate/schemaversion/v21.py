"""schemaVersion 21: data links say `__field.labels` instead of `__series.labels`.

Grafana's step (`schemaversion/v21.go`), for each object of the top-level `panels` whose
`options` is an object: in the `url` (a string) of each object of `options.dataLinks` (a list)
and of `options.fieldOptions.defaults.links` (a list), every `__series.labels` becomes
`__field.labels` (so `${__series.labels.a}` → `${__field.labels.a}`).

Edge cases as in Grafana's backend: the text is matched literally. (The frontend used the
regular expression `__series.labels`, whose `.` matched any character, so it also rewrote
`__seriesXlabels`; the backend does not, and neither do we.) Values of any other type are left
alone.

Knowingly different: nothing. The frontend also upgraded the panels of collapsed rows; Grafana's
backend walks only the top-level panels here, and so do we.
"""

from __future__ import annotations

from typing import Any

from . import Dashboard, StepContext, panel_name, step, top_panels

OLD, NEW = "__series.labels", "__field.labels"


@step(21)
def v21(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in top_panels(dashboard):
        options = panel.get("options")
        if not isinstance(options, dict):
            continue
        changed = _field_labels(options.get("dataLinks"))
        field_options = options.get("fieldOptions")
        defaults = field_options.get("defaults") if isinstance(field_options, dict) else None
        if isinstance(defaults, dict):
            changed += _field_labels(defaults.get("links"))
        if changed:
            ctx.log(f"`{OLD}` → `{NEW}` in {changed} data link(s)", panel_name(pointer, panel))


def _field_labels(links: Any) -> int:
    if not isinstance(links, list):
        return 0
    changed = 0
    for link in links:
        url = link.get("url") if isinstance(link, dict) else None
        if isinstance(url, str) and OLD in url:
            link["url"] = url.replace(OLD, NEW)
            changed += 1
    return changed
