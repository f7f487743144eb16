"""Project settings, a linter's way: `packager.toml` in the submission folder, or `[tool.packager]`
in a `pyproject.toml` there. Command-line options override the file.

```toml
select = ["deliverable", "eligibility"]   # only these check ids or id prefixes
ignore = ["objective-not-smart"]          # never report these
strict = false                            # true: warnings fail too

[[accepted]]                              # reviewed, and accepted with a reason
check = "deliverable-undated"
path = "Objective 1/IMG_*.jpg"            # a glob on the path in the folder; "*" (default) is any
reason = "Photos are dated by their EXIF time; agreed with the reviewer on 2026-09-02."
```

An accepted finding stays in every report (marked accepted, with its reason) but no longer counts
toward the exit code or blocks `build`. An acceptance that matches nothing is itself a warning
(`acceptance-unused`). Unknown keys or check ids stop with exit 2 and a suggestion.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packager.checks.registry import REGISTRY, declare
from packager.errors import InputError
from packager.findings import Finding, Severity
from packager.textutil import name_key

CONFIG_FILENAME = "packager.toml"
KEYS = ("select", "ignore", "strict", "accepted")
ACCEPTANCE_KEYS = ("check", "path", "reason")

UNUSED = declare(
    "acceptance-unused", Severity.WARNING, "config",
    "An entry of 'accepted' in packager.toml (or [tool.packager]) matches no finding: the problem was fixed, "
    "or the check id or path glob is wrong.",
    "Remove the acceptance if the problem is fixed; otherwise correct its check id or path glob.",
)


@dataclass(frozen=True)
class Acceptance:
    """A reviewed finding: its check id (or prefix), a path glob, and why it is accepted."""

    check: str
    reason: str
    path: str = "*"

    def matches(self, finding: Finding) -> bool:
        if not id_matches(self.check, finding.check):
            return False
        if self.path in ("*", "**"):
            return True
        return finding.path is not None and fnmatch.fnmatchcase(name_key(finding.path), name_key(self.path))

    def describe(self) -> str:
        return self.check + ("" if self.path in ("*", "**") else f" on '{self.path}'")


@dataclass(frozen=True)
class Config:
    """The settings in force, and the file they came from (None: defaults)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    accepted: tuple[Acceptance, ...] = ()
    source: str | None = None

    def override(
        self, *, select: Iterable[str] = (), ignore: Iterable[str] = (), strict: bool = False,
    ) -> Config:
        """Command-line options win over the file: --select replaces, --ignore adds."""
        select, ignore = tuple(select), tuple(ignore)
        for value in (*select, *ignore):
            validate_id(value, "--select" if value in select else "--ignore")
        return replace(
            self, select=select or self.select, ignore=self.ignore + ignore, strict=strict or self.strict,
        )

    def wanted(self, check: str) -> bool:
        if self.select and not any(id_matches(p, check) for p in self.select):
            return False
        return not any(id_matches(p, check) for p in self.ignore)

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """Drop findings not selected, mark accepted ones, and warn about acceptances that match nothing."""
        out: list[Finding] = []
        used: set[int] = set()
        for f in findings:
            if not self.wanted(f.check):
                continue
            for i, acceptance in enumerate(self.accepted):
                if acceptance.matches(f):
                    used.add(i)
                    f = replace(f, accepted=acceptance.reason)
                    break
            out.append(f)
        for i, acceptance in enumerate(self.accepted):
            if i not in used and self.wanted(UNUSED.id):
                out.append(UNUSED.finding(
                    f"The acceptance of {acceptance.describe()} in {self.source or CONFIG_FILENAME} matches no "
                    "finding.",
                ))
        return out


def id_matches(pattern: str, check: str) -> bool:
    """'deliverable' and 'deliverable-' select every 'deliverable-…' id; a full id selects itself."""
    stem = pattern.rstrip("-")
    return check == stem or check.startswith(stem + "-")


def known_ids() -> list[str]:
    """Every declared check id (the build and audit checks are declared in their own modules)."""
    for module in ("packager.audit", "packager.build"):  # they declare the archive, audit and build checks
        importlib.import_module(module)

    return sorted(REGISTRY)


