"""How far the quick photo measure is from the measure taken as before (packager.inspect.image).

A JPEG that would be decoded at 1,100 to 2,000 pixels and resampled to 1,000 is first measured decoded
one scale step smaller. This script generates photos, scenes with a sign, documents and fine
textures at the sizes where that happens, sharp to heavily blurred, faded or not, at two JPEG
qualities; measures each both ways; and prints the largest differences next to the bounds
``_surely_legible`` allows for (``QUICK_*``). It also counts, over every sample, how often the quick
measure was kept and whether the verdict then ever differed from the one taken as before (it must not).

    .venv/bin/python bench/photo_quick.py
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from packager.evidence import legibility  # noqa: E402
from packager.inspect import image as image_inspect  # noqa: E402
from packager.inspect.facts import FileFacts  # noqa: E402
from packager.rules import load_rules  # noqa: E402
from tests import realcorpus, synth  # noqa: E402

SIZES = [(1500, 1125), (1600, 1200), (1600, 900), (1920, 1080), (1080, 1920), (1999, 1499),
         (3000, 2250), (3264, 2448), (3840, 2160), (3999, 2999)]
BLURS = (0.0, 0.7, 1.5, 2.5, 4.0)  # Gaussian radius in pixels at 1,000 px
FADES = (1.0, 0.45)  # contrast kept
QUALITIES = (65, 92)


MAKERS: list[tuple[str, Callable[[tuple[int, int], int], Image.Image]]] = [
    ("photo", synth.photo_image),
    ("scene", lambda size, seed: realcorpus._photo(size, seed, "SIGN-IN SHEET")),
    ("document", synth.document_photo),
    ("texture", synth.fine_texture),
    ("texture", synth.fine_texture),
]


def samples() -> Iterator[tuple[str, bytes]]:
    seed = 0
    for size in SIZES:
        for name, make in MAKERS:
            seed += 1
            base = make(size, seed)
            for blur in BLURS:
                blurred = base.filter(ImageFilter.GaussianBlur(blur * max(size) / 1000)) if blur else base
                for fade in FADES:
                    faded = blurred if fade == 1.0 else blurred.point(lambda v, f=fade: int(128 + (v - 128) * f))
                    for quality in QUALITIES:
                        buffer = io.BytesIO()
                        faded.save(buffer, "JPEG", quality=quality)
                        yield f"{size[0]}x{size[1]} {name} blur {blur} fade {fade} q{quality}", buffer.getvalue()


def main() -> int:
    rules = load_rules(None).deliverables
    base = FileFacts(kind="jpeg", mime="image/jpeg", size=0, sha256="")
    worst = {"sharpness": (0.0, ""), "contrast": (0.0, ""), "ink": (0.0, "")}
    near = 0.0  # the sharpness ratio where the measure taken as before is near the threshold
    counted = kept = differ = 0
    for label, data in samples():
        quick, floor = image_inspect._inspect(io.BytesIO(data), base, ("JPEG",), quick=True)
        exact, _ = image_inspect._inspect(io.BytesIO(data), base, ("JPEG",), quick=False)
        if floor is None or quick.image is None or exact.image is None:
            continue
        counted += 1
        q, e = quick.image, exact.image
        ratios = {
            "sharpness": q.sharpness / max(e.sharpness, 1e-9),
            "contrast": min(q.contrast, floor[0]) / max(e.contrast, 1e-9),
            "ink": min(q.ink_range or 0.0, floor[1]) - (e.ink_range or 0.0),
        }
        if rules.min_sharpness / 2 <= e.sharpness <= rules.min_sharpness * 2:
            near = max(near, ratios["sharpness"])
        for key, value in ratios.items():
            if value > worst[key][0]:
                worst[key] = (value, label)
        if image_inspect._surely_legible(quick, floor, rules):
            kept += 1
            if legibility(exact, rules).problems:
                differ += 1
                print(f"VERDICT DIFFERS: {label}: quick {q}, before {e}")
    print(f"{counted} samples measured quick; the quick measure kept for {kept}; verdicts that differ: {differ}")
    print(f"quick sharpness / before: at most {worst['sharpness'][0]:.2f} ({worst['sharpness'][1]}); "
          f"allowed for {image_inspect.QUICK_SHARPNESS_FACTOR:g}; at most {near:.2f} where the measure taken as "
          f"before is within a factor 2 of the minimum ({rules.min_sharpness:g})")
    print(f"quick contrast / before: at most {worst['contrast'][0]:.3f} ({worst['contrast'][1]}); "
          f"allowed for {1 / image_inspect.QUICK_CONTRAST_FACTOR:.3f}")
    print(f"quick ink range - before: at most {worst['ink'][0]:.0f} levels ({worst['ink'][1]}); "
          f"allowed for {image_inspect.QUICK_INK_LEVELS:g}")
    within = (worst["sharpness"][0] <= image_inspect.QUICK_SHARPNESS_FACTOR
              and worst["contrast"][0] <= 1 / image_inspect.QUICK_CONTRAST_FACTOR
              and worst["ink"][0] <= image_inspect.QUICK_INK_LEVELS)
    return 0 if within and differ == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
