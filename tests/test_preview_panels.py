"""The data preview without a Prometheus: Grafana's display rules (reducers, thresholds,
mappings, legends, table transformations, "No data"), the saved-data file, variables and
`--compare`, on the committed saved answers of the demo (tests/fixtures/preview/)."""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tsedash.errors import InputError
from tsedash.preview.compare import changed_panels
from tsedash.preview.data import (
    FORMAT,
    QUERY,
    Result,
    SavedData,
    SavedSource,
    Series,
    TimeRange,
    parse_time,
    read_saved,
    request_key,
    run_query,
    time_range,
    to_result,
)
from tsedash.preview.display import display, reduce, stat_calcs
from tsedash.preview.interval import query_timing
from tsedash.preview.panel_data import PanelData, TargetData, legend_names
from tsedash.preview.panels import organize, sort_by, stat, table, table_frame, timeseries
from tsedash.preview.variables import parse_overrides, regex_escape, resolve
from tsedash.preview.withdata import data_options, scrape_interval

from .conftest import ROOT
from .conftest import Result as CliResult

RunCli = Callable[..., CliResult]
FIXTURE = ROOT / "tests/fixtures/preview/demo-data.json"
SPAN = TimeRange(0, 60_000)
UP_MAP = [{"type": "value", "options": {"0": {"text": "DOWN", "color": "red"},
                                         "1": {"text": "UP", "color": "blue"}}}]  # fmt: skip


def _series(values: list[float], **labels: str) -> Series:
    return Series(labels, [float(i * 15) for i in range(len(values))], values)


def _data(*series: Series, error: str = "", names: list[str] | None = None) -> PanelData:
    result = Result(list(series), error)
    target = TargetData("A", "up", False, result, names or [f"s{i}" for i in range(len(series))])
    return PanelData(query_timing(0, 60_000, 1200), [target])


# --- Grafana's computed stat examples (fieldDisplay.ts, scale.ts, valueMappings.ts) ----------


def test_stat_reducers_and_colours_as_grafana_computes_them() -> None:
    nan = math.nan
    assert reduce([10, 85, nan], "lastNotNull") == 85
    assert display(85, {}).text == "85" and display(85, {}).color == "#F2495C"  # default 80 red
    assert reduce([10, 85, nan], stat_calcs({"reduceOptions": {"calcs": []}})[0]) is nan
    assert display(None, {}).color == "#73BF69"  # null: the base step
    percentage = {"thresholds": {"mode": "percentage", "steps": [{"value": None, "color": "green"},
                                                                 {"value": 70, "color": "red"}]}}  # fmt: skip
    assert display(40, percentage, (10, 50)).color == "#F2495C"  # 75 % of 10..50
    mapped = display(1, {"mappings": UP_MAP})
    assert (mapped.text, mapped.color) == ("UP", "#5794F2")
    ranged = {
        "mappings": [
            {"type": "range", "options": {"from": 40, "to": 50, "result": {"text": "forty-ish"}}}
        ]
    }
    assert (display(42, ranged).text, display(42, ranged).color) == ("forty-ish", "#73BF69")
    assert display(0.0523, {"unit": "percentunit"}).text == "5.23%"
    assert stat_calcs({}) == ["lastNotNull"]


def test_special_and_regex_mappings_and_no_steps() -> None:
    special = {"mappings": [{"type": "special", "options": {"match": "null", "result": {"text": "none", "color": "orange"}}},
                            {"type": "special", "options": {"match": "nan", "result": {"text": "nan!"}}}]}  # fmt: skip
    assert (display(None, special).text, display(None, special).color) == ("none", "#FF9830")
    assert display(math.nan, special).text == "nan!"
    regex = {
        "mappings": [{"type": "regex", "options": {"pattern": "/^4/", "result": {"text": "4x"}}}]
    }
    assert display(42, regex).text == "4x" and display(52, regex).text == "52"
    assert display(5, {"thresholds": {"mode": "absolute", "steps": []}}).color == "#808080"
    assert display(2, {"decimals": 2, "unit": "s"}).text == "2.00 s"


