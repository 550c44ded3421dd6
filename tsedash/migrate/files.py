"""`tsedash migrate`: dashboard files migrated without a build, with a report per file.

Each file is a bare dashboard model (an export, a `tsedash pull`); it is migrated as
`migrate_dashboard` migrates an extra dashboard, and its report lists every change by the step
that made it (`v14`, `load`, `plugin`, `save`) and by panel. Every file is read and
migrated before anything is written, so a file that cannot be migrated (exit 2) or converted
(`schema="v2"`, exit 1) leaves the output directory as it was. A result is written under the
input's own file name into the output directory; an input is overwritten only when the output
directory is the one it is in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tsedash.encode import dump_json
from tsedash.errors import InputError
from tsedash.files import atomic_write
from tsedash.findings import Finding
from tsedash.inputs import read_json
from tsedash.migrate import CURRENT_SCHEMA, Migration, ShapeError, migrate_dashboard
from tsedash.migrate.schemaversion import DatasourceInfo, schema_version

if TYPE_CHECKING:
    from tsedash.registry import Registry


class MigrationFindings(InputError):
    """`schema="v2"`: migrated dashboards the v2 conversion refuses (exit 1, like a finding)."""

    exit_code = 1

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__(f"{len(findings)} finding(s) converting to schema v2; nothing written")


@dataclass
class MigratedFile:
    """One input: what it became, what changed, where it was written."""

    source: Path
    uid: str
    written_version: str  # `schemaVersion` as the file has it ("none" when missing)
    model: dict[str, Any]  # the migrated v1 model, or the v2 resource
    before: int  # the schemaVersion as Grafana reads it (missing: 0)
    migrations: list[Migration] = field(default_factory=list)
    written: Path | None = None
    v2_notes: list[Any] = field(default_factory=list)  # `tsedash.dashv2.report.DashboardNote`

    @property
    def changed(self) -> bool:
        return bool(self.migrations)

    def report(self) -> list[str]:
        """The file's lines: a heading, then one line per change (step, panel, change)."""
        newer = self.before > CURRENT_SCHEMA  # Grafana has no step down, nor do we
        if not self.changed:
            state = f"newer than {CURRENT_SCHEMA}, kept" if newer else "current"
            return [f"{self.source}: {self.uid}: {state} (schemaVersion {self.written_version})"]
        versions = (
            f"schemaVersion {self.written_version} (newer than {CURRENT_SCHEMA}, kept)"
            if newer
            else f"schemaVersion {self.written_version} → {CURRENT_SCHEMA}"
        )
        head = f"{self.source}: {self.uid}: {versions}, {len(self.migrations)} change(s)"
        lines = [head]
        for m in self.migrations:
            if not m.step:
                continue  # the heading says it
            where = f" panel '{m.panel}'" if m.panel else ""
            lines.append(f"  {m.step}{where}: {m.change}")
        return lines + [f"  {line}" for line in self._v2_lines()]

    def _v2_lines(self) -> list[str]:
        if not self.v2_notes:
            return []
        from tsedash.dashv2.report import summary_lines

        return summary_lines(self.v2_notes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.source),
            "uid": self.uid,
            "schemaVersion": self.written_version,
            "changed": self.changed,
            "written": str(self.written) if self.written else None,
            "changes": [m.as_dict() for m in self.migrations],
            "v2_conversion": [n.as_dict() for n in self.v2_notes],
        }


@dataclass(frozen=True)
class MigrateRequest:
    """`tsedash migrate`'s options; `run` refuses a combination that cannot be (exit 2)."""

    files: tuple[Path, ...]
    out_dir: Path | None = None
    schema: str = "v1"
    check: bool = False
    structured: bool = False  # -o json|yaml: the results are a document, nothing to stdout

    def run(self, registry: Registry | None) -> MigrateRun:
        """Migrate with the registry's datasources and folder (None: no registry)."""
        from tsedash.migrate import known_datasources

        if self.check and (self.out_dir is not None or self.schema != "v1"):
            raise InputError("--check writes nothing: it cannot go with --out or --schema v2")
        if self.to_stdout and len(self.files) > 1:
            raise InputError(
                f"{len(self.files)} files: give --out DIR to write them (one file: stdout)"
            )
        datasources = known_datasources(registry.datasource) if registry else ()
        folder_uid = registry.folder.uid if registry else ""
        out = self.out_dir
        return MigrateRun(
            self, migrate_files(self.files, datasources, out, self.schema, folder_uid)
        )

    @property
    def to_stdout(self) -> bool:
        """One file, no --out, no --check: the result is stdout."""
        return self.out_dir is None and not self.check and not self.structured


