"""Importing a huge old dashboard: `tsedash build --extras` on grafanalib-style JSON (`make bench`).

One dashboard of schemaVersion 12 in pre-v16 rows of ten panels, `graph` and `singlestat` in
turn, as grafanalib writes them, at 5,000 and 50,000 panels; the whole build (migration, the
defaults pass, validation, writing) in a fresh process, the best of RUNS: wall and CPU seconds
(on a machine shared with other work, CPU is the steadier figure) and peak memory. The ratio
row is the 50,000-panel figure over the 5,000-panel one: 10 is linear (the grid check used to
compare every pair of panels, and the build took 216 s at 50,000).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tsedash.registry import load_registry  # noqa: E402

SIZES = (5_000, 50_000)
RUNS = 2
PER_ROW = 10


def _panel(i: int, datasource: str) -> dict[str, Any]:
    panel: dict[str, Any] = {
        "title": f"Panel {i}",
        "span": 4,
        "datasource": datasource,
        "targets": [{"expr": f'sum(rate(http_requests_total{{n="{i}"}}[5m]))', "refId": "A"}],
    }
    if i % 2:
        panel.update(
            type="graph",
            yaxes=[{"format": "reqps", "show": True}, {"format": "short", "show": False}],
            legend={"show": True, "values": True, "avg": True},
            lines=True,
            linewidth=1,
            fill=1,
        )
    else:
        panel.update(type="singlestat", valueName="current", format="short", thresholds="1,5")
        panel.update(colors=["green", "orange", "red"], sparkline={"show": True})
    return panel


def old_dashboard(panels: int, datasource: str) -> dict[str, Any]:
    rows = [
        {
            "title": f"Row {r}",
            "height": "250px",
            "panels": [_panel(r * PER_ROW + j, datasource) for j in range(PER_ROW)],
        }
        for r in range(panels // PER_ROW)
    ]
    return {"uid": "bench-old", "title": "Old", "schemaVersion": 12, "rows": rows}


def build_seconds(extras: Path, out: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds of a fresh `tsedash build`, and the children's peak memory so far
    (CPU time is what a machine shared with other work measures reliably)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tsedash", "build", "--out", str(out), "--extras", str(extras)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, after.ru_maxrss / 1024


def main() -> None:
    registry = load_registry(ROOT / "instances.yaml")
    figures: dict[int, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:  # smallest first: the children's peak is a running maximum
            extras = Path(tmp) / f"extras-{size}"
            extras.mkdir()
            model = old_dashboard(size, registry.datasource.name)
            (extras / "old.json").write_text(json.dumps(model))
            runs = [build_seconds(extras, Path(tmp) / f"out-{size}-{i}") for i in range(RUNS)]
            wall = min(run[0] for run in runs)
            cpu = min(run[1] for run in runs)
            figures[size] = (wall, cpu, max(run[2] for run in runs))
    small, large = SIZES
    print("".join(f"{h:>13}" for h in ("panels", "build s", "cpu s", "peak MB")))
    for size in SIZES:
        print(f"{size:>13,}" + "".join(f"{v:>13.1f}" for v in figures[size]))
    ratios = [figures[large][i] / figures[small][i] for i in range(3)]
    print(f"{'ratio':>13}" + "".join(f"{r:>13.1f}" for r in ratios), "  (10 is linear)")


if __name__ == "__main__":
    main()
