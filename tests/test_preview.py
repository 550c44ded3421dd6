"""Layout preview: pages checked in the real headless Chromium, PNGs produced."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

import tsedash_dashboards
from tsedash import pipeline
from tsedash.errors import InputError
from tsedash.preview import CELL_HEIGHT, COLUMN_WIDTH, dump_dom, render_html, write_previews

from .conftest import ROOT, Result
from .dashboard_helpers import FIXTURE, clone

RunCli = Callable[..., Result]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prov")
    pipeline.build(
        ROOT / "instances.yaml", tsedash_dashboards, out, extras=ROOT / "examples/extras"
    )
    return out


def test_every_panel_is_drawn_where_its_gridpos_says(built: Path, tmp_path: Path) -> None:
    pages = write_previews(built, tmp_path, png=False)
    assert len(pages) == 6
    for page in pages:
        dom = dump_dom(page.html)
        boxes = re.findall(
            r'data-grid="(\d+),(\d+),(\d+),(\d+)"[^>]*data-measured="(-?\d+),(-?\d+),(\d+),(\d+)"',
            dom,
        )
        assert boxes, f"{page.html}: nothing measured"
        assert len(boxes) == dom.count("data-grid=")
        for x, y, w, h, left, top, width, height in boxes:
            assert (int(left), int(top)) == (int(x) * COLUMN_WIDTH, int(y) * CELL_HEIGHT), (
                page.uid,
                x,
                y,
            )
            assert (int(width), int(height)) == (int(w) * COLUMN_WIDTH, int(h) * CELL_HEIGHT), (
                page.uid,
                w,
                h,
            )


def test_pngs_are_produced(built: Path, tmp_path: Path, run_cli: RunCli) -> None:
    res = run_cli("preview", "--dashboards", str(built), "--out", str(tmp_path))
    assert res.exit_code == 0, res.stderr
    for name in ("devops-docker-view", "simulation-entity-view"):
        data = (tmp_path / f"{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width == 24 * COLUMN_WIDTH + 32 and height > 1000
        assert f"{tmp_path / name}.png" in res.stdout


def test_pages_are_self_contained_and_escape_everything(built: Path) -> None:
    import json

    model = json.loads((built / "dashboards/trading-ecosystem/devops-docker-view.json").read_text())
    evil = clone(model)
    evil["panels"][1]["title"] = "<script>alert(1)</script>"
    html = render_html(evil, "x")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no external assets
    assert "instance=~&quot;.+&quot;" in html  # expanded query shown, with All's value


def test_no_png_needs_no_browser(built: Path, tmp_path: Path, run_cli: RunCli) -> None:
    res = run_cli("preview", "--dashboards", str(built), "--out", str(tmp_path), "--no-png")
    assert res.exit_code == 0
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html"] * 6
    res = run_cli("preview", "--dashboards", str(tmp_path / "none"), "--out", str(tmp_path))
    assert res.exit_code == 2 and "run `tsedash build` first" in res.stderr


def test_fixture_registry_preview_has_rows(tmp_path: Path) -> None:
    out = tmp_path / "prov"
    pipeline.build(FIXTURE, tsedash_dashboards, out, extras=None)
    [_, sim] = write_previews(out, tmp_path / "pv", png=False)
    assert 'class="row"' in sim.html.read_text()


def test_collapsed_rows_are_drawn_closed_with_their_panels_listed(
    built: Path, tmp_path: Path
) -> None:
    [page] = [
        p for p in write_previews(built, tmp_path, png=False) if p.uid == "tse-simulation-entity"
    ]
    html = page.html.read_text()
    row = re.search(
        r'<div class="row collapsed"[^>]*>([^<]*)<span class="inside">([^<]*)</span>', html
    )
    assert row is not None
    assert "exchange-simulator domain metrics (planned" in html
    assert "Trades/s" in html and 'data-grid="0,' in html
    # A planned panel is listed in its row, never drawn as a box of its own.
    assert not re.search(r'class="panel"[^>]*>.{0,200}exchange-simulator Trades/s', html, re.S)


UIDS = [
    "tse-devops-docker",
    "tse-extra-requests",
    "tse-extra-scrape",
    "tse-extra-team-red",
    "tse-extra-uptime",
    "tse-simulation-entity",
]


def test_progress_one_line_per_dashboard_and_quiet(
    built: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    res = run_cli("preview", "--dashboards", str(built), "--out", str(tmp_path), "--no-png")
    assert res.exit_code == 0, res.stderr
    uids = [line.split(": ")[0] for line in res.stdout.splitlines()]
    assert res.stderr.splitlines() == [f"preview: {n}/6 {uid}" for n, uid in enumerate(uids, 1)]
    assert sorted(uids) == UIDS
    quiet = run_cli("preview", "--dashboards", str(built), "--out", str(tmp_path), "--no-png", "-q")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == res.stdout
    doc = run_cli(
        "preview", "--dashboards", str(built), "--out", str(tmp_path), "--no-png", "--json"
    )
    pages = json.loads(doc.stdout)
    assert sorted(p["uid"] for p in pages) == UIDS
    assert all(p["png"] is None and Path(p["html"]).parent == tmp_path for p in pages)


def test_a_progress_bar_on_a_terminal(built: Path, tmp_path: Path) -> None:
    """stderr a terminal: click's bar (redrawn with `\\r`), not one line per dashboard."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "tsedash",
            "preview",
            "--no-png",
            "--dashboards",
            str(built),
            "--out",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        timeout=60,
        check=False,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert res.returncode == 0
    text = shown.decode()
    assert "preview" in text and "100%" in text and "\r" in text
    assert "preview: 1/6" not in text
    assert len(res.stdout.splitlines()) == 6


def test_chromium_missing_writes_nothing(built: Path, tmp_path: Path, run_cli: RunCli) -> None:
    out = tmp_path / "out"
    empty = tmp_path / "bin"  # a PATH without chromium
    empty.mkdir()
    res = run_cli(
        "preview", "--dashboards", str(built), "--out", str(out), env={"PATH": str(empty)}
    )
    assert res.exit_code == 2
    assert res.stderr == (
        "error: 'chromium' is not installed (the PNGs need it): apt-get install chromium, "
        "or `tsedash preview --no-png` for the HTML pages alone\n"
    )
    assert res.stdout == "" and not out.exists()


def test_chromium_failing_midway_writes_nothing(
    built: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    """A Chromium that crashes (a stand-in that exits 1): no page of the run is written, and
    what the directory held is left as it was."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "devops-docker-view.html").write_text("the previous page")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    crash = bin_dir / "chromium"
    crash.write_text("#!/bin/sh\necho 'crashed' >&2\nexit 1\n")
    crash.chmod(0o755)
    res = run_cli(
        "preview", "--dashboards", str(built), "--out", str(out), env={"PATH": str(bin_dir)}
    )
    assert res.exit_code == 3
    assert res.stderr.splitlines()[-1] == "error: chromium failed (1): crashed"
    assert [p.name for p in out.iterdir()] == ["devops-docker-view.html"]
    assert (out / "devops-docker-view.html").read_text() == "the previous page"


def test_out_that_is_a_file_is_refused(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(InputError, match="output path exists and is not a directory"):
        write_previews(built, target, png=False)
    assert target.read_text() == "x"