@dataclass
class MigrateRun:
    """What `tsedash migrate` did: the results, as lines or one document, and its exit code."""

    request: MigrateRequest
    results: list[MigratedFile]

    def lines(self, quiet: bool) -> list[tuple[bool, str]]:
        """(to stderr?, line): each file's report (not with `quiet`) and where it went; with
        --check the count that would change; the model itself when it goes to stdout."""
        err = self.request.to_stdout  # stdout is the model
        lines: list[tuple[bool, str]] = []
        for result in self.results:
            lines += [(err, line) for line in ([] if quiet else result.report())]
            lines += [(err, f"wrote {result.written}")] if result.written else []
        if self.request.check:
            lines.append(
                (False, f"{len(self.changed)} of {len(self.results)} file(s) would change")
            )
        return lines

    @property
    def stdout(self) -> str:
        """The one migrated model as JSON, when the result goes to stdout."""
        return dump_json(self.results[0].model).decode() if self.request.to_stdout else ""

    @property
    def changed(self) -> list[MigratedFile]:
        return [r for r in self.results if r.changed]

    @property
    def exit_code(self) -> int:
        """--check: 1 when a file would change."""
        return 1 if self.request.check and self.changed else 0

    def as_dict(self) -> dict[str, Any]:
        return {"files": [r.as_dict() for r in self.results]}


def migrate_files(
    paths: Sequence[Path],
    datasources: Iterable[DatasourceInfo] = (),
    out: Path | None = None,
    schema: str = "v1",
    folder_uid: str = "",
) -> list[MigratedFile]:
    """Migrate every file (all before any is written), convert to v2 when asked, then write
    each under its own name into `out` (None: nothing written)."""
    known = tuple(datasources)
    _distinct_names(paths, out)
    results = [_migrate_file(path, known) for path in paths]
    if schema == "v2":
        _to_v2(results, folder_uid)
    if out is not None:
        for result in results:
            result.written = out / result.source.name
            atomic_write(result.written, dump_json(result.model))
    return results


def _distinct_names(paths: Sequence[Path], out: Path | None) -> None:
    if out is None:
        return
    seen: dict[str, Path] = {}
    for path in paths:
        if path.name in seen:
            raise InputError(
                f"{path} and {seen[path.name]} have the same name: both would be written as "
                f"{out / path.name}"
            )
        seen[path.name] = path


def _migrate_file(path: Path, datasources: tuple[DatasourceInfo, ...]) -> MigratedFile:
    model = read_json(path)
    if not isinstance(model, dict):
        raise InputError(f"{path}: a dashboard file must hold a JSON object (the bare model)")
    if isinstance(model.get("dashboard"), dict):
        raise InputError(
            f'{path}: wrapped in {{"dashboard": …}} (the API format); save the bare model, '
            "as `tsedash pull` does"
        )
    version = model.get("schemaVersion")
    written = "none" if version is None else str(version)[:20]
    before = schema_version(model)
    try:
        migrated, migrations = migrate_dashboard(model, datasources, in_place=True)
    except ShapeError as exc:
        raise InputError(
            f"{path}: cannot migrate (schemaVersion {written} → {CURRENT_SCHEMA}) {exc}"
        ) from None
    uid = str(migrated.get("uid", ""))
    return MigratedFile(path, uid, written, migrated, before, migrations)


def _to_v2(results: list[MigratedFile], folder_uid: str) -> None:
    from tsedash.dashv2.resources import convert_all

    converted, findings, notes = convert_all(
        ((str(r.source), r.model) for r in results), folder_uid
    )
    if findings:
        raise MigrationFindings(findings)
    for result, (_, made) in zip(results, converted, strict=True):
        result.model = made
        result.v2_notes = [n for n in notes if n.uid == result.uid]
