"""OCR engines behind one small interface: an image in, lines of text with confidences out.

Two engines are supported:

- Tesseract, run as its command-line program (``tesseract``). The page image is piped in
  and the result read from its standard output, so nothing is written to disk, and a page
  that runs over its time budget is killed. This is the engine packager installs and uses.
- RapidOCR (``rapidocr-onnxruntime``, the ``[ocr]`` extra), which installs from PyPI with
  its models inside the wheel: the choice on Windows machines where Tesseract cannot be
  installed. It runs in-process, so its budget is checked after each region.

``find_engine`` picks one: ``PACKAGER_OCR_ENGINE`` (``tesseract`` | ``rapidocr``) forces a
choice; otherwise Tesseract when it is installed, then RapidOCR.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

ENV_ENGINE = "PACKAGER_OCR_ENGINE"
ENV_TESSERACT = "PACKAGER_TESSERACT"  # full path of the tesseract program, when not on PATH
OUTPUT_CAP = 4 * 1024 * 1024  # bytes of engine output read for one region


class OcrTimeout(Exception):
    """The engine ran over the page's time budget."""


class OcrFailed(Exception):
    """The engine could not read the image (it crashed or returned nonsense)."""


@dataclass(frozen=True)
class Word:
    text: str
    conf: float  # 0-100; -1 when the engine gives none


@dataclass(frozen=True)
class Line:
    """One line of text as the engine read it, top to bottom."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def spans(self) -> list[tuple[int, int, float]]:
        """(start, end, confidence) of each word in ``text``."""
        out: list[tuple[int, int, float]] = []
        pos = 0
        for word in self.words:
            out.append((pos, pos + len(word.text), word.conf))
            pos += len(word.text) + 1
        return out


class Engine(Protocol):
    """What packager needs from an OCR engine."""

    @property
    def name(self) -> str:
        """Engine and version, e.g. ``tesseract 5.3.0`` (part of the cache key)."""
        ...

    def read(self, image: Image.Image, seconds: float, sparse: bool = False) -> list[Line]:
        """Lines of text in ``image`` (8-bit grayscale), within ``seconds``.

        ``sparse`` asks for scattered text (a form, a signature block) rather than a
        column of paragraphs. Raises OcrTimeout or OcrFailed.
        """
        ...


def _windows_candidates() -> list[Path]:
    roots = [os.environ.get(v) for v in ("LOCALAPPDATA", "ProgramFiles", "ProgramFiles(x86)")]
    out = []
    for root in roots:
        if root:
            out.append(Path(root) / "Tesseract-OCR" / "tesseract.exe")
            out.append(Path(root) / "Programs" / "Tesseract-OCR" / "tesseract.exe")
    return out


def tesseract_path() -> str | None:
    """Where the tesseract program is: PACKAGER_TESSERACT, PATH, or the usual Windows folders."""
    # Asked once per file (the facts cache key names the engine): the PATH search is remembered
    # for as long as the variables it depends on stay the same.
    return _tesseract_path(os.environ.get(ENV_TESSERACT), os.environ.get("PATH"))


@functools.lru_cache(maxsize=8)
def _tesseract_path(override: str | None, _search_path: str | None) -> str | None:
    if override:
        return override if Path(override).is_file() else None
    found = shutil.which("tesseract")
    if found:
        return found
    if sys.platform == "win32":
        for candidate in _windows_candidates():
            if candidate.is_file():
                return str(candidate)
    return None


def _engine_env() -> dict[str, str]:
    env = dict(os.environ)
    # One thread per page: pages already run in parallel worker processes.
    env["OMP_THREAD_LIMIT"] = "1"
    return env


@functools.lru_cache(maxsize=4)
def _tesseract_version(program: str) -> str | None:
    try:
        done = subprocess.run(
            [program, "--version"], capture_output=True, timeout=20, env=_engine_env(), check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    first = (done.stdout or done.stderr).decode("utf-8", "replace").strip().splitlines()
    if done.returncode != 0 or not first or "tesseract" not in first[0].lower():
        return None
    return " ".join(first[0].split()[:2])


class TesseractEngine:
    """Tesseract through its command line: PNG on stdin, TSV on stdout, killed at the budget."""

    def __init__(self, program: str, version: str) -> None:
        self.program = program
        self.version = version

    @property
    def name(self) -> str:
        return self.version

    def read(self, image: Image.Image, seconds: float, sparse: bool = False) -> list[Line]:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        psm = "11" if sparse else "3"
        command = [self.program, "stdin", "stdout", "-l", "eng", "--psm", psm, "tsv"]
        try:
            done = subprocess.run(
                command, input=buffer.getvalue(), capture_output=True, timeout=max(0.1, seconds),
                env=_engine_env(), check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrTimeout(f"reading took more than {seconds:g} s") from exc
        except OSError as exc:
            raise OcrFailed(f"tesseract could not be run ({exc.strerror or exc})") from exc
        if done.returncode != 0:
            raise OcrFailed(f"tesseract stopped with exit code {done.returncode}")
        return parse_tsv(done.stdout[:OUTPUT_CAP].decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[Line]:
    """Tesseract TSV (level 5 rows are words) grouped into lines, in reading order."""
    lines: dict[tuple[int, int, int, int], list[Word]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        try:
            key = (int(cols[1]), int(cols[2]), int(cols[3]), int(cols[4]))
            conf = float(cols[10])
        except ValueError:
            continue
        lines.setdefault(key, []).append(Word(text, conf))
    return [Line(tuple(words)) for words in lines.values()]


class RapidEngine:
    """RapidOCR (ONNX Runtime) in-process; the budget is checked when a region is done."""

    def __init__(self, module: Any, version: str) -> None:
        self._ocr = module.RapidOCR()
        self.version = version

    @property
    def name(self) -> str:
        return f"rapidocr {self.version}"

    def read(self, image: Image.Image, seconds: float, sparse: bool = False) -> list[Line]:
        import numpy

        started = time.monotonic()
        try:
            result, _elapsed = self._ocr(numpy.asarray(image.convert("RGB")))
        except Exception as exc:
            raise OcrFailed(f"rapidocr could not read the image ({type(exc).__name__})") from exc
        if time.monotonic() - started > seconds:
            raise OcrTimeout(f"reading took more than {seconds:g} s")
        items = sorted(result or [], key=lambda r: (min(p[1] for p in r[0]), min(p[0] for p in r[0])))
        return [
            Line(tuple(Word(w, float(score) * 100) for w in str(text).split()))
            for _box, text, score in items
            if str(text).strip()
        ]


@functools.lru_cache(maxsize=1)
def _rapid() -> RapidEngine | None:
    try:
        import importlib.metadata

        import rapidocr_onnxruntime

        version = importlib.metadata.version("rapidocr-onnxruntime")
        return RapidEngine(rapidocr_onnxruntime, version)
    except Exception:
        return None


def _tesseract() -> TesseractEngine | None:
    program = tesseract_path()
    if program is None:
        return None
    version = _tesseract_version(program)
    return TesseractEngine(program, version) if version else None


def find_engine() -> Engine | None:
    """The OCR engine to use in this process, or None when none is installed."""
    forced = os.environ.get(ENV_ENGINE, "").strip().lower()
    if forced == "tesseract":
        return _tesseract()
    if forced == "rapidocr":
        return _rapid()
    return _tesseract() or _rapid()
