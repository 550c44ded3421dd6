"""Example extra dashboard written with grafanalib, the way grafanalib's docs write one.

grafanalib emits schemaVersion 12, datasource names, `null` for every unset field and the
Angular `graph` / `singlestat` panels: `tsedash build` migrates it the way Grafana would
(`tsedash.migrate`) and prints each change. It uses the house variables and the services'
standard exposition, so it passes validation and `tsedash lint --strict` after migration.
"""

from grafanalib.core import (
    Dashboard,
    Graph,
    GridPos,
    SingleStat,
    SparkLine,
    Stat,
    Target,
    Template,
    Templating,
    TimeSeries,
    YAxes,
    YAxis,
)

DS = "${datasource}"
SELECTED = 'job=~"$service", instance=~"$instance"'
ALL_SERVICES = "label_values(up, job)"

dashboard = Dashboard(
    title="Team RED (grafanalib)",
    uid="tse-extra-team-red",
    description="Requests, errors and latency of the selected instances.",
    editable=False,
    tags=["trading-ecosystem", "extra"],
    templating=Templating(
        [
            Template(name="datasource", type="datasource", query="prometheus", label="Data source"),
            Template(
                name="service",
                query=ALL_SERVICES,
                dataSource=DS,
                includeAll=True,
                multi=True,
                allValue=".+",
                refresh=2,
            ),
            Template(
                name="instance",
                query='label_values(up{job=~"$service"}, instance)',
                dataSource=DS,
                includeAll=True,
                multi=True,
                allValue=".+",
                refresh=2,
            ),
        ]
    ),
    panels=[
        TimeSeries(
            title="Requests",
            description="Requests per second per instance.",
            dataSource=DS,
            unit="reqps",
            targets=[
                Target(
                    expr=f"sum by (instance) (rate(http_requests_total{{{SELECTED}}}"
                    "[$__rate_interval]))",
                    legendFormat="{{instance}}",
                    refId="A",
                )
            ],
            gridPos=GridPos(h=8, w=12, x=0, y=0),
        ),
        Stat(
            title="Up",
            description="Selected instances whose last scrape succeeded.",
            dataSource=DS,
            format="short",
            targets=[Target(expr=f"count(up{{{SELECTED}}} == 1)", refId="A")],
            gridPos=GridPos(h=8, w=12, x=12, y=0),
        ),
        Graph(
            title="Errors",
            description="Requests answered with status >= 400, per second and instance.",
            dataSource=DS,
            targets=[
                Target(
                    expr=f"sum by (instance) (rate(http_request_errors_total{{{SELECTED}}}"
                    "[$__rate_interval]))",
                    legendFormat="{{instance}}",
                    refId="A",
                )
            ],
            yAxes=YAxes(left=YAxis(format="reqps")),
            gridPos=GridPos(h=8, w=12, x=0, y=8),
        ),
        SingleStat(
            title="Memory",
            description="Resident memory of the selected instances' processes, summed.",
            dataSource=DS,
            format="bytes",
            valueName="current",
            sparkline=SparkLine(show=True),
            targets=[Target(expr=f"sum(process_resident_memory_bytes{{{SELECTED}}})", refId="A")],
            gridPos=GridPos(h=8, w=12, x=12, y=8),
        ),
    ],
).auto_panel_ids()
