"""The naming convention: which objective and milestone a path or a document's label names.

Every grammar comes from the rules (naming.*): folder and file-name forms, the milestone written
in a document's header or title (`label_in_text`), how many first lines make the header, and the
words that make a milestone a mere mention. Matching is case-insensitive on the name without its
extension; spaces, '_', '-' and '.' are separators. A number is digits or, where a pattern writes
{word}, a number word of the rules ('Objective Two'), turned into its number in one place (`_number`).
When sources disagree we report the conflict rather than guess.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from packager.model import FOLDER, NAME, Mapping, MilestoneSource
from packager.rules import NamingRules


@dataclass(frozen=True)
class NameMatch:
    objective: int | None
    milestone: int | None
    title: str | None


@dataclass(frozen=True)
class TextLabel:
    """A milestone written in a document's text or title."""

    milestone: str  # "1.2"
    objective: int
    text: str  # the words matched
    start: int  # offset in the text


def _normalise(name: str) -> str:
    # Patterns match case-insensitively; the original case is kept for the title.
    return unicodedata.normalize("NFC", name).strip()


def split_extension(name: str) -> tuple[str, str]:
    """('1.2 - Report', 'pdf'); a leading dot or a numeric tail like '1.2' is not an extension."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext or " " in ext or len(ext) > 8 or ext.isdigit():
        return name, ""
    return stem, ext


# Distinct header lines, folder names and path parts remembered (then the memory starts again).
LINE_MEMO = 8192

_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(memo: dict[_K, _V], key: _K, compute: Callable[[_K], _V]) -> _V:
    """``memo[key]``, computed once by ``compute(key)``; a full memory is emptied first (a received zip may hold any
    number of distinct names and lines)."""
    if key in memo:
        return memo[key]
    if len(memo) >= LINE_MEMO:
        memo.clear()
    value = memo[key] = compute(key)
    return value


class NamingConvention:
    def __init__(self, rules: NamingRules) -> None:
        self.rules = rules
        # Answers by folder or path part: a submission repeats a few folder names thousands of times.
        self._folders: dict[tuple[str, str], NameMatch | None] = {}
        self._ignored_parts: dict[str, bool] = {}
        # Header lines repeat from document to document (templates, company names): labels by line.
        self._line_labels: dict[str, tuple[TextLabel, ...]] = {}

    @cached_property
    def _ignore(self) -> re.Pattern[str]:
        # Matching this is exactly any(fnmatch.fnmatchcase(part.lower(), pattern.lower())): one alternation
        # of the translated patterns, tried once per part instead of once per pattern.
        return re.compile("|".join(fnmatch.translate(p.lower()) for p in self.rules.ignore) or "(?!)")

    @cached_property
    def _admin_folders(self) -> frozenset[str]:
        return frozenset(a.lower() for a in self.rules.admin_folders)

    def _compile(self, patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
        return [re.compile(self.rules.expand(p), re.IGNORECASE) for p in patterns]

    @cached_property
    def _objective(self) -> list[re.Pattern[str]]:
        return self._compile(self.rules.objective_folder)

    @cached_property
    def _milestone(self) -> list[re.Pattern[str]]:
        return self._compile(self.rules.milestone_folder)

    @cached_property
    def _file(self) -> list[re.Pattern[str]]:
        return self._compile(self.rules.file)

    @cached_property
    def _label(self) -> list[re.Pattern[str]]:
        return self._compile(self.rules.label_in_text)

    @cached_property
    def _words(self) -> tuple[re.Pattern[str], tuple[int, ...]]:
        # One group per word, matched as the patterns match it (ignoring case the way `re` does:
        # 'NİNE' and 'nıne' match 'nine' there, which a dictionary look-up of the lower case would miss).
        words = list(self.rules.number_words.items())
        alternatives = "|".join(f"({re.escape(word)})" for word, _number in words) or "(?!)"
        return re.compile(alternatives, re.IGNORECASE), tuple(number for _word, number in words)

    def _number(self, text: str | None) -> int | None:
        """The number a pattern's group matched: digits, or a number word of the rules ('Two' = 2).
        None when the group matched nothing, or words the rules do not list."""
        if not text:
            return None
        if text.isdecimal():
            return int(text)
        pattern, numbers = self._words
        found = pattern.fullmatch(text)
        return numbers[found.lastindex - 1] if found and found.lastindex else None

    @cached_property
    def _mention(self) -> re.Pattern[str] | None:
        words = sorted(self.rules.mention_before, key=len, reverse=True)
        if not words:
            return None
        alternatives = "|".join(r"\s+".join(re.escape(w) for w in phrase.split()) for phrase in words)
        return re.compile(rf"(?:^|[^\w])(?:{alternatives})\W*$", re.IGNORECASE)

    def _match(self, patterns: list[re.Pattern[str]], name: str) -> NameMatch | None:
        text = _normalise(name)
        for pattern in patterns:
            m = pattern.match(text)
            if m:
                groups = m.groupdict()
                o, ms = self._number(groups.get("o")), self._number(groups.get("m"))
                if (o is None and groups.get("o")) or (ms is None and groups.get("m")):
                    continue  # words the rules give no number (a pattern that spells them itself)
                title = " ".join(
                    part.strip(" _-.()[]") for part in (groups.get("title"), groups.get("tail")) if part
                ).strip()
                return NameMatch(o, ms, title or None)
        return None

    def objective_folder(self, name: str) -> NameMatch | None:
        return self._folder_match("o", self._objective, name)

    def milestone_folder(self, name: str) -> NameMatch | None:
        return self._folder_match("m", self._milestone, name)

    def _folder_match(self, kind: str, patterns: list[re.Pattern[str]], name: str) -> NameMatch | None:
        return _remember(self._folders, (kind, name), lambda memo: self._match(patterns, memo[1]))

    def file_name(self, name: str) -> NameMatch | None:
        stem, _ext = split_extension(name)
        return self._match(self._file, stem)

    def labels_in_text(self, text: str) -> list[TextLabel]:
        """Every milestone named in `text` ('Milestone 1.2', 'Objective 2 - Milestone 2.1' = 2.1,
        'Objective One, Milestone Two' = 1.2), in order."""
        found: list[TextLabel] = []
        taken: list[tuple[int, int]] = []
        for pattern in self._label:
            for m in pattern.finditer(text):
                if any(m.start() < end and start < m.end() for start, end in taken):
                    continue
                o, ms = self._number(m.group("o")), self._number(m.group("m"))
                if o is None or ms is None:
                    continue
                taken.append((m.start(), m.end()))
                found.append(TextLabel(f"{o}.{ms}", o, " ".join(m.group(0).split()), m.start()))
        return sorted(found, key=lambda label: label.start)

    def header_labels(self, text: str) -> list[TextLabel]:
        """Milestones that label a document: named in its first lines, and not as a mention."""
        lines: list[str] = []
        wanted = self.rules.header_lines
        if wanted > 0:
            for line in text.splitlines():
                if line.strip():
                    lines.append(line)
                    if len(lines) >= wanted:
                        break
        labels: list[TextLabel] = []
        for line in lines:
            found: tuple[TextLabel, ...] = _remember(self._line_labels, line, self._header_line_labels)
            labels.extend(found)
        return labels

    def _header_line_labels(self, line: str) -> tuple[TextLabel, ...]:
        labels: list[TextLabel] = []
        for label in self.labels_in_text(line):
            before = line[: label.start]
            if self._mention is not None and self._mention.search(before):
                continue  # "linked to milestone 1.2 training": a mention, not a label
            labels.append(label)
        return tuple(labels)

    def title_labels(self, title: str) -> list[TextLabel]:
        """Milestones a document's title names, as a file name or as words."""
        match = self.file_name(title + ".x")
        if match and match.objective is not None and match.milestone is not None:
            return [TextLabel(f"{match.objective}.{match.milestone}", match.objective, title.strip(), 0)]
        return self.labels_in_text(title)

    def is_ignored(self, rel_path: str) -> bool:
        *folders, leaf = rel_path.split("/")
        for part in folders:
            if _remember(self._ignored_parts, part, self._ignored_part):
                return True
        return self._ignored_part(leaf)

    def _ignored_part(self, part: str) -> bool:
        return self._ignore.match(part.lower()) is not None

    def is_admin(self, rel_path: str) -> bool:
        first = rel_path.split("/", 1)[0].lower()
        return "/" in rel_path and first in self._admin_folders

    def map_path(self, rel_path: str) -> Mapping:
        """Map a relative path ('/' separators) to its objective and milestone."""
        *dirs, filename = rel_path.split("/")
        folder_o: int | None = None
        folder_m: int | None = None
        folder_text = ""
        conflicts: list[str] = []
        for d in dirs:
            if folder_o is None:
                match = self.objective_folder(d)
                if match is not None:
                    folder_o = match.objective
                    folder_text = d
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
            folder_text = d
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
        named: list[MilestoneSource] = []
        if folder_o is not None:
            fm = f"{folder_o}.{folder_m}" if folder_m is not None else None
            named.append(MilestoneSource(FOLDER, fm, folder_o, folder_text))
        if name_m is not None or name_o is not None:
            no = name_o if name_o is not None else objective
            nm = f"{no}.{name_m}" if no is not None and name_m is not None else None
            named.append(MilestoneSource(NAME, nm, no, split_extension(filename)[0]))
        if name_m is not None and objective is not None:
            sources.append(NAME)
        if folder_m is not None:
            sources.append(FOLDER)
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
            sources=tuple(named),
        )