@pytest.mark.parametrize(
    ("calc", "expected"),
    [("last", 3.0), ("first", 1.0), ("firstNotNull", 1.0), ("mean", 2.0), ("max", 3.0),
     ("min", 1.0), ("sum", 6.0), ("count", 4.0), ("range", 2.0)],
)  # fmt: skip
def test_reducers(calc: str, expected: float) -> None:
    assert reduce([1.0, math.nan, 2.0, 3.0], calc) == expected


def test_an_unknown_reducer_is_named_in_the_panel() -> None:
    with pytest.raises(ValueError, match="'p99'"):
        reduce([1.0], "p99")
    panel = {
        "type": "stat",
        "gridPos": {"w": 4, "h": 4},
        "options": {"reduceOptions": {"calcs": ["p99"]}},
    }
    assert "calculation &#x27;p99&#x27; is not drawn" in stat(panel, _data(_series([1.0])), SPAN)
    assert reduce([], "lastNotNull") is None and reduce([], "last") is None


# --- legends (response.go getName, fieldState.ts) --------------------------------------------


def test_legend_format_and_default_names() -> None:
    a = _series([1], __name__="up", instance="a:9100", job="node")
    b = _series([0], __name__="up", instance="b:9100", job="node")
    assert legend_names([a, b], "", "up") == [
        'up{instance="a:9100", job="node"}',
        'up{instance="b:9100", job="node"}',
    ]
    assert legend_names([a], "{{instance}}", "up") == ["a:9100"]
    assert legend_names([a], "{{ instance }} - {{missing}}", "up") == ["a:9100 - "]
    assert legend_names([_series([1])], "", "sum(rate(x[5m]))") == ["sum(rate(x[5m]))"]


def test_auto_legend() -> None:
    a = _series([1], __name__="up", instance="a:9100", job="node")
    b = _series([0], __name__="up", instance="b:9100", job="node")
    assert legend_names([a, b], "__auto", "up") == ['{instance="a:9100"}', '{instance="b:9100"}']
    assert legend_names([a], "__auto", "up") == ['{__name__="up", instance="a:9100", job="node"}']
    jobs = [_series([1], job="node"), _series([2], job="prom")]
    assert legend_names(jobs, "__auto", "sum by (job) (up)") == ["node", "prom"]
    modes = [_series([1], job="node", mode="idle"), _series([1], job="node", mode="user")]
    assert legend_names(modes, "__auto", "x") == ['{mode="idle"}', '{mode="user"}']
    assert legend_names([_series([1])], "__auto", "vector(1)") == ["vector(1)"]


# --- panels -----------------------------------------------------------------------------------


def test_no_data_exactly_when_no_series() -> None:
    empty = _data()
    for draw in (stat, table, timeseries):
        html = draw({"gridPos": {"w": 6, "h": 6}}, empty, SPAN)
        assert '<div class="nodata">No data</div>' in html
    custom = table({"fieldConfig": {"defaults": {"noValue": "No firing alerts"}}}, empty, SPAN)
    assert ">No firing alerts<" in custom
    # A series whose values are all null is not "No data": the stat shows an empty value.
    html = stat({"gridPos": {"w": 6, "h": 6}}, _data(_series([math.nan])), SPAN)
    assert "nodata" not in html and 'data-value=""' in html


def test_a_query_error_is_shown() -> None:
    html = timeseries({"gridPos": {"w": 6, "h": 6}}, _data(error="parse error: unexpected }"), SPAN)
    assert "⚠ A: parse error: unexpected }" in html and "No data" in html


def test_stat_values_names_and_colour_modes() -> None:
    panel = {"type": "stat", "gridPos": {"w": 24, "h": 4},
             "fieldConfig": {"defaults": {"mappings": UP_MAP, "unit": "none"}},
             "options": {"colorMode": "background", "textMode": "value_and_name"}}  # fmt: skip
    html = stat(panel, _data(_series([1.0]), _series([0.0]), names=["redis", "jaeger"]), SPAN)
    found = re.findall(
        r'data-value="([^"]*)" data-color="([^"]*)".*?sname">([^<]*)<.*?sval[^>]*>([^<]*)<', html
    )
    assert found == [("1.0", "#5794F2", "redis", "UP"), ("0.0", "#F2495C", "jaeger", "DOWN")]
    assert "background:#F2495C" in html
    area = dict(panel, options={"graphMode": "area", "textMode": "auto"})
    sparkline = stat(area, _data(_series([1.0, 3.0, 2.0])), SPAN)
    assert '<div class="spark"><svg' in sparkline and "sname" not in sparkline


