"""Benchmark OCR: time per page, and `packager check` of the bench submission with OCR on, twice.

    .venv/bin/python bench/ocr_bench.py [--mix issue] [--out bench/out]

Uses a bench submission of bench/bench.py (generated once into --out; `issue`: about 600 files,
100 of them 200-dpi scans and 100 phone photos). With a fresh, private
cache folder it times:

1. OCR time per page (the scanned PDFs and photos of the submission, read one by one);
2. `check --ocr on`, first run (cold cache: every scan is read);
3. `check --ocr on`, second run (warm cache: no OCR at all);
4. `check --ocr off`;

and prints the ratio of 3 to 4, which must be at most 1.1. Not a test: nothing here fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from packager.ocr.engine import find_engine  # noqa: E402

# bench/bench.py by path: run as a script, "bench" would name that file rather than this folder.
_spec = importlib.util.spec_from_file_location("packager_bench", ROOT / "bench" / "bench.py")
assert _spec is not None and _spec.loader is not None
_bench = importlib.util.module_from_spec(_spec)
sys.modules["packager_bench"] = _bench  # worker processes find its functions by this name
_spec.loader.exec_module(_bench)
MIXES, generate = _bench.MIXES, _bench.generate


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def per_page(folder: Path, sample: int) -> list[float]:
    """Seconds of OCR per file (inspection time taken off; cold cache) for a sample of scans and photos."""
    from packager.inspect import InspectOptions, inspect_file
    from packager.rules import load_rules

    options = InspectOptions(rules=load_rules(None).deliverables, ocr="on")
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".pdf", ".jpg"))
    times = []
    off = InspectOptions(rules=options.rules, ocr="off")
    for path in files:
        started = time.perf_counter()
        inspect_file(path, off)
        without = time.perf_counter() - started
        started = time.perf_counter()
        facts = inspect_file(path, options)
        if facts.ocr is None:
            continue
        times.append(max(0.0, time.perf_counter() - started - without))
        if len(times) >= sample:
            break
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mix", choices=sorted(MIXES), default="issue")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--sample", type=int, default=12, help="files timed one by one for the per-page figure")
    args = parser.parse_args()
    engine = find_engine()
    if engine is None:
        sys.exit("no OCR engine installed")
    folder = generate(args.out, args.mix)
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    packager = str(Path(sys.executable).with_name("packager"))
    with tempfile.TemporaryDirectory(prefix="packager-ocr-bench-") as cache:
        report = str(Path(cache) / "report.json")
        check = [packager, "check", str(folder), "--format", "json", "-o", report, "--force", "--today", "2026-11-26"]
        env = {**os.environ, "PACKAGER_CACHE_DIR": cache}
        os.environ["PACKAGER_CACHE_DIR"] = cache
        print(f"engine: {engine.name}; submission: {count} files; cores: {os.cpu_count()}")
        sample = per_page(folder, args.sample)
        print(f"OCR per scanned file (page 1; cold): median {statistics.median(sample):.2f} s, "
              f"max {max(sample):.2f} s over {len(sample)} files")
        for entry in Path(cache).rglob("*.json"):
            entry.unlink()
        off = timed([*check, "--ocr", "off"], env)
        first = timed([*check, "--ocr", "on"], env)
        second = timed([*check, "--ocr", "on"], env)
        off_again = timed([*check, "--ocr", "off"], env)
        cached = sum(1 for _ in Path(cache, "ocr").rglob("*.json"))
    base = min(off, off_again)
    print(f"check --ocr off        {base:7.2f} s")
    print(f"check --ocr on, first  {first:7.2f} s   ({cached} files read by OCR and cached)")
    print(f"check --ocr on, second {second:7.2f} s   ratio to --ocr off {second / base:.2f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
