"""A per-file cache of inspection facts, so the check-fix-check loop re-reads only what changed.

Entries are JSON text in one SQLite database in the ``facts`` folder of the user's cache
(``cachedb`` over ``cachedir``: private, never pickle). ``store`` keeps them in the process until
``flush`` commits them together (once per chunk of files). The key is the file's SHA-256 plus
everything else the facts depend on:

- the tool version and a fingerprint of the inspection code (a changed inspector is a new key);
- the facts schema: the fields of ``FileFacts`` and of every dataclass inside it, so a field added
  by a later change invalidates old entries instead of loading them half-filled;
- the inspection options (rules thresholds, date window) and the file's display name (the name
  takes part in sniffing).

FileFacts are written generically over their dataclass fields by json's C encoder: a dataclass
becomes ``{"~": name, "f": {field: value}}``, a date ``{"~d": "YYYY-MM-DD"}``, a tuple an array
(read back as a tuple where the field's type is a tuple). Facts holding a float JSON cannot write
(inf, nan) take the slower path that also marks tuples ``{"~t": [...]}`` and floats ``{"~f": "inf"}``.
Anything that does not round-trip is simply not cached. Reading builds each object as json parses it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import typing
from functools import lru_cache
from pathlib import Path
from typing import Any

from packager import __version__, cachedb
from packager.inspect.facts import FileFacts, InspectOptions

CACHE_NAME = "facts"
FORMAT = 3  # 2: tuples written as arrays; 3: rows of one SQLite database


class _NotCacheable(Exception):
    """A value the JSON form does not carry."""


@lru_cache(maxsize=1)
def _dataclasses() -> dict[str, type]:
    """FileFacts and every dataclass reachable from its field types, by name."""
    found: dict[str, type] = {}
    pending: list[Any] = [FileFacts]
    while pending:
        tp = pending.pop()
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            if tp.__name__ in found:
                continue
            found[tp.__name__] = tp
            pending.extend(typing.get_type_hints(tp).values())
        else:
            pending.extend(typing.get_args(tp))
    return found


@lru_cache(maxsize=1)
def schema() -> str:
    """A fingerprint of the facts' shape: each dataclass's field names and types."""
    shape = {
        name: [(f.name, str(typing.get_type_hints(cls)[f.name])) for f in dataclasses.fields(cls)]
        for name, cls in sorted(_dataclasses().items())
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """The version plus a hash of the inspection code, so a changed inspector never reads old facts."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parent
    code = [*root.joinpath("inspect").glob("*.py"), *root.joinpath("ocr").glob("*.py")]
    for path in sorted([*code, root / "dates.py", root / "factcache.py"]):
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            digest.update(path.name.encode())
    return digest.hexdigest()[:16]


# The hash of the key's parts that are the same for every file of a run, by options object.
_PREFIX: dict[int, tuple[InspectOptions, Any]] = {}


def key(sha256: str, name: str, options: InspectOptions, extra: str = "") -> str:
    """The cache key of a file's facts (a hex digest, safe as a file name).

    The SHA-256 of the NUL-joined parts: format, code fingerprint, schema, options, name, content
    hash, extra. The first four are hashed once per options object.
    """
    memo = _PREFIX.get(id(options))
    if memo is None or memo[0] is not options:
        prefix = "\0".join([str(FORMAT), _code_fingerprint(), schema(), repr(options), ""])
        memo = (options, hashlib.sha256(prefix.encode("utf-8", "surrogatepass")))
        if len(_PREFIX) > 64:
            _PREFIX.clear()
        _PREFIX[id(options)] = memo
    digest = memo[1].copy()
    digest.update("\0".join([name, sha256, extra]).encode("utf-8", "surrogatepass"))
    return str(digest.hexdigest())


def load(cache_key: str) -> FileFacts | None:
    """Facts stored under ``cache_key``, or None when absent, damaged or of another shape."""
    text = cachedb.get(CACHE_NAME, cache_key)
    if text is None:
        return None
    try:
        facts = json.loads(text, object_hook=_object)
    except (_NotCacheable, KeyError, TypeError, ValueError, AttributeError, RecursionError):
        return None
    return facts if isinstance(facts, FileFacts) else None