def test_table_rows_as_grafana_builds_and_organizes_them() -> None:
    a = _series([1.0], __name__="up", instance="a:9100", job="node")
    b = _series([0.0], __name__="up", instance="b:9100", job="node")
    columns, rows = table_frame(_data(a, b))
    assert columns == ["Time", "__name__", "instance", "job", "Value"]
    options = {"excludeByName": {"Time": True, "__name__": True}, "indexByName": {"instance": 0, "Value": 1, "job": 2},
               "renameByName": {"Value": "Up?"}}  # fmt: skip
    columns, rows = organize(columns, rows, options)
    assert columns == ["instance", "Up?", "job"]
    assert rows == [["a:9100", 1.0, "node"], ["b:9100", 0.0, "node"]]
    assert sort_by(columns, rows, [{"field": "Up?"}]) == [rows[1], rows[0]]
    assert sort_by(columns, rows, [{"displayName": "instance", "desc": True}]) == [rows[1], rows[0]]
    panel = {"transformations": [{"id": "organize", "options": options},
                                 {"id": "sortBy", "options": {"sort": [{"field": "Up?"}]}}],
             "fieldConfig": {"defaults": {"mappings": UP_MAP},
                             "overrides": [{"matcher": {"id": "byName", "options": "Up?"},
                                            "properties": [{"id": "custom.cellOptions", "value": {"type": "color-background"}}]}]}}  # fmt: skip
    html = table(panel, _data(a, b), SPAN)
    assert 'data-rows="2"' in html
    body = re.findall(r"<tr>(.*?)</tr>", html)[1:]
    assert [re.findall(r">([^<]*)</td>", row) for row in body] == [
        ["b:9100", "DOWN", "node"],
        ["a:9100", "UP", "node"],
    ]
    assert 'style="background:#F2495C;color:#fff">DOWN' in html


def test_timeseries_draws_one_line_per_series_with_its_legend() -> None:
    panel = {"id": 7, "type": "timeseries", "gridPos": {"w": 12, "h": 8},
             "fieldConfig": {"defaults": {"unit": "bytes", "custom": {"stacking": {"mode": "normal"},
                                                                        "thresholdsStyle": {"mode": "line+area"}}},
                             "overrides": [{"matcher": {"id": "byFrameRefID", "options": "A"},
                                            "properties": [{"id": "custom.lineStyle", "value": {"fill": "dash"}}]}]}}  # fmt: skip
    data = _data(_series([1024.0, 2048.0, math.nan, 4096.0]), _series([512.0, 512.0, 512.0, 512.0]),
                 names=["first", "second"])  # fmt: skip
    html = timeseries(panel, data, SPAN)
    assert 'data-series="2"' in html and html.count('<span class="li dash">') == 2
    assert re.findall(r"<text[^>]*>\s*([\d.]+ KiB)", html)  # y axis in the panel's unit
    assert html == timeseries(panel, data, SPAN)  # deterministic SVG


# --- the saved data file ----------------------------------------------------------------------


def test_saved_data_round_trips_sorted(tmp_path: Path) -> None:
    saved = SavedData(
        TimeRange(1, 2),
        {"instance": ["a"]},
        {"b?x=1": {"status": "success"}, "a?y=2": {"z": 1, "a": 2}},
    )
    path = tmp_path / "data.json"
    saved.write(path)
    text = path.read_text()
    assert text.index('"a?y=2"') < text.index('"b?x=1"') and '{"a":2,"z":1}' in text
    again = read_saved(path)
    assert (again.span, again.variables, again.answers) == (
        saved.span,
        saved.variables,
        saved.answers,
    )
    assert again.to_json() == text


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "not JSON"), ('{"format": "x"}', "not a preview data file"),
     (json.dumps({"format": FORMAT, "from": 1}), "malformed preview data")],
)  # fmt: skip
def test_a_broken_data_file_is_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=f"{re.escape(str(path))}: {message}"):
        read_saved(path)
    with pytest.raises(InputError, match="cannot read"):
        read_saved(tmp_path / "missing.json")


