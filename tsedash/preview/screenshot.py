"""Headless Chromium (Debian `chromium`): a PNG of a page, or its DOM after scripts ran."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from tsedash.processes import MissingProgram, ProcessFailed, find_program

# As this machine's notes say: no sandbox as root, and no background networking (closed network).
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def need_chromium() -> str:
    """Chromium's path; MissingProgram (exit 2) saying how to get it, or to do without."""
    try:
        return find_program("chromium")
    except MissingProgram:
        raise MissingProgram(
            "'chromium' is not installed (the PNGs need it): apt-get install chromium, "
            "or `tsedash preview --no-png` for the HTML pages alone"
        ) from None


def chromium_args(profile: Path, *extra: str) -> list[str]:
    return [need_chromium(), *_FLAGS, f"--user-data-dir={profile}", *extra]


def _run(args: list[str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    if res.returncode != 0:
        raise ProcessFailed(f"chromium failed ({res.returncode}): {res.stderr.strip()[-500:]}")
    return res


def screenshot(page: Path, png: Path, width: int, height: int) -> Path:
    with tempfile.TemporaryDirectory(prefix="tsedash-chromium-") as profile:
        _run(
            chromium_args(
                Path(profile),
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                page.resolve().as_uri(),
            )
        )
    if not png.exists() or png.stat().st_size == 0:
        raise ProcessFailed(f"chromium wrote no screenshot to {png}")
    return png


def dump_dom(page: Path, width: int = 1280, height: int = 2000) -> str:
    with tempfile.TemporaryDirectory(prefix="tsedash-chromium-") as profile:
        res = _run(
            chromium_args(
                Path(profile),
                f"--window-size={width},{height}",
                "--dump-dom",
                page.resolve().as_uri(),
            )
        )
    return res.stdout
