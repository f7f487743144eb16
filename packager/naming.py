"""The naming convention: which objective and milestone a path names.

Patterns come from the rules (naming.*). Matching is case-insensitive on the name without
its extension; spaces, '_', '-' and '.' are separators. When the folder and the file name
disagree we report the conflict rather than guess.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from packager.inventory import Mapping
from packager.rules import NamingRules


@dataclass(frozen=True)
class NameMatch:
    objective: int | None
    milestone: int | None
    title: str | None


def _normalise(name: str) -> str:
    # Patterns match case-insensitively; the original case is kept for the title.
    return unicodedata.normalize("NFC", name).strip()


def split_extension(name: str) -> tuple[str, str]:
    """('1.2 - Report', 'pdf'); a leading dot or a numeric tail like '1.2' is not an extension."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext or " " in ext or len(ext) > 8 or ext.isdigit():
        return name, ""
    return stem, ext


LABEL_IN_TEXT = re.compile(
    r"\b(?:milestone|ms)\s*#?\s*(?P<o>\d{1,2})\.(?P<m>\d{1,2})(?![\d.])"
    r"|\b(?:objective|obj)\s*(?P<o2>\d{1,2})[\s,;\-–:]*(?:milestone|ms)\s*(?P<m2>\d{1,2})(?!\d)"
    r"|\bO(?P<o3>\d{1,2})[\s\-]?M(?P<m3>\d{1,2})\b",
    re.IGNORECASE,
)


def labels_in_text(text: str) -> set[str]:
    """Milestone ids named in document text, e.g. 'Milestone 1.2' or 'Objective 1 Milestone 2'."""
    found: set[str] = set()
    for m in LABEL_IN_TEXT.finditer(text):
        o = m.group("o") or m.group("o2") or m.group("o3")
        ms = m.group("m") or m.group("m2") or m.group("m3")
        found.add(f"{int(o)}.{int(ms)}")
    return found


class NamingConvention:
    def __init__(self, rules: NamingRules) -> None:
        self.rules = rules

    @cached_property
    def _objective(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.rules.objective_folder]

    @cached_property
    def _milestone(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.rules.milestone_folder]

    @cached_property
    def _file(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.rules.file]

    @staticmethod
    def _match(patterns: list[re.Pattern[str]], name: str) -> NameMatch | None:
        text = _normalise(name)
        for pattern in patterns:
            m = pattern.match(text)
            if m:
                groups = m.groupdict()
                o, ms, title = groups.get("o"), groups.get("m"), groups.get("title")
                return NameMatch(
                    int(o) if o else None,
                    int(ms) if ms else None,
                    (title or "").strip(" _-.") or None,
                )
        return None

    def objective_folder(self, name: str) -> NameMatch | None:
        return self._match(self._objective, name)

    def milestone_folder(self, name: str) -> NameMatch | None:
        return self._match(self._milestone, name)

    def file_name(self, name: str) -> NameMatch | None:
        stem, _ext = split_extension(name)
        return self._match(self._file, stem)

    def is_ignored(self, rel_path: str) -> bool:
        for part in rel_path.split("/"):
            for pattern in self.rules.ignore:
                if fnmatch.fnmatchcase(part.lower(), pattern.lower()):
                    return True
        return False

    def is_admin(self, rel_path: str) -> bool:
        first = rel_path.split("/", 1)[0].lower()
        return "/" in rel_path and first in {a.lower() for a in self.rules.admin_folders}

    def map_path(self, rel_path: str) -> Mapping:
        """Map a relative path ('/' separators) to its objective and milestone."""
        *dirs, filename = rel_path.split("/")
        folder_o: int | None = None
        folder_m: int | None = None
        conflicts: list[str] = []
        for d in dirs:
            if folder_o is None:
                match = self.objective_folder(d)
                if match is not None:
                    folder_o = match.objective
                    continue
            match = self.milestone_folder(d)
            if match is None:
                continue
            if match.objective is not None and folder_o is not None and match.objective != folder_o:
                conflicts.append(
                    f"the folder '{d}' names objective {match.objective} inside the folder of objective {folder_o}"
                )
            if folder_o is None:
                folder_o = match.objective
            folder_m = match.milestone
        name = self.file_name(filename)
        name_o = name.objective if name else None
        name_m = name.milestone if name else None
        if name_o is not None and folder_o is not None and name_o != folder_o:
            conflicts.append(f"the folder says objective {folder_o} but the file name says objective {name_o}")
        if name_m is not None and folder_m is not None and name_m != folder_m:
            conflicts.append(
                f"the folder says milestone {folder_o or '?'}.{folder_m} but the file name says "
                f"milestone {name_o or folder_o or '?'}.{name_m}"
            )
        objective = folder_o if folder_o is not None else name_o
        number = name_m if name_m is not None else folder_m
        sources: list[str] = []
        if name_m is not None and objective is not None:
            sources.append("name")
        if folder_m is not None:
            sources.append("folder")
        title = name.title if name else None
        if title is None:
            title = split_extension(filename)[0]
        milestone = f"{objective}.{number}" if objective is not None and number is not None else None
        if conflicts:
            objective, milestone = None, None  # never guess between two answers
        return Mapping(
            objective=objective,
            milestone=milestone,
            label_sources=tuple(sources),
            conflict="; ".join(conflicts) or None,
            title=title,
        )
