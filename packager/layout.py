"""Names inside the submission zip: Windows-safe, labelled with the milestone, dated, and meaningful.

The whole path is budgeted against what Windows can extract: its 260-character path limit less a
typical extraction prefix (``C:\\Users\\<name>\\Downloads\\<zip name>\\``), both in the rules
(``build.windows_path_limit``, ``build.extraction_prefix``). When a path would not fit, the top
folder is shortened first, then the objective folders, and only then the files' own descriptions,
always at a word. Two different files never end up with the same description.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from packager.dates import find_dates
from packager.model import Stage
from packager.plan import Plan
from packager.safetext import strip_unsafe

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_SPACES = re.compile(r"\s+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
_DATE_TEXT = re.compile(r"(?<!\d)(?:19|20)\d\d[-_.]?[01]\d[-_.]?[0-3]\d(?!\d)")
_LEADING_LABEL = re.compile(
    r"^\s*(?:(?:objective|obj|o)\s*\d{1,2}\s*[-_.]?\s*)?(?:milestone|ms|m)?\s*\d{1,2}(?:\.\d{1,2})?\s*[-_.]+\s*",
    re.IGNORECASE,
)

STAGE_LABEL = {Stage.FINAL: "Final Submission", Stage.PROPOSAL: "Proposal"}
SHORT_STAGE_LABEL = {Stage.FINAL: "Final", Stage.PROPOSAL: "Proposal"}
DOCS_FOLDER = "00 Submission Documents"


def safe_component(text: str, max_length: int = 80) -> str:
    """A file or folder name any Windows, macOS or Linux unzip tool accepts."""
    text = unicodedata.normalize("NFC", strip_unsafe(text))  # no bidi, zero-width or undecodable bytes
    text = _UNSAFE.sub("-", text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > max_length:
        cut = text[:max_length]
        text = cut.rsplit(" ", 1)[0] if " " in cut[max_length // 2 :] else cut
    text = text.rstrip(" .-")
    if not text or _RESERVED.match(text.split(".")[0]):
        text = f"_{text}"
    return text


def top_folder(plan: Plan, stage: Stage) -> str:
    return top_folder_options(plan, stage)[0]


def top_folder_options(plan: Plan, stage: Stage) -> list[str]:
    """The top folder's names, longest first: each keeps company, program, year and stage."""
    # Dots in a company name ("Ltd.") would end a folder name in a dot, which Windows refuses.
    company = plan.company.replace(".", "")
    full = f"{cut_words(company, 40)} - {plan.program} Action Plan {plan.year} - {STAGE_LABEL[stage]}"
    short = f"{cut_words(company, 40)} - {plan.program} {plan.year} {SHORT_STAGE_LABEL[stage]}"
    least = f"{cut_words(company, 20)} - {plan.program} {plan.year} {SHORT_STAGE_LABEL[stage]}"
    return list(dict.fromkeys(safe_component(t, 200) for t in (full, short, least)))


