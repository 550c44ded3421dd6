"""Runs one extra `*.dashboard.py` in a child process (`python -m tsedash.extra_worker`).

The parent (`tsedash.extra`) sends `(path, registry)` pickled on stdin and waits a bounded
time. Here the file runs with its stdout sent to stderr (a `print()` never reaches the
command's output, `--json` included); the model, or the error located at the file's line, is
written as one JSON document to the real stdout, and the process ends at once after its exit
handlers (a thread the extra left running cannot keep it alive). `sys.exit()` in an extra is
an error, not an exit.
"""

from __future__ import annotations

import atexit
import json
import os
import pickle
import sys
from pathlib import Path
from typing import Any


def _result(path: Path, registry: Any) -> dict[str, Any]:
    from tsedash.extra import ExtraDashboardError, evaluate_python

    try:
        return {"model": evaluate_python(path, registry)}
    except ExtraDashboardError as exc:
        return {"error": str(exc)}


def main() -> None:
    result_fd = os.dup(1)
    os.dup2(2, 1)  # the extra's prints go to stderr
    sys.stdout = sys.stderr
    path, registry = pickle.loads(sys.stdin.buffer.read())
    try:
        result = _result(Path(path), registry)
        text = json.dumps(result)
    except BaseException as exc:  # the result itself cannot be encoded
        text = json.dumps({"error": f"{path}: the dashboard cannot be encoded ({exc})"})
    os.write(result_fd, text.encode())
    sys.stderr.flush()
    atexit._run_exitfuncs()  # what a normal exit would run (measurement tools save here) …
    os._exit(0)  # … without waiting for a thread the extra left running


if __name__ == "__main__":
    main()
