"""The reviewer's QA worksheet: one CSV row per milestone, filled in with Excel and read back."""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from packager.csvsafe import csv_text, csv_unsafe
from packager.errors import InputError
from packager.findings import Finding
from packager.inventory import Inventory
from packager.plan import Plan
from packager.rules import Rules
from packager.safeio import read_regular_file
from packager.textutil import ellipsize

COLUMNS = [
    "objective", "milestone", "milestone_title", "weight", "self_score", "deliverables", "findings",
    "qa_score", "qa_comment",
]
MAX_WORKSHEET_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000


@dataclass(frozen=True)
class QaScores:
    """The reviewer's score for every milestone."""

    by_milestone: dict[str, float]
    comments: dict[str, str]
    source: str

    def total(self) -> float:
        return sum(self.by_milestone.values())

    def percent(self, rules: Rules) -> float:
        return round(self.total() / rules.plan.weight_total * 100, 2)


def worksheet_csv(plan: Plan, inventory: Inventory | None, findings: tuple[Finding, ...]) -> str:
    """The worksheet text (UTF-8 with BOM when written, so Excel shows accents)."""
    files: dict[str, list[str]] = defaultdict(list)
    if inventory is not None:
        for record in inventory.deliverables:
            if record.mapping.milestone:
                files[record.mapping.milestone].append(record.path)
    notes: dict[str, list[str]] = defaultdict(list)
    for f in findings:
        if f.milestone:
            notes[f.milestone].append(f"{f.severity.value} {f.check}: {f.message}")
    rows: list[list[object]] = [list(COLUMNS)]
    for o, mid, ms in plan.milestones():
        rows.append([
            o, mid, ms.title or "", _num(ms.weight), _num(ms.self_score),
            "; ".join(files[mid]), " | ".join(notes[mid]), "", "",
        ])
    return csv_text(rows)  # every cell formula-safe: titles, file names and messages are untrusted


WRONG_SHEET = "the worksheet 'packager audit ZIP --worksheet FILE' wrote for this zip, with the same --plan"


def _title_key(title: str | None) -> str:
    """A milestone title as rows are matched: case, spacing and punctuation aside."""
    return " ".join(re.findall(r"\w+", (title or "").casefold()))


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # Excel in a French-Canadian locale
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # 'nan' and 'inf' are not scores


