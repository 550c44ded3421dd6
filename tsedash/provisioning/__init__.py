"""Provisioning files for Grafana's file provider, written atomically and deterministically."""

from tsedash.files import MANIFEST, WriteReport, write_tree
from tsedash.provisioning.render import render_files

__all__ = ["MANIFEST", "WriteReport", "render_files", "write_tree"]
