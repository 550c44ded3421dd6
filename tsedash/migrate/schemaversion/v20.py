"""schemaVersion 20: data links use the dotted variable names.

Grafana's step (`schemaversion/v20.go`), for each object of the top-level `panels` whose
`options` is an object, rewrites these strings:

- the `url` (a string) of each object of `options.dataLinks` (a list);
- `options.fieldOptions.defaults.title` (a string);
- the `url` (a string) of each object of `options.fieldOptions.defaults.links` (a list);

replacing, scanning left to right, `$__series_name` → `${__series.name}`, `__series_name` →
`__series.name`, `__value_time` → `__value.time`, `$__field_name` → `${__field.name}` and
`__field_name` → `__field.name` (the `$` forms win where they start, so `$__field_name` is not
half-replaced).

Edge cases as in Grafana's backend: values of any other type are left alone, and the `title`
is rewritten even when `links` is missing.

Knowingly different: nothing. The frontend also upgraded the panels of collapsed rows; the
backend step read for this version walks only the top-level panels, and so do we.
"""

from __future__ import annotations

import re
from typing import Any

from . import Dashboard, StepContext, panel_name, step, top_panels

_LEGACY_NAMES = re.compile(
    r"(__series_name)|(\$__series_name)|(__value_time)|(__field_name)|(\$__field_name)"
)
_DOTTED = {
    "__series_name": "__series.name",
    "$__series_name": "${__series.name}",
    "__value_time": "__value.time",
    "__field_name": "__field.name",
    "$__field_name": "${__field.name}",
}


def dotted_variables(text: str) -> str:
    return _LEGACY_NAMES.sub(lambda match: _DOTTED[match.group(0)], text)


@step(20)
def v20(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in top_panels(dashboard):
        options = panel.get("options")
        if not isinstance(options, dict):
            continue
        changed = _rewrite_link_urls(options.get("dataLinks"))
        field_options = options.get("fieldOptions")
        defaults = field_options.get("defaults") if isinstance(field_options, dict) else None
        if isinstance(defaults, dict):
            title = defaults.get("title")
            if isinstance(title, str) and dotted_variables(title) != title:
                defaults["title"] = dotted_variables(title)
                changed += 1
            changed += _rewrite_link_urls(defaults.get("links"))
        if changed:
            ctx.log(
                f"old variable names (`__series_name`, `__value_time`, `__field_name`) dotted "
                f"in {changed} link(s)/title(s)",
                panel_name(pointer, panel),
            )


def _rewrite_link_urls(links: Any) -> int:
    """Rewrite each link's URL; how many changed."""
    if not isinstance(links, list):
        return 0
    changed = 0
    for link in links:
        url = link.get("url") if isinstance(link, dict) else None
        if isinstance(url, str) and dotted_variables(url) != url:
            link["url"] = dotted_variables(url)
            changed += 1
    return changed