def test_saved_source_names_a_missing_answer_and_a_bad_one(tmp_path: Path) -> None:
    source = SavedSource(
        tmp_path / "d.json",
        {request_key(QUERY, {"query": "bad"}): {"status": "success", "data": 3}},
    )
    with pytest.raises(
        InputError, match=r"no saved answer for /api/v1/query\?query=up .*save it again"
    ):
        run_query(source, QUERY, {"query": "up"})
    with pytest.raises(InputError, match=r"d.json: .*/data"):
        run_query(source, QUERY, {"query": "bad"})


def test_answers_to_series() -> None:
    scalar = to_result(
        {"status": "success", "data": {"resultType": "scalar", "result": [1.5, "+Inf"]}}, "w"
    )
    assert scalar.series == [Series({}, [1.5], [math.inf])]
    assert to_result({"status": "error", "error": "boom"}, "w") == Result([], "boom")
    other = to_result({"status": "success", "data": {"resultType": "exemplars", "result": []}}, "w")
    assert other.error == "unsupported result type 'exemplars'"


def test_times() -> None:
    assert parse_time("now", 10_000_000) == 10_000_000
    assert parse_time("now-1h", 10_000_000) == 10_000_000 - 3_600_000
    assert parse_time("1700000000", 0) == 1_700_000_000_000
    with pytest.raises(InputError, match="not a time"):
        parse_time("yesterday", 0)
    with pytest.raises(InputError, match="is not before"):
        time_range("now", "now-1h", 10_000_000)


# --- variables --------------------------------------------------------------------------------


def test_variables_from_their_queries_and_overrides(tmp_path: Path) -> None:
    model = {"templating": {"list": [
        {"name": "service", "type": "query", "includeAll": True, "multi": True, "current": {"value": "$__all"},
         "query": "label_values(up, job)", "sort": 1},
        {"name": "instance", "type": "query", "includeAll": True, "multi": True, "current": {"value": ["$__all"]},
         "query": {"query": 'query_result(up{job=~"$service"})'}, "regex": '/instance="([^"]+)"/', "sort": 2},
        {"name": "search", "type": "textbox", "current": {"value": ""}},
        {"name": "custom", "type": "custom", "multi": True, "current": {"value": ["a.b", "c"]}},
    ]}}  # fmt: skip
    labels = {"start": "0", "end": "60", "match[]": "up"}
    vector = {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"__name__": "up", "instance": "x-1", "job": "j"}, "value": [60, "1"]},
        {"metric": {"__name__": "up", "instance": "y-2", "job": "k"}, "value": [60, "1"]}]}}  # fmt: skip
    answers = {
        request_key("/api/v1/label/job/values", labels): {"status": "success", "data": ["k", "j"]},
        request_key(QUERY, {"query": 'up{job=~"(j|k)"}', "time": "60"}): vector,
    }
    values, shown = resolve(model, SavedSource(tmp_path / "d", answers), SPAN, {}, {})
    assert values == {
        "service": "(j|k)",
        "instance": "(y\\-2|x\\-1)".replace("\\-", "-"),
        "search": "",
        "custom": "(a\\.b|c)",
    }
    assert shown["service"] == ["All", "(2 options)"]
    values, _ = resolve(
        model, SavedSource(tmp_path / "d", answers), SPAN, {"instance": ["x-1"]}, {}
    )
    assert values["instance"] == "x-1"
    assert parse_overrides(("a=1", "a=2", "b=")) == {"a": ["1", "2"], "b": [""]}
    with pytest.raises(InputError, match="expected NAME=VALUE"):
        parse_overrides(("novalue",))
    assert regex_escape("a.b(c)|d") == "a\\.b\\(c\\)\\|d"