def validate_id(value: str, where: str, *, file: str | None = None) -> None:
    ids = known_ids()
    if any(id_matches(value, i) for i in ids):
        return
    prefixes = sorted({i.split("-")[0] for i in ids})
    close = difflib.get_close_matches(value, ids + prefixes, n=1, cutoff=0.6)
    raise InputError(
        f"'{value}' is not a check id or the start of one",
        file=file, field=where,
        hint=(f"Did you mean '{close[0]}'?" if close else "Run 'packager checks' to list every check id"),
    )


def find_config(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    """The settings table and its file: FOLDER/packager.toml, else [tool.packager] in FOLDER/pyproject.toml."""
    for name in (CONFIG_FILENAME, "pyproject.toml"):
        path = folder / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"this is not valid TOML ({exc})", file=path) from None
        except OSError as exc:
            raise InputError(f"this file cannot be read ({exc.strerror})", file=path) from None
        if name == CONFIG_FILENAME:
            return path, data
        tool = data.get("tool", {})
        table = tool.get("packager") if isinstance(tool, dict) else None
        if isinstance(table, dict):
            return path, table
    return None


def load_config(folder: Path) -> Config:
    """The settings for a submission folder (defaults when it has no config)."""
    found = find_config(folder) if folder.is_dir() else None
    if found is None:
        return Config()
    path, data = found
    file = str(path)
    prefix = "tool.packager." if path.name == "pyproject.toml" else ""
    for key in data:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            raise InputError(
                f"'{key}' is not a setting", file=file, field=prefix + key,
                expected="one of " + ", ".join(KEYS),
                hint=f"Did you mean '{close[0]}'?" if close else None,
            )
    select = _ids(data, "select", file, prefix)
    ignore = _ids(data, "ignore", file, prefix)
    strict = data.get("strict", False)
    if not isinstance(strict, bool):
        raise InputError("must be true or false", file=file, field=prefix + "strict")
    accepted = _acceptances(data.get("accepted", []), file, prefix)
    return Config(select=select, ignore=ignore, strict=strict, accepted=accepted, source=path.name)


def _ids(data: dict[str, Any], key: str, file: str, prefix: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError("must be a list of check ids", file=file, field=prefix + key,
                         expected='e.g. ["deliverable-undated", "zip"]')
    for v in value:
        validate_id(v, prefix + key, file=file)
    return tuple(value)


def _acceptances(value: Any, file: str, prefix: str) -> tuple[Acceptance, ...]:
    if not isinstance(value, list):
        raise InputError("must be a list of acceptances", file=file, field=prefix + "accepted",
                         expected='[[accepted]] tables with check, path and reason')
    out = []
    for n, item in enumerate(value, start=1):
        where = f"{prefix}accepted[{n}]"
        if not isinstance(item, dict):
            raise InputError("must be a table with check, path and reason", file=file, field=where)
        for key in item:
            if key not in ACCEPTANCE_KEYS:
                close = difflib.get_close_matches(key, ACCEPTANCE_KEYS, n=1)
                raise InputError(f"'{key}' is not a field of an acceptance", file=file, field=f"{where}.{key}",
                                 hint=f"Did you mean '{close[0]}'?" if close else None)
        check, path, reason = item.get("check"), item.get("path", "*"), item.get("reason")
        if not isinstance(check, str) or not check.strip():
            raise InputError("is missing", file=file, field=f"{where}.check", expected="a check id")
        validate_id(check.strip(), f"{where}.check", file=file)
        if not isinstance(path, str) or not path.strip():
            raise InputError("must be a path glob", file=file, field=f"{where}.path",
                             expected="e.g. 'Objective 1/*.jpg' (or '*' for any file)")
        if not isinstance(reason, str) or not reason.strip():
            raise InputError("every acceptance needs a reason the reviewer will read", file=file,
                             field=f"{where}.reason")
        out.append(Acceptance(check.strip(), reason.strip(), path.strip().replace("\\", "/")))
    return tuple(out)
