"""Study (not a test): how a cheaper resize would change the photo sharpness measure.

    .venv/bin/python bench/sharpness_resize.py [--bench-photos bench/out/many/submission]

A photo whose long side is between 1.1x and 2x the measuring size (1,000 px) is decoded in full and
resized with Pillow's bicubic filter before its sharpness (variance of the Laplacian) is measured;
that resize is half of such a photo's cost. ``min_sharpness`` (40) was calibrated on this measure,
so a cheaper resize may only replace it if no verdict changes. This prints, for each alternative,
the ratio of its sharpness to today's on every image it affects and the verdicts that would flip,
over the realistic corpus (generated), the shared real-world corpus (when present) and, if given,
generated bench photos.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from packager.inspect.image import MEASURE_SIDE, _grayscale, laplacian_variance  # noqa: E402
from packager.rules import load_rules  # noqa: E402
from tests.realcorpus import build_corpus  # noqa: E402
from tests.shared_corpus import corpus_root  # noqa: E402

PICTURES = (".jpg", ".jpeg", ".png")
ALTERNATIVES = {
    "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING,
    "box": Image.Resampling.BOX,
    "half-size decode": None,  # JPEG decoded at half size, measured as it comes
}


def sharpness(path: Path, alternative: str | None) -> float:
    """Today's measure (``alternative`` None), or the measure with one step replaced."""
    with Image.open(path) as img:
        width, height = img.size
        if img.format in ("JPEG", "MPO"):
            if alternative == "half-size decode":
                img.draft("L", (width // 2, height // 2))
            else:
                scale = MEASURE_SIDE / max(width, height)
                if scale < 1:
                    img.draft("L", (max(1, int(width * scale)), max(1, int(height * scale))))
        img.load()
        gray = _grayscale(img)
        if alternative != "half-size decode" and max(gray.size) > MEASURE_SIDE * 1.1:
            resample = ALTERNATIVES[alternative] if alternative else Image.Resampling.BICUBIC
            gray.thumbnail((MEASURE_SIDE, MEASURE_SIDE), resample=resample)
        return laplacian_variance(gray)


def affected(path: Path) -> bool:
    """Only photos resized after decoding (neither small enough nor drafted to size) change; the
    corpus's hostile images (which the inspector reports unreadable) are left out."""
    try:
        with Image.open(path) as img:
            side = max(img.size)
            drafted = img.format in ("JPEG", "MPO") and side >= 2 * MEASURE_SIDE
            img.load()
    except Exception:
        return False
    return side > MEASURE_SIDE * 1.1 and not drafted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-photos", type=Path, help="a bench submission folder whose photos to add")
    args = parser.parse_args()
    threshold = load_rules(None).deliverables.min_sharpness
    with tempfile.TemporaryDirectory(prefix="sharpness-") as tmp:
        build_corpus(Path(tmp))
        paths = [p for p in Path(tmp).rglob("*") if p.suffix.lower() in PICTURES]
        shared = corpus_root()
        if shared.is_dir():
            paths += [p for p in shared.rglob("*") if p.suffix.lower() in PICTURES]
        if args.bench_photos:
            paths += sorted(p for p in args.bench_photos.rglob("*") if p.suffix.lower() in PICTURES)[:60]
        studied = [p for p in paths if affected(p)]
        today = {p: sharpness(p, None) for p in studied}
        print(f"{len(paths)} images, {len(studied)} resized after decoding; threshold {threshold:g}")
        for alternative in ALTERNATIVES:
            ratios = [sharpness(p, alternative) / today[p] for p in studied if today[p] > 0]
            flips = [p.name for p in studied if (today[p] < threshold) != (sharpness(p, alternative) < threshold)]
            spread = f"{min(ratios):.3f} / {statistics.median(ratios):.3f} / {max(ratios):.3f}" if ratios else "-"
            print(f"{alternative:17} ratio min/median/max {spread:23} verdicts that flip: {len(flips)} {flips[:5]}")


if __name__ == "__main__":
    main()
