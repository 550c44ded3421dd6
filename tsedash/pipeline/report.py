"""What a build did, as data: `BuildReport` (the `-o json` document, the record the build cache
keeps) and the lines a person reads, rendered from it the same for a real and a replayed build.

Light to import: a replayed build renders its record without loading any stage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from tsedash.findings import Finding, Severity

# (stderr?, text): the order a build prints in.
Line = tuple[bool, str]


@dataclass
class FilesReport:
    """What a writer did in one directory."""

    out: str
    what: str
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "out": self.out,
            "written": self.written,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }

    def lines(self) -> list[str]:
        """The files touched, then one summary line (the format of every writer)."""
        out = Path(self.out)
        lines = [f"wrote    {out / rel}" for rel in self.written]
        lines += [f"removed  {out / rel}" for rel in self.removed]
        return [
            *lines,
            f"{self.out}: {self.what}; {len(self.written)} written, {len(self.unchanged)} "
            f"unchanged, {len(self.removed)} removed",
        ]

    def replayed(self) -> FilesReport:
        """As a reused build reports it: every file found as recorded."""
        every = sorted([*self.written, *self.unchanged])
        return replace(self, written=[], unchanged=every, removed=[])


@dataclass
class DeployReport(FilesReport):
    base: dict[str, Any] | None = None  # what merging into the Prometheus base did
    base_line: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "base": self.base}

    @classmethod
    def of(cls, out: Path, what: str, written: Any, merged: Any) -> DeployReport:
        """From a writer's `WriteReport` and the `MergeReport` (None: no base)."""
        return cls(
            str(out), what, written.written, written.unchanged, written.removed,
            merged.as_dict() if merged else None, merged.line() if merged else "",
        )  # fmt: skip


@dataclass
class LintSection:
    """The lint of the built dashboards: `document` is `lint_json`."""

    document: dict[str, Any]
    exclusions: str | None = None
    strict: bool = False
    rules: int = 0
    full: bool = True  # False: only the extras were linted (a build without --lint)

    @property
    def findings(self) -> list[Finding]:
        return [finding_from_dict(d) for d in self.document["findings"]]

    def failed(self) -> bool:
        found = self.findings
        errors = any(f.severity is Severity.ERROR for f in found)
        return errors or (self.strict and bool(found or self.document["unused_exclusions"]))

    def finding_lines(self) -> list[str]:
        """The findings and unused exclusions (stderr)."""
        file = self.exclusions or ".lint.yaml"
        return [str(f) for f in self.findings] + [
            f"{file}:{e['line']}: warning: exclusion of {e['rule']} for {e['dashboard']} "
            f"{e['panel'] or ''} matches nothing; remove it"
            for e in self.document["unused_exclusions"]
        ]

    def summary(self) -> str:
        found = self.findings
        errors = sum(f.severity is Severity.ERROR for f in found)
        return (
            f"lint: {errors} errors, {len(found) - errors} warnings, "
            f"{self.document['excluded']} excluded, "
            f"{len(self.document['unused_exclusions'])} unused exclusions "
            f"({self.rules} rules{', strict' if self.strict else ''})"
        )


def finding_from_dict(d: dict[str, Any]) -> Finding:
    """A finding back from its `as_dict` form (its `where` is derived from the rest)."""
    return Finding(
        d["file"],
        d["line"],
        message=d["message"],
        severity=Severity(d["severity"]),
        code=d["code"],
        uid=d["uid"],
        panel=d["panel"],
        pointer=d["pointer"],
        ref_id=d["refId"],
        expr=d["expr"],
    )


def migration_text(m: dict[str, Any]) -> str:
    """`Migration.__str__` from its `as_dict` form (without loading the migration steps)."""
    where = f" panel '{m['panel']}'" if m["panel"] else ""
    step = f" ({m['step']})" if m["step"] else ""
    return f"{m['uid']}{where}: {m['change']}{step}"


@dataclass
class BuildReport:
    """Everything a build did; `provisioning` is None until the files are written."""

    provisioning: FilesReport | None = None
    dashboards: list[dict[str, Any]] = field(default_factory=list)  # uid, file, panels
    migrations: list[dict[str, Any]] = field(default_factory=list)  # Migration.as_dict()
    v2_conversion: list[dict[str, Any]] = field(default_factory=list)  # DashboardNote.as_dict
    v2_summary: list[str] = field(default_factory=list)  # dashv2.report.summary_lines
    source_warnings: list[str] = field(default_factory=list)
    lint: LintSection | None = None
    deploy: DeployReport | None = None
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The `-o json` document."""
        doc: dict[str, Any] = self.provisioning.as_dict() if self.provisioning else {}
        doc |= {
            "dashboards": self.dashboards,
            "migrations": self.migrations,
            "v2_conversion": self.v2_conversion,
        }
        if self.lint is not None and self.lint.full:
            doc["lint"] = self.lint.document
        if self.deploy is not None:
            doc["deploy"] = self.deploy.as_dict()
        return doc

    def record(self) -> dict[str, Any]:
        """What the build cache keeps (`from_record` reads it back)."""
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> BuildReport:
        """A recorded build as a reused one reports it: no file written or removed."""
        prov, dep, lint = data.get("provisioning"), data.get("deploy"), data.get("lint")
        return replace(
            cls(**data),
            provisioning=FilesReport(**prov).replayed() if prov else None,
            deploy=DeployReport(**dep).replayed() if dep else None,  # type: ignore[arg-type]
            lint=LintSection(**lint) if lint else None,
            replayed=True,
        )

    def migration_lines(self) -> list[str]:
        """One line per change to an extra whose file this build wrote: an unchanged file
        (and a reused build) says nothing again."""
        written = set(self.provisioning.written if self.provisioning else ())
        files = {d["uid"]: d["file"] for d in self.dashboards}
        if self.provisioning is not None:
            return [
                f"migrated {migration_text(m)}"
                for m in self.migrations
                if any(rel.endswith(f"/{files.get(m['uid'])}") for rel in written)
            ]
        return [f"migrated {migration_text(m)}" for m in self.migrations]

    def lines(self, structured: bool = False, quiet: bool = False) -> list[Line]:
        """What the build prints, in order: with `structured` (-o json|yaml) only the stderr
        lines the document does not carry; `quiet` drops the migration report."""
        out: list[Line] = [(True, w) for w in self.source_warnings]
        text = not structured
        if text and not quiet:
            out += [(False, line) for line in self.migration_lines()]
        if text:
            out += [(False, line) for line in self.v2_summary]
        if self.lint is not None and (text or not self.lint.full):
            out += [(True, line) for line in self.lint.finding_lines()]
            out += [(False, self.lint.summary())] if text and self.lint.full else []
        if text and self.deploy is not None and self.deploy.base_line:
            out.append((False, self.deploy.base_line))
        for section in (self.provisioning, self.deploy):
            if text and section is not None:
                out += [(False, line) for line in section.lines()]
        return out

    def failure_lines(self, quiet: bool = False) -> list[str]:
        """What a failed build found, all on stderr (stdout stays empty, also for -o json)."""
        return [line for _, line in self.lines(quiet=quiet)]