_DANGLING = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def cut_words(text: str, max_length: int) -> str:
    """`text` cut to at most `max_length` characters at a word, never ending on 'by', 'of', 'at'…

    A single word longer than the limit is cut inside (there is no word boundary to use)."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= max_length:
        return text
    cut = text[: max_length + 1]
    words = cut.rsplit(" ", 1)[0].split(" ") if " " in cut else [text[:max_length]]
    while len(words) > 1 and words[-1].lower().strip(",;:-") in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:-")


def short_title(title: str, max_length: int) -> str:
    """The start of an objective title, cut at a word (not a dangling 'by' or 'at'), for its folder name."""
    return cut_words(safe_component(title, 400), max_length).rstrip(" .-")


def objective_folder(number: int, title: str, max_length: int) -> str:
    short = short_title(title, max_length) if title.strip() else ""
    return f"Objective {number}" + (f" - {short}" if short and short != "_" else "")


def descriptive_part(title: str | None, fallback: str, window: tuple[dt.date, dt.date] | None = None) -> str:
    """The file's own description, without the milestone label or dates it already carries (read as the
    checks read them in the plan ``window``)."""
    text = title or ""
    text = _LEADING_LABEL.sub("", text, count=1)
    # Any date the name carries ('Sept 3 2026', '2026-05-14', '2026-05'): the built name adds the date once,
    # at its end.
    for found in sorted(find_dates(text, "name", window), key=lambda d: -len(d.text)):
        text = text.replace(found.text, " ")
    text = _DATE_TEXT.sub(" ", text)
    text = re.sub(r"[\s_\-.]+", " ", text).strip(" -_.")
    return text or fallback


MIN_DESCRIPTION = 12  # a description is never cut shorter than this (it would lose its meaning)


def deliverable_name(milestone: str, title: str, date: str | None, ext: str, room: int) -> str:
    """'1.2 - Drill report - 2026-05-14.pdf', the description cut at a word so the name fits in `room`."""
    head, suffix = _name_parts(milestone, date, ext)
    budget = max(MIN_DESCRIPTION, room - len(head) - len(suffix))
    return f"{head}{describe(title, budget)}{suffix}"


def _name_parts(milestone: str, date: str | None, ext: str) -> tuple[str, str]:
    return f"{milestone} - ", (f" - {date}" if date else "") + (f".{ext.lower()}" if ext else "")


def describe(title: str, budget: int) -> str:
    return safe_component(cut_words(safe_component(title, 400), budget), budget)


@dataclass(frozen=True)
class Wanted:
    """A deliverable to name: its objective, milestone, own description, date and extension."""

    objective: int
    milestone: str
    description: str
    date: str | None
    ext: str


@dataclass(frozen=True)
class Layout:
    """Decided once per build: the top folder, each objective's folder, each deliverable's name."""

    top: str
    folders: dict[int, str]
    names: tuple[str, ...]  # in the order of the Wanted list, unique within their folder
    budget: int

    def path(self, i: int, objective: int) -> str:
        return f"{self.top}/{self.folders[objective]}/{self.names[i]}"


def path_budget(windows_limit: int, extraction_prefix: int) -> int:
    """Characters a path inside the zip may use so Windows can extract it (the limit counts a final NUL)."""
    return windows_limit - 1 - extraction_prefix


def plan_layout(
    plan: Plan, stage: Stage, wanted: Sequence[Wanted], *, budget: int, max_title_length: int,
    fixed_names: Sequence[str] = (),
) -> Layout:
    """Fit every path in `budget`: shorten the top folder first, then objective folders, then descriptions.

    `fixed_names` are paths under the top folder that cannot be shortened (the generated documents).
    """
    full = {i: deliverable_name(w.milestone, w.description, w.date, w.ext, 10**6) for i, w in enumerate(wanted)}
    longest_fixed = max((len(n) for n in fixed_names), default=0)
    titles = {o: (obj.title or "") for o, obj in enumerate(plan.objectives, start=1)}
    folders = {o: objective_folder(o, titles[o], max_title_length) for o in titles}
    need = max([longest_fixed, *(len(folders[w.objective]) + 1 + len(full[i]) for i, w in enumerate(wanted))])
    options = top_folder_options(plan, stage)
    top = next((t for t in options if len(t) + 1 + need <= budget), options[-1])
    room = budget - len(top) - 1
    for o in folders:
        longest = max((len(full[i]) for i, w in enumerate(wanted) if w.objective == o), default=0)
        for length in (max_title_length, *(n for n in (24, 16) if n < max_title_length), 0):
            folders[o] = objective_folder(o, titles[o], length) if length else f"Objective {o}"
            if len(folders[o]) + 1 + longest <= room:
                break
    names = [""] * len(wanted)
    for o in folders:
        members = [i for i, w in enumerate(wanted) if w.objective == o]
        fit = room - len(folders[o]) - 1
        for i in members:
            w = wanted[i]
            names[i] = deliverable_name(w.milestone, w.description, w.date, w.ext, fit)
        _keep_apart(names, members, wanted, fit)
    return Layout(top=top, folders=folders, names=tuple(names), budget=budget)


def _keep_apart(names: list[str], members: list[int], wanted: Sequence[Wanted], fit: int) -> None:
    """Two different files never share a description: a cut one keeps the words that tell it apart."""
    seen: dict[str, list[int]] = {}
    for i in members:
        seen.setdefault(names[i].casefold(), []).append(i)
    for group in seen.values():
        if len(group) < 2:
            continue
        descriptions = [safe_component(wanted[i].description, 400) for i in group]
        for i, text in zip(group, descriptions, strict=True):
            others = [d for j, d in zip(group, descriptions, strict=True) if j != i]
            head, suffix = _name_parts(wanted[i].milestone, wanted[i].date, wanted[i].ext)
            budget = max(MIN_DESCRIPTION, fit - len(head) - len(suffix))
            names[i] = head + _distinct(text, others, budget) + suffix
        counts: dict[str, int] = {}
        for i in group:  # the same description twice (two files both named 'Photo'): number them
            key = names[i].casefold()
            counts[key] = counts.get(key, 0) + 1
            if counts[key] > 1:
                stem, dot, ext = names[i].rpartition(".")
                names[i] = f"{stem} ({counts[key]}){dot}{ext}" if dot else f"{names[i]} ({counts[key]})"


def _distinct(text: str, others: list[str], budget: int) -> str:
    """`text` cut to `budget` at words, keeping the first word where it differs from every other."""
    words = text.split(" ")
    other_words = [o.split(" ") for o in others]
    first_diff = 0
    for ow in other_words:
        k = next((n for n, (a, b) in enumerate(zip(words, ow, strict=False)) if a.casefold() != b.casefold()),
                 min(len(words), len(ow)))
        first_diff = max(first_diff, k)
    if len(text) <= budget or first_diff >= len(words):
        return describe(text, budget)
    if 0 < first_diff < len(words) and len(words[first_diff]) <= 3:
        first_diff -= 1  # 'Site A' / 'Site B': keep the word that says what the short one is
    tail = " ".join(words[first_diff:])
    head_room = budget - len(tail) - 3
    if head_room >= 4:
        head = cut_words(" ".join(words[:first_diff]), head_room)
        return safe_component(f"{head} - {tail}", budget) if head else describe(tail, budget)
    return describe(tail, budget)