def store(cache_key: str, facts: FileFacts) -> bool:
    """Keep ``facts`` under ``cache_key`` until ``flush``; False when they cannot be cached."""
    try:
        text = dumps(facts)
    except _NotCacheable:
        return False
    return cachedb.put(CACHE_NAME, cache_key, text)


def flush() -> int:
    """Commit the facts this process stored since the last flush; the number written."""
    return cachedb.flush(CACHE_NAME)


def dumps(facts: FileFacts) -> str:
    """The JSON text of ``facts`` (see the module docstring)."""
    try:
        return json.dumps(facts, default=_default, ensure_ascii=True, allow_nan=False)
    except ValueError:  # inf or nan somewhere: the slow path marks floats
        try:
            return json.dumps(encode(facts), ensure_ascii=True, allow_nan=False)
        except ValueError as exc:
            raise _NotCacheable("float") from exc
    except TypeError as exc:  # a value json cannot write (not a facts dataclass, a date or a plain value)
        raise _NotCacheable(str(exc)) from exc


def _default(value: Any) -> Any:
    """What json's encoder calls for a value it cannot write itself: a dataclass or a date."""
    if isinstance(value, dt.datetime):
        raise _NotCacheable("datetime")
    if isinstance(value, dt.date):
        return {"~d": value.isoformat()}
    names = _field_names().get(type(value))
    if names is None:
        raise _NotCacheable(type(value).__name__)
    return {"~": type(value).__name__, "f": {n: getattr(value, n) for n in names}}


@lru_cache(maxsize=1)
def _field_names() -> dict[type, tuple[str, ...]]:
    return {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _dataclasses().values()}


@lru_cache(maxsize=1)
def _tuple_fields() -> dict[str, tuple[type, frozenset[str], frozenset[str]]]:
    """Each dataclass by name: the class, its field names, and the fields typed as a tuple."""
    out = {}
    for name, cls in _dataclasses().items():
        hints = typing.get_type_hints(cls)
        tuples = frozenset(f.name for f in dataclasses.fields(cls) if _is_tuple(hints[f.name]))
        out[name] = (cls, frozenset(f.name for f in dataclasses.fields(cls)), tuples)
    return out


def _is_tuple(tp: Any) -> bool:
    return tp is tuple or typing.get_origin(tp) is tuple or any(_is_tuple(a) for a in typing.get_args(tp))


def _object(value: dict[str, Any]) -> Any:
    """json's object hook: build each marked object as it is parsed (the inner ones first)."""
    if "~" in value:
        cls, fields, tuples = _tuple_fields()[value["~"]]
        stored = value["f"]
        if stored.keys() != fields:
            raise _NotCacheable(cls.__name__)
        for name in tuples:
            if isinstance(stored[name], list):
                stored[name] = _as_tuple(stored[name])
        return cls(**stored)
    if "~d" in value:
        return dt.date.fromisoformat(value["~d"])
    if "~t" in value:
        return tuple(value["~t"])
    if "~f" in value:
        return float(value["~f"])
    return value


def _as_tuple(items: list[Any]) -> tuple[Any, ...]:
    return tuple(_as_tuple(v) if isinstance(v, list) else v for v in items)


def encode(value: Any) -> Any:
    """The JSON form of facts (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return {"~f": repr(value)}
        return value
    if isinstance(value, dt.datetime):
        raise _NotCacheable("datetime")
    if isinstance(value, dt.date):
        return {"~d": value.isoformat()}
    if isinstance(value, tuple):
        return {"~t": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _dataclasses().get(name) is not type(value):
            raise _NotCacheable(name)
        return {"~": name, "f": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise _NotCacheable(type(value).__name__)


__all__ = ["dumps", "encode", "flush", "key", "load", "schema", "store"]
