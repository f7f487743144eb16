"""The Action Plan as a workbook (action-plan.xlsx): written for a coordinator, read into `Plan`.

The workbook has one sheet per part of the plan. Reading it builds the same plain data a
YAML plan gives and hands it to `plan_from_data`, so both formats obey the same rules; any
error is then pointed back at the sheet and cell it came from (`Milestones!F7`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packager.errors import InputError
from packager.plan import Plan, plan_from_data
from packager.rules import Rules
from packager.xlsxsafe import formula_cells, open_workbook, quiet, read_workbook_bytes

PLAN_XLSX = "action-plan.xlsx"
HOWTO = "How to fill this in"
MAX_ROWS = 2_000
MAX_COLS = 30
LIST_ROWS = 200  # rows prepared with validation for milestones, auditors, people, summary

# (header, plan field) for the Plan sheet: label in column A, value in column B.
PLAN_FIELDS: tuple[tuple[str, str], ...] = (
    ("Program", "program"),
    ("Company", "company"),
    ("Year", "year"),
    ("Approval date", "approved"),
    ("Previous plan score", "previous_plan_score"),
    ("Senior representative", "senior_representative.name"),
    ("Senior representative title", "senior_representative.title"),
    ("Contact", "contact"),
    ("Organisational chart file", "documents.org_chart"),
    ("Acknowledgement file", "documents.acknowledgement"),
    ("Auditor maintenance file", "documents.auditor_maintenance"),
    ("Proposal form file", "documents.proposal_form"),
)
MILESTONE_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Objective", "objective"),
    ("Objective title", "objective_title"),
    ("Milestone", "title"),
    ("Assigned to", "assigned_to"),
    ("Target date", "target_date"),
    ("Weight", "weight"),
    ("Self-score", "self_score"),
    ("Running total", None),
    ("Deliverable", "deliverable"),
    ("From last audit", "audit_recommendation"),
)
# The totals box beside the milestones (L1:N2): formulas, never read back.
TOTAL_HEADERS: tuple[tuple[str, str | None], ...] = (("Total weight", None), ("Must be", None),
                                                     ("Total self-score", None))
ELIGIBILITY_COLUMNS = (("Key", "key"), ("Requirement", "label"), ("Answer", "answer"))
NOTES_COLUMNS = (("Objective", "objective"), ("Objective title", None), ("Notes", "notes"))
AUDITOR_COLUMNS = (("Name", "name"), ("Participation", "participation"))
PEOPLE_COLUMNS = (("Participants", "participants"), ("Trained individuals", "trained_individuals"))
SUMMARY_COLUMNS = (("Part", "part"), ("Text", "text"))
SUMMARY_PARTS = {"result": "Results", "strength": "Strength", "recommendation": "Recommendation"}
# The parts of a number format that are shown as written, not codes: "quoted", [colour or locale], \escaped.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
YES = {"yes", "y", "true", "oui", "1"}
NO = {"no", "n", "false", "non", "0"}


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class _Cells:
    """Field path -> 'Sheet!A1', so a model error can be pointed back at its cell."""

    by_field: dict[str, str] = dataclasses.field(default_factory=dict)

    def find(self, field: str | None) -> str | None:
        while field:
            if field in self.by_field:
                return self.by_field[field]
            field = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", field) if re.search(r"(\.[^.\[\]]+|\[\d+\])$", field) \
                else ""
        return None


def _norm(text: object) -> str:
    return re.sub(r"[\s_]+", " ", str(text)).strip().strip(":*").strip().lower()


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


class _Sheet:
    """One sheet's rows (values only), with the workbook's name for cell references."""

    def __init__(self, name: str, rows: list[tuple[Any, ...]], source: str,
                 percent: frozenset[tuple[int, int]] = frozenset()) -> None:
        self.name = name
        self.rows = rows
        self.source = source
        self.percent = percent  # (row, col) of the numbers shown as a percentage (15% is stored as 0.15)
        self.ignored: list[tuple[str, str]] = []  # (cell, header) of each column packager does not know

    def ref(self, row: int, col: int) -> str:
        """'Sheet!F7' for 0-based row/col indices into self.rows."""
        sheet = f"'{self.name}'" if " " in self.name else self.name
        return f"{sheet}!{_col(col)}{row + 1}"

    def fail(self, row: int, col: int, problem: str, *, field: str | None = None, expected: str | None = None,
             hint: str | None = None) -> InputError:
        return InputError(problem, file=self.source, cell=self.ref(row, col), field=field, expected=expected,
                          hint=hint)

    def columns(self, known: tuple[tuple[str, Any], ...], required: tuple[str, ...]) -> dict[str, int]:
        """Header name -> column index; a misspelt header stops with a suggestion."""
        header = self.rows[0] if self.rows else ()
        names = [h for h, _f in known]
        by_norm = {_norm(h): h for h in names}
        found: dict[str, int] = {}
        for i, value in enumerate(header):
            if value is None or str(value).strip() == "":
                continue
            key = _norm(value)
            if key in by_norm:
                if by_norm[key] in found:
                    raise self.fail(0, i, f"the column '{by_norm[key]}' appears twice",
                                    hint="Keep one of them")
                found[by_norm[key]] = i
                continue
            near = difflib.get_close_matches(key, list(by_norm), n=1, cutoff=0.6)
            if not near:  # a column of the coordinator's own (Status, Comments): read past, and said so
                self.ignored.append((self.ref(0, i), _header_text(value)))
                continue
            raise self.fail(
                0, i, f"the column header '{str(value).strip()}' is not one packager knows",
                expected=f"one of {', '.join(names)}", hint=f"Did you mean '{by_norm[near[0]]}'?",
            )
        for name in required:
            if name not in found:
                raise InputError(
                    f"the sheet has no '{name}' column", file=self.source, cell=f"{self.ref(0, 0)}",
                    expected=f"the columns {', '.join(names)} in row 1",
                    hint="Start from the workbook 'packager init --format xlsx' writes",
                )
        return found

    def data_rows(self) -> list[tuple[int, tuple[Any, ...]]]:
        return [(i, row) for i, row in enumerate(self.rows) if i > 0 and any(_blank(v) is False for v in row)]


HEADER_CHARS = 60  # of an ignored column's header, as a finding quotes it


def _header_text(value: Any) -> str:
    """A header as a finding quotes it: on one line, at most HEADER_CHARS characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= HEADER_CHARS else text[: HEADER_CHARS - 1] + "…"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _text(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _number(value: Any, points: bool = False, shown_as_percent: bool = False) -> Any:
    """Numbers typed as text ('12', '7,5') become numbers; anything else is left for the schema to refuse.

    ``points``: a field counted in points out of 100 (a weight, a self-score, a score), where the text '15%' or
    '15 %' is 15. ``shown_as_percent``: the cell's number format shows its number as a percentage, and Excel
    stores a typed 15% as 0.15: it is read as the 15 the sheet shows.
    """
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "")
        if points:
            text = re.sub(r"\s*%\Z", "", text)
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", text):
            return float(text)
        return (value.strip().replace("\u00a0", "") if points else text) or None
    if shown_as_percent and isinstance(value, int | float) and not isinstance(value, bool):
        return round(value * 100, 9)  # 0.15 * 100 is 15.000000000000002
    return value


