"""One inventory builder for a folder and for the entries of a received zip.

Every path is classified here, once, the same way whatever it came from:

- ignored and system files (``__MACOSX/``, ``._*`` AppleDouble files, ``.DS_Store``,
  ``Thumbs.db``, ``desktop.ini``, ``~$`` lock files: the patterns in ``naming.ignore``);
- the plan file (``action-plan.yaml``) and, in a built zip, ``manifest.json``;
- the documents named under ``documents:`` in the plan (and, in a received zip, the signed
  pages under the names ``packager build`` gives them);
- files in an ``admin/`` folder;
- a common top folder (a zip made with Windows "Send to" or macOS "Compress" puts
  everything under one), which is not part of any path the plan or the naming reads;
- every other file is a deliverable, mapped to its milestone by the naming convention.

``check`` (packager.scan) and ``audit`` (packager.audit) both call :func:`classify`, so a
folder and the same folder zipped by any tool give the same inventory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from packager.dates import find_dates
from packager.inventory import FileRecord
from packager.naming import NamingConvention, split_extension
from packager.plan import PLAN_FILENAMES, saved_last
from packager.textutil import name_key

MANIFEST_NAME = "manifest.json"

# Files at the top of the folder that belong to the tool, never to the submission: the naming guide
# `packager init` writes and the settings files. Never a deliverable, never flagged, never listed.
TOOL_FILES = frozenset({"naming.txt", "packager.toml", "pyproject.toml"})

# The names `packager build` gives the signed pages it copies (see build.SIGNED_NAMES), ending
# a file name in the admin folder of a received zip.
BUILT_DOCUMENT_NAMES = {
    "signed senior representative acknowledgement": "acknowledgement",
    "signed auditor maintenance": "auditor_maintenance",
    "organisational chart": "org_chart",
    "signed proposal form": "proposal_form",
}


@dataclass(frozen=True)
class Classified:
    """Every path of a source, classified; records are not inspected yet."""

    root: str  # the common top folder with its trailing '/', or ''
    records: tuple[FileRecord, ...]
    ignored: tuple[str, ...]
    plan: str | None  # the plan file's path, when there is one at the root
    manifest: str | None  # manifest.json at the root (a zip built by packager)
    document_paths: dict[str, str]  # role -> path (with the root) the plan names
    documents: dict[str, FileRecord | None]


def below_root(name: str, root: str) -> str:
    """``name`` (a path in the zip or folder) relative to the submission's top folder ``root``."""
    return name[len(root):] if root and name.startswith(root) else name


def ignored_under(name: str, root: str, naming: NamingConvention) -> bool:
    """Whether ``classify`` leaves out ``name`` as a hidden or system file (``__MACOSX/``, ``.DS_Store``)."""
    return naming.is_ignored(below_root(name, root))


def common_root(names: Iterable[str], naming: NamingConvention) -> str:
    """The single top folder every (not ignored) entry sits in, with '/'; '' when there is none."""
    tops: set[str] = set()
    for name in names:
        if not name or name.endswith("/") or naming.is_ignored(name):
            continue
        if "/" not in name:
            return ""  # a loose file at the top
        tops.add(name.split("/", 1)[0])
        if len(tops) > 1:
            return ""
    return next(iter(tops)) + "/" if len(tops) == 1 else ""


def plan_path(names: Iterable[str], root: str, modified: Mapping[str, int] | None = None) -> str | None:
    """The plan file at the root, by the names a plan may have: with several, the one saved last (by
    ``modified``, when a zip records it), as ``plan.find_plan_file`` picks in a folder; then the first
    in PLAN_FILENAMES order."""
    present = set(names)
    saved = modified or {}
    name = saved_last({n: saved.get(root + n, 0) for n in PLAN_FILENAMES if root + n in present})
    return root + name if name is not None else None


def manifest_path(names: Iterable[str], root: str, naming: NamingConvention) -> str | None:
    """manifest.json at the root or in an admin folder at the root (where `packager build` puts it)."""
    for name in sorted(names):
        if not name.startswith(root) or name.rsplit("/", 1)[-1] != MANIFEST_NAME:
            continue
        rel = name[len(root):]
        if rel == MANIFEST_NAME or (rel.count("/") == 1 and naming.is_admin(rel)):
            return name
    return None


def find_root(names: Iterable[str], naming: NamingConvention) -> str:
    """The folder the submission sits in: the common top folder, or else the one top folder holding
    the plan or the manifest (a file added beside it later does not move the submission)."""
    names = list(names)
    root = common_root(names, naming)
    if plan_path(names, root) or manifest_path(names, root, naming):
        return root
    tops = {n.split("/", 1)[0] + "/" for n in names if "/" in n and not naming.is_ignored(n)}
    holding = [t for t in sorted(tops) if plan_path(names, t) or manifest_path(names, t, naming)]
    return holding[0] if len(holding) == 1 else root


