"""Provisioning files for Grafana's file provider, written atomically and deterministically."""

from tsedash.provisioning.render import render_files
from tsedash.provisioning.writer import MANIFEST, WriteReport, write_tree

__all__ = ["MANIFEST", "WriteReport", "render_files", "write_tree"]
