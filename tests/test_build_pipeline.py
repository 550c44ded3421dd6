"""The whole build behind `tsedash.pipeline.run_build`: one inputs type, one typed report that
the cache records and a reused build prints the same way, failures that keep what they found."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import tsedash_dashboards
from tsedash.migrate import Migration
from tsedash.pipeline import (
    BaseChoice,
    BuildFailed,
    BuildInputs,
    BuildOptions,
    BuildReport,
    SourceSpec,
    run_build,
)
from tsedash.pipeline.report import FilesReport, migration_text
from tsedash.pipeline.run import build_digest
from tsedash.spec import Content

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE

RunCli = Callable[..., Result]
UPTIME = ROOT / "examples/extras/instance-uptime.json"


class CountingContent:
    """The composition root's content, counting how often the pipeline asks for it."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Content:
        self.calls += 1
        return tsedash_dashboards


def _old_extra(tmp_path: Path) -> Path:
    """An extras directory with one JSON dashboard saved by Grafana 9 (schemaVersion 36)."""
    extras = tmp_path / "extras"
    extras.mkdir()
    model = json.loads(UPTIME.read_text())
    model["schemaVersion"] = 36
    (extras / "uptime.json").write_text(json.dumps(model, indent=2))
    return extras


def test_a_build_reports_what_it_did_and_a_reused_one_says_all_unchanged(tmp_path: Path) -> None:
    content = CountingContent()
    inputs = BuildInputs(SourceSpec(str(FIXTURE)), _old_extra(tmp_path))
    options = BuildOptions(tmp_path / "p")
    first = run_build(inputs, options, content)
    assert content.calls == 1 and not first.replayed
    assert first.provisioning is not None and len(first.provisioning.written) == 5
    assert [d["uid"] for d in first.dashboards] == [
        "tse-devops-docker",
        "tse-simulation-entity",
        "tse-extra-uptime",
    ]
    assert first.migration_lines() == ["migrated tse-extra-uptime: schemaVersion 36 → 42"]
    assert first.lint is not None and not first.lint.full  # the extra is linted, alone
    again = run_build(inputs, options, content)
    assert content.calls == 1 and again.replayed  # the content was not even imported
    assert again.provisioning is not None
    assert again.provisioning.written == [] and again.provisioning.removed == []
    assert again.provisioning.unchanged == sorted(first.provisioning.written)
    assert again.migration_lines() == []  # nothing written: the migration is not told again
    assert again.as_dict()["migrations"] == first.as_dict()["migrations"]
    rebuilt = run_build(inputs, BuildOptions(tmp_path / "p", rebuild=True), content)
    assert content.calls == 2
    assert rebuilt.lines() == again.lines()  # a reused build prints what a full one does


def test_the_record_reads_back_as_the_same_report() -> None:
    report = BuildReport(
        FilesReport("out", "2 dashboards from 4 instances", ["b"], ["a"], ["c"]),
        dashboards=[{"uid": "u", "file": "f.json", "panels": 3}],
        migrations=[Migration("u", "P", "graph → timeseries", -1).as_dict()],
        source_warnings=["instances.yaml:3: warning: x"],
    )
    back = BuildReport.from_record(json.loads(json.dumps(report.record())))
    assert back.replayed and back.provisioning == FilesReport(
        "out", "2 dashboards from 4 instances", [], ["a", "b"], []
    )
    assert back.dashboards == report.dashboards and back.migrations == report.migrations
    assert back.lines(structured=True) == [(True, "instances.yaml:3: warning: x")]


@pytest.mark.parametrize(
    "migration",
    [
        Migration("u", "", "schemaVersion 12 → 42"),
        Migration("u", "Errors", "graph → timeseries", -1),
        Migration("u", "", "empty `rows` removed", 16),
        Migration("u", "Memory", "null members dropped", -2),
    ],
)
def test_a_recorded_migration_prints_as_the_migration_does(migration: Migration) -> None:
    assert migration_text(migration.as_dict()) == str(migration)


