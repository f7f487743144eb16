"""The quick photo measure (packager.inspect.image): a JPEG that would be resampled to 1,000 pixels is
first measured decoded one scale step smaller, and those measures are kept only when the image is
legible by a wide margin. Whatever path a photo takes, its legibility verdict and every message
are those of the measure taken as before."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFilter

from packager.evidence import legibility
from packager.inspect import FileFacts, InspectOptions, inspect_file
from packager.inspect import image as image_inspect
from packager.rules import DeliverableRules
from tests import synth

RULES = DeliverableRules()
OPTIONS = InspectOptions(RULES, ocr="off")  # the measures, not what OCR reads

Maker = Callable[[tuple[int, int]], Image.Image]


def _faded(img: Image.Image, kept: float) -> Image.Image:
    return img.point(lambda v: int(128 + (v - 128) * kept))


def _blurred(img: Image.Image, radius: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius * max(img.size) / 1000))


CASES: list[tuple[str, Maker, tuple[int, int], bool, str | None]] = [
    # (case, picture, size, quick measure kept, the problem it has, if any)
    ("sharp photo from a messaging app", lambda s: synth.photo_image(s, seed=4), (1600, 1200), True, None),
    ("sharp page photographed upright", lambda s: synth.document_photo(s, seed=2), (1080, 1920), True, None),
    ("sharp page from an older phone", lambda s: synth.document_photo(s, seed=3), (3000, 2250), True, None),
    ("blurred photo", lambda s: _blurred(synth.photo_image(s, seed=4), 2.5), (1600, 1200), False,
     "the image is blurred"),
    ("faded page", lambda s: _faded(synth.document_photo(s, seed=2), 0.2), (1600, 1200), False,
     "the image is washed out"),
    ("stripes 2.5 pixels apart (a screen, fabric)", lambda s: synth.fine_texture(s, seed=2, pitch=2.5),
     (1600, 1200), False, "the image is washed out"),
    ("stripes 3 pixels apart", lambda s: synth.fine_texture(s, seed=1, pitch=3.0), (1600, 1200), False, None),
    # Read quick, the stripes of a full-HD frame keep more contrast than the resample leaves them:
    # only the floor (the quick image halved) sends it to the measure taken as before.
    ("stripes in a full-HD frame", lambda s: synth.fine_texture(s, seed=1, pitch=3.0), (1920, 1080), False,
     "the image is washed out"),
    ("too small a step down to measure quick", lambda s: synth.photo_image(s, seed=4), (1280, 960), False, None),
    ("12 MP photo: decoded at 1,008 pixels, nothing to resample", lambda s: synth.photo_image(s, seed=4),
     (4032, 3024), False, None),
]


def _said(facts: FileFacts, rules: DeliverableRules) -> tuple[str, ...]:
    """Everything the legibility verdict says: its problems (errors), then its doubts (warnings)."""
    verdict = legibility(facts, rules)
    return verdict.problems + verdict.doubts


def _measured_as_before(path: Path) -> FileFacts:
    base = FileFacts(kind="jpeg", mime="image/jpeg", size=path.stat().st_size, sha256="")
    facts, floor = image_inspect._inspect(io.BytesIO(path.read_bytes()), base, ("JPEG",), quick=False)
    assert floor is None
    return facts


@pytest.mark.parametrize(("case", "make", "size", "kept", "problem"), CASES, ids=[c[0] for c in CASES])
def test_quick_measure_keeps_every_verdict_and_message(
    tmp_path: Path, case: str, make: Maker, size: tuple[int, int], kept: bool, problem: str | None
) -> None:
    path = synth.save_image(make(size), tmp_path / "photo.jpg", fmt="JPEG", quality=85)
    facts = inspect_file(path, OPTIONS)
    before = _measured_as_before(path)
    assert facts.unreadable is None and facts.image is not None and before.image is not None
    found = _said(facts, RULES)
    assert found == _said(before, RULES)  # the same sentences, measured values included
    assert (facts.image != before.image) is kept, "the quick measure was kept" if not kept else "measured as before"
    if problem is None:
        assert found == ()
    else:
        assert len(found) == 1 and found[0].startswith(problem)
    assert (facts.image.width, facts.image.height) == (before.image.width, before.image.height) == size


def test_a_kept_quick_measure_never_resamples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = synth.save_image(synth.photo_image((1600, 1200), seed=4), tmp_path / "photo.jpg", fmt="JPEG")

    def no_resample(*args: object, **kwargs: object) -> None:
        raise AssertionError("resampled")

    monkeypatch.setattr(Image.Image, "thumbnail", no_resample)
    facts = inspect_file(path, OPTIONS)
    assert facts.unreadable is None and facts.image is not None


def test_the_margins_follow_the_profile(tmp_path: Path) -> None:
    """A profile that asks for more sharpness sends the same photo to the measure taken as before."""
    path = synth.save_image(synth.photo_image((1600, 1200), seed=4), tmp_path / "photo.jpg", fmt="JPEG")
    before = _measured_as_before(path)
    assert before.image is not None
    strict = DeliverableRules(min_sharpness=before.image.sharpness / 2)
    facts = inspect_file(path, InspectOptions(strict, ocr="off"))
    assert facts.image == before.image
    assert _said(facts, strict) == ()


@st.composite
def photographs(draw: st.DrawFn) -> bytes:
    """A JPEG in the quick range: a scene, a page or fine stripes, at a size that needs a resample,
    blurred, faded, noisy or not, at a JPEG quality a phone or a messaging app uses."""
    long_side = draw(st.sampled_from([1500, 1600, 1800, 1920, 1999, 3000, 3264]))
    landscape = draw(st.booleans())
    short_side = long_side * draw(st.sampled_from([9, 10, 12])) // 16
    size = (long_side, short_side) if landscape else (short_side, long_side)
    seed = draw(st.integers(0, 10_000))
    kind = draw(st.sampled_from(["photo", "page", "stripes"]))
    if kind == "photo":
        img = synth.photo_image(size, seed=seed)
    elif kind == "page":
        img = synth.document_photo(size, seed=seed)
    else:
        img = synth.fine_texture(size, seed=seed, pitch=draw(st.sampled_from([2.2, 2.5, 3.0, 4.0, 6.0])))
    blur = draw(st.sampled_from([0.0, 0.4, 0.8, 1.2, 2.0, 3.5]))
    if blur:
        img = _blurred(img, blur)
    fade = draw(st.sampled_from([1.0, 0.8, 0.6, 0.4, 0.25]))
    if fade < 1.0:
        img = _faded(img, fade)
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=draw(st.sampled_from([60, 75, 85, 95])))
    return buffer.getvalue()


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=photographs())
def test_any_photograph_gets_the_verdict_of_the_measure_taken_as_before(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    facts = inspect_file(path, OPTIONS)
    assert _said(facts, RULES) == _said(_measured_as_before(path), RULES)


def _damaged(data: bytes, how: str) -> bytes:
    if how == "cut in half":
        return data[: len(data) // 2]
    if how == "header only":
        return data[:600]
    middle = len(data) // 2  # scrambled entropy-coded data in the middle of the picture
    return data[:middle] + bytes(b ^ 0x5A for b in data[middle : middle + 4000]) + data[middle + 4000 :]


@pytest.mark.parametrize("how", ["cut in half", "header only", "scrambled in the middle"])
def test_a_damaged_photo_reads_as_it_did_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """A broken JPEG in the quick range gets the facts (and the 'not legible' reason) it got before."""
    buffer = io.BytesIO()
    synth.photo_image((1600, 1200), seed=4).save(buffer, "JPEG", quality=85)
    path = tmp_path / "photo.jpg"
    path.write_bytes(_damaged(buffer.getvalue(), how))
    facts = inspect_file(path, OPTIONS)
    monkeypatch.setattr(image_inspect, "QUICK_MIN_SIDE", 10**9)  # no quick measure: as before
    before = inspect_file(path, OPTIONS)
    assert facts == before and facts.unreadable is not None
    assert _said(facts, RULES) == _said(before, RULES)