def is_percent_format(code: str | None) -> bool:
    """A number format shows a percentage when it has a % outside quotes, brackets and escapes ('0%', '0.0 %')."""
    return bool(code) and "%" in _FORMAT_LITERALS.sub("", str(code))


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 80_000:
        from openpyxl.utils.datetime import from_excel

        converted = from_excel(value)
        return converted.date() if isinstance(converted, dt.datetime) else value
    return _text(value)


def _yes_no(sheet: _Sheet, row: int, col: int, value: Any, field: str) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = _norm(value)
    if text in YES:
        return True
    if text in NO:
        return False
    raise sheet.fail(row, col, f"'{str(value).strip()}' is not yes or no", field=field,
                     expected="yes or no (pick from the drop-down)")


_NUMBER_FIELDS = {"weight", "self_score", "previous_plan_score", "year", "objective"}
# Points out of 100: typed as a percentage (15%), they are the same points (15).
_PERCENT_FIELDS = {"weight", "self_score", "previous_plan_score"}
_DATE_FIELDS = {"target_date", "approved"}


def _value(field: str, value: Any, percent: bool = False) -> Any:
    """A cell's value as the plan's field holds it; ``percent``: the cell shows its number as a percentage."""
    leaf = field.rsplit(".", 1)[-1]
    if leaf in _PERCENT_FIELDS:
        return _number(value, points=True, shown_as_percent=percent)
    if leaf in _NUMBER_FIELDS:
        return _number(value)
    if leaf in _DATE_FIELDS:
        return _date(value)
    return _text(value)


def load_plan_xlsx(path: Path, rules: Rules) -> Plan:
    """Load action-plan.xlsx; InputError (exit 2) names the sheet, cell and field of any problem."""
    data = read_workbook_bytes(path, "plan workbook")
    return load_plan_xlsx_bytes(data, str(path), rules)


def load_plan_xlsx_bytes(data: bytes, source: str, rules: Rules) -> Plan:
    wb = open_workbook(data, source, "plan workbook")
    try:
        sheets = _read_sheets(wb, source)
    finally:
        wb.close()
    cells = _Cells()
    plan_data = _plan_data(sheets, cells, source, data)
    try:
        plan = plan_from_data(plan_data, source, rules)
    except InputError as exc:
        cell = cells.find(exc.field) or cells.find("program" if exc.field is None else None)
        raise InputError(exc.problem, file=source, cell=cell, field=exc.field, expected=exc.expected,
                         hint=exc.hint) from None
    ignored = tuple(column for sheet in sheets.values() for column in sheet.ignored)
    object.__setattr__(plan, "ignored_columns", ignored)  # frozen: set once, here, as the plan is made
    return plan


