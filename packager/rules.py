"""The program profile: every number and pattern the checks use, loaded from rules/.

A certifying partner or a new year is a new YAML file, not new code. The bundled profiles
live in the top-level ``rules/`` folder of the source tree and ship inside the wheel as
``packager/_rules``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from packager.errors import InputError
from packager.schema import Where, from_mapping
from packager.yamlio import LocatedDict, load_yaml_file

DEFAULT_PROFILE = "acsa-cor-secor"


@dataclass(frozen=True)
class Bounds:
    min: int
    max: int


@dataclass(frozen=True)
class Requirement:
    """One eligibility requirement: the plan key that answers it, and how to explain it."""

    label: str
    hint: str


@dataclass(frozen=True)
class ProgramRules:
    name: str
    eligibility: tuple[str, ...]


@dataclass(frozen=True)
class PlanRules:
    objectives: Bounds
    milestones_per_objective: Bounds
    weight_total: float = 100.0
    audit_objective_required: bool = True


@dataclass(frozen=True)
class ScoringRules:
    pass_mark: float = 60.0
    # A second consecutive plan needs the first plan's QA score at or above this (inclusive) or
    # strictly above it (exclusive).
    second_plan_min_previous_score: float = 80.0
    second_plan_boundary: str = "inclusive"
    below_second_plan: str = "a maintenance audit"
    maintenance_audit_by: str = "12-31"

    def second_plan_allowed(self, previous: float) -> bool:
        """Whether a first plan scoring `previous` percent allows a second plan."""
        if self.second_plan_boundary == "exclusive":
            return previous > self.second_plan_min_previous_score
        return previous >= self.second_plan_min_previous_score


@dataclass(frozen=True)
class YearDeadlines:
    application: dt.date | None = None
    proposal: dt.date | None = None
    amendments: dt.date | None = None
    final: dt.date | None = None


@dataclass(frozen=True)
class Deadlines:
    application: str = "03-31"
    proposal: str = "04-30"
    amendments: str = "10-31"
    final: str = "11-30"
    amendments_response_days: int = 30
    by_year: dict[int, YearDeadlines] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliverableRules:
    min_dpi: float = 150.0
    illegible_dpi: float = 100.0
    min_image_short_side: int = 600
    illegible_image_short_side: int = 240
    min_sharpness: float = 40.0
    min_contrast: float = 18.0
    min_ink_range: float = 96.0
    illegible_ink_range: float = 32.0
    crisp_midtones: float = 0.04
    blank_stddev: float = 4.0
    blank_ink_levels: float = 24.0
    blank_ink_share: float = 0.002
    text_pages: int = 3
    read_last_page: bool = True
    min_date_confidence: float = 0.5
    max_pages_examined: int = 40
    future_grace_days: int = 0
    allowed_types: tuple[str, ...] = ()
    # Kinds (by deliverables.extensions) of a file attached inside a PDF that make it active content.
    risky_attachments: tuple[str, ...] = ("executable", "script", "archive", "zip", "html", "docm", "xlsm", "pptm")
    extensions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_text_bytes: int = 2_000_000


# Where a naming pattern writes this, any of naming.number_words is accepted, as a whole word.
NUMBER_WORD = "{word}"
_A_WORD = re.compile(r"[^\W\d_]{2,}")  # letters only, at least two


@dataclass(frozen=True)
class NamingRules:
    objective_folder: tuple[str, ...] = ()
    milestone_folder: tuple[str, ...] = ()
    file: tuple[str, ...] = ()
    label_in_text: tuple[str, ...] = ()
    header_lines: int = 6
    mention_before: tuple[str, ...] = ()
    admin_folders: tuple[str, ...] = ("admin",)
    ignore: tuple[str, ...] = ()
    max_path_length: int = 200
    # Spelled-out numbers ('two': 2). Left out of the hash (a dict has none); the patterns are in it.
    number_words: dict[str, int] = field(default_factory=dict, hash=False)

    def expand(self, pattern: str) -> str:
        """`pattern` as compiled: {word} becomes the number words, longest first, each matched only as a
        whole word (not 'Oneida', not 'Tenant'; '_' separates words as in names). With no number words it
        matches nothing."""
        if NUMBER_WORD not in pattern:
            return pattern
        words = sorted(self.number_words, key=lambda word: (-len(word), word))
        alternatives = "|".join(re.escape(word) for word in words) if words else "(?!)"
        return pattern.replace(NUMBER_WORD, rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")


@dataclass(frozen=True)
class ArchiveRules:
    max_entries: int = 20_000
    max_total_bytes: int = 2 * 1024**3
    max_entry_bytes: int = 1024**3
    max_ratio: float = 1032.0
    ratio_min_bytes: int = 1024**2
    max_name_length: int = 1024


@dataclass(frozen=True)
class BuildRules:
    email_limit_mb: float = 18.0
    windows_path_limit: int = 260
    extraction_prefix: int = 70
    max_title_length: int = 60
    store_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class SmartRules:
    min_title_words: int = 5
    measurable: tuple[str, ...] = ()
    time_bound: tuple[str, ...] = ()
    vague: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    profile: str
    title: str
    partner: str
    programs: dict[str, ProgramRules]
    eligibility: dict[str, Requirement]
    plan: PlanRules
    scoring: ScoringRules = field(default_factory=ScoringRules)
    deadlines: Deadlines = field(default_factory=Deadlines)
    deliverables: DeliverableRules = field(default_factory=DeliverableRules)
    naming: NamingRules = field(default_factory=NamingRules)
    archive: ArchiveRules = field(default_factory=ArchiveRules)
    build: BuildRules = field(default_factory=BuildRules)
    smart: SmartRules = field(default_factory=SmartRules)
    source: str = field(default="", compare=False)

    def program(self, name: str) -> ProgramRules | None:
        return self.programs.get(name.upper())

    def deadline(self, name: str, year: int) -> dt.date:
        """A deadline of the plan year ('application', 'proposal', 'amendments', 'final'), by_year first."""
        override = self.deadlines.by_year.get(year)
        pinned = getattr(override, name, None) if override else None
        if isinstance(pinned, dt.date):
            return pinned
        return month_day(getattr(self.deadlines, name), year)

    def final_deadline(self, year: int) -> dt.date:
        """The final-submission deadline of the plan year."""
        return self.deadline("final", year)

    def proposal_deadline(self, year: int) -> dt.date:
        return self.deadline("proposal", year)

    def maintenance_audit_deadline(self, year: int) -> dt.date:
        return month_day(self.scoring.maintenance_audit_by, year)

    def type_for_extension(self, ext: str) -> str | None:
        ext = ext.lower().lstrip(".")
        for kind, exts in self.deliverables.extensions.items():
            if ext in exts:
                return kind
        return None


_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")


def month_day(text: str, year: int) -> dt.date:
    m = _MONTH_DAY.match(text)
    if not m:
        raise ValueError(text)
    return dt.date(year, int(m.group(1)), int(m.group(2)))


def bundled_rules_dir() -> Path:
    """Where the bundled profiles are: inside the wheel, or rules/ in a source checkout."""
    packaged = Path(str(resources.files("packager"))) / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def bundled_profiles() -> list[str]:
    return sorted(p.stem for p in bundled_rules_dir().glob("*.yaml"))


def resolve_rules_path(spec: str | Path | None) -> Path:
    """A profile name (e.g. 'acsa-cor-secor') or a path to a rules YAML file."""
    if spec is None:
        spec = DEFAULT_PROFILE
    candidate = Path(spec)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists() or "/" in str(spec):
        return candidate
    bundled = bundled_rules_dir() / f"{spec}.yaml"
    if not bundled.exists():
        raise InputError(
            f"there is no bundled rules profile called '{spec}'",
            field="--rules",
            expected=f"a path to a rules file or one of: {', '.join(bundled_profiles())}",
        )
    return bundled


def load_rules(spec: str | Path | None = None) -> Rules:
    """Load and validate a rules profile; InputError names the file, line and field."""
    path = resolve_rules_path(spec)
    data = load_yaml_file(path, "rules file")
    where = Where(str(path), 1, "")
    if not isinstance(data, dict):
        raise where.fail("the rules file should be a block of 'name: value' pairs")
    rules = from_mapping(Rules, data, where)
    _validate(rules, data, str(path))
    return Rules(**{**rules.__dict__, "source": str(path)})


def _line(data: object, *keys: str) -> int | None:
    node = data
    line = None
    for key in keys:
        if not isinstance(node, LocatedDict) or key not in node:
            return line
        line = node.key_lines.get(key, line)
        node = node[key]
    return line


def _validate(rules: Rules, data: object, source: str) -> None:
    def fail(keys: tuple[str, ...], problem: str, expected: str | None = None) -> InputError:
        return InputError(
            problem, file=source, line=_line(data, *keys), field=".".join(keys), expected=expected
        )

    for name, program in rules.programs.items():
        if name != name.upper():
            raise fail(("programs", name), "program names must be written in capitals")
        for key in program.eligibility:
            if key not in rules.eligibility:
                raise fail(
                    ("programs", name, "eligibility"),
                    f"'{key}' is not described under 'eligibility'",
                    "every requirement listed for a program to have a label and hint",
                )
    for keys, text in (
        (("deadlines", "application"), rules.deadlines.application),
        (("deadlines", "proposal"), rules.deadlines.proposal),
        (("deadlines", "amendments"), rules.deadlines.amendments),
        (("deadlines", "final"), rules.deadlines.final),
        (("scoring", "maintenance_audit_by"), rules.scoring.maintenance_audit_by),
    ):
        try:
            month_day(text, 2000)
        except ValueError:
            raise fail(keys, f"'{text}' is not a month and day", "MM-DD, e.g. 10-31") from None
    for bounds_key, bounds in (
        ("objectives", rules.plan.objectives),
        ("milestones_per_objective", rules.plan.milestones_per_objective),
    ):
        if not 0 < bounds.min <= bounds.max:
            raise fail(("plan", bounds_key), "min must be at least 1 and no more than max")
    if rules.scoring.second_plan_boundary not in ("inclusive", "exclusive"):
        raise fail(("scoring", "second_plan_boundary"),
                   f"'{rules.scoring.second_plan_boundary}' is not a boundary", "inclusive or exclusive")
    if rules.deadlines.amendments_response_days < 1:
        raise fail(("deadlines", "amendments_response_days"), "must be at least one day", "a number of days, e.g. 30")
    if not 0 < rules.scoring.pass_mark <= 100:
        raise fail(("scoring", "pass_mark"), "the pass mark must be a percentage", "1 to 100")
    folded: dict[str, str] = {}
    for word, number in rules.naming.number_words.items():
        at = ("naming", "number_words", word)
        if not _A_WORD.fullmatch(word):
            raise fail(at, f"'{word}' is not a word", "letters only, at least two, e.g. 'two: 2'")
        if not 1 <= number <= 99:
            raise fail(at, f"{number} is not an objective or milestone number", "a whole number from 1 to 99")
        if word.casefold() in folded:
            raise fail(at, f"'{word}' is listed twice (as '{folded[word.casefold()]}' too)",
                       "each number word once; case does not matter")
        folded[word.casefold()] = word
    for group in ("objective_folder", "milestone_folder", "file", "label_in_text"):
        for pattern in getattr(rules.naming, group):
            if NUMBER_WORD in pattern and not rules.naming.number_words:
                raise fail(
                    ("naming", group), f"the pattern {pattern!r} uses {NUMBER_WORD} but no number words are listed",
                    "the words under naming.number_words, e.g. 'number_words: {one: 1, two: 2}'",
                )
            try:
                compiled = re.compile(rules.naming.expand(pattern))
            except re.error as exc:
                raise fail(("naming", group), f"the pattern {pattern!r} is invalid ({exc})") from None
            needed = {"o"} if group == "objective_folder" else {"o", "m"} if group == "label_in_text" else {"m"}
            if not needed <= set(compiled.groupindex):
                raise fail(
                    ("naming", group),
                    f"the pattern {pattern!r} has no named group {sorted(needed - set(compiled.groupindex))[0]!r}",
                )
    _validate_legibility(rules.deliverables, fail)
    for key in ("allowed_types", "risky_attachments"):
        for kind in getattr(rules.deliverables, key):
            if kind not in rules.deliverables.extensions:
                raise fail(
                    ("deliverables", key),
                    f"'{kind}' has no extensions listed under deliverables.extensions",
                )


def _validate_legibility(rules: DeliverableRules, fail: Callable[..., InputError]) -> None:
    """The legibility floors: each hard floor (an error below it) at or under its warning floor."""
    for hard, soft, unit in (
        ("illegible_dpi", "min_dpi", "DPI"),
        ("illegible_image_short_side", "min_image_short_side", "pixels"),
        ("illegible_ink_range", "min_ink_range", "grey levels"),
    ):
        low, high = getattr(rules, hard), getattr(rules, soft)
        if not 0 < low <= high:
            raise fail(
                ("deliverables", hard),
                f"{low:g} is not between 0 and deliverables.{soft} ({high:g})",
                f"a number of {unit} above 0 and no more than {soft}: below {soft} a file gets a warning, "
                f"below {hard} an error",
            )
    if not 0 < rules.blank_ink_levels <= 255:
        raise fail(("deliverables", "blank_ink_levels"), f"{rules.blank_ink_levels:g} is not a grey level",
                   "a number of grey levels from 1 to 255, e.g. 24")
    if not 0 < rules.blank_ink_share < 1:
        raise fail(("deliverables", "blank_ink_share"), f"{rules.blank_ink_share:g} is not a share of a page",
                   "a fraction above 0 and below 1, e.g. 0.002 (0.2 % of the page)")
