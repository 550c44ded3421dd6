"""schemaVersion 19: old panel links become URL links.

Grafana's step (`schemaversion/v19.go`), for each panel object — the top-level ones and the
objects of any panel's `panels` list (collapsed rows) — whose `links` is a list: each link
object is rewritten as `{url, title}` plus `targetBlank: true` when the old link had
`targetBlank` true. Its `url`:

- the old `url` when it is a non-empty string; else `dashboard/db/<slug of dashboard>` for a
  non-empty `dashboard` name; else `dashboard/<dashUri>`; else `/`;
- then `$__url_time_range` when `keepTime` is true, `$__all_variables` when `includeVars` is
  true, and the `params` string, each appended with `?` when the URL has no query yet, `&` when
  it has one, nothing when it ends in a bare `?`.

The slug: lower case, every run of characters other than `a-z`, `0-9`, `_` and space removed,
runs of spaces turned into `-`. `title` is the old title when it is a string, `""` otherwise.
Every other key of an old link (`type`, `dashUri`, `keepTime`, ...) is dropped.

Edge cases as in Grafana's backend: links that are not objects are dropped from the list; an
empty list stays; `keepTime`/`includeVars`/`targetBlank` count only when they are the boolean
`true`; `url`, `dashboard`, `dashUri` and `params` only when they are strings.

Knowingly different: nothing.
"""

from __future__ import annotations

import re
from typing import Any

from . import Dashboard, StepContext, all_panels, panel_name, step

_NOT_SLUG = re.compile(r"[^a-z0-9_ ]+")
_SPACES = re.compile(r" +")


@step(19)
def v19(dashboard: Dashboard, ctx: StepContext) -> None:
    for pointer, panel in all_panels(dashboard):
        links = panel.get("links")
        if isinstance(links, list) and links:
            panel["links"] = [upgrade_link(link) for link in links if isinstance(link, dict)]
            ctx.log(
                f"{len(links)} panel link(s) rewritten as URL links ({len(panel['links'])} kept)",
                panel_name(pointer, panel),
            )


def slugify(name: str) -> str:
    return _SPACES.sub("-", _NOT_SLUG.sub("", name.lower()))


def append_query(url: str, query: str) -> str:
    """The frontend's `appendQueryToUrl`, as Grafana's backend reproduces it."""
    if not query:
        return url
    position = url.find("?")
    if position == -1:
        url += "?"
    elif len(url) - position > 1:
        url += "&"
    return url + query


def _string(link: dict[str, Any], key: str) -> str:
    value = link.get(key)
    return value if isinstance(value, str) else ""


def link_url(link: dict[str, Any]) -> str:
    if url := _string(link, "url"):
        pass
    elif dashboard := _string(link, "dashboard"):
        url = "dashboard/db/" + slugify(dashboard)
    elif dash_uri := _string(link, "dashUri"):
        url = "dashboard/" + dash_uri
    else:
        url = "/"
    if link.get("keepTime") is True:
        url = append_query(url, "$__url_time_range")
    if link.get("includeVars") is True:
        url = append_query(url, "$__all_variables")
    return append_query(url, _string(link, "params"))


def upgrade_link(link: dict[str, Any]) -> dict[str, Any]:
    upgraded: dict[str, Any] = {"url": link_url(link), "title": _string(link, "title")}
    if link.get("targetBlank") is True:
        upgraded["targetBlank"] = True
    return upgraded