def _read_sheets(wb: Any, source: str) -> dict[str, _Sheet]:
    out: dict[str, _Sheet] = {}
    for ws in wb.worksheets:
        rows: list[tuple[Any, ...]] = []
        percent: set[tuple[int, int]] = set()
        with quiet():  # cells are parsed as rows are read
            for row in ws.iter_rows(max_col=MAX_COLS):
                values = tuple(getattr(cell, "value", None) for cell in row)
                percent.update((len(rows), c) for c, (cell, value) in enumerate(zip(row, values, strict=True))
                               if isinstance(value, int | float) and not isinstance(value, bool)
                               and is_percent_format(getattr(cell, "number_format", None)))
                rows.append(values)
                if len(rows) > MAX_ROWS:
                    raise InputError(f"the sheet '{ws.title}' has more than {MAX_ROWS:,} rows, far more than a "
                                     "plan needs", file=source, hint="Delete the empty or extra rows at the bottom")
        while rows and all(_blank(v) for v in rows[-1]):
            rows.pop()
        out[_norm(ws.title)] = _Sheet(ws.title, rows, source, frozenset(percent))
    return out


def _sheet(sheets: dict[str, _Sheet], name: str, source: str, required: bool) -> _Sheet | None:
    found = sheets.get(_norm(name))
    if found is None and name == "Milestones":
        found = sheets.get(_norm("Objectives and milestones"))
    if found is not None or not required:
        return found
    near = difflib.get_close_matches(_norm(name), list(sheets), n=1, cutoff=0.6)
    raise InputError(
        f"the workbook has no '{name}' sheet", file=source,
        hint=f"Did you mean the sheet '{sheets[near[0]].name}'? Rename it to '{name}'" if near
        else "Start from the workbook 'packager init --format xlsx' writes",
    )


