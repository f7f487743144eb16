"""A per-file cache of inspection facts, so the check-fix-check loop re-reads only what changed.

Entries live in the ``facts`` folder of the user's cache (``cachedir``: private, JSON, never
pickle). The key is the file's SHA-256 plus everything else the facts depend on:

- the tool version and a fingerprint of the inspection code (a changed inspector is a new key);
- the facts schema: the fields of ``FileFacts`` and of every dataclass inside it, so a field added
  by a later change invalidates old entries instead of loading them half-filled;
- the inspection options (rules thresholds, date window) and the file's display name (the name
  takes part in sniffing).

FileFacts are written generically over their dataclass fields: a dataclass becomes
``{"~": name, "f": {field: value}}``, a tuple ``{"~t": [...]}``, a date ``{"~d": "YYYY-MM-DD"}``.
Anything that does not round-trip is simply not cached.
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

from packager import __version__, cachedir
from packager.inspect.facts import FileFacts, InspectOptions

CACHE_NAME = "facts"
FORMAT = 1


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


def key(sha256: str, name: str, options: InspectOptions, extra: str = "") -> str:
    """The cache key of a file's facts (a hex digest, safe as a file name)."""
    parts = [str(FORMAT), _code_fingerprint(), schema(), repr(options), name, sha256, extra]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def load(cache_key: str) -> FileFacts | None:
    """Facts stored under ``cache_key``, or None when absent, damaged or of another shape."""
    value = cachedir.read_json(CACHE_NAME, cache_key)
    if value is None:
        return None
    try:
        facts = _decode(value)
    except (_NotCacheable, KeyError, TypeError, ValueError):
        return None
    return facts if isinstance(facts, FileFacts) else None


def store(cache_key: str, facts: FileFacts) -> bool:
    """Keep ``facts`` under ``cache_key``; False when they cannot be written (or cached at all)."""
    try:
        value = encode(facts)
    except _NotCacheable:
        return False
    return cachedir.write_json(CACHE_NAME, cache_key, value)


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


def _decode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        raise _NotCacheable(type(value).__name__)
    if "~t" in value:
        return tuple(_decode(v) for v in value["~t"])
    if "~d" in value:
        return dt.date.fromisoformat(value["~d"])
    if "~f" in value:
        return float(value["~f"])
    cls = _dataclasses()[value["~"]]
    fields = {f.name for f in dataclasses.fields(cls)}
    stored = value["f"]
    if set(stored) != fields:
        raise _NotCacheable(cls.__name__)
    return cls(**{name: _decode(v) for name, v in stored.items()})


__all__ = ["key", "load", "schema", "store"]