def test_the_inputs_are_the_files_the_digest_and_watch_read_and_the_build_options(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = BuildInputs(
        SourceSpec("orch/docker-compose.yml", ("more.yml",), "redis://h:6379", 30.0),
        Path("x"),
        "lint.yaml",
        BaseChoice(None, False, ("prometheus",)),
    )
    assert inputs.files(deploy=False) == [
        Path("orch/docker-compose.yml"),
        Path("instances.yaml"),
        Path("more.yml"),
        Path("lint.yaml"),
    ]
    assert inputs.files(deploy=True)[4:] == [
        Path("orch/prometheus/prometheus.yml"),
        Path("prometheus/prometheus.yml"),
    ]
    assert inputs.dirs() == [Path("x")]
    argv = inputs.argv(deploy=True)
    assert argv == [
        *("--registry", "orch/docker-compose.yml", "--compose", "more.yml"),
        *("--discover", "redis://h:6379", "--stale-after", "30.0"),
        *("--extras", "x", "--exclusions", "lint.yaml", "--replace-job", "prometheus"),
    ]
    # The command line reads the options back as the same inputs.
    seen: list[Any] = []

    def capture(inputs: BuildInputs, options: BuildOptions, content: Any) -> BuildReport:
        seen.append((inputs, options))
        return BuildReport()

    monkeypatch.setattr("tsedash.pipeline.run.run_build", capture)  # what build_from calls
    res = run_cli("build", *argv, "--deploy", "d", "--out", "o")
    assert res.exit_code == 0, res.stderr
    assert seen == [(inputs, BuildOptions(Path("o"), deploy=Path("d")))]


def test_what_cannot_be_known_up_front_has_no_digest(tmp_path: Path) -> None:
    options = BuildOptions(tmp_path / "p")
    assert (
        build_digest(BuildInputs(SourceSpec(str(FIXTURE), discover="redis://h")), options) is None
    )
    extras = tmp_path / "x"
    extras.mkdir()
    (extras / "a.dashboard.py").write_text("dashboard = {}\n")
    assert build_digest(BuildInputs(SourceSpec(str(FIXTURE)), extras), options) is None
    # The exclusions file is an input of every build (extras are always linted).
    exclusions = tmp_path / "lint.yaml"
    exclusions.write_text("exclusions: []\n")
    plain = BuildInputs(SourceSpec(str(FIXTURE)), None, str(exclusions))
    before = build_digest(plain, options)
    exclusions.write_text("exclusions: []  # edited\n")
    assert before is not None and build_digest(plain, options) not in (None, before)


def test_a_failed_build_keeps_what_it_found_and_the_cause_s_exit_code(
    tmp_path: Path, write_registry: Callable[[str], Path]
) -> None:
    text = FIXTURE.read_text().replace("    acknowledge: {name-case: the seed's spelling}\n", "")
    registry = write_registry(text)  # a registry warning, then a lint error in an extra
    extras = tmp_path / "extras"
    extras.mkdir()
    model = json.loads(UPTIME.read_text())
    panel = next(p for p in model["panels"] if p.get("targets"))
    panel["targets"][0]["expr"] = (
        'sum(rate(http_requests_total{job=~"$service", instance=~"$instance"}[5m]))'
    )
    (extras / "uptime.json").write_text(json.dumps(model, indent=2))
    out = tmp_path / "p"
    with pytest.raises(BuildFailed) as info:
        run_build(
            BuildInputs(SourceSpec(str(registry)), extras), BuildOptions(out), CountingContent()
        )
    failed = info.value
    assert failed.exit_code == 1 and str(failed) == f"lint failed; nothing written to {out}"
    lines = failed.lines()
    warned = [line for line in lines if line.startswith(f"{registry}:")]
    assert warned and lines[: len(warned)] == warned  # the registry's warnings first
    line = _title_line(extras / "uptime.json", panel["title"])
    assert lines[len(warned)].startswith(
        f"{extras / 'uptime.json'}:{line}: error target-rate-interval: "
    )
    assert not out.exists()


def _title_line(path: Path, title: str) -> int:
    return next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if f'"{title}"' in text
    )


def test_base_options_need_a_deploy_directory(tmp_path: Path) -> None:
    from tsedash.errors import InputError

    inputs = BuildInputs(SourceSpec(str(FIXTURE)), base=BaseChoice(off=True))
    with pytest.raises(InputError, match="apply with --deploy"):
        run_build(inputs, BuildOptions(tmp_path / "p"), CountingContent())


def test_a_build_into_a_base_config_says_what_it_merged_and_again_when_reused(
    run_cli: RunCli, tmp_path: Path
) -> None:
    base = ROOT / "tests/fixtures/orchestrator/prometheus/prometheus.yml"
    out, deploy = tmp_path / "p", tmp_path / "d"
    args = ["build", "--registry", str(FIXTURE), "--out", str(out), "--deploy", str(deploy)]
    first = run_cli(*args, "--base", str(base))
    assert first.exit_code == 0, first.stderr
    [merged] = [ln for ln in first.stdout.splitlines() if ln.startswith("prometheus.yml from ")]
    reused = run_cli(*args, "--base", str(base))
    assert merged in reused.stdout.splitlines()
    assert reused.stdout.splitlines()[-1].startswith(f"{deploy}: 4 instances; 0 written, ")
    doc = json.loads(run_cli(*args, "--base", str(base), "-o", "json").stdout)
    assert doc["deploy"]["base"]["base"] == str(base) and doc["deploy"]["written"] == []
    # Our own config, merged into nothing: no merge line, no base in the document.
    own = json.loads(run_cli(*args, "--no-base", "-o", "json").stdout)
    assert own["deploy"]["base"] is None and "prometheus/prometheus.yml" in own["deploy"]["written"]


