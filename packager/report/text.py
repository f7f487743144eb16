"""The default text report: findings filed under their objective and milestone, then a summary line.

Every finding appears under the heading of the objective and milestone it is about (a milestone's
objective is its first number, so 4.2 is always under Objective 4). The same finding on many
files is shown once with the list of files. Colour is added by a `Style` the CLI passes in (only on a
terminal, and never with NO_COLOR); untrusted text never carries escape sequences.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from packager.findings import Finding, Severity, Summary
from packager.plan import Plan
from packager.report.coverage import coverage as build_coverage
from packager.report.coverage import coverage_lines
from packager.result import CheckResult
from packager.safetext import for_terminal
from packager.textutil import points

WIDTH = 100
LABEL = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "NOTE"}
MAX_LISTED_FILES = 20

Style = Callable[[str, str], str]
"""(text, role) -> text; roles: error, warning, note, accepted, heading, muted, ok."""


def plain(text: str, role: str) -> str:
    return text


def clean(text: str) -> str:
    """Text from files and plans, safe to print: control and bidi characters shown as escapes."""
    return for_terminal(text)


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(clean(text), WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=False)


def _role(f: Finding) -> str:
    return "accepted" if f.accepted is not None else f.severity.value if f.severity is not Severity.INFO else "note"


@dataclass(frozen=True)
class Entry:
    """One finding as shown: the first of a group, and every path the same finding is on."""

    finding: Finding
    paths: tuple[str, ...]


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _shape(f: Finding) -> tuple[str, ...]:
    """What makes two findings 'the same finding': all but the file they are on."""
    message = f.message
    if f.path:
        message = message.replace(_basename(f.path), "\0").replace(f.path, "\0")
    return (f.check, f.severity.value, f.hint, f.accepted or "", message)


def merge_same(findings: Iterable[Finding]) -> list[Entry]:
    """Findings that differ only in their file, collapsed into one entry listing the files."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    order: list[tuple[str, ...]] = []
    for f in findings:
        key = _shape(f) if f.path else (f.check, f.message, str(id(f)))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(f)
    return [Entry(groups[k][0], tuple(f.path for f in groups[k] if f.path)) for k in order]


def format_entry(entry: Entry, indent: str = "  ", style: Style = plain) -> str:
    f = entry.finding
    label = "ACCEPTED" if f.accepted is not None else LABEL[f.severity]
    head = f"{indent}{style(f'{label:<8}', _role(f))} {style(f.check, 'heading')}"
    if len(entry.paths) == 1:
        head += f"  [{clean(entry.paths[0])}]"
    elif entry.paths:
        head += f"  on {len(entry.paths)} files"
    lines = [head]
    body = indent + "         "
    lines.append(_wrap(f.message, body))
    if len(entry.paths) > 1:
        lines.append(f"{body}The same on these files:")
        shown = entry.paths[:MAX_LISTED_FILES]
        lines.extend(f"{body}  {clean(p)}" for p in shown)
        if len(entry.paths) > len(shown):
            lines.append(f"{body}  … and {len(entry.paths) - len(shown)} more (--format json lists every one)")
    if f.accepted is not None:
        lines.append(style(_wrap("Accepted: " + f.accepted, body), "accepted"))
    else:
        lines.append(_wrap("Fix: " + f.hint, body))
    return "\n".join(lines)


def format_finding(f: Finding, indent: str = "  ", style: Style = plain) -> str:
    return format_entry(Entry(f, (f.path,) if f.path else ()), indent, style)


def objective_of(f: Finding) -> int | None:
    """The objective a finding is about: a milestone's first number wins over anything else."""
    if f.milestone:
        head = f.milestone.split(".")[0]
        if head.isdigit():
            return int(head)
    return f.objective


@dataclass
class Section:
    title: str
    findings: list[Finding]
    milestones: dict[str, list[Finding]]


def group_findings(findings: Iterable[Finding], plan: Plan | None) -> list[tuple[str, list[Finding]]]:
    """Flat (heading, findings) pairs in reading order; milestone headings follow their objective's."""
    out: list[tuple[str, list[Finding]]] = []
    for section in _sections(findings, plan):
        out.append((section.title, section.findings))
        for mid, items in section.milestones.items():
            out.append((f"Milestone {mid}" + _milestone_title(plan, mid), items))
    return out