def test_data_options_refuse_what_cannot_work(tmp_path: Path) -> None:
    src = ROOT / "provisioning"
    with pytest.raises(InputError, match="exclude each other"):
        data_options("http://127.0.0.1:9", FIXTURE, ("now-1h", "now"), (), 1, src)
    with pytest.raises(InputError, match="--save-data needs --prometheus"):
        data_options(None, FIXTURE, ("now-1h", "now"), (), 1, src, tmp_path / "x.json")
    with pytest.raises(InputError, match="--var needs"):
        data_options(None, None, ("now-1h", "now"), ("a=b",), 1, src)
    assert data_options(None, None, ("now-1h", "now"), (), 1, src) is None
    assert scrape_interval(src) == "15s" and scrape_interval(tmp_path) == "15s"


# --- the committed fixture, offline, and --compare --------------------------------------------


def test_the_fixture_draws_offline_the_same_bytes_twice(tmp_path: Path, run_cli: RunCli) -> None:
    for out in ("one", "two"):
        res = run_cli(
            "preview", "--data", str(FIXTURE), "--out", str(tmp_path / out), "--no-png", "-q"
        )
        assert res.exit_code == 0, res.stderr
    for page in ("devops-docker-view", "simulation-entity-view"):
        one = (tmp_path / "one" / f"{page}.html").read_bytes()
        assert one == (tmp_path / "two" / f"{page}.html").read_bytes()
        assert b'class="panel data' in one and b"<svg" in one


def test_compare_marks_exactly_the_panel_whose_unit_changed(
    tmp_path: Path, run_cli: RunCli
) -> None:
    after = tmp_path / "after"
    shutil.copytree(ROOT / "provisioning", after)
    path = after / "dashboards/trading-ecosystem/devops-docker-view.json"
    model: dict[str, Any] = json.loads(path.read_text())
    index = next(i for i, p in enumerate(model["panels"]) if p.get("title") == "Container CPU")
    model["panels"][index]["fieldConfig"]["defaults"]["unit"] = "percentunit"
    path.write_text(json.dumps(model))
    before = json.loads(
        (ROOT / "provisioning/dashboards/trading-ecosystem/devops-docker-view.json").read_text()
    )
    assert changed_panels(before, model) == frozenset({index})
    res = run_cli("preview", "--dashboards", str(after), "--compare", str(ROOT / "provisioning"),
                  "--data", str(FIXTURE), "--out", str(tmp_path / "out"), "--no-png")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "devops-docker-view.compare.html"
    ]
    page = (tmp_path / "out/devops-docker-view.compare.html").read_text()
    import html as html_module

    sides = [html_module.unescape(s) for s in re.findall(r'srcdoc="([^"]*)"', page)]
    assert len(sides) == 2
    for side in sides:
        marked = re.findall(
            r'<div class="panel data changed"[^>]*>.*?<div class="title">([^<]*)', side
        )
        assert marked == ["Container CPU"]
    assert "%" in sides[1].split("Container CPU", 1)[1].split('class="panel', 1)[0]  # percent axis


def _git(repo: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,
                   check=True, capture_output=True)  # fmt: skip


def test_compare_with_a_git_ref(tmp_path: Path, run_cli: RunCli) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "provisioning", repo / "provisioning")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "dashboards")
    path = repo / "provisioning/dashboards/trading-ecosystem/simulation-entity-view.json"
    model = json.loads(path.read_text())
    model["panels"][1]["title"] += " (renamed)"
    path.write_text(json.dumps(model))
    out = tmp_path / "out"
    res = run_cli("preview", "--dashboards", str(repo / "provisioning"), "--compare", "HEAD",
                  "--out", str(out), "--no-png")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert [p.name for p in out.iterdir()] == ["simulation-entity-view.compare.html"]
    page = (out / "simulation-entity-view.compare.html").read_text()
    assert page.count("class=&quot;changed-note&quot;") == 2  # the renamed panel, both sides
    res = run_cli("preview", "--dashboards", str(repo / "provisioning"), "--compare", "nosuchref",
                  "--out", str(out), "--no-png")  # fmt: skip
    assert res.exit_code == 2 and "git ls-tree" in res.stderr


