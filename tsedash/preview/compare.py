"""`preview --compare REF`: each dashboard that differs from its version in REF (a git ref or
a directory of dashboards) drawn before and after, side by side from the same data, with the
panels that changed marked on both sides."""

from __future__ import annotations

import json
import subprocess
from html import escape
from pathlib import Path
from typing import Any

from tsedash.errors import InputError
from tsedash.provisioning.render import read_dashboards

Dashboards = dict[str, tuple[str, dict[str, Any]]]  # uid → (file name, model)


def _by_uid(items: list[tuple[Path, dict[str, Any]]]) -> Dashboards:
    return {str(m.get("uid") or p.stem): (p.name, m) for p, m in items}


def _git(args: list[str], cwd: Path) -> str:
    try:
        res = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
        )
    except FileNotFoundError:
        raise InputError("--compare with a git ref needs git on PATH") from None
    if res.returncode != 0:
        raise InputError(f"git {' '.join(args)}: {res.stderr.strip() or 'failed'}")
    return res.stdout


def dashboards_at(ref: str, source: Path) -> Dashboards:
    """The dashboards of REF: a directory like `source`, or `source` as it is at git ref REF."""
    if Path(ref).is_dir():
        return _by_uid(read_dashboards(Path(ref)))
    directory = source / "dashboards"
    top = Path(_git(["rev-parse", "--show-toplevel"], source if source.is_dir() else Path())
               .strip())  # fmt: skip
    inside = directory.resolve().relative_to(top.resolve()).as_posix()
    names = _git(["ls-tree", "-r", "--name-only", ref, "--", inside], top).split()
    out: Dashboards = {}
    for name in sorted(n for n in names if n.endswith(".json")):
        try:
            model = json.loads(_git(["show", f"{ref}:{name}"], top))
        except ValueError as exc:
            raise InputError(f"{ref}:{name}: not JSON: {exc}") from None
        out[str(model.get("uid") or Path(name).stem)] = (Path(name).name, model)
    return out


def _key(panel: dict[str, Any], index: int) -> str:
    return f"id:{panel['id']}" if "id" in panel else f"title:{panel.get('title', index)}"


def changed_panels(before: dict[str, Any], after: dict[str, Any]) -> frozenset[int]:
    """Indexes of the panels of `after` that are new or differ from the panel with the same
    id (else title) in `before`."""
    old = {_key(p, i): p for i, p in enumerate(before.get("panels", []))}
    return frozenset(
        i for i, panel in enumerate(after.get("panels", [])) if old.get(_key(panel, i)) != panel
    )


def side_by_side(title: str, before_html: str, after_html: str, width: int, height: int) -> str:
    """One self-contained page: both pages as inline documents (`srcdoc`)."""
    frames = "".join(
        f'<div class="side"><h2>{label}</h2><iframe title="{label}" width="{width}" '
        f'height="{height}" srcdoc="{escape(page)}"></iframe></div>'
        for label, page in (("before", before_html), ("after", after_html))
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}: before and after</title><style>"
        "body{margin:0;background:#111217;color:#ccccdc;font:13px system-ui,sans-serif}"
        ".sides{display:flex;gap:8px}h2{margin:6px 16px;font-size:15px;color:#fff}"
        "iframe{border:0;display:block}</style></head>"
        f'<body><div class="sides">{frames}</div></body></html>\n'
    )
