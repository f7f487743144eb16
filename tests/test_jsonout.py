"""The JSON report's layout: the same JSON values as json.dumps, one finding or file a line."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from packager.report.jsonout import dumps


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def test_same_values_as_json_dumps() -> None:
    data: dict[str, Any] = {
        "schema_version": 1,
        "tool": {"name": "packager", "version": "0.1.0"},
        "findings": [{"check": "a-b", "message": "é \u2028 \"quoted\"\n", "objective": 1}, {"check": "c"}],
        "empty_list": [],
        "empty_dict": {},
        "tuple": (1, (2, 3), {"d": dt.date(2026, 1, 2)}),
        "numbers": {"pct": 60.0, "count": 3, "none": None, "flag": False},
        "int_keys": {1: "x"},
        "nested": {"deep": [{"deeper": [{"deepest": [1]}]}]},
    }
    text = dumps(data)
    assert text.endswith("}\n")
    assert json.loads(text) == _plain(data)


def test_each_finding_on_one_line() -> None:
    findings = [{"check": f"c-{i}", "path": f"f{i}.pdf"} for i in range(3)]
    lines = dumps({"findings": findings}).splitlines()
    assert lines[0] == "{"
    assert lines[1] == '  "findings": ['
    assert [json.loads(line.strip().rstrip(",")) for line in lines[2:5]] == findings
    assert lines[5:] == ["  ]", "}"]
