"""Start-up: what each command's whole process costs on the default registry (`make bench`).

Baseline, measured in the same run: a bare `python -c "import
grafana_foundation_sdk.builders.dashboard"`, the least any process that builds a dashboard
pays. Each figure is the median wall time of a fresh process; `build` twice: reused (inputs
unchanged since the last build into the same directory) and `--rebuild` (everything); and
what `make dashboards` runs (build, lint and deploy in one process).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TSEDASH = [sys.executable, "-m", "tsedash"]
RUNS = 9


IMPORT_FLOORS = (
    ("import the SDK builders tsedash uses", "import tsedash.sdk"),
    ("  + click + yaml", "import tsedash.sdk, click, yaml"),
    ("  + jsonschema (validation)", "import tsedash.sdk, click, yaml, jsonschema"),
    ("all of tsedash build's modules", "import tsedash.cli, tsedash.pipeline"),
)


def median_seconds(args: list[str], cwd: Path = ROOT) -> float:
    """The median wall time of RUNS fresh processes."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        sdk = median_seconds(
            [sys.executable, "-c", "import grafana_foundation_sdk.builders.dashboard"], ROOT
        )
        bare = median_seconds([sys.executable, "-c", "pass"], ROOT)
        subprocess.run(
            [*TSEDASH, "build", "--out", str(out / "p")], cwd=ROOT, check=True, capture_output=True
        )
        make = ["build", "--out", str(out / "m"), "--lint", "--strict", "--deploy", str(out / "d")]
        subprocess.run([*TSEDASH, *make], cwd=ROOT, check=True, capture_output=True)
        commands = {
            "build (inputs unchanged)": ["build", "--out", str(out / "p")],
            "build --rebuild": ["build", "--rebuild", "--out", str(out / "p")],
            "build --lint --deploy (make dashboards, unchanged)": make,
            "build --lint --deploy --rebuild": [*make, "--rebuild"],
            "validate": ["validate", "--out", str(out / "p")],
            "lint": ["lint", "--out", str(out / "p")],
            "prometheus": ["prometheus", "--out", str(out / "prom")],
            "deploy": ["deploy", "--out", str(out / "deploy")],
            "registry show": ["registry", "show"],
            "registry check": ["registry", "check"],
        }
        print(f"{'process':<56} {'seconds':>8} {'x sdk import':>13}")
        print(f"{'python -c pass':<56} {bare:>8.3f} {bare / sdk:>13.2f}")
        print(f"{'import sdk (baseline)':<56} {sdk:>8.3f} {1.0:>13.2f}")
        for name, args in commands.items():
            seconds = median_seconds([*TSEDASH, *args], ROOT)
            print(f"{'tsedash ' + name:<56} {seconds:>8.3f} {seconds / sdk:>13.2f}")
    print("where a full build's time goes: imports alone, no work done")
    for label, code in IMPORT_FLOORS:
        seconds = median_seconds([sys.executable, "-c", code])
        print(f"  {label:<54} {seconds:>8.3f} {seconds / sdk:>13.2f}")


if __name__ == "__main__":
    main()