def test_state_boxes_merge_equal_values_and_end_at_gaps_and_nulls() -> None:
    from tsedash.preview.panels import _states, state_timeline

    s = Series({}, [0, 15, 30, 45, 90, 105, 120], [1.0, 1.0, 0.0, math.nan, 1.0, 1.0, 0.0])
    assert _states(s, 15, 150) == [(0, 30, 1.0), (30, 45, 0.0), (90, 120, 1.0), (120, 150, 0.0)]
    panel = {
        "id": 3,
        "gridPos": {"w": 12, "h": 6},
        "fieldConfig": {"defaults": {"mappings": UP_MAP}},
    }
    html = state_timeline(panel, _data(s, _series([0.0]), names=["a", "b"]), TimeRange(0, 150_000))
    assert 'data-lanes="2"' in html and ">DOWN</span>" in html and ">UP</span>" in html


def test_table_keeps_time_and_colour_text_and_skips_disabled_transformations() -> None:
    a = _series([1.0], instance="a")
    panel = {"transformations": [{"id": "organize", "disabled": True, "options": {"excludeByName": {"Time": True}}}],
             "fieldConfig": {"defaults": {"mappings": UP_MAP},
                             "overrides": [{"matcher": {"id": "byName", "options": "Value"},
                                            "properties": [{"id": "custom.cellOptions", "value": {"type": "color-text"}}]}]}}  # fmt: skip
    html = table(panel, _data(a), SPAN)
    assert "<td>1970-01-01 00:00:00</td>" in html and 'style="color:#5794F2">UP' in html


def test_scrape_interval_from_the_default_prometheus_datasource(tmp_path: Path) -> None:
    (tmp_path / "datasources").mkdir()
    (tmp_path / "datasources/a.yml").write_text("datasources: [{{\n")  # broken: skipped
    (tmp_path / "datasources/b.yaml").write_text(
        "datasources:\n- {type: loki, isDefault: true}\n"
        "- {type: prometheus, isDefault: true, jsonData: {timeInterval: 30s}}\n"
    )
    assert scrape_interval(tmp_path) == "30s"


def test_a_ref_with_a_broken_dashboard_is_named(tmp_path: Path, run_cli: RunCli) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "provisioning", repo / "provisioning")
    broken = repo / "provisioning/dashboards/trading-ecosystem/devops-docker-view.json"
    good = broken.read_text()
    broken.write_text("{not json")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "broken")
    broken.write_text(good)
    res = run_cli("preview", "--dashboards", str(repo / "provisioning"), "--compare", "HEAD",
                  "--out", str(tmp_path / "out"), "--no-png")  # fmt: skip
    assert res.exit_code == 2
    assert (
        "HEAD:provisioning/dashboards/trading-ecosystem/devops-docker-view.json: not JSON"
        in res.stderr
    )


def test_an_unreachable_prometheus_is_exit_3_and_writes_nothing(
    tmp_path: Path, run_cli: RunCli
) -> None:
    from tsedash.stack import distinct_free_ports

    [port] = distinct_free_ports(1)  # nothing listens there
    res = run_cli("preview", "--prometheus", f"http://127.0.0.1:{port}", "--timeout", "2",
                  "--out", str(tmp_path / "out"), "--no-png", "--save-data", str(tmp_path / "d.json"))  # fmt: skip
    assert res.exit_code == 3 and f"127.0.0.1:{port}" in res.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "d.json").exists()


def test_the_classic_palette_is_grafanas_dark_theme_order() -> None:
    """getClassicPalette() resolved with getDarkHues() (createVisualizationColors.ts): the
    first series green, then yellow, blue, orange, red, purple, then the dark shades."""
    from tsedash.preview.display import CLASSIC, NAMED_COLORS

    assert CLASSIC[:8] == [
        "#73BF69", "#FADE2A", "#5794F2", "#FF9830", "#F2495C", "#B877D9", "#37872D", "#E0B400",
    ]  # fmt: skip
    assert len(CLASSIC) == 64 and len(set(CLASSIC)) == 64
    assert NAMED_COLORS["semi-dark-red"] == "#E02F44" and NAMED_COLORS["light-blue"] == "#8AB8FF"
