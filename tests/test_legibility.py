"""deliverable-illegible, tiered: an error only below a hard floor, a warning ('may be hard to read') between
the hard floor and the recommended one, never an error for a page or image OCR read the milestone or a date
from; a faded page is not blank; the fix fits what made the file (a scan, a photo, a screen capture, a
damaged file). Cases from the false-verdict hunt (notes/hunt-22 sections 3, 4, 5, 8), generated here."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from packager.api import check_folder
from packager.checks import Stage
from packager.dates import FoundDate
from packager.errors import InputError
from packager.evidence import legibility
from packager.inspect import FileFacts, InspectOptions, PageFacts, inspect_file
from packager.inspect.pdf import looks_blank
from packager.ocr.engine import find_engine
from packager.ocr.model import READ as OCR_READ
from packager.ocr.model import OcrFacts
from packager.rules import DeliverableRules, bundled_rules_dir, load_rules
from tests import synth
from tests.test_rules import write_rules

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
TODAY = dt.date(2026, 12, 10)
O1 = "Objective 1 - Emergency response"
RULES = DeliverableRules()
needs_engine = pytest.mark.skipif(find_engine() is None, reason="no OCR engine installed (Tesseract or RapidOCR)")

SCAN_FIX = "Rescan the paper document at 200 DPI or more, in focus and with good contrast, and replace the file."
PHOTO_FIX = ("Send the original full-size photo from the phone or camera, not a copy reduced by a messaging app or "
             "email; if it is blurred, too dark or too light, take it again.")
SCREENSHOT_FIX = ("Capture the screen again at full size (not cropped small or scaled down), or better, print the "
                  "page or document to PDF, and replace the file.")
DAMAGED_FIX = ("Open the file on your computer and save or print it again as PDF, then replace it; if it does not "
               "open, get a new copy from whoever sent it.")
BLANK_FIX = "Open the file and check that it shows the document; export, print or scan it again and replace it."
READ = ", though its milestone or date could be read from it here"


def _illegible(tmp_path: Path, rel: str, make: object, ocr: str, **kw: object) -> list[tuple[str, str, str]]:
    """(severity, message, hint) of each deliverable-illegible finding on one planted file."""
    root = tmp_path / "sub"
    shutil.copytree(SAMPLE, root)
    make(root / rel, **kw)  # type: ignore[operator]
    result = check_folder(root, stage=Stage.FINAL, today=TODAY, workers=1, ocr=ocr)
    assert all(f.path == rel for f in result.findings), result.findings
    return [(f.severity.value, f.message, f.hint) for f in result.findings if f.check == "deliverable-illegible"]


# (case, file, maker, keyword arguments, what is found with OCR off)
MEASURED: list[tuple[str, str, object, dict[str, object], list[tuple[str, str, str]]]] = [
    ("phone-app scan at 118 DPI", "1.2 - Phone scan - 2026-05-20.pdf", synth.make_phone_scan_pdf,
     {"width_px": 1000}, [
         ("warning", "'1.2 - Phone scan - 2026-05-20.pdf' may be hard to read: page 1 was scanned at 118 DPI; 150 "
          "DPI or more is recommended.", SCAN_FIX)]),
    ("phone-app scan at 82 DPI", "1.2 - Phone scan - 2026-05-20.pdf", synth.make_phone_scan_pdf,
     {"width_px": 700}, [
         ("error", "'1.2 - Phone scan - 2026-05-20.pdf' is not legible: page 1 was scanned at 82 DPI; below 100 DPI "
          "a page cannot be read.", SCAN_FIX)]),
    ("640 x 480 camera photo", "1.2 - Muster point - 2026-05-20.jpg", synth.make_photo, {"size": (640, 480)}, [
        ("warning", "'1.2 - Muster point - 2026-05-20.jpg' may be hard to read: the image is only 640 × 480 pixels; "
         "600 or more on its short side is recommended.", PHOTO_FIX)]),
    ("600 x 450 camera photo", "1.2 - Muster point - 2026-05-20.jpg", synth.make_photo, {"size": (600, 450)}, [
        ("warning", "'1.2 - Muster point - 2026-05-20.jpg' may be hard to read: the image is only 600 × 450 pixels; "
         "600 or more on its short side is recommended.", PHOTO_FIX)]),
    ("900 x 300 screenshot", "1.2 - Schedule email - 2026-05-20.png", synth.make_screenshot, {}, [
        ("warning", "'1.2 - Schedule email - 2026-05-20.png' may be hard to read: the image is only 900 × 300 "
         "pixels; 600 or more on its short side is recommended.", SCREENSHOT_FIX)]),
    ("120-pixel thumbnail of a photo", "1.2 - Muster point - 2026-05-20.jpg", synth.make_tiny_image,
     {"size": (160, 120), "fmt": "JPEG"}, [
         ("error", "'1.2 - Muster point - 2026-05-20.jpg' is not legible: the image is only 160 × 120 pixels; below "
          "240 on its short side it is a thumbnail, too small to read.", PHOTO_FIX)]),
    ("faded copy, ink at 25 % contrast", "1.2 - Drill report - 2026-05-20.pdf", synth.make_faded_scan_pdf,
     {"contrast": 0.25}, []),
    ("faded copy saved as a JPEG: washed out, yet readable", "1.2 - Drill report - 2026-05-20.jpg",
     synth.make_faded_page_image, {"contrast": 0.25}, [
         ("warning", "'1.2 - Drill report - 2026-05-20.jpg' may be hard to read: the image is washed out (contrast "
          "5.0; the minimum is 18).", PHOTO_FIX)]),
    ("overexposed photo with no ink left", "1.2 - Repair photo - 2026-05-20.jpg", synth.make_flat_image,
     {"size": (1200, 900), "level": 236, "noise": 1.5}, [
         ("error", "'1.2 - Repair photo - 2026-05-20.jpg' is not legible: the image is blank or nearly uniform "
          "(contrast 0.9).", PHOTO_FIX)]),
    ("blank scanned page", "1.2 - Drill report - 2026-05-20.pdf", synth.make_scan_pdf, {"blank": True}, [
        ("error", "'1.2 - Drill report - 2026-05-20.pdf' is not legible: every page is blank.", SCAN_FIX)]),
    ("blank exported document", "1.2 - Drill report - 2026-05-20.pdf", synth.make_blank_pdf, {"pages": 2}, [
        ("error", "'1.2 - Drill report - 2026-05-20.pdf' is not legible: every page is blank.", BLANK_FIX)]),
    ("damaged PDF", "1.2 - Drill report - 2026-05-20.pdf", synth.make_truncated_pdf, {}, [
        ("error", None, DAMAGED_FIX)]),  # type: ignore[list-item]  # the reason comes from the PDF library
]


@pytest.mark.parametrize(("case", "name", "make", "kw", "expected"), MEASURED, ids=[c[0] for c in MEASURED])
def test_measured_verdicts_and_fixes(
    tmp_path: Path, case: str, name: str, make: object, kw: dict[str, object], expected: list[tuple[str, str, str]]
) -> None:
    found = _illegible(tmp_path, f"{O1}/{name}", make, "off", **kw)
    assert [(s, h) for s, _m, h in found] == [(s, h) for s, _m, h in expected]
    for (_s, message, _h), (_s2, want, _h2) in zip(found, expected, strict=True):
        if want is not None:
            assert message == want


# OCR read the milestone label and the date from the page or image: never an error, only the warning.
READ_BY_OCR: list[tuple[str, str, object, dict[str, object], tuple[str, str, str]]] = [
    ("phone-app scan at 146 DPI", "1.2 - Phone scan - 2026-05-20.pdf", synth.make_phone_scan_pdf,
     {"width_px": 1240}, (
         "warning", f"'1.2 - Phone scan - 2026-05-20.pdf' may be hard to read: page 1 was scanned at 146 DPI; 150 "
         f"DPI or more is recommended{READ}.", SCAN_FIX)),
    ("phone-app scan at 82 DPI, below the hard floor", "1.2 - Phone scan - 2026-05-20.pdf",
     synth.make_phone_scan_pdf, {"width_px": 700}, (
         "warning", f"'1.2 - Phone scan - 2026-05-20.pdf' may be hard to read: page 1 was scanned at 82 DPI; 150 "
         f"DPI or more is recommended{READ}.", SCAN_FIX)),
    ("900 x 300 screenshot", "1.2 - Schedule email - 2026-05-20.png", synth.make_screenshot, {}, (
        "warning", f"'1.2 - Schedule email - 2026-05-20.png' may be hard to read: the image is only 900 × 300 "
        f"pixels; 600 or more on its short side is recommended{READ}.", SCREENSHOT_FIX)),
]


@needs_engine
@pytest.mark.parametrize(("case", "name", "make", "kw", "expected"), READ_BY_OCR, ids=[c[0] for c in READ_BY_OCR])
def test_what_ocr_read_is_not_illegible(
    tmp_path: Path, case: str, name: str, make: object, kw: dict[str, object], expected: tuple[str, str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PACKAGER_CACHE_DIR", str(tmp_path / "cache"))
    assert _illegible(tmp_path, f"{O1}/{name}", make, "on", **kw) == [expected]


@needs_engine
def test_a_faded_copy_is_read_by_ocr_not_called_blank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKAGER_CACHE_DIR", str(tmp_path / "cache"))
    path = synth.make_faded_scan_pdf(tmp_path / "faded.pdf", contrast=0.25)
    window = (dt.date(2026, 3, 20), dt.date(2026, 11, 30))
    facts = inspect_file(path, InspectOptions(load_rules(None).deliverables, window=window, ocr="on"))
    assert [p.blank for p in facts.page_facts] == [False]
    assert facts.ocr is not None and facts.ocr.verified and "1.2" in facts.ocr.labels, facts.ocr
    assert dt.date(2026, 5, 20) in {d.date for d in facts.dates if d.source == "ocr"}


def _histogram(paper: int, ink: int, ink_pixels: int, total: int = 60_000) -> list[int]:
    histogram = [0] * 256
    histogram[paper] += total - ink_pixels
    histogram[ink] += ink_pixels
    return histogram


@pytest.mark.parametrize(
    ("case", "histogram", "blank"),
    [
        ("white paper", _histogram(255, 255, 0), True),
        ("grey paper, JPEG noise a few levels deep", _histogram(246, 240, 3_000), True),
        ("a grey speck of dust", _histogram(250, 200, 30), True),
        ("faded ink (25 % contrast): spread 3.4, yet 0.7 % of the page is ink", _histogram(255, 226, 440), False),
        ("dark ink spreads far", _histogram(250, 20, 600), False),
    ],
)
def test_a_page_is_blank_only_without_ink(case: str, histogram: list[int], blank: bool) -> None:
    assert looks_blank(histogram, RULES) is blank


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("  illegible_dpi: 100 ", "  illegible_dpi: 200 ", "deliverables.illegible_dpi"),
        ("  illegible_image_short_side: 240 ", "  illegible_image_short_side: 0 ",
         "deliverables.illegible_image_short_side"),
        ("  illegible_ink_range: 32 ", "  illegible_ink_range: 120 ", "deliverables.illegible_ink_range"),
        ("  blank_ink_levels: 24 ", "  blank_ink_levels: 300 ", "deliverables.blank_ink_levels"),
        ("  blank_ink_share: 0.002 ", "  blank_ink_share: 2 ", "deliverables.blank_ink_share"),
    ],
)
def test_bad_legibility_floors_name_the_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    path = write_rules(tmp_path, (old, new))
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith(new))
    with pytest.raises(InputError) as info:
        load_rules(path)
    assert str(info.value).startswith(f"{path}, line {line}: field '{field}': ")


def test_every_profile_sets_the_floors() -> None:
    for profile in ("acsa-cor-secor", "amta", "esc"):
        text = (bundled_rules_dir() / f"{profile}.yaml").read_text(encoding="utf-8")
        for key in ("illegible_dpi", "illegible_image_short_side", "illegible_ink_range", "blank_ink_levels",
                    "blank_ink_share"):
            assert f"\n  {key}: " in text, (profile, key)
        rules = load_rules(profile).deliverables
        assert (rules.illegible_dpi, rules.min_dpi) == (100, 150)
        assert (rules.illegible_image_short_side, rules.min_image_short_side) == (240, 600)
        assert (rules.blank_ink_levels, rules.blank_ink_share) == (24, 0.002)


def _scan_facts(dpi: float, ocr: OcrFacts | None = None, dates: tuple[FoundDate, ...] = ()) -> FileFacts:
    page = PageFacts(1, has_text=False, image_only=True, dpi=dpi, blank=False)
    return FileFacts(kind="pdf", mime="application/pdf", size=1, sha256="x", pages=1, page_facts=(page,), ocr=ocr,
                     dates=dates)


WINDOW = (dt.date(2026, 3, 20), dt.date(2026, 11, 30))
OCR_DATE = FoundDate(dt.date(2026, 5, 20), "ocr", "May 20, 2026", confidence=0.9)


@pytest.mark.parametrize(
    ("case", "facts", "problems", "doubts"),
    [
        ("82 DPI, nothing read", _scan_facts(82), 1, 0),
        ("82 DPI, OCR read only noise", _scan_facts(82, OcrFacts(OCR_READ, regions=("page 1",), text="~ | ;")), 1, 0),
        ("82 DPI, OCR read the label", _scan_facts(82, OcrFacts(OCR_READ, regions=("page 1 top",), text="Milestone 1.2",
                                                                labels=("1.2",))), 0, 1),
        ("82 DPI, OCR read a date in the window", _scan_facts(
            82, OcrFacts(OCR_READ, regions=("page 1",), text="May 20, 2026"), (OCR_DATE,)), 0, 1),
        ("82 DPI, OCR read a date outside the window", _scan_facts(
            82, OcrFacts(OCR_READ, regions=("page 1",), text="May 20, 2025"),
            (FoundDate(dt.date(2025, 5, 20), "ocr", "May 20, 2025", confidence=0.9),)), 1, 0),
        ("120 DPI", _scan_facts(120), 0, 1),
        ("150 DPI", _scan_facts(150), 0, 0),
    ],
)
def test_what_ocr_read_outweighs_the_dpi(case: str, facts: FileFacts, problems: int, doubts: int) -> None:
    verdict = legibility(facts, RULES, WINDOW)
    assert (len(verdict.problems), len(verdict.doubts)) == (problems, doubts), verdict
    assert verdict.cause == ("scan" if problems or doubts else "")


def test_a_page_ocr_read_words_on_is_not_blank() -> None:
    blank = PageFacts(1, has_text=False, image_only=True, dpi=200, blank=True)
    facts = FileFacts(kind="pdf", mime="application/pdf", size=1, sha256="x", pages=1, page_facts=(blank,))
    assert legibility(facts, RULES, WINDOW).problems == ("every page is blank",)
    read = replace(facts, ocr=OcrFacts(OCR_READ, regions=("page 1",), text="Toolbox talk sign-in"))
    assert legibility(read, RULES, WINDOW).problems == ()