def _decode(raw: bytes, path: Path) -> str:
    """Worksheet text: BOMs decide; otherwise UTF-8, then Windows-1252 (Excel's 'CSV' on Windows)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("the worksheet says it is UTF-16 text but is damaged", file=path,
                             hint="Save it again from Excel as 'CSV UTF-8 (Comma delimited)'") from None
    if b"\x00" in raw[:4096]:
        raise InputError("the worksheet is not a text CSV file (it holds NUL bytes: UTF-16 without a BOM, or a "
                         "workbook)", file=path, hint="Save it from Excel as 'CSV UTF-8 (Comma delimited)'")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _rows(text: str, dialect: type[csv.Dialect] | csv.Dialect, path: Path) -> list[list[str]]:
    """Every row, cells with the formula guard removed; a cell over the csv limit names its line."""
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append([csv_unsafe(cell) for cell in row])
            if len(rows) > MAX_ROWS:
                raise InputError(f"the worksheet has more than {MAX_ROWS:,} rows", file=path,
                                 expected="one row per milestone")
    except csv.Error as exc:
        problem = (f"a cell is longer than the {csv.field_size_limit():,} characters a worksheet cell may hold"
                   if "field larger" in str(exc) else f"it is not a well-formed CSV file ({exc})")
        raise InputError(problem, file=path, line=reader.line_num or None,
                         hint="Open it in Excel, shorten or fix that row, and save it as CSV again") from None
    return rows


def read_scores(path: Path, plan: Plan) -> QaScores:
    """Read a filled-in worksheet (CSV or .xlsx); InputError names the row (cell) and column of any problem.

    A CSV must be a regular file of at most MAX_WORKSHEET_BYTES; UTF-8 (with or without BOM),
    UTF-16 with a BOM (Excel's "Unicode text") and Windows-1252 are read.
    """
    if path.suffix.lower() == ".xlsx":
        from packager.qaxlsx import read_scores_xlsx

        return read_scores_xlsx(path, plan)
    text = _decode(read_regular_file(path, MAX_WORKSHEET_BYTES, "worksheet", field="--scores"), path)
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    rows = _rows(text, dialect, path)
    return scores_from_rows(rows, path, plan)


def scores_from_rows(
    rows: list[list[str]], path: Path, plan: Plan, cell: Callable[[int, str | None], str] | None = None
) -> QaScores:
    """Scores from the worksheet's rows (CSV, or a workbook's cells as text).

    `cell(row, column)` names a workbook cell ('QA worksheet'!H5) for errors; CSV errors give the line.
    """

    def fail(problem: str, row: int | None, column: str | None, expected: str | None = None) -> InputError:
        if cell is not None and row is not None:
            return InputError(problem, file=path, cell=cell(row, column), field=column, expected=expected)
        return InputError(problem, file=path, line=row, field=column, expected=expected)

    if not rows:
        raise InputError("the worksheet is empty", file=path, expected=f"the columns {', '.join(COLUMNS)}")
    header = [h.strip().lower() for h in rows[0]]
    for needed in ("milestone", "qa_score"):
        if needed not in header:
            raise fail(f"the worksheet has no '{needed}' column", 1, None, f"the columns {', '.join(COLUMNS)}")
    col_m, col_s = header.index("milestone"), header.index("qa_score")
    col_c = header.index("qa_comment") if "qa_comment" in header else None
    col_t = header.index("milestone_title") if "milestone_title" in header else None
    col_w = header.index("weight") if "weight" in header else None
    weights = {mid: ms.weight for _o, mid, ms in plan.milestones()}
    titles = {mid: _title_key(ms.title) for _o, mid, ms in plan.milestones()}
    by_title = {key: mid for mid, key in titles.items() if key}
    reworded: list[int] = []
    scores: dict[str, float] = {}
    comments: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in row):
            continue
        mid = row[col_m].strip() if col_m < len(row) else ""
        if mid not in weights:
            raise fail(f"row {number} names milestone '{mid}', which the plan does not have", number, "milestone",
                       f"one of {', '.join(weights)}")
        # Scores go to milestones by number: a row whose title or weight is another milestone's (or another
        # plan's) would score the wrong work, so it stops here, naming the cell.
        title = row[col_t].strip() if col_t is not None and col_t < len(row) else ""
        key = _title_key(title)
        if key and titles[mid] and key != titles[mid]:
            other = by_title.get(key)
            if other is not None:
                raise fail(f"row {number} is milestone {mid}, but its title “{ellipsize(title, 80)}” is milestone "
                           f"{other}'s in this submission's plan: the worksheet's rows do not match this plan", number,
                           "milestone_title", WRONG_SHEET)
            reworded.append(number)
        row_weight = _number(row[col_w]) if col_w is not None and col_w < len(row) else None
        if row_weight is not None and weights[mid] is not None and abs(row_weight - (weights[mid] or 0)) > 1e-9:
            raise fail(f"row {number} (milestone {mid}): the worksheet gives it a weight of {row_weight:g}, this "
                       f"submission's plan {weights[mid]:g}: the worksheet was written for another plan", number,
                       "weight", WRONG_SHEET)
        raw = row[col_s] if col_s < len(row) else ""
        value = _number(raw)
        if value is None and raw.strip().endswith("%"):
            raise fail(f"row {number} (milestone {mid}): the QA score '{raw.strip()}' is a percentage; type the points "
                       f"it earns, from 0 to {weights[mid] or 0:g}", number, "qa_score",
                       f"a number of points from 0 to {weights[mid] or 0:g}")
        if value is None:
            problem = "is empty" if not raw.strip() else f"'{raw.strip()}' is not a number"
            raise fail(f"row {number} (milestone {mid}): the QA score {problem}", number, "qa_score",
                       f"a number from 0 to {weights[mid] or 0:g}")
        weight = weights[mid] or 0
        if value < 0 or value > weight + 1e-9:
            raise fail(f"row {number} (milestone {mid}): the QA score {value:g} is outside 0 to {weight:g}", number,
                       "qa_score", f"a number from 0 up to the milestone's weight ({weight:g})")
        if mid in scores:
            raise fail(f"row {number}: milestone {mid} is scored twice", number, "milestone")
        scores[mid] = value
        if col_c is not None and col_c < len(row):
            comments[mid] = row[col_c].strip()
    if len(reworded) * 2 > len(weights):  # one milestone reworded since is fine; most of them is another plan
        raise fail(f"{len(reworded)} of the worksheet's {len(weights)} milestone titles are not this submission's "
                   f"(row {reworded[0]} the first): the worksheet was written for another submission or plan",
                   reworded[0], "milestone_title", WRONG_SHEET)
    missing = [mid for mid in weights if mid not in scores]
    if missing:
        raise InputError(f"the worksheet has no row for milestone {', '.join(missing)}", file=path,
                         field="milestone", expected="one row per milestone, as 'packager audit --worksheet' writes it")
    return QaScores(scores, comments, str(path))
