"""Read YAML while remembering the line of every key and list item.

The plan and the rules are both YAML written by people. When a value is wrong we must say
on which line, so mappings and sequences come back as dict/list subclasses that carry the
line numbers of their entries.
"""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from packager.errors import InputError
from packager.safeio import read_regular_file

MAX_YAML_BYTES = 2 * 1024 * 1024


class LocatedDict(dict[Any, Any]):
    line: int = 0
    key_lines: dict[Any, int]


class LocatedList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    out = LocatedDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | dt.date) and key is not None:
            raise InputError(
                "a key here is not a plain word",
                line=key_node.start_mark.line + 1,
                expected="simple 'name: value' pairs",
            )
        if key in out:
            raise InputError(
                f"the key '{key}' appears twice in the same block",
                line=key_node.start_mark.line + 1,
                field=str(key),
                hint="Keep one of them",
            )
        try:
            out[key] = loader.construct_object(value_node, deep=True)
        except InputError as exc:
            if exc.field is not None:
                raise
            raise InputError(exc.problem, line=exc.line, field=str(key), expected=exc.expected,
                             hint=exc.hint) from None
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    out = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # An impossible date such as 2026-02-30 must become a field error, not a crash.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(node.value)


MAX_INT_DIGITS = 30


def _int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # Python refuses to convert integers of over 4,300 digits; no field needs more than a few.
    digits = sum(c.isdigit() for c in str(node.value))
    if digits > MAX_INT_DIGITS:
        raise InputError(f"a number of {digits:,} digits is far too large", line=node.start_mark.line + 1,
                         expected="an ordinary number")
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _int)  # type: ignore[arg-type]
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)  # type: ignore[arg-type]
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)  # type: ignore[arg-type]
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)  # type: ignore[arg-type]

# LibYAML's parser (in PyYAML's wheels) reads a plan or a rules profile ten times faster than the
# pure-Python one, with the same constructors. It reads only what parses: a file it refuses is read
# again by the pure-Python parser, whose messages (and limits) are the same on every platform.
_FastLoader: Any = None
if hasattr(yaml, "CSafeLoader"):

    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        yaml_constructors = _Loader.yaml_constructors


def load_yaml_text(text: str, source: str) -> Any:
    if _FastLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLoader)
        except (yaml.YAMLError, RecursionError, InputError):
            pass  # refused: read again below, for the pure-Python parser's message and line
    try:
        return yaml.load(text, Loader=_Loader)
    except InputError as exc:
        exc.file = source
        raise InputError(
            exc.problem, file=source, line=exc.line, field=exc.field,
            expected=exc.expected, hint=exc.hint,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "not valid YAML"
        hint = "Check the indentation and that every 'name: value' has a space after the colon"
        if "escape" in problem:  # a Windows path pasted in double quotes: "C:\Users\…"
            hint = ("Inside double quotes a backslash starts a special code: write a path with '/' instead "
                    "of '\\', or put it in single quotes ('C:\\Users\\…') or in no quotes")
        raise InputError(f"this is not valid YAML ({problem})", file=source, line=line, hint=hint) from None
    except yaml.YAMLError as exc:
        raise InputError(f"this is not valid YAML ({exc})", file=source) from None
    except RecursionError:
        raise InputError(
            "the blocks are nested too deeply to read (hundreds of levels of lists or blocks inside each other)",
            file=source, expected="a plan a few levels deep, as 'packager init' writes it",
        ) from None


def load_yaml_file(path: Path, what: str = "file") -> Any:
    """Load a YAML file written by a person, or raise InputError naming the file.

    It must be a regular file (a pipe or a device is refused at once) of at most MAX_YAML_BYTES.
    """
    raw = read_regular_file(path, MAX_YAML_BYTES, what)
    try:
        text = decode_saved_text(raw)
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start] if exc.start < len(exc.object) else 0
        raise InputError(
            f"the {what} is not UTF-8 text: this line holds the byte 0x{byte:02X}, which UTF-8 does not allow "
            "(the file was probably saved as 'ANSI')",
            file=path,
            line=raw[: exc.start].count(b"\n") + 1,
            hint="Save it as UTF-8 from your editor (Notepad: File > Save as, Encoding: UTF-8)",
        ) from None
    return load_yaml_text(text, str(path))


def decode_saved_text(raw: bytes) -> str:
    """Text a person saved: UTF-8, with or without the mark Notepad puts first, or UTF-16 with its mark
    (what Notepad calls 'Unicode'). Raises UnicodeDecodeError for anything else."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")
