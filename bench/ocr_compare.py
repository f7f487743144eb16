"""Compare OCR engines on generated scans: dates and labels read correctly, time per page, size.

    .venv/bin/python bench/ocr_compare.py            # every engine importable/installed here
    PACKAGER_OCR_ENGINE=rapidocr python bench/ocr_compare.py --engine rapidocr

Each case is a generated page (tests/ocrscans.py): a printed form at 150, 200 and 300 DPI,
skewed, speckled, blurred, a phone photo of it, a screenshot, and a signed page with a
handwritten-style date. Every page goes through packager's own preparation
(packager.ocr.pages.prepare) and extraction (packager.ocr.extract), so the figures are what
packager would conclude. Not a test: it prints a table and never asserts time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from packager.ocr import extract  # noqa: E402
from packager.ocr.engine import Engine, _rapid, _tesseract  # noqa: E402
from packager.ocr.pages import header, prepare  # noqa: E402
from packager.ocr.run import convention  # noqa: E402
from tests import ocrscans  # noqa: E402

WINDOW = (dt.date(2026, 3, 1), dt.date(2026, 11, 30))
MAY_14 = dt.date(2026, 5, 14)


def cases() -> list[tuple[str, Callable[[], Image.Image], dt.date, str | None, bool]]:
    """(name, page, expected date, expected label, signed)."""
    form = ocrscans.form_page
    shot_lines = (
        "From: safety@northwind.example", "Subject: Milestone 2.1 - first aid course booked",
        "Sent: June 3, 2026 10:14 AM", "Your booking for 6 workers is confirmed.",
    )
    return [
        ("form 150 dpi", lambda: form(150), MAY_14, "1.2", False),
        ("form 200 dpi", lambda: form(200), MAY_14, "1.2", False),
        ("form 300 dpi", lambda: form(300), MAY_14, "1.2", False),
        ("200 dpi skewed 4 deg", lambda: ocrscans.damage(form(200), skew=4.0), MAY_14, "1.2", False),
        ("200 dpi speckled 2%", lambda: ocrscans.damage(form(200), noise=0.02), MAY_14, "1.2", False),
        ("150 dpi blurred", lambda: ocrscans.damage(form(150), blur=1.2), MAY_14, "1.2", False),
        ("phone photo", lambda: ocrscans.photo_of(form(200, title="Milestone 3.1 - Toolbox talk")), MAY_14,
         "3.1", False),
        ("screenshot", lambda: ocrscans.screenshot(shot_lines), dt.date(2026, 6, 3), "2.1", False),
        ("signed, handwritten date", lambda: ocrscans.damage(ocrscans.signed_page(200), skew=1.0),
         dt.date(2026, 6, 12), None, True),
        ("signed, handwritten numeric", lambda: ocrscans.signed_page(200, "12/06/2026"), dt.date(2026, 6, 12),
         None, True),
    ]


def run(engine: Engine, repeat: int) -> list[dict[str, object]]:
    rows = []
    for name, make, date, label, signed in cases():
        page = prepare(make().convert("L"))
        times: list[float] = []
        lines = []
        for _ in range(repeat):
            started = time.perf_counter()
            lines = engine.read(page, 120)
            times.append(time.perf_counter() - started)
        top = engine.read(header(page), 120) if not signed else []
        dates = {d.date for d in extract.dates_in(lines, WINDOW, 45)}
        if signed:
            found = extract.signature_date(lines, WINDOW, 45)
            date_ok = found is not None and found.date == date
        else:
            date_ok = date in dates
        naming = convention(None)
        labels = extract.labels_in(top, naming) | extract.labels_in(lines[:4], naming)
        rows.append({
            "case": name, "date": date_ok, "label": None if label is None else label in labels,
            "seconds": statistics.median(times),
        })
    return rows


def install_size(engine: Engine) -> str:
    if engine.name.startswith("tesseract"):
        try:
            out = subprocess.run(
                ["dpkg-query", "-W", "-f=${Installed-Size}\\n", "tesseract-ocr", "tesseract-ocr-eng",
                 "libtesseract5", "liblept5"], capture_output=True, text=True, check=True,
            ).stdout
            return f"{sum(int(v) for v in out.split()) / 1024:.0f} MB (Debian packages)"
        except (OSError, subprocess.CalledProcessError, ValueError):
            return "unknown"
    import site

    total = 0
    names = ("rapidocr", "onnxruntime", "cv2", "opencv", "numpy", "shapely", "pyclipper")
    for folder in site.getsitepackages():
        for entry in Path(folder).iterdir():
            if entry.name.lower().startswith(names):
                total += sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
    return f"{total / 1024 / 1024:.0f} MB (wheels installed)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["tesseract", "rapidocr", "all"], default="all")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    engines: list[Engine] = []
    if args.engine in ("tesseract", "all") and (tess := _tesseract()) is not None:
        engines.append(tess)
    if args.engine in ("rapidocr", "all") and (rapid := _rapid()) is not None:
        engines.append(rapid)
    if not engines:
        sys.exit("no OCR engine found")
    for engine in engines:
        rows = run(engine, args.repeat)
        print(f"\n## {engine.name} — install size {install_size(engine)}\n")
        print("| case | date read | label read | s/page |")
        print("| --- | --- | --- | --- |")
        for row in rows:
            label = "-" if row["label"] is None else ("yes" if row["label"] else "NO")
            print(f"| {row['case']} | {'yes' if row['date'] else 'NO'} | {label} | {row['seconds']:.2f} |")
        dates = sum(1 for r in rows if r["date"])
        labels = [r for r in rows if r["label"] is not None]
        seconds = [float(r["seconds"]) for r in rows]  # type: ignore[arg-type]
        print(f"\ndates {dates}/{len(rows)}, labels {sum(1 for r in labels if r['label'])}/{len(labels)}, "
              f"median {statistics.median(seconds):.2f} s/page, max {max(seconds):.2f} s/page")


if __name__ == "__main__":
    main()
