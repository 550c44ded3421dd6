"""Panels as the dashboard's elements (buildElement, buildPanelKind): ids made unique
first, as `ensurePanelsHaveUniqueIds` does; each panel `panel-<id>`, a library panel reference
or a panel with its links, its data (`queries`) and its visualisation (`vizconfig`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tsedash.dashv2.context import IDS, NOTHING, V1_V2, Built, Context
from tsedash.dashv2.jsonread import as_dict, get_bool, get_int, get_str, is_number, short
from tsedash.dashv2.queries import query_group
from tsedash.dashv2.vizconfig import viz_config
from tsedash.sdk import dashboardv2_b as b
from tsedash.sdk import dashboardv2_m as m


def ensure_unique_ids(ctx: Context, model: dict[str, Any]) -> None:
    """ensurePanelsHaveUniqueIds: a panel (rows and their panels included) without a
    positive number id, or with one an earlier panel has, gets the next free one."""
    panels = [(p, ptr) for p, ptr in _all_panels(model) if isinstance(p, dict)]
    ids = [float(p["id"]) for p, _ in panels if is_number(p.get("id")) and p["id"] > 0]
    next_id = int(max(ids, default=0)) + 1
    seen: set[float] = set()
    for panel, pointer in panels:
        current = panel.get("id")
        if is_number(current) and current > 0 and current not in seen:
            seen.add(current)
            continue
        panel["id"] = next_id
        why = "a duplicate" if is_number(current) and current > 0 else "none usable"
        ctx.changed(
            f"{pointer}/id", next_id, f"panel id ({why}: {short(current)}) → {next_id}",
            IDS, inert=panel.get("type") == "row",
        )  # fmt: skip
        next_id += 1


def element(ctx: Context, panel: dict[str, Any], pointer: str, elements: dict[str, Any]) -> str:
    """buildElement: the element `panel-<id>`, a library panel reference or a panel."""
    name = f"panel-{get_int(panel, 'id')}"
    library = panel.get("libraryPanel")
    if isinstance(library, dict):
        where = f"{V1_V2} buildElement"
        ctx.unread(library, {"uid", "name"}, f"{pointer}/libraryPanel", "library panel", where)
        ref = m.LibraryPanelRef(name=get_str(library, "name"), uid=get_str(library, "uid"))
        elements[name] = (
            b.LibraryPanel()
            .id(get_int(panel, "id"))
            .title(get_str(panel, "title"))
            .library_panel(Built(ref))
        )
    else:
        elements[name] = _panel(ctx, panel, pointer)
    return name


def _panel(ctx: Context, panel: dict[str, Any], pointer: str) -> b.Panel:
    """buildPanelKind."""
    where = f"{V1_V2} buildPanelKind"
    for key in ("title", "description"):
        if key in panel and not isinstance(panel[key], str):
            ctx.changed(f"{pointer}/{key}", "", f"{key} {short(panel[key])}", where)
    if "timeCompare" in panel:
        ctx.dropped(
            f"{pointer}/timeCompare", f"timeCompare {short(panel['timeCompare'])}: "
            "a Panel field the conversion does not carry", f"{V1_V2} buildQueryOptions",
            inert=panel["timeCompare"] in NOTHING,
        )  # fmt: skip
    element = (
        b.Panel()
        .id(get_int(panel, "id"))
        .title(get_str(panel, "title"))
        .description(get_str(panel, "description"))
        .links(_data_links(ctx, panel, pointer))
        .data(query_group(ctx, panel, pointer))
        .visualization(viz_config(ctx, panel, pointer))
    )
    if get_bool(panel, "transparent"):
        element.transparent(True)
    elif panel.get("transparent") not in (None, False):
        ctx.dropped(f"{pointer}/transparent", short(panel["transparent"]), where)
    return element


def _data_links(ctx: Context, panel: dict[str, Any], pointer: str) -> list[Any]:
    where = f"{V1_V2} transformDataLinks"
    links = panel.get("links")
    out = []
    for i, link in enumerate(links if isinstance(links, list) else []):
        if not isinstance(link, dict):
            ctx.dropped(f"{pointer}/links/{i}", f"link {short(link)}", where)
            continue
        ctx.unread(link, {"title", "url", "targetBlank"}, f"{pointer}/links/{i}", "link", where)
        url = ctx.bom(get_str(link, "url"), f"{pointer}/links/{i}/url")
        item = b.DataLink().title(get_str(link, "title")).url(url)
        if "targetBlank" in link:
            item.target_blank(get_bool(link, "targetBlank"))
        out.append(item)
    return out


def _all_panels(model: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    """getPanels's order: each top-level panel, then the panels nested in it."""
    panels = model.get("panels")
    for i, panel in enumerate(panels if isinstance(panels, list) else []):
        yield panel, f"/panels/{i}"
        nested = as_dict(panel).get("panels")
        for j, inner in enumerate(nested if isinstance(nested, list) else []):
            yield inner, f"/panels/{i}/panels/{j}"
