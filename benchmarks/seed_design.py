"""The seed's design, as the baseline: one panel and one query per instance (grafanalib).

This is what TSE-0001.12.0's Phase 8 JSON does (a panel per instance, per metric), rebuilt
with modern panel types so the comparison is about the design, not about Angular panels.
"""

from __future__ import annotations

import json
from typing import Any

from grafanalib import core as g
from grafanalib._gen import DashboardEncoder

from tsedash.registry import Registry


def _health(instance: str, service: str, x: int, y: int) -> g.Stat:
    return g.Stat(
        title=f"{instance} Health",
        dataSource="${datasource}",
        targets=[g.Target(expr=f'up{{job="{service}",instance="{instance}"}}', refId="A")],
        gridPos=g.GridPos(h=4, w=6, x=x, y=y),
    )


def build_seed_dashboards(registry: Registry) -> list[dict[str, Any]]:
    devops_panels: list[Any] = []
    sim_panels: list[Any] = []
    y = 0
    for i, inst in enumerate(registry.instances):
        x = (i % 4) * 6
        if i and x == 0:
            y += 4
        devops_panels.append(_health(inst.instance_name, inst.service_name, x, y))
    y = 0
    for inst in registry.instances:
        for metric in registry.services[inst.service_name].metrics:
            sim_panels.append(
                g.TimeSeries(
                    title=f"{inst.instance_name} {metric.title}",
                    dataSource="${datasource}",
                    targets=[
                        g.Target(
                            expr=f'rate({metric.name}{{instance="{inst.instance_name}"}}[5m])',
                            refId="A",
                        )
                    ],
                    gridPos=g.GridPos(h=8, w=12, x=0, y=y),
                )
            )
            y += 8
    dashboards = [
        g.Dashboard(title="DevOps Docker View", uid="seed-devops", panels=devops_panels),
        g.Dashboard(title="Simulation Entity View", uid="seed-sim", panels=sim_panels),
    ]
    return [
        json.loads(json.dumps(d.auto_panel_ids().to_json_data(), cls=DashboardEncoder))
        for d in dashboards
    ]