def _plan_data(sheets: dict[str, _Sheet], cells: _Cells, source: str, raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = {}
    plan_sheet = _sheet(sheets, "Plan", source, True)
    assert plan_sheet is not None
    _read_plan_sheet(plan_sheet, data, cells)
    eligibility = _sheet(sheets, "Eligibility", source, False)
    if eligibility is not None:
        _read_eligibility(eligibility, data, cells)
    milestones = _sheet(sheets, "Milestones", source, True)
    assert milestones is not None
    _read_milestones(milestones, data, cells, raw)
    optional = (("Notes", _read_notes), ("Auditors", _read_auditors), ("People", _read_people),
                ("Summary", _read_summary))
    for title, read in optional:
        sheet = _sheet(sheets, title, source, False)
        if sheet is not None:
            read(sheet, data, cells)
    return data


def _put(data: dict[str, Any], dotted: str, value: Any) -> None:
    head, _, rest = dotted.partition(".")
    if rest:
        data.setdefault(head, {})
        _put(data[head], rest, value)
    else:
        data[head] = value


def _read_plan_sheet(sheet: _Sheet, data: dict[str, Any], cells: _Cells) -> None:
    labels = {_norm(label): (label, field) for label, field in PLAN_FIELDS}
    seen: set[str] = set()
    for i, row in enumerate(sheet.rows):
        label = row[0] if row else None
        if _blank(label) or (i == 0 and _norm(label) == "field"):
            continue
        key = _norm(label)
        if key not in labels:
            near = difflib.get_close_matches(key, list(labels), n=1, cutoff=0.6)
            raise sheet.fail(i, 0, f"'{str(label).strip()}' is not a field of the plan",
                             expected=f"one of {', '.join(lbl for lbl, _f in PLAN_FIELDS)}",
                             hint=f"Did you mean '{labels[near[0]][0]}'?" if near else "Delete the row")
        name, field = labels[key]
        if field in seen:
            raise sheet.fail(i, 0, f"'{name}' is given twice", hint="Keep one of the rows")
        seen.add(field)
        value = _value(field, row[1] if len(row) > 1 else None, (i, 1) in sheet.percent)
        cells.by_field[field] = sheet.ref(i, 1)
        if value is not None:
            _put(data, field, value)
    if "senior_representative" in data and "name" not in data["senior_representative"]:
        data["senior_representative"]["name"] = None  # a title alone: the schema says the name is missing
    for field in ("program", "company", "year"):
        cells.by_field.setdefault(field, sheet.ref(0, 1))


def _read_eligibility(sheet: _Sheet, data: dict[str, Any], cells: _Cells) -> None:
    cols = sheet.columns(ELIGIBILITY_COLUMNS, ("Answer",))
    answers: dict[str, Any] = {}
    for i, row in sheet.data_rows():
        def get(name: str, row: tuple[Any, ...] = row) -> Any:
            c = cols.get(name)
            return row[c] if c is not None and c < len(row) else None

        key = _text(get("Key"))
        if key is None:
            if _blank(get("Answer")):
                continue
            raise sheet.fail(i, cols.get("Key", 0), "this answer has no requirement key",
                             hint="Keep the Key column as 'packager init' wrote it")
        answer = _yes_no(sheet, i, cols["Answer"], get("Answer"), f"eligibility.{key}")
        cells.by_field[f"eligibility.{key}"] = sheet.ref(i, cols["Answer"])
        if answer is not None:
            answers[str(key)] = answer
    if answers:
        data["eligibility"] = answers


def _read_milestones(sheet: _Sheet, data: dict[str, Any], cells: _Cells, raw: bytes) -> None:
    cols = sheet.columns(MILESTONE_COLUMNS + TOTAL_HEADERS, ("Objective", "Milestone", "Weight"))
    fields = {name: field for name, field in MILESTONE_COLUMNS}
    objectives: list[dict[str, Any]] = []
    current = 0
    formulas: set[str] | None = None
    for i, row in sheet.data_rows():
        def get(name: str, row: tuple[Any, ...] = row) -> Any:
            c = cols.get(name)
            return row[c] if c is not None and c < len(row) else None

        if all(_blank(get(name)) for name, field in MILESTONE_COLUMNS if field):
            continue  # only the running total
        number = _number(get("Objective"))
        if _blank(number):
            if current == 0:
                raise sheet.fail(i, cols["Objective"], "the first milestone has no objective number",
                                 field="objective", expected="1 for the first objective")
            number = current
        if not isinstance(number, int | float) or isinstance(number, bool) or not float(number).is_integer():
            raise sheet.fail(i, cols["Objective"], f"'{number}' is not an objective number", field="objective",
                             expected="a whole number: 1 for the first objective, 2 for the next …")
        number = int(number)
        if number not in (current, current + 1):
            raise sheet.fail(
                i, cols["Objective"], f"objective {number} follows objective {current}", field="objective",
                expected=f"{current} (the same objective) or {current + 1} (the next one)",
                hint="Objectives are numbered 1, 2, 3 … in order, with all of an objective's milestones together",
            )
        o = number
        if number == current + 1:
            objectives.append({"milestones": []})
            current = number
        objective = objectives[-1]
        title = _text(get("Objective title"))
        if title is not None:
            if "title" in objective and objective["title"] != title:
                raise sheet.fail(i, cols["Objective title"],
                                 f"objective {o} already has the title '{objective['title']}'",
                                 field=f"objectives[{o}].title",
                                 hint="Write the objective's title once, on its first row, or the same on every row")
            if "title" not in objective:
                objective["title"] = title
                cells.by_field[f"objectives[{o}].title"] = sheet.ref(i, cols["Objective title"])
        cells.by_field.setdefault(f"objectives[{o}]", sheet.ref(i, cols["Objective"]))
        if "From last audit" in cols:
            flag = _yes_no(sheet, i, cols["From last audit"], get("From last audit"),
                           f"objectives[{o}].audit_recommendation")
            if flag is not None:
                if objective.get("audit_recommendation", flag) != flag:
                    raise sheet.fail(i, cols["From last audit"],
                                     f"objective {o} is marked both yes and no for 'From last audit'",
                                     hint="Answer once, on the objective's first row")
                objective["audit_recommendation"] = flag
        milestone_cols = [name for name, field in MILESTONE_COLUMNS
                          if field and field not in ("objective", "objective_title", "audit_recommendation")]
        if all(_blank(get(name)) for name in milestone_cols):
            continue  # an objective row without a milestone yet
        m = len(objective["milestones"]) + 1
        milestone: dict[str, Any] = {}
        for name in milestone_cols:
            if name not in cols:
                continue
            field = fields[name]
            assert field is not None
            raw_value = get(name)
            path = f"objectives[{o}].milestones[{m}].{field}"
            cells.by_field[path] = sheet.ref(i, cols[name])
            value = _value(field, raw_value, (i, cols[name]) in sheet.percent)
            if value is None and field in ("weight", "self_score", "target_date"):
                if formulas is None:
                    formulas = formula_cells(raw, sheet.name)
                coord = f"{_col(cols[name])}{i + 1}"
                if coord in formulas:
                    raise sheet.fail(i, cols[name], "this cell holds a formula whose result was never saved",
                                     field=path, hint="Open the workbook in Excel or LibreOffice and save it, "
                                     "so the result is stored, or type the number itself")
            if field == "weight" and isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise sheet.fail(i, cols[name], f"milestone {o}.{m} has a negative weight ({value:g})", field=path,
                                 expected="a number of points from 0 to 100")
            if value is not None:
                milestone[field] = value
        cells.by_field[f"objectives[{o}].milestones[{m}]"] = sheet.ref(i, cols["Milestone"])
        objective["milestones"].append(milestone)
    for objective in objectives:
        objective.setdefault("title", "")
    data["objectives"] = objectives


def _read_notes(sheet: _Sheet, data: dict[str, Any], cells: _Cells) -> None:
    cols = sheet.columns(NOTES_COLUMNS, ("Objective", "Notes"))
    objectives = data.get("objectives", [])
    for i, row in sheet.data_rows():
        number = _number(row[cols["Objective"]] if cols["Objective"] < len(row) else None)
        note = _text(row[cols["Notes"]] if cols["Notes"] < len(row) else None)
        if note is None:
            continue
        if not isinstance(number, int | float) or isinstance(number, bool) or not float(number).is_integer() \
                or not 1 <= int(number) <= len(objectives):
            raise sheet.fail(i, cols["Objective"], f"'{number}' is not an objective of the plan", field="objective",
                             expected=f"a number from 1 to {len(objectives)}")
        o = int(number)
        if "notes" in objectives[o - 1]:
            raise sheet.fail(i, cols["Notes"], f"objective {o} has notes on two rows", hint="Keep them in one cell")
        objectives[o - 1]["notes"] = str(note)
        cells.by_field[f"objectives[{o}].notes"] = sheet.ref(i, cols["Notes"])


def _read_auditors(sheet: _Sheet, data: dict[str, Any], cells: _Cells) -> None:
    cols = sheet.columns(AUDITOR_COLUMNS, ("Name",))
    auditors: list[dict[str, Any]] = []
    for i, row in sheet.data_rows():
        entry: dict[str, Any] = {}
        for name, field in AUDITOR_COLUMNS:
            if name in cols and cols[name] < len(row) and _text(row[cols[name]]) is not None:
                entry[field] = _text(row[cols[name]])
            cells.by_field[f"auditors[{len(auditors) + 1}].{field}"] = sheet.ref(i, cols.get(name, 0))
        if entry:
            entry.setdefault("name", None)
            auditors.append(entry)
    if auditors:
        data["auditors"] = auditors


def _read_people(sheet: _Sheet, data: dict[str, Any], cells: _Cells) -> None:
    cols = sheet.columns(PEOPLE_COLUMNS, ())
    for name, field in PEOPLE_COLUMNS:
        if name not in cols:
            continue
        values: list[str] = []
        for i, row in sheet.data_rows():
            value = _text(row[cols[name]]) if cols[name] < len(row) else None
            if value is not None:
                cells.by_field[f"{field}[{len(values) + 1}]"] = sheet.ref(i, cols[name])
                values.append(value)
        if values:
            data[field] = values


def _read_summary(sheet: _Sheet, data: dict[str, Any], cells: _Cells) -> None:
    cols = sheet.columns(SUMMARY_COLUMNS, ("Part", "Text"))
    parts = {k: v for k, v in SUMMARY_PARTS.items()}
    summary: dict[str, Any] = {}
    for i, row in sheet.data_rows():
        part = _text(row[cols["Part"]] if cols["Part"] < len(row) else None)
        text = _text(row[cols["Text"]] if cols["Text"] < len(row) else None)
        if text is None:
            continue
        key = _norm(part or "").rstrip("s")
        if key not in parts:
            raise sheet.fail(i, cols["Part"], f"'{part or ''}' is not a part of the summary", field="summary",
                             expected="Results, Strength or Recommendation (pick from the drop-down)")
        if key == "result":
            if "results" in summary:
                raise sheet.fail(i, cols["Text"], "the results are given on two rows", hint="Keep them in one cell")
            summary["results"] = text
            cells.by_field["summary.results"] = sheet.ref(i, cols["Text"])
        else:
            field = "strengths" if key == "strength" else "recommendations"
            summary.setdefault(field, []).append(text)
            cells.by_field[f"summary.{field}[{len(summary[field])}]"] = sheet.ref(i, cols["Text"])
    if summary:
        data["summary"] = summary


# ---------------------------------------------------------------------------------------------
# Writing


def _safe(value: Any) -> Any:
    """Text never becomes a formula, and characters XML cannot hold are dropped."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def set_cell(ws: Any, ref: str, value: Any, **style: Any) -> Any:
    """Write a value; text that starts with '=' stays text (no formula injection)."""
    cell = ws[ref]
    cell.value = _safe(value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def set_formula(ws: Any, ref: str, formula: str, **style: Any) -> Any:
    cell = ws[ref]
    cell.value = formula
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def style_header(ws: Any, ncols: int, widths: dict[int, float] | None = None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="1F4E79")
    for c in range(1, ncols + 1):
        cell = ws.cell(row=1, column=c)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    fit_columns(ws, widths or {})
    fit_rows(ws)
    print_setup(ws)


def print_setup(ws: Any, area: str | None = None) -> None:
    """Landscape, one page wide, so a printout (or a PDF) keeps the columns together."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"
    if area:
        ws.print_area = area


def fit_rows(ws: Any) -> None:
    """Row heights that show every line of wrapped text (spreadsheet programs do not always grow them)."""
    import math

    for row in ws.iter_rows(min_row=2):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or cell.data_type == "f" or not cell.alignment.wrap_text:
                continue
            width = ws.column_dimensions[cell.column_letter].width or 10
            per_line = max(int(width) - 2, 4)
            count = sum(max(1, math.ceil(len(part) / per_line)) for part in cell.value.split("\n"))
            lines = max(lines, count)
        if lines > 1:
            ws.row_dimensions[row[0].row].height = min(15 * lines, 400)


def fit_columns(ws: Any, minimum: dict[int, float]) -> None:
    """Column widths that fit their longest value (within 8 to 60 characters)."""
    from openpyxl.styles import Alignment

    widths: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or (isinstance(cell.value, str) and cell.value.startswith("=")
                                      and cell.data_type == "f"):
                continue
            text = cell.value.isoformat() if isinstance(cell.value, dt.date) else str(cell.value)
            longest = max((len(line) for line in text.splitlines()), default=0)
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
            if longest > 60:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in {**widths, **{k: max(v, widths.get(k, 0)) for k, v in minimum.items()}}.items():
        ws.column_dimensions[_col(col - 1)].width = min(max(width + 2, 8), 62)


def _validation(ws: Any, kind: Any, ref: str, *, formula1: str | None = None, formula2: str | None = None,
                operator: Any = None, error: str, prompt: str | None = None) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type=kind, formula1=formula1, formula2=formula2, operator=operator, allow_blank=True,
                        showErrorMessage=True, errorTitle="Not accepted", error=error,
                        showInputMessage=prompt is not None, prompt=prompt)
    ws.add_data_validation(dv)
    dv.add(ref)


