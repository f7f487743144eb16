"""Running OCR on the pages a verdict needs, with the cache and the time budget."""


from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

from packager import cachedb
from packager.dates import FoundDate
from packager.naming import NamingConvention
from packager.ocr import extract
from packager.ocr.engine import Engine, Line, OcrFailed, OcrTimeout, Word, find_engine
from packager.ocr.model import FAILED, NO_ENGINE, OVER_BUDGET, READ, OcrFacts
from packager.ocr.pages import PageTooLarge, header, image_pages, pdf_pages, prepare
from packager.rules import NamingRules, load_rules

MODES = ("auto", "on", "off")
PAGE_SECONDS = 40.0  # time budget of one page (all its regions); over it the file is not read
SIGNED_PAGES = 3  # pages of a signed document read in full
MIN_DATE_CONFIDENCE = 45.0  # 0-100: the engine's confidence below which a date is not taken
TEXT_CAP = 20_000
CACHE_NAME = "ocr"
PIPELINE = "1"  # bump when page preparation or engine settings change what is read

IMAGE_KINDS = frozenset({"jpeg", "png", "tiff", "gif", "bmp", "webp", "heic"})

def wants_ocr(facts: Any, signed: bool) -> bool:
    """Whether a verdict needs OCR for this file: no text on its first page, or a signed page."""
    if facts.unreadable or (facts.encrypted and not facts.empty_password):
        return False
    if facts.kind in IMAGE_KINDS:
        return facts.image is not None
    if facts.kind != "pdf" or not facts.page_facts:
        return False
    scanned = [p for p in facts.page_facts if not p.has_text and not p.blank]
    if signed:
        return bool(scanned)
    first = facts.page_facts[0]
    return not first.has_text and not first.blank


@functools.lru_cache(maxsize=8)
def convention(rules: NamingRules | None) -> NamingConvention:
    """The naming grammar of the rules in use (the bundled profile's when none is given)."""
    return NamingConvention(rules if rules is not None else load_rules(None).naming)


def apply_ocr(
    path: Path, facts: Any, mode: str, window: Any, signed: bool, labelled: bool = False,
    naming: NamingRules | None = None, data: bytes | None = None,
) -> Any:
    """``facts`` with what OCR read added (dates with source "ocr", ``ocr``); never raises.

    ``labelled``: the file name already names the milestone, so a date at the top of the page
    settles the verdict without reading the whole page. ``data``: the whole file, when it was read
    already (the file is then not opened again).
    """
    if mode == "off" or not wants_ocr(facts, signed):
        return facts
    engine = find_engine()
    if engine is None:
        return replace(facts, ocr=OcrFacts(status=NO_ENGINE))
    try:
        result = read_regions(path, facts, engine, signed, labelled, convention(naming), data)
    except Exception as exc:  # a damaged page must not lose the other facts
        result = _Regions(status=FAILED, problem=f"the page could not be prepared ({type(exc).__name__})")
    ocr, found = _conclude(result, engine.name, window, signed, convention(naming))
    known = {(d.date, d.text) for d in facts.dates}
    new_dates = tuple(d for d in found if (d.date, d.text) not in known)
    return replace(facts, ocr=ocr, dates=(*facts.dates, *new_dates))


@dataclass
class _Regions:
    status: str = READ
    regions: list[tuple[str, list[Line]]] | None = None
    problem: str | None = None
    cached: bool = False


def _cache_key(sha256: str, engine: str, signed: bool) -> str:
    raw = f"{sha256}|{engine}|{PIPELINE}|{'signed' if signed else 'page'}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def read_regions(
    path: Path, facts: Any, engine: Engine, signed: bool, labelled: bool = False,
    naming: NamingConvention | None = None, data: bytes | None = None,
) -> _Regions:
    """The regions a verdict needs, from the cache or read now (and then cached)."""
    naming = naming or convention(None)
    key = _cache_key(facts.sha256, engine.name, signed) if facts.sha256 else None
    if key is not None:
        cached = _from_cache(_load(key))
        if cached is not None and (signed or _settled(cached, labelled, naming)):
            return _Regions(regions=cached, cached=True)
    result = _read(path if data is None else data, facts, engine, signed, labelled, naming)
    if key is not None and result.status == READ and result.regions is not None:
        cachedb.put(CACHE_NAME, key, json.dumps(_to_cache(result.regions), ensure_ascii=True, sort_keys=True))
    return result


