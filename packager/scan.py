"""Walk a submission folder into an Inventory. The folder is only ever read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from packager.checks.context import Stage
from packager.findings import Finding
from packager.inventory import FileRecord, Inventory
from packager.plan import Plan
from packager.rules import Rules

ProgressFn = Callable[[int, int], None]


def safe_relative(folder: Path, rel: str) -> Path | None:
    """`folder/rel` when it stays inside the folder, else None (plans must not point outside)."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        return None
    return folder.joinpath(*pure.parts)


def scan_documents(folder: Path, plan: Plan) -> tuple[dict[str, FileRecord | None], dict[str, str]]:
    documents: dict[str, FileRecord | None] = {}
    paths: dict[str, str] = {}
    for role, rel in plan.documents.named().items():
        rel_posix = rel.replace("\\", "/").strip("/")
        paths[role] = rel_posix
        target = safe_relative(folder, rel_posix)
        if target is None or not target.is_file():
            documents[role] = None
            continue
        documents[role] = FileRecord(
            path=rel_posix, size=target.stat().st_size, role="document", document=role
        )
    return documents, paths


def scan_folder(
    folder: Path,
    plan: Plan,
    rules: Rules,
    *,
    stage: Stage,
    today: dt.date,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    plan_path: Path | None = None,
) -> tuple[Inventory, list[Finding]]:
    documents, paths = scan_documents(folder, plan)
    return Inventory(root=str(folder), documents=documents, document_paths=paths), []
