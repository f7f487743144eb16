"""The JSON report: one object; keys are a contract and are only ever added to.

`schema_version` changes only when a key is removed or changes meaning (README: "JSON reports").
Scores and percentages are always numbers with a decimal point (60.0), counts always integers.
"""

from __future__ import annotations

import json
from typing import Any

from packager import __version__
from packager.checks.documents import BLANK_FORMS, is_blank_form, signature_kind
from packager.inventory import FileRecord
from packager.report.coverage import deliverable_dict
from packager.result import CheckResult

SCHEMA_VERSION = 1


def header(kind: str) -> dict[str, Any]:
    """The keys every JSON report starts with."""
    return {"schema_version": SCHEMA_VERSION, "report": kind,
            "tool": {"name": "packager", "version": __version__}}


def check_dict(result: CheckResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        **header("check"),
        "findings": [f.to_dict() for f in result.findings],
        "summary": result.summary.to_dict(),
        "score": result.score.to_dict(),
        "stage": result.stage.value,
        "rules": result.rules.profile,
        "plan": {
            "company": result.plan.company,
            "program": result.plan.program,
            "year": result.plan.year,
        },
    }
    if result.inventory is not None and result.stage.value == "final":
        data["deliverables"] = [
            deliverable_dict(r, result.plan, result.rules) for r in result.inventory.deliverables
        ]
        data["ignored"] = list(result.inventory.ignored)
        data["documents"] = [
            document_dict(role, record) for role, record in result.inventory.documents.items() if record is not None
        ]
    return data


def document_dict(role: str, record: FileRecord) -> dict[str, Any]:
    """A plan document (signed pages, org chart): its date and which kind of signature it carries."""
    date = record.evidence.date if record.evidence else None
    return {
        "role": role,
        "path": record.path,
        "date": date.value.isoformat() if date else None,
        "date_source": date.source if date else None,
        "signature": signature_kind(record) if role in BLANK_FORMS else None,
        "blank_form": is_blank_form(record, role) if role in BLANK_FORMS else False,
    }


# Containers nested deeper than this are written on one line each (a finding, a file, a date).
PRETTY_DEPTH = 2
# The C encoder (json only uses it without ``indent``): one finding or file at a time.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, default=str)


def dumps(data: dict[str, Any]) -> str:
    """The report as indented JSON: the outer levels one key or item a line, each deeper value
    (a finding, a deliverable) on one line. Pure-Python ``indent`` encoding costs about a second
    for 5,000 files; this writes the same JSON values with the C encoder."""
    out: list[str] = []
    _pretty(data, 0, out)
    out.append("\n")
    return "".join(out)


def _pretty(value: Any, level: int, out: list[str]) -> None:
    if isinstance(value, tuple):
        value = list(value)
    if level >= PRETTY_DEPTH or not value or not isinstance(value, (dict, list)) or (
        isinstance(value, dict) and not all(isinstance(k, str) for k in value)
    ):
        out.append(_ONE_LINE.encode(value))
        return
    inner = "\n" + "  " * (level + 1)
    if isinstance(value, dict):
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            out.append(("," if i else "") + inner + _ONE_LINE.encode(k) + ": ")
            _pretty(v, level + 1, out)
        out.append("\n" + "  " * level + "}")
    else:
        out.append("[")
        for i, v in enumerate(value):
            out.append(("," if i else "") + inner)
            _pretty(v, level + 1, out)
        out.append("\n" + "  " * level + "]")