def _sections(findings: Iterable[Finding], plan: Plan | None) -> list[Section]:
    whole = Section("Whole plan", [], {})
    files = Section("Files", [], {})  # files that belong to no objective come last
    objectives: dict[int, Section] = {}
    for f in findings:
        o = objective_of(f)
        if o is None:
            (files if f.path else whole).findings.append(f)
            continue
        section = objectives.setdefault(o, Section(_objective_title(plan, o), [], {}))
        if f.milestone:
            section.milestones.setdefault(f.milestone, []).append(f)
        else:
            section.findings.append(f)
    ordered = [whole] if whole.findings else []
    for o in sorted(objectives):
        section = objectives[o]
        section.milestones = dict(sorted(section.milestones.items(), key=lambda kv: _milestone_key(kv[0])))
        ordered.append(section)
    if files.findings:
        ordered.append(files)
    return ordered


def _milestone_key(mid: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in mid.split("."))
    except ValueError:
        return (10**6,)


def _objective_title(plan: Plan | None, number: int) -> str:
    objective = plan.objective(number) if plan else None
    return f"Objective {number}" + (f": {objective.title}" if objective and objective.title else "")


def _milestone_title(plan: Plan | None, mid: str) -> str:
    ms = plan.milestone(mid) if plan else None
    return f": {ms.title}" if ms and ms.title else ""


def render_findings(findings: Iterable[Finding], plan: Plan | None, style: Style = plain) -> list[str]:
    out: list[str] = []
    for section in _sections(findings, plan):
        out.append(style(clean(section.title), "heading"))
        out.extend(format_entry(e, "  ", style) for e in merge_same(section.findings))
        for mid, items in section.milestones.items():
            out.append("  " + style(clean(f"Milestone {mid}" + _milestone_title(plan, mid)), "heading"))
            out.extend(format_entry(e, "    ", style) for e in merge_same(items))
        out.append("")
    return out


def statistics_lines(findings: Iterable[Finding]) -> list[str]:
    """Counts per check id, most frequent first (--statistics)."""
    counts: Counter[tuple[str, str]] = Counter()
    for f in findings:
        counts[(f.check, "accepted" if f.accepted is not None else f.severity.value)] += 1
    if not counts:
        return []
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    width = max(len(c) for (c, _s), _n in rows)
    return ["Statistics (findings per check id)",
            *(f"  {n:>5}  {check:<{width}}  {severity}" for (check, severity), n in rows), ""]


def open_findings(findings: Iterable[Finding], strict: bool = False) -> list[Finding]:
    """What fails a run and what --quiet shows: the errors not accepted (with --strict, the warnings too)."""
    findings = list(findings)
    shown = [f for f in findings if f.severity is Severity.ERROR and f.accepted is None]
    if strict:
        shown += [f for f in findings if f.severity is Severity.WARNING and f.accepted is None]
    return shown


def summary_role(summary: Summary, strict: bool = False) -> str:
    """The colour of a summary: error when the run fails, warning when warnings are left, else ok."""
    return "error" if summary.failed(strict) else "warning" if summary.warnings else "ok"


def summary_line(summary: Summary, style: Style = plain, ready: str = "ready to submit",
                 not_ready: str = "not ready to submit", strict: bool = False) -> str:
    failed = summary.failed(strict)
    text = f"{summary.counts()}: {not_ready if failed else ready}"
    return style(text, summary_role(summary, strict))


def render_check(
    result: CheckResult, *, style: Style = plain, quiet: bool = False, statistics: bool = False,
    strict: bool = False,
) -> str:
    """The self-check report. `quiet`: only the errors and the summary line."""
    plan = result.plan
    if quiet:
        errors = open_findings(result.findings, strict)
        out = render_findings(errors, plan, style) if errors else []
        if statistics:
            out.extend(statistics_lines(result.findings))
        out.append(summary_line(result.summary, style, strict=strict))
        return "\n".join(out) + "\n"
    coverage = None
    if result.inventory is not None and result.stage.value == "final":
        coverage = coverage_lines(build_coverage(plan, result.inventory, result.findings), plan)
    out = [
        style(clean(f"{plan.company} \u2014 {plan.program} Action Plan {plan.year} \u2014 "
                    f"{result.stage.value} self-check"), "heading"),
        clean(f"Plan: {plan.source}    Rules: {result.rules.profile}"),
        "",
    ]
    if coverage:
        out.extend(clean(line) for line in coverage)
        out.append("")
    if result.findings:
        out.extend(render_findings(result.findings, plan, style))
    else:
        out.extend(["No problems found.", ""])
    out.extend(clean(n) for n in result.notes)
    if statistics:
        out.extend(statistics_lines(result.findings))
    score = result.score
    if score.self is not None and result.stage.value == "final":
        out.append(f"Self-score: {points(score.self)}% (pass mark {points(score.pass_mark)}%)")
    out.append(summary_line(result.summary, style, strict=strict))
    return "\n".join(out) + "\n"


__all__ = ["Entry", "Style", "clean", "format_finding", "group_findings", "merge_same", "open_findings", "plain",
           "render_check", "render_findings", "statistics_lines", "summary_line", "summary_role"]
