"""Process time of `build`, `deploy` and `registry check` at 1,000 / 10,000 / 50,000 instances.

Each command runs as users run it (`python -m tsedash …`, a fresh process) on a registry of the
repository's service types with N instances (benchmarks/load.py's registry); median of three
runs, `deploy` both into an empty directory and over its own previous output. The ratio column
is the time against the previous size: linear growth is 10x from 1k to 10k and 5x from 10k to
50k. Measurements only: nothing here fails on a timer.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import registry_text  # noqa: E402

SIZES = (1_000, 10_000, 50_000)


def _seconds(args: list[str], cwd: Path, before: list[str] | None = None) -> float:
    times = []
    for _ in range(3):
        if before:
            subprocess.run(before, cwd=cwd, check=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "tsedash", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(n: int, work: Path) -> dict[str, float]:
    (work / "instances.yaml").write_text(registry_text(n, recording=False))
    registry = ["--registry", "instances.yaml"]
    return {
        "registry check": _seconds(["registry", "check", *registry], work),
        "build": _seconds(["build", *registry, "--out", "prov", "--rebuild"], work),
        "deploy (empty dir)": _seconds(
            ["deploy", *registry, "--out", "dep"], work, before=["rm", "-rf", "dep"]
        ),
        "deploy (unchanged)": _seconds(["deploy", *registry, "--out", "dep"], work),
    }


def main() -> None:
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    print("Process time at scale (median of 3 fresh processes), ratio to the previous size")
    results: dict[int, dict[str, float]] = {}
    for n in sizes:
        work = Path(tempfile.mkdtemp())
        try:
            results[n] = measure(n, work)
        finally:
            shutil.rmtree(work)
    commands = list(next(iter(results.values())))
    print(f"{'command':<20}" + "".join(f"{n:>12,} {'ratio':>6}" for n in sizes))
    for command in commands:
        row, previous = f"{command:<20}", None
        for n in sizes:
            value = results[n][command]
            ratio = f"{value / previous:>5.1f}x" if previous else f"{'':>6}"
            row += f"{value:>11.2f}s {ratio}"
            previous = value
        print(row)


if __name__ == "__main__":
    main()
