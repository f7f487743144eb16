"""Benchmark: time `packager check`, `build` and `audit` against `zip -r` on a synthetic submission.

    .venv/bin/python bench/bench.py [--files 600] [--out bench/out] [--regenerate]

The submission (text PDFs of 1-40 pages, 200-dpi scans, 12 MP phone photos, a plan) is generated
once into --out and reused. Every timing is taken in the same run on the same machine; the
ratios are what matters. This is not a test: nothing here fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import synth  # noqa: E402

OBJECTIVES = 5
MILESTONES = 4


def _plan() -> dict[str, object]:
    weights = [5] * (OBJECTIVES * MILESTONES)
    objectives = []
    for o in range(1, OBJECTIVES + 1):
        milestones = []
        for m in range(1, MILESTONES + 1):
            w = weights[(o - 1) * MILESTONES + m - 1]
            milestones.append({"title": f"Step {m} of objective {o}", "assigned_to": "Site supervisors",
                               "target_date": dt.date(2026, 9, 30), "deliverable": "Records", "weight": w,
                               "self_score": w})
        objectives.append({"title": f"Complete 12 inspections at all sites for area {o} by September 2026",
                           "audit_recommendation": o == 1, "notes": "All milestones were completed in full.",
                           "milestones": milestones})
    return {
        "program": "COR", "company": "Benchmark Construction Ltd.", "year": 2026, "approved": dt.date(2026, 3, 20),
        "eligibility": {"certified": True, "meets_training_requirements": True, "completed_full_cycle": True,
                        "certified_auditor_on_staff": True},
        "senior_representative": {"name": "Émilie Côté", "title": "President"},
        "auditors": [{"name": "Priya Natarajan", "participation": "Led the plan."}],
        "documents": {"acknowledgement": "admin/ack.pdf", "auditor_maintenance": "admin/auditors.pdf"},
        "objectives": objectives,
        "summary": {"strengths": ["Good."], "recommendations": ["More."]},
    }


def _make(job: tuple[str, str, int]) -> None:
    kind, path, seed = job
    rnd = random.Random(seed)
    target = Path(path)
    label = target.name.split(" - ")[0]
    day = dt.date(2026, 4, 1) + dt.timedelta(days=rnd.randrange(150))
    lines = [f"Milestone {label} - inspection record", f"Date: {day:%B} {day.day}, {day.year}",
             *(f"Item {i}: checked, no defects found at station {rnd.randrange(999)}" for i in range(30))]
    if kind == "text":
        synth.make_text_pdf(target, pages=rnd.randint(1, 40), text_lines=lines)
    elif kind == "scan":
        synth.make_scan_pdf(target, dpi=200, pages=rnd.randint(1, 3),
                            text_on_image=f"Milestone {label} - signed sheet - {day.isoformat()}")
    else:
        synth.make_photo(target, size=(4032, 3024), exif_date=day, seed=seed)


def generate(out: Path, files: int) -> Path:
    folder = out / "submission"
    marker = out / f".complete-{files}"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "action-plan.yaml").write_text(yaml.safe_dump(_plan(), allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")
    (folder / "admin").mkdir()
    synth.make_text_pdf(folder / "admin" / "ack.pdf", text_lines=["Signed", "Date: October 20, 2026"])
    synth.make_text_pdf(folder / "admin" / "auditors.pdf", text_lines=["Signed", "Date: October 20, 2026"])
    jobs = []
    for i in range(files):
        o = i % OBJECTIVES + 1
        m = (i // OBJECTIVES) % MILESTONES + 1
        kind = ("text", "text", "scan", "photo", "scan")[i % 5] if i % 3 else "text"
        ext = "jpg" if kind == "photo" else "pdf"
        sub = folder / f"Objective {o}"
        sub.mkdir(exist_ok=True)
        jobs.append((kind, str(sub / f"{o}.{m} - Record {i:04d}.{ext}"), i))
    with ProcessPoolExecutor() as pool:
        list(pool.map(_make, jobs, chunksize=4))
    marker.touch()
    return folder


def timed(cmd: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if args.regenerate:
        shutil.rmtree(args.out, ignore_errors=True)
    t0 = time.perf_counter()
    folder = generate(args.out, args.files)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"submission: {count} files, {size / 1024**2:.0f} MB (ready in {time.perf_counter() - t0:.1f} s)")
    packager = str(Path(sys.executable).with_name("packager"))
    for name in ("plain.zip", "built.zip", "check.json", "audit.json"):
        (args.out / name).unlink(missing_ok=True)
    env_today = ["--today", "2026-11-26"]
    zip_s, _ = timed(["sh", "-c", f"cd '{folder}' && zip -q -r '{args.out / 'plain.zip'}' ."])
    check_s, check_rss = timed([packager, "check", str(folder), "--format", "json", "-o",
                                str(args.out / "check.json"), *env_today])
    build_s, build_rss = timed([packager, "build", str(folder), "-o", str(args.out / "built.zip"), "--allow-errors",
                                *env_today])
    audit_s, audit_rss = timed([packager, "audit", str(args.out / "built.zip"), "--format", "json", "-o",
                                str(args.out / "audit.json"), *env_today])
    print(f"cores: {os.cpu_count()}")
    print(f"zip -r          {zip_s:7.2f} s")
    print(f"packager check  {check_s:7.2f} s   ratio to zip -r {check_s / zip_s:.2f}  (target <= 0.50)")
    print(f"packager build  {build_s:7.2f} s   ratio to zip -r {build_s / zip_s:.2f}  (target <= 0.75)")
    print(f"packager audit  {audit_s:7.2f} s   ratio to check  {audit_s / check_s:.2f}  (target <= 1.00)")
    print(f"peak RSS of the largest child so far: {max(check_rss, build_rss, audit_rss)} MB")


if __name__ == "__main__":
    main()
