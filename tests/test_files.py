"""The generated-tree writer and the input boundary, case by case (the CLI-level cases are in
tests/test_adversarial.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tsedash import files
from tsedash.errors import InputError
from tsedash.files import manifest_name, read_manifest, write_tree
from tsedash.inputs import UnreadableInput, is_regular_file, read_text


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("name", ["../x.json", "/etc/x.json", "a\nb.json", "a\x7fb.json", ""])
def test_names_outside_the_tree_or_with_controls_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="refusing the file name"):
        write_tree(tmp_path / "out", {name: b"x"})
    assert not (tmp_path / "out").exists()


def test_a_failure_while_writing_temp_files_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a.json": b"old"})
    (out / "blocked").write_text("a file where a directory is needed")
    before = snapshot(out)
    with pytest.raises(OSError):
        write_tree(out, {"a.json": b"new", "new/dir/b.json": b"b", "blocked/c.json": b"c"})
    assert snapshot(out) == before  # no temp file, no half-made directory, a.json as it was
    assert not (out / "new").exists()


def test_a_failed_rename_removes_a_file_that_was_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_tree(out, {"b.json": b"old"})
    before = snapshot(out)
    real = os.replace
    seen = {"n": 0}

    def second_fails(src: Any, dst: Any) -> None:
        seen["n"] += 1
        if seen["n"] == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", second_fails)
    with pytest.raises(OSError):
        write_tree(out, {"a.json": b"new file", "b.json": b"new"})
    monkeypatch.setattr(files.os, "replace", real)
    assert snapshot(out) == before


def test_a_stale_file_that_cannot_be_removed_stays_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_tree(out, {"keep.json": b"k", "old/stale.json": b"s"})
    real_unlink = Path.unlink

    def refuse(self: Path, missing_ok: bool = False) -> None:
        if self.name == "stale.json":
            raise PermissionError(13, "Permission denied")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse)
    report = write_tree(out, {"keep.json": b"k"})
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert report.removed == [] and "old/stale.json" in read_manifest(out)
    assert write_tree(out, {"keep.json": b"k"}).removed == ["old/stale.json"]  # retried
    assert not (out / "old").exists()  # and its empty directory pruned


def test_each_command_has_its_own_record(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"dashboards/a.json": b"a"}, "build")
    write_tree(out, {"prometheus.yml": b"p"}, "prometheus")
    write_tree(out, {}, "prometheus")  # prometheus no longer writes anything
    assert (out / "dashboards/a.json").exists() and not (out / "prometheus.yml").exists()
    assert read_manifest(out, "build") == ["dashboards/a.json"]
    (out / manifest_name("build")).write_bytes(b"\xff\xfe")
    assert read_manifest(out, "build") == []  # an unreadable record owns nothing


def test_the_input_boundary(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="file not found"):
        read_text(tmp_path / "missing.yaml")
    big = tmp_path / "big.yaml"
    big.write_text("x" * 100)
    with pytest.raises(UnreadableInput, match="larger than"):
        read_text(big, limit=10)
    assert read_text(big) == "x" * 100
    os.mkfifo(tmp_path / "fifo")
    assert is_regular_file(big) and not is_regular_file(tmp_path / "fifo")
    assert not is_regular_file(tmp_path / "missing")
