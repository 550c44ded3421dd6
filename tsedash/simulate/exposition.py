"""Prometheus text exposition format 0.0.4, just what the simulator serves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Family:
    name: str
    type: str  # counter | gauge
    help: str
    samples: list[tuple[Mapping[str, str], float]] = field(default_factory=list)
    # Histograms: (suffix, labels, value) for `_bucket`, `_sum`, `_count`.
    suffixed: list[tuple[str, Mapping[str, str], float]] = field(default_factory=list)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _sample(name: str, labels: Mapping[str, str], value: float) -> str:
    if not labels:
        return f"{name} {value!r}"
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}} {value!r}"


def render(families: Iterable[Family]) -> bytes:
    lines: list[str] = []
    for fam in families:
        lines.append(f"# HELP {fam.name} {_help(fam.help)}")
        lines.append(f"# TYPE {fam.name} {fam.type}")
        lines.extend(_sample(fam.name, labels, value) for labels, value in fam.samples)
        lines.extend(_sample(fam.name + sfx, labels, value) for sfx, labels, value in fam.suffixed)
    return ("\n".join(lines) + "\n").encode()
