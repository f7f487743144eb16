"""CPU time to render the Submission Index of a 600-file submission (not a test).

    .venv/bin/python bench/index_render.py [--runs 3] [--png OUT_PREFIX]

Renders the built-in index template for a generated plan of 10 objectives x 6 milestones x
10 files (600 rows, accented names), in this process, and prints the CPU seconds of the first
render (fonts parsed) and the median of the next ones, with a small document for scale.
With --png, the PDF is also written to OUT_PREFIX.pdf (pdftoppm turns it into images).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from packager.documents import render_pdf
from packager.documents.context_example import sample_context
from packager.rules import load_rules
from tests.plans import big_plan

DATE = dt.datetime(2026, 10, 31, 9, 30, tzinfo=dt.UTC)


def render(context: dict[str, object], template: str = "index.html.j2") -> tuple[float, bytes]:
    start = time.process_time()
    pdf = render_pdf(
        template,
        context,
        title="Submission Index",
        fixed_date=DATE,
        header_text="Northwind Paving Ltd. — COR Action Plan 2026",
    )
    return time.process_time() - start, pdf


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--png", type=Path, default=None)
    args = parser.parse_args()
    rules = load_rules()
    context = sample_context(big_plan(10, 6), rules, files_per_milestone=10)
    first, pdf = render(context)
    times = [render(context)[0] for _ in range(args.runs)]
    small = sample_context(big_plan(10, 6), rules, files_per_milestone=1)
    ack = [render(small, "acknowledgement.html.j2")[0] for _ in range(args.runs)]
    print(f"index, 600 rows: first render {first:.2f} CPU-s, then median {statistics.median(times):.2f} CPU-s")
    print(f"acknowledgement (small document): median {statistics.median(ack) * 1000:.0f} CPU-ms")
    print(f"index PDF: {len(pdf):,} bytes")
    if args.png is not None:
        args.png.with_suffix(".pdf").write_bytes(pdf)


if __name__ == "__main__":
    main()
