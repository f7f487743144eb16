"""The reviewer's QA worksheet as a workbook (`audit --worksheet qa.xlsx`), and reading it back.

The sheet has the same columns as the CSV worksheet. Its structure is locked: every cell is
protected except `qa_score` (validated to 0..weight) and `qa_comment`. A Totals sheet adds the
weight, self-score and QA score by objective and for the plan as formulas, with the pass mark.
Text from the received zip (file names, finding messages) is always written as text, never as
a formula.
"""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from packager.errors import InputError
from packager.findings import Finding
from packager.inventory import Inventory
from packager.plan import Plan
from packager.planxlsx import (
    fit_columns,
    fit_rows,
    is_percent_format,
    print_setup,
    set_cell,
    set_formula,
    style_header,
)
from packager.rules import Rules
from packager.worksheet import COLUMNS, QaScores, scores_from_rows
from packager.xlsxsafe import open_workbook, quiet, read_workbook_bytes

SHEET = "QA worksheet"
TOTALS = "Totals"
MAX_ROWS = 500


def worksheet_xlsx(plan: Plan, inventory: Inventory | None, findings: tuple[Finding, ...], rules: Rules) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    files: dict[str, list[str]] = defaultdict(list)
    if inventory is not None:
        root = inventory.root if inventory.root.endswith("/") else ""
        for record in inventory.deliverables:
            if record.mapping.milestone:
                shown = record.path[len(root):] if root and record.path.startswith(root) else record.path
                files[record.mapping.milestone].append(shown)
    notes: dict[str, list[str]] = defaultdict(list)
    for f in findings:
        if f.milestone:
            notes[f.milestone].append(f"{f.severity.value} {f.check}: {f.message}")

    wb = Workbook()
    wb.properties.creator = "packager"  # lets the next run replace it (packager.outputs)
    ws: Any = wb.active
    ws.title = SHEET
    for c, name in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=c, value=name)
    editable = PatternFill("solid", fgColor="FFF2CC")
    rows = list(plan.milestones())
    for r, (o, mid, ms) in enumerate(rows, start=2):
        values = [o, mid, ms.title or "", _whole(ms.weight), _whole(ms.self_score), "\n".join(files[mid]),
                  "\n".join(notes[mid]), None, None]
        for c, value in enumerate(values, start=1):
            cell = set_cell(ws, f"{_letter(c)}{r}", value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col in ("H", "I"):
            ws[f"{col}{r}"].protection = Protection(locked=False)
            ws[f"{col}{r}"].fill = editable
    last = len(rows) + 1
    dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="D2", allow_blank=True,
                        showErrorMessage=True, errorTitle="Not accepted",
                        error="The QA score must be a number from 0 up to the milestone's weight.",
                        showInputMessage=True, prompt="Points from 0 up to the weight")
    ws.add_data_validation(dv)
    dv.add(f"H2:H{max(last, 2)}")
    style_header(ws, len(COLUMNS), {3: 34, 6: 40, 7: 50, 8: 9, 9: 40})
    for col, width in {"C": 34, "F": 40, "G": 50, "I": 40}.items():
        ws.column_dimensions[col].width = width
    fit_rows(ws)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.print_area = f"A1:I{max(last, 2)}"

    totals: Any = wb.create_sheet(TOTALS)
    for c, name in enumerate(("Objective", "Title", "Weight", "Self-score", "QA score"), start=1):
        totals.cell(row=1, column=c, value=name)
    ref = f"'{SHEET}'!"
    for i, objective in enumerate(plan.objectives, start=1):
        r = i + 1
        set_cell(totals, f"A{r}", i)
        set_cell(totals, f"B{r}", objective.title or "")
        for col, src in (("C", "D"), ("D", "E"), ("E", "H")):
            set_formula(totals, f"{col}{r}", f"=SUMIF({ref}$A$2:$A${last},A{r},{ref}${src}$2:${src}${last})")
    t = len(plan.objectives) + 2
    bold = Font(bold=True)
    set_cell(totals, f"B{t}", "Whole plan", font=bold)
    for col in "CDE":
        set_formula(totals, f"{col}{t}", f"=SUM({col}2:{col}{t - 1})", font=bold)
    set_cell(totals, f"B{t + 2}", "QA score (%)", font=bold)
    set_formula(totals, f"C{t + 2}", f"=IF(COUNT({ref}H2:H{last})=0,\"\",ROUND(E{t}/{_whole(rules.plan.weight_total)}"
                                     f"*100,2))", font=bold)
    set_cell(totals, f"B{t + 3}", "Pass mark (%)", font=bold)
    set_cell(totals, f"C{t + 3}", _whole(rules.scoring.pass_mark), font=bold)
    set_cell(totals, f"B{t + 4}", "Result", font=bold)
    set_formula(totals, f"C{t + 4}", f"=IF(C{t + 2}=\"\",\"not scored yet\",IF(C{t + 2}>=C{t + 3},\"passes\","
                                     f"\"below the pass mark: maintenance audit\"))", font=bold)
    style_header(totals, 5, {2: 50})
    fit_columns(totals, {2: 50, 3: 12})
    totals.column_dimensions["B"].width = 60
    for r in range(2, t):
        totals[f"B{r}"].alignment = Alignment(wrap_text=True, vertical="top")
    fit_rows(totals)
    totals.protection.sheet = True
    print_setup(totals)
    wb.security.lockStructure = True  # type: ignore[union-attr]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _shown(cell: Any) -> str:
    """A cell as text; a number formatted as a percentage as it shows ('12%': Excel stores 0.12), so that a
    score typed as a percentage is refused by name instead of counting as 0.12 points."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and is_percent_format(
            getattr(cell, "number_format", None)):
        return f"{value * 100:g}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _whole(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def read_scores_xlsx(path: Path, plan: Plan) -> QaScores:
    """Read a filled-in QA workbook; InputError names the sheet and cell of any problem."""
    data = read_workbook_bytes(path, "QA worksheet")
    wb = open_workbook(data, str(path), "QA worksheet")
    try:
        names = {n.strip().lower(): n for n in wb.sheetnames}
        name = names.get(SHEET.lower()) or wb.sheetnames[0]
        ws = wb[name]
        rows: list[list[str]] = []
        with quiet():  # cells are parsed as rows are read
            for row in ws.iter_rows(max_col=len(COLUMNS) + 5):
                rows.append([_shown(c) for c in row])
                if len(rows) > MAX_ROWS:
                    raise InputError(f"the sheet '{name}' has more than {MAX_ROWS} rows, far more than a plan "
                                     "has", file=path)
    finally:
        wb.close()
    sheet = f"'{name}'" if " " in name else name

    def cell(row: int, column: str | None) -> str:
        if column is None or not rows:
            return f"{sheet}!A{row}"
        header = [h.strip().lower() for h in rows[0]]
        col = header.index(column) + 1 if column in header else 1
        return f"{sheet}!{_letter(col)}{row}"

    return scores_from_rows(rows, path, plan, cell)
