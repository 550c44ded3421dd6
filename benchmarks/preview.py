"""Preview with data against the layout preview (`make bench`): both dashboards of
`provisioning/`, HTML and PNG, each the median wall time of fresh `tsedash preview` processes.
The data comes from the committed saved answers (`--data`), so no Prometheus's speed is in the
figure; the issue's bound is with data <= 2x the layout alone."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests/fixtures/preview/demo-data.json"
RUNS = 3
BOUND = 2.0


def median_seconds(args: list[str], out: Path) -> float:
    times = []
    for run in range(RUNS):
        start = time.perf_counter()
        command = [sys.executable, "-m", "tsedash", "preview", "-q", "--out", str(out / str(run))]
        subprocess.run([*command, *args], cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        layout = median_seconds([], Path(tmp) / "layout")
        with_data = median_seconds(["--data", str(DATA)], Path(tmp) / "data")
    ratio = with_data / layout
    print(f"preview, 2 dashboards, HTML + PNG (median of {RUNS} processes)")
    print(f"  layout only            {layout:6.2f} s")
    print(f"  with data (--data)     {with_data:6.2f} s")
    verdict = "ok" if ratio <= BOUND else f"over the {BOUND:g}x bound"
    print(f"  ratio                  {ratio:6.2f}x  ({verdict})")
    return 0 if ratio <= BOUND else 1


if __name__ == "__main__":
    sys.exit(main())