def classify(
    entries: Iterable[tuple[str, int]],
    naming: NamingConvention,
    *,
    documents: Mapping[str, str],
    window: tuple[dt.date, dt.date] | None,
    plan: str | None = None,
    received: bool = False,
) -> Classified:
    """Classify (path, size) entries; `documents` maps roles to the paths the plan names.

    `plan` is the plan file's path when known (it is never a deliverable). With `received`,
    a manifest.json at the root is the build's and the signed pages are also found by the
    names the build gives them.
    """
    entries = [(name, size) for name, size in entries if name and not name.endswith("/")]
    names = [name for name, _size in entries]
    root = find_root(names, naming)
    if plan is None:
        plan = plan_path(names, root)
    manifest = manifest_path(names, root, naming) if received else None
    finder = DocumentFinder(names, root, naming)
    document_paths = {role: finder.find(written) for role, written in documents.items()}
    role_by_path = {name_key(path): role for role, path in document_paths.items()}

    records: list[FileRecord] = []
    ignored: list[str] = []
    for name, size in entries:
        rel = below_root(name, root)
        if name in (plan, manifest) or rel in PLAN_FILENAMES or rel.casefold() in TOOL_FILES:
            continue
        if ignored_under(name, root, naming):
            ignored.append(name)
            continue
        role = role_by_path.get(name_key(name))
        stem = split_extension(rel.rsplit("/", 1)[-1])[0]
        name_dates = tuple(find_dates(stem, "name", window))  # a date in the name counts for any file
        if role is not None:
            records.append(FileRecord(path=name, size=size, role="document", document=role, name_dates=name_dates))
        elif naming.is_admin(rel):
            built = _built_document(rel) if received else None
            if built is not None and built not in documents:
                records.append(FileRecord(path=name, size=size, role="document", document=built,
                                          name_dates=name_dates))
            else:
                records.append(FileRecord(path=name, size=size, role="admin", name_dates=name_dates))
        else:
            records.append(FileRecord(path=name, size=size, mapping=naming.map_path(rel), name_dates=name_dates))

    by_role: dict[str, FileRecord] = {}
    for record in records:
        if record.document and record.document not in by_role:
            by_role[record.document] = record
    found: dict[str, FileRecord | None] = {role: by_role.get(role) for role in document_paths}
    if received:
        # A built zip renames the signed pages: the plan's source paths are not in it.
        for role in document_paths:
            if found[role] is None:
                found[role] = _by_built_name(records, role, root, naming)
        for role, record in by_role.items():
            found.setdefault(role, record)
    return Classified(
        root=root, records=tuple(records), ignored=tuple(ignored), plan=plan, manifest=manifest,
        document_paths=document_paths, documents=found,
    )


def written_parts(written: str) -> list[str]:
    """The folders and file name of a path as the plan writes it: '\\' or '/' separators, without the
    quotes Windows "Copy as path" adds, './' or a leading '/'."""
    text = written.strip().strip('"\'').strip()
    return [part for part in text.replace("\\", "/").split("/") if part not in ("", ".")]


class DocumentFinder:
    """Finds the file a path in the plan's ``documents:`` names, as a path in the folder or zip.

    The path below the top folder when a file has it ('admin/ack.pdf', './admin/ack.pdf',
    'admin\\ack.pdf'). Otherwise, as a reviewer would find it, the one file in ``admin/`` or at
    the top whose path ends as the written one does, longest ending first: a path copied whole
    ('C:\\Users\\…\\COR 2026\\admin\\ack.pdf') or the file name alone. Two such files, or none:
    the path as written, which the checks report as missing.

    What it looks paths up in is made once, when first needed, for every document the plan names.
    """

    def __init__(self, names: list[str], root: str, naming: NamingConvention) -> None:
        self.names, self.root, self.naming = names, root, naming
        self.present = set(names)

    @cached_property
    def _keys(self) -> frozenset[str]:
        return frozenset(name_key(n) for n in self.names)

    @cached_property
    def _top_or_admin(self) -> dict[str, str]:
        """Files at the top or in an admin folder, by the key of their path below the top folder."""
        keyed: dict[str, str] = {}
        for name in self.names:
            rel = below_root(name, self.root)
            if not self.naming.is_ignored(rel) and ("/" not in rel or self.naming.is_admin(rel)):
                keyed[name_key(rel)] = name
        return keyed

    def find(self, written: str) -> str:
        parts = written_parts(written)
        exact = self.root + "/".join(parts)
        if not parts or exact in self.present or name_key(exact) in self._keys:
            return exact
        keyed = self._top_or_admin
        for count in range(len(parts), 0, -1):
            ending = name_key("/".join(parts[-count:]))
            found = [name for key, name in keyed.items() if key == ending or key.endswith("/" + ending)]
            if len(found) == 1:
                return found[0]
            if found:
                break
        return exact


# The date `packager build` adds at the end of a signed page's name, as ``DocumentDate.iso`` writes it.
_BUILT_DATE = re.compile(r" - \d{4}-(?:\d\d(?:-\d\d)?|Q[1-4])$")


def _built_document(rel: str) -> str | None:
    leaf = _BUILT_DATE.sub("", split_extension(rel.rsplit("/", 1)[-1])[0]).lower()
    return next((role for label, role in BUILT_DOCUMENT_NAMES.items() if leaf.endswith(label)), None)


def _by_built_name(records: list[FileRecord], role: str, root: str, naming: NamingConvention) -> FileRecord | None:
    for i, record in enumerate(records):
        rel = record.path[len(root):]
        if record.role == "admin" and naming.is_admin(rel) and _built_document(rel) == role:
            promoted = FileRecord(path=record.path, size=record.size, role="document", document=role,
                                  name_dates=record.name_dates)
            records[i] = promoted
            return promoted
    return None