def starter_plan(program: str, company: str, year: int, weights: tuple[int, ...]) -> Plan:
    """The empty plan 'packager init' starts from: 3 objectives of 2 milestones, weights totalling 100."""
    from packager.plan import Documents, Milestone, Objective

    objectives = tuple(
        Objective(title="", audit_recommendation=o == 0, milestones=tuple(
            Milestone(target_date=dt.date(year, 5 + m, 30), weight=float(weights[o * 2 + m - 1]))
            for m in (1, 2)))
        for o in range(3))
    documents = Documents(org_chart="admin/org-chart.pdf", acknowledgement="admin/acknowledgement-signed.pdf",
                          auditor_maintenance="admin/auditor-maintenance-signed.pdf")
    return Plan(program=program, company=company, year=year, objectives=objectives, documents=documents)


def plan_workbook(plan: Plan, rules: Rules) -> bytes:
    """The plan as a workbook a coordinator can fill in (drop-downs, validation, totals)."""
    from openpyxl import Workbook
    from openpyxl.formatting import rule as formatting_rule
    from openpyxl.styles import Alignment, Font, PatternFill

    FormulaRule: Any = formatting_rule.FormulaRule
    red = PatternFill("solid", fgColor="F8CBAD")
    green = PatternFill("solid", fgColor="C6EFCE")
    year = plan.year
    in_year = dict(formula1=f"DATE({year},1,1)", formula2=f"DATE({year},12,31)", operator="between")
    wb = Workbook()
    wb.properties.creator = "packager"  # lets the next run replace it (packager.outputs)
    howto: Any = wb.active
    howto.title = HOWTO
    _howto(howto, plan, rules)

    ws = wb.create_sheet("Plan")
    set_cell(ws, "A1", "Field")
    set_cell(ws, "B1", "Value")
    values: dict[str, Any] = {
        "program": plan.program, "company": plan.company, "year": plan.year, "approved": plan.approved,
        "previous_plan_score": plan.previous_plan_score,
        "senior_representative.name": plan.senior_representative.name if plan.senior_representative else None,
        "senior_representative.title": plan.senior_representative.title if plan.senior_representative else None,
        "contact": plan.contact, **{f"documents.{k}": v for k, v in plan.documents.__dict__.items()},
    }
    rows: dict[str, int] = {}
    for r, (label, field) in enumerate(PLAN_FIELDS, start=2):
        rows[field] = r
        set_cell(ws, f"A{r}", label, font=Font(bold=True))
        set_cell(ws, f"B{r}", values.get(field))
    ws[f"B{rows['approved']}"].number_format = "yyyy-mm-dd"
    for r in rows.values():
        ws[f"B{r}"].alignment = Alignment(horizontal="left")
        ws[f"B{r}"].fill = PatternFill("solid", fgColor="FFF2CC")
    programs = ",".join(sorted(rules.programs))
    _validation(ws, "list", f"B{rows['program']}", formula1=f'"{programs}"', error=f"Pick one of {programs}.",
                prompt="Pick the program from the list.")
    _validation(ws, "whole", f"B{rows['year']}", formula1="1990", formula2="2100", operator="between",
                error="The calendar year the plan runs, e.g. 2026.")
    _validation(ws, "date", f"B{rows['approved']}", **in_year,
                error=f"A date in {year}, written YYYY-MM-DD.", prompt="The date the proposal was approved.")
    _validation(ws, "decimal", f"B{rows['previous_plan_score']}", formula1="0", formula2="100", operator="between",
                error="A percentage from 0 to 100.", prompt="Only for a second plan: the first plan's QA score.")
    style_header(ws, 2, {2: 40})

    ws = wb.create_sheet("Eligibility")
    for c, (name, _f) in enumerate(ELIGIBILITY_COLUMNS, start=1):
        ws.cell(row=1, column=c, value=name)
    program = rules.program(plan.program)
    keys = list(program.eligibility) if program else []
    keys += [k for k in plan.eligibility if k not in keys]
    for r, key in enumerate(keys, start=2):
        set_cell(ws, f"A{r}", key)
        set_cell(ws, f"B{r}", rules.eligibility[key].label if key in rules.eligibility else "")
        answer = plan.eligibility.get(key)
        set_cell(ws, f"C{r}", None if answer is None else ("yes" if answer else "no"),
                 fill=PatternFill("solid", fgColor="FFF2CC"))
    _validation(ws, "list", f"C2:C{max(len(keys), 1) + 1}", formula1='"yes,no"', error="Answer yes or no.",
                prompt="yes or no")
    style_header(ws, 3, {3: 10})

    ws = wb.create_sheet("Milestones")
    for c, (name, _m) in enumerate(MILESTONE_COLUMNS, start=1):
        ws.cell(row=1, column=c, value=name)
    r = 2
    for o, objective in enumerate(plan.objectives, start=1):
        milestones = objective.milestones or (None,)
        for m, ms in enumerate(milestones, start=1):
            set_cell(ws, f"A{r}", o)
            if m == 1:
                set_cell(ws, f"B{r}", objective.title or None)
                set_cell(ws, f"J{r}", "yes" if objective.audit_recommendation else "no")
            if ms is not None:
                set_cell(ws, f"C{r}", ms.title)
                set_cell(ws, f"D{r}", ms.assigned_to)
                set_cell(ws, f"E{r}", ms.target_date, number_format="yyyy-mm-dd")
                set_cell(ws, f"F{r}", _whole(ms.weight))
                set_cell(ws, f"G{r}", _whole(ms.self_score))
                set_cell(ws, f"I{r}", ms.deliverable)
            r += 1
    last = LIST_ROWS + 1
    for row in range(2, last + 1):
        set_formula(ws, f"H{row}", f'=IF(F{row}="","",SUM(F$2:F{row}))')
        ws[f"E{row}"].number_format = "yyyy-mm-dd"
    total = rules.plan.weight_total
    set_cell(ws, "L1", "Total weight", font=Font(bold=True))
    set_formula(ws, "L2", f"=SUM(F2:F{last})", font=Font(bold=True))
    set_cell(ws, "M1", "Must be", font=Font(bold=True))
    set_cell(ws, "M2", _whole(total))
    set_cell(ws, "N1", "Total self-score", font=Font(bold=True))
    set_formula(ws, "N2", f"=SUM(G2:G{last})")
    ws.conditional_formatting.add("L2", FormulaRule(formula=[f"L2<>{_whole(total)}"], fill=red))
    ws.conditional_formatting.add("L2", FormulaRule(formula=[f"L2={_whole(total)}"], fill=green))
    ws.conditional_formatting.add(
        f"H2:H{last}", FormulaRule(formula=[f'AND($F2<>"",$F3="",$H2<>{_whole(total)})'], fill=red))
    ws.conditional_formatting.add(
        f"H2:H{last}", FormulaRule(formula=[f'AND($F2<>"",$F3="",$H2={_whole(total)})'], fill=green))
    _validation(ws, "whole", f"A2:A{last}", formula1="1", formula2=str(rules.plan.objectives.max),
                operator="between", error=f"The objective's number, 1 to {rules.plan.objectives.max}.")
    _validation(ws, "date", f"E2:E{last}", **in_year, error=f"A target date inside the plan year {year}.",
                prompt=f"A date in {year}, e.g. {year}-06-30.")
    _validation(ws, "decimal", f"F2:F{last}", formula1="0", formula2=_num_text(total), operator="between",
                error=f"A number of points from 0 to {_num_text(total)}.", prompt="Points; all weights total "
                f"{_num_text(total)}.")
    _validation(ws, "custom", f"G2:G{last}", formula1="AND(ISNUMBER(G2),G2>=0,G2<=F2)",
                error="A self-score from 0 up to the milestone's weight.", prompt="Final stage: 0 up to the weight.")
    _validation(ws, "list", f"J2:J{last}", formula1='"yes,no"', error="Answer yes or no.",
                prompt="Is the objective based on your last certification audit?")
    style_header(ws, 14, {2: 30, 3: 30, 4: 16, 5: 12, 9: 30})
    for row in range(2, r):
        for col in "ABCDEFGHIJ":
            ws[f"{col}{row}"].alignment = Alignment(wrap_text=col in "BCI", vertical="top")
    fit_rows(ws)
    ws.print_area = f"A1:N{max(r - 1, 2)}"

    ws = wb.create_sheet("Notes")
    for c, (name, _n) in enumerate(NOTES_COLUMNS, start=1):
        ws.cell(row=1, column=c, value=name)
    for o, objective in enumerate(plan.objectives, start=1):
        set_cell(ws, f"A{o + 1}", o)
        set_cell(ws, f"B{o + 1}", objective.title or None)
        set_cell(ws, f"C{o + 1}", objective.notes, alignment=Alignment(wrap_text=True, vertical="top"))
    style_header(ws, 3, {2: 30, 3: 60})

    ws = wb.create_sheet("Auditors")
    for c, (name, _f) in enumerate(AUDITOR_COLUMNS, start=1):
        ws.cell(row=1, column=c, value=name)
    for i, auditor in enumerate(plan.auditors, start=2):
        set_cell(ws, f"A{i}", auditor.name)
        set_cell(ws, f"B{i}", auditor.participation)
    style_header(ws, 2, {1: 24, 2: 60})

    ws = wb.create_sheet("People")
    for c, (name, _f) in enumerate(PEOPLE_COLUMNS, start=1):
        ws.cell(row=1, column=c, value=name)
    for i, person in enumerate(plan.participants, start=2):
        set_cell(ws, f"A{i}", person)
    for i, person in enumerate(plan.trained_individuals, start=2):
        set_cell(ws, f"B{i}", person)
    style_header(ws, 2, {1: 30, 2: 30})

    ws = wb.create_sheet("Summary")
    for c, (name, _f) in enumerate(SUMMARY_COLUMNS, start=1):
        ws.cell(row=1, column=c, value=name)
    entries = ([("Results", plan.summary.results)] if plan.summary.results else []) + \
        [("Strength", s) for s in plan.summary.strengths] + \
        [("Recommendation", s) for s in plan.summary.recommendations]
    for i, (part, text) in enumerate(entries, start=2):
        set_cell(ws, f"A{i}", part)
        set_cell(ws, f"B{i}", text, alignment=Alignment(wrap_text=True, vertical="top"))
    _validation(ws, "list", f"A2:A{LIST_ROWS + 1}", formula1='"Results,Strength,Recommendation"',
                error="Pick Results, Strength or Recommendation.")
    style_header(ws, 2, {1: 16, 2: 70})

    wb.active = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _whole(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _num_text(value: float) -> str:
    return f"{value:g}"


def _howto(ws: Any, plan: Plan, rules: Rules) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        (f"Action Plan workbook — {rules.title} ({rules.partner})", True),
        ("", False),
        ("1. Plan: pick the program from the drop-down, then the company, the year and the contact.", False),
        ("   Approval date: fill it in once the proposal is approved.", False),
        ("2. Eligibility: answer every requirement yes or no from the drop-down. Leave none empty.", False),
        ("3. Milestones: one row per milestone. Write the objective's number in 'Objective' on every row,", False),
        ("   and its title (and 'From last audit': yes or no) on its first row.", False),
        (f"   {rules.plan.objectives.min} to {rules.plan.objectives.max} objectives, "
         f"{rules.plan.milestones_per_objective.min} to {rules.plan.milestones_per_objective.max} milestones each.",
         False),
        (f"   Weights are points; together they must total {_num_text(rules.plan.weight_total)}. The total at the "
         "right turns red until they do.", False),
        (f"   Target dates must fall inside {plan.year}, before the final deadline "
         f"({rules.final_deadline(plan.year):%B} {rules.final_deadline(plan.year).day}).", False),
        ("4. Final stage (fall): a self-score for every milestone (0 up to its weight), notes for every", False),
        ("   objective (Notes sheet), the auditors and what they did (Auditors), and the summary.", False),
        ("5. People: who takes part, and the individuals meeting the training requirements.", False),
        ("", False),
        ("Check the workbook any time with:  packager check FOLDER --stage proposal   (spring)", False),
        ("                                   packager check FOLDER                    (fall, final)", False),
        ("Do not rename the sheets or the column headers: packager reads them by name.", False),
    ]
    for i, (text, bold) in enumerate(lines, start=1):
        set_cell(ws, f"A{i}", text, font=Font(bold=bold, size=13 if bold else 11),
                 alignment=Alignment(vertical="top"))
    ws.column_dimensions["A"].width = 110
    print_setup(ws)


def write_plan_yaml(plan: Plan) -> str:
    """The plan as YAML that loads back into the same model (used by 'plan convert')."""
    import yaml

    from packager.plan import plan_to_data

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: prune(v) for k, v in value.items() if v not in (None, [], {}, ())}
        if isinstance(value, list):
            return [prune(v) for v in value]
        return value

    data = prune(plan_to_data(plan))
    for objective in data.get("objectives", []):
        for milestone in objective.get("milestones", []):
            if "target_date" in milestone:
                milestone["target_date"] = dt.date.fromisoformat(milestone["target_date"])
    if "approved" in data:
        data["approved"] = dt.date.fromisoformat(data["approved"])
    head = f"# Action Plan for {plan.company} — {plan.program} {plan.year} (converted by packager)\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
