"""schemaVersion 26: the `text2` panel becomes `text`.

Grafana's step (`schemaversion/v26.go`), for each panel object — the top-level ones and the
objects of any panel's `panels` list (collapsed rows) — whose `type` is `"text2"`: the type
becomes `"text"` and, when `options` is an object, its `angular` key is removed. The content
(`options.content`, `options.mode`) stays as it is.

Edge cases as in Grafana's backend: a `text2` panel without `options`, or with `options` that
are not an object, only changes type (the frontend failed on it); other types are not touched.

Knowingly different: nothing.
"""

from __future__ import annotations

from . import Dashboard, StepContext, all_panels, panel_name, step


@step(26)
def v26(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in all_panels(dashboard):
        if panel.get("type") != "text2":
            continue
        panel["type"] = "text"
        options = panel.get("options")
        dropped = False
        if isinstance(options, dict) and "angular" in options:
            del options["angular"]
            dropped = True
        ctx.log(
            "`type` text2 → text" + (", `options.angular` removed" if dropped else ""),
            panel_name(pointer, panel),
        )