@pytest.mark.parametrize(
    ("text", "panel", "line"),
    [
        ('{\n  "panels": [\n    {"title": "Up"}\n  ]\n}\n', "Up", 3),  # JSON
        ("x = 1\npanel = Stat(title='Up')\n", "Up", 2),  # Python, single quotes
        ('{"title": "Upper"}\n', "Up", 0),  # only a longer title: not this panel
        ('{"title": "Up"}\n', "", 0),  # a dashboard-wide finding has no panel line
    ],
)
def test_an_extra_s_finding_is_placed_at_its_panel_title(
    tmp_path: Path, text: str, panel: str, line: int
) -> None:
    from tsedash.pipeline.lintstep import _panel_line

    source = tmp_path / "extra.json"
    source.write_text(text)
    assert _panel_line(source, panel) == line
    assert _panel_line(tmp_path / "gone.json", "Up") == 0  # a file gone meanwhile: no line


def test_default_extras_is_the_working_directory_s_extras_only_when_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsedash.pipeline import default_extras

    monkeypatch.chdir(tmp_path)
    assert default_extras(None) is None
    (tmp_path / "extras").mkdir()
    assert default_extras(None) == Path("extras")
    assert default_extras(Path("mine")) == Path("mine")


def test_a_base_choice_that_cannot_be_is_refused_before_anything_is_written() -> None:
    from tsedash.errors import InputError
    from tsedash.registry import load_registry

    registry = load_registry(FIXTURE)
    spec = SourceSpec(str(FIXTURE))
    with pytest.raises(InputError, match="--base and --no-base exclude each other"):
        BaseChoice("prometheus.yml", True).merge(spec, registry)
    with pytest.raises(InputError, match="--replace-job applies to a base config: none given"):
        BaseChoice(None, True, ("redis",)).merge(spec, registry)
    assert BaseChoice(off=True).merge(spec, registry) == (None, None)


def test_a_compose_file_given_as_the_registry_is_a_compose_file_of_the_build() -> None:
    compose = str(ROOT / "tests/fixtures/orchestrator/docker-compose.yml")
    spec = SourceSpec(compose, ("more.yml",))
    registry = SourceSpec(compose).load().registry
    assert spec.compose_files(registry) == [compose, "more.yml"]
    plain = SourceSpec(str(FIXTURE), ("more.yml",))
    assert plain.compose_files(SourceSpec(str(FIXTURE)).load().registry) == ["more.yml"]


def test_source_lines_are_the_registry_warnings_then_the_redis_entries_left_out() -> None:
    from types import SimpleNamespace

    from tsedash.pipeline.inputs import source_lines

    skipped = [SimpleNamespace(key="registry:a", reason="stale heartbeat")]
    sources = SimpleNamespace(
        registry=SimpleNamespace(warnings=["r.yaml:3: warning: w"]),
        redis=SimpleNamespace(url="redis://h:6379", skipped=skipped),
    )
    assert source_lines(sources) == [  # type: ignore[arg-type]
        "r.yaml:3: warning: w",
        "redis://h:6379: skipped registry:a: stale heartbeat",
    ]


def test_a_generated_dashboard_s_finding_stays_at_the_file_it_is_written_to(
    tmp_path: Path,
) -> None:
    from types import SimpleNamespace

    from tsedash.pipeline.lintstep import lint_built
    from tsedash.registry import load_registry

    model = json.loads(UPTIME.read_text())
    for panel in model["panels"]:
        panel.get("fieldConfig", {}).get("defaults", {}).pop("unit", None)
    ours = SimpleNamespace(uid=model["uid"], filename="ours.json")  # no `source`: generated
    section = lint_built([(ours, model)], load_registry(FIXTURE), tmp_path, None, False, True)
    files = {f.file for f in section.findings}
    assert files == {str(tmp_path / "dashboards/trading-ecosystem/ours.json")}
    assert section.full and not section.failed()  # warnings only
    # An extras-only lint of the same (generated) dashboard lints nothing.
    assert (
        lint_built([(ours, model)], load_registry(FIXTURE), tmp_path, None, False, False).findings
        == []
    )