def _load(key: str) -> Any:
    """The JSON value cached under ``key``; None when absent or damaged."""
    text = cachedb.get(CACHE_NAME, key)
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _settled(regions: list[tuple[str, list[Line]]], labelled: bool, naming: NamingConvention) -> bool:
    """Whether cached regions answer the question asked now (the whole page, or a top that settles it)."""
    if any(name == "page 1" for name, _lines in regions):
        return True
    return any(name.endswith(" top") and _top_settles(lines, labelled, naming) for name, lines in regions)


def _top_settles(top: list[Line], labelled: bool, naming: NamingConvention) -> bool:
    has_label = labelled or bool(extract.labels_in(top, naming))
    return has_label and bool(extract.dates_in(top, None, MIN_DATE_CONFIDENCE))


def _pages(path: Path | bytes, facts: Any, signed: bool) -> Any:
    limit = SIGNED_PAGES if signed else 1
    if facts.kind in IMAGE_KINDS:
        return enumerate(image_pages(path, facts.kind, limit), start=1)
    pages = [(p.number, p.dpi) for p in facts.page_facts if not p.has_text and not p.blank][:limit]
    return pdf_pages(path, pages)


def _read(
    path: Path | bytes, facts: Any, engine: Engine, signed: bool, labelled: bool, naming: NamingConvention
) -> _Regions:
    regions: list[tuple[str, list[Line]]] = []
    try:
        for number, page in _pages(path, facts, signed):
            deadline = time.monotonic() + PAGE_SECONDS
            prepared = prepare(page)
            if not signed and number == 1:
                top = engine.read(header(prepared), deadline - time.monotonic())
                regions.append((f"page {number} top", top))
                if _top_settles(top, labelled, naming):
                    break  # the header settled it
            regions.append((f"page {number}", engine.read(prepared, deadline - time.monotonic())))
    except OcrTimeout:
        return _Regions(status=OVER_BUDGET, problem=f"reading a page took longer than {PAGE_SECONDS:g} s")
    except OcrFailed as exc:
        return _Regions(status=FAILED, problem=str(exc))
    except PageTooLarge as exc:
        return _Regions(status=FAILED, problem=f"the page image is too large to read safely ({exc})")
    except (Image.DecompressionBombError, MemoryError):
        return _Regions(status=FAILED, problem="the page image is too large to read safely")
    return _Regions(regions=regions)


def _conclude(
    result: _Regions, engine: str, window: Any, signed: bool, naming: NamingConvention
) -> tuple[OcrFacts, list[FoundDate]]:
    if result.status != READ or result.regions is None:
        return OcrFacts(status=result.status, engine=engine, problem=result.problem), []
    lines = [line for _name, region in result.regions for line in region]
    first = result.regions[0] if result.regions else ("", [])
    if first[0].endswith(" top"):
        head = first[1]
        title_lines = head
    else:
        head = first[1][: max(1, len(first[1]) // 4)]
        title_lines = first[1][:4]
    labels = extract.labels_in(head, naming) | extract.labels_in(title_lines, naming)
    found: list[FoundDate] = []
    seen: set[tuple[Any, str]] = set()
    for found_date in extract.dates_in(lines, window, MIN_DATE_CONFIDENCE):
        if (found_date.date, found_date.text) not in seen:
            seen.add((found_date.date, found_date.text))
            found.append(found_date)
    signature = extract.signature_date(lines, window, MIN_DATE_CONFIDENCE) if signed else None
    ocr = OcrFacts(
        status=READ,
        engine=engine,
        regions=tuple(name for name, _lines in result.regions),
        text="\n".join(line.text for line in lines)[:TEXT_CAP],
        header_text="\n".join(line.text for line in head)[:TEXT_CAP],
        labels=tuple(sorted(labels)),
        signature_date=signature,
        cached=result.cached,
    )
    return ocr, found


def _to_cache(regions: list[tuple[str, list[Line]]]) -> dict[str, Any]:
    return {
        "version": 1,
        "regions": [
            {"name": name, "lines": [[[w.text, w.conf] for w in line.words] for line in lines]}
            for name, lines in regions
        ],
    }


def _from_cache(data: Any) -> list[tuple[str, list[Line]]] | None:
    """Regions from a cache entry; None when it is missing or not in the expected shape."""
    try:
        if not isinstance(data, dict) or data.get("version") != 1:
            return None
        regions: list[tuple[str, list[Line]]] = []
        for region in data["regions"]:
            lines = [
                Line(tuple(Word(str(text), float(conf)) for text, conf in line)) for line in region["lines"]
            ]
            regions.append((str(region["name"]), lines))
        return regions
    except (KeyError, TypeError, ValueError):
        return None
