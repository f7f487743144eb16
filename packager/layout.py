"""Names inside the submission zip: Windows-safe, labelled with the milestone, dated, short."""

from __future__ import annotations

import re
import unicodedata

from packager.model import Stage
from packager.plan import Plan

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_SPACES = re.compile(r"\s+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
_DATE_TEXT = re.compile(r"(?<!\d)(?:19|20)\d\d[-_.]?[01]\d[-_.]?[0-3]\d(?!\d)")
_LEADING_LABEL = re.compile(
    r"^\s*(?:(?:objective|obj|o)\s*\d{1,2}\s*[-_.]?\s*)?(?:milestone|ms|m)?\s*\d{1,2}(?:\.\d{1,2})?\s*[-_.]+\s*",
    re.IGNORECASE,
)

STAGE_LABEL = {Stage.FINAL: "Final Submission", Stage.PROPOSAL: "Proposal"}
DOCS_FOLDER = "00 Submission Documents"


def safe_component(text: str, max_length: int = 80) -> str:
    """A file or folder name any Windows, macOS or Linux unzip tool accepts."""
    text = unicodedata.normalize("NFC", text)
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
    # Dots in a company name ("Ltd.") would end a folder name in a dot, which Windows refuses.
    company = safe_component(plan.company.replace(".", ""), 40)
    return f"{company} - {plan.program} Action Plan {plan.year} - {STAGE_LABEL[stage]}"


_DANGLING = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def short_title(title: str, max_length: int) -> str:
    """The start of an objective title, cut at a word (not a dangling 'by' or 'at'), for its folder name."""
    text = safe_component(title, max_length)
    words = text.split(" ")
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:-")


def objective_folder(number: int, title: str, max_length: int) -> str:
    short = short_title(title, max_length) if title.strip() else ""
    return f"Objective {number}" + (f" - {short}" if short and short != "_" else "")


def descriptive_part(title: str | None, fallback: str) -> str:
    """The file's own description, without the milestone label or dates it already carries."""
    text = title or ""
    text = _LEADING_LABEL.sub("", text, count=1)
    text = _DATE_TEXT.sub(" ", text)
    text = re.sub(r"[\s_\-.]+", " ", text).strip(" -_.")
    return text or fallback


def deliverable_name(milestone: str, title: str, date: str | None, ext: str, room: int) -> str:
    """'1.2 - Drill report - 2026-05-14.pdf', the description cut so the name fits in `room`."""
    suffix = (f" - {date}" if date else "") + (f".{ext.lower()}" if ext else "")
    head = f"{milestone} - "
    budget = max(8, room - len(head) - len(suffix))
    return f"{head}{safe_component(title, budget)}{suffix}"
