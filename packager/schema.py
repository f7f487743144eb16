"""Turn loaded YAML into frozen dataclasses, with precise errors.

One converter serves the plan and the rules: it walks the dataclass field types, rejects
unknown keys (suggesting the nearest known one), and reports a wrong type with the file,
the line and the dotted field path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import types
import typing
from typing import Any, TypeVar, Union, get_args, get_origin

from packager.errors import InputError
from packager.yamlio import LocatedDict, LocatedList

T = TypeVar("T")

MAX_TEXT = 10_000  # characters in any one text field (a title, a note, a name)
MAX_NUMBER = 10**15  # larger numbers (or longer integers) are refused with the field named

_EXPECT = {
    int: "a whole number",
    float: "a number",
    str: "text",
    bool: "true or false",
    dt.date: "a date written YYYY-MM-DD, e.g. 2026-05-14",
}


@dataclasses.dataclass(frozen=True)
class Where:
    file: str
    line: int | None
    field: str

    def child(self, key: str | int, line: int | None) -> Where:
        # List positions are shown counting from 1, as people count objectives.
        name = f"{self.field}[{key + 1}]" if isinstance(key, int) else (
            f"{self.field}.{key}" if self.field else str(key)
        )
        return Where(self.file, line if line is not None else self.line, name)

    def fail(self, problem: str, expected: str | None = None, hint: str | None = None) -> InputError:
        return InputError(
            problem, file=self.file, line=self.line, field=self.field or None,
            expected=expected, hint=hint,
        )


# Field metadata: a text field that may be given as a list, joined with commas (a group of people).
LIST_AS_TEXT = "list_as_text"
MAX_JOINED = 50  # entries of such a list, at most


def _short_list_of_scalars(value: Any) -> bool:
    return isinstance(value, list) and 0 < len(value) <= MAX_JOINED and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a block of 'name: value' pairs"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def convert(tp: Any, value: Any, where: Where) -> Any:
    """Convert `value` to the type `tp`, or raise InputError at `where`."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if value is None:
            return None
        if len(args) == 1:
            return convert(args[0], value, where)
        errors: list[InputError] = []
        for arg in args:
            try:
                return convert(arg, value, where)
            except InputError as exc:
                errors.append(exc)
        raise errors[0]
    if origin is tuple:
        (item_tp, _ellipsis) = get_args(tp)
        if value is None:
            return ()
        if isinstance(value, str | int | float) and item_tp is str:
            value = [value]
        if not isinstance(value, list):
            raise where.fail(f"should be a list, got {_describe(value)}", "a list of entries")
        item_lines: list[int | None] = (
            list(value.item_lines) if isinstance(value, LocatedList) else [None] * len(value)
        )
        return tuple(
            convert(item_tp, item, where.child(i, item_lines[i])) for i, item in enumerate(value)
        )
    if origin is dict:
        key_tp, val_tp = get_args(tp)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise where.fail(f"should be a block of 'name: value' pairs, got {_describe(value)}")
        key_lines: dict[Any, int] = value.key_lines if isinstance(value, LocatedDict) else {}
        return {
            convert(key_tp, k, where.child(str(k), key_lines.get(k))): convert(
                val_tp, v, where.child(str(k), key_lines.get(k))
            )
            for k, v in value.items()
        }
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return from_mapping(tp, value, where)
    if tp is Any:
        return value
    return _scalar(tp, value, where)


def _scalar(tp: Any, value: Any, where: Where) -> Any:
    expected = _EXPECT.get(tp, getattr(tp, "__name__", str(tp)))
    if value is None:
        raise where.fail("is empty", str(expected))
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int | float) and not isinstance(value, bool):
            _check_number(value, where)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            _check_number(value, where)
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise where.fail(f"is {len(value):,} characters long, far too long", f"at most {MAX_TEXT:,} characters")
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            _check_number(value, where)
            return str(value)
        if isinstance(value, dt.date):
            return value.isoformat()
    elif tp is dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                written = _written_date(value)
                if written is not None:
                    return written
    if isinstance(value, list | dict):
        raise where.fail(f"the value is {_describe(value)}, not {expected}")
    raise where.fail(f"the value {_describe(value)} is not {expected}")


def _written_date(value: str) -> dt.date | None:
    """A date written as people write it ('August 31, 2026', '31/08/2026'), when the whole value is that one
    date and it reads only one way; None otherwise ('04/05/2026' could be April or May)."""
    from packager.dates import find_dates

    text = " ".join(value.split())
    if len(text) > 40:
        return None
    found = find_dates(text, "plan", limit=2)
    if len(found) != 1 or found[0].ambiguous or found[0].precision != "day" or found[0].text != text:
        return None
    return found[0].date


def _check_number(value: int | float, where: Where) -> None:
    """NaN and infinity are not numbers, and nothing in a plan or rules file needs more than 15 digits."""
    if isinstance(value, float) and not math.isfinite(value):
        raise where.fail(f"'{value}' is not a number", "a number such as 10 or 7.5")
    if abs(value) > MAX_NUMBER:
        raise where.fail("the number is far too large", f"a number of at most {MAX_NUMBER:,}")


def field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.init]


def from_mapping(cls: type[T], value: Any, where: Where) -> T:
    """Build dataclass `cls` from a YAML mapping, rejecting unknown keys."""
    if value is None:
        value = LocatedDict()
        value.key_lines = {}
    if not isinstance(value, dict):
        raise where.fail(
            f"should be a block of 'name: value' pairs, got {_describe(value)}",
            f"the keys {', '.join(field_names(cls))}",  # type: ignore[arg-type]
        )
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    lines = value.key_lines if isinstance(value, LocatedDict) else {}
    base_line = value.line if isinstance(value, LocatedDict) else where.line
    for key in value:
        if key not in fields:
            near = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f"Did you mean '{near[0]}'?" if near else None
            raise where.child(str(key), lines.get(key)).fail(
                "is not a known key here",
                f"one of {', '.join(fields)}",
                hint,
            )
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        sub = where.child(name, lines.get(name, base_line))
        if name in value:
            given = value[name]
            if f.metadata.get(LIST_AS_TEXT) and _short_list_of_scalars(given):
                given = ", ".join(str(v).strip() for v in given)  # 'assigned_to: [Site supervisors, Safety committee]'
            kwargs[name] = convert(hints[name], given, sub)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise sub.fail("is missing", _EXPECT.get(hints[name]))
    return cls(**kwargs)
