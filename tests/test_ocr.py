"""OCR: generated scans, photos and screenshots whose date and label must be read from the page.

Tests that need an engine skip cleanly where none is installed (CI installs Tesseract). The
others replace the engine with a stub, so the cache, the budget, the modes and the report
are tested everywhere. Pages are few and small: OCR is CPU-heavy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from packager import cachedb, cachedir
from packager.dates import FoundDate
from packager.inspect import FileFacts, InspectOptions, inspect_file
from packager.ocr import extract, run
from packager.ocr.engine import Line, OcrTimeout, Word, find_engine, parse_tsv
from packager.ocr.model import NO_ENGINE, OVER_BUDGET, READ
from packager.rules import load_rules
from tests import ocrscans

ENGINE = find_engine()
needs_engine = pytest.mark.skipif(ENGINE is None, reason="no OCR engine installed (Tesseract or RapidOCR)")
WINDOW = (dt.date(2026, 3, 1), dt.date(2026, 11, 30))
MAY_14 = dt.date(2026, 5, 14)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cachedir.ENV_DIR, str(folder))
    return folder


def options(mode: str = "auto", signed: frozenset[str] = frozenset()) -> InspectOptions:
    return InspectOptions(rules=load_rules(None).deliverables, window=WINDOW, ocr=mode, signed=signed)


def ocr_dates(facts: FileFacts) -> set[dt.date]:
    return {d.date for d in facts.dates if d.source == "ocr"}


# --- reading generated scans (needs an engine) ------------------------------------------

SCANS: list[tuple[str, int, dict[str, float]]] = [
    ("150 dpi", 150, {}),
    ("200 dpi, skewed 3 degrees", 200, {"skew": 3.0}),
    ("300 dpi, speckled", 300, {"noise": 0.01}),
    ("200 dpi, blurred and skewed", 200, {"blur": 1.0, "skew": -2.0}),
]


@needs_engine
@pytest.mark.parametrize(("case", "dpi", "damage"), SCANS, ids=[s[0] for s in SCANS])
def test_scanned_pdf_date_and_label_are_read(
    tmp_path: Path, cache: Path, case: str, dpi: int, damage: dict[str, float]
) -> None:
    page = ocrscans.damage(ocrscans.form_page(dpi), **damage)
    path = ocrscans.save_scan_pdf([page], tmp_path / "scan.pdf", dpi)
    facts = inspect_file(path, options())
    assert facts.ocr is not None and facts.ocr.status == READ, facts.ocr
    assert MAY_14 in ocr_dates(facts), facts.ocr.text
    assert "1.2" in facts.ocr.labels, facts.ocr.header_text
    assert facts.ocr.regions == ("page 1 top",)  # the header settled it: the page was not read whole
    found = next(d for d in facts.dates if d.source == "ocr" and d.date == MAY_14)
    assert found.confidence is not None and 0.45 <= found.confidence <= 1


@needs_engine
def test_photo_of_a_page(tmp_path: Path, cache: Path) -> None:
    photo = ocrscans.photo_of(ocrscans.form_page(200, title="Milestone 3.1 - Toolbox talk sign-in"))
    path = ocrscans.save_jpeg(photo, tmp_path / "IMG_0412.jpg", quality=85)
    facts = inspect_file(path, options())
    assert facts.ocr is not None and facts.ocr.status == READ
    assert MAY_14 in ocr_dates(facts), facts.ocr.text
    assert "3.1" in facts.ocr.labels, facts.ocr.text


@needs_engine
def test_screenshot_reads_the_whole_page_when_the_top_has_no_label(tmp_path: Path, cache: Path) -> None:
    shot = ocrscans.screenshot((
        "From: safety@northwind.example",
        "Subject: Confirmation - first aid course booked",
        "Sent: June 3, 2026 10:14 AM",
        "Your booking for 6 workers is confirmed.",
        "Reference: Milestone 2.1 training",
        "Course venue: Edmonton",
        "Contact us with any questions.",
        "Kind regards, the training desk",
    ))
    path = tmp_path / "confirmation.png"
    shot.save(path)
    facts = inspect_file(path, options())
    assert facts.ocr is not None and facts.ocr.status == READ
    assert dt.date(2026, 6, 3) in ocr_dates(facts), facts.ocr.text
    assert facts.ocr.regions == ("page 1 top", "page 1")


@needs_engine
def test_signed_page_with_handwritten_date(tmp_path: Path, cache: Path) -> None:
    page = ocrscans.damage(ocrscans.signed_page(200), skew=1.0)
    path = ocrscans.save_scan_pdf([page], tmp_path / "Signed acknowledgement.pdf", 200)
    facts = inspect_file(path, options(signed=frozenset({"signed acknowledgement.pdf"})))
    assert facts.ocr is not None and facts.ocr.status == READ
    assert facts.ocr.regions == ("page 1",)  # signed pages are always read whole
    assert facts.ocr.signature_date is not None, facts.ocr.text
    assert facts.ocr.signature_date.date == dt.date(2026, 6, 12)


@needs_engine
def test_second_inspection_reads_the_cache_not_the_page(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ocrscans.save_scan_pdf([ocrscans.form_page(150)], tmp_path / "scan.pdf", 150)
    first = inspect_file(path, options())
    assert first.ocr is not None and first.ocr.status == READ and not first.ocr.cached
    entries = _ocr_entries(cache)
    assert len(entries) == 1 and entries[0][1].startswith("{")

    def no_ocr(*args: Any, **kwargs: Any) -> list[Line]:
        raise AssertionError("OCR ran although the result was cached")

    monkeypatch.setattr(type(ENGINE), "read", no_ocr)
    second = inspect_file(path, options())
    assert second.ocr is not None and second.ocr.cached
    assert ocr_dates(second) == ocr_dates(first) and second.ocr.labels == first.ocr.labels


def _ocr_entries(cache: Path) -> list[tuple[str, str]]:
    """The OCR cache's entries as committed (key, JSON text)."""
    cachedb.flush()
    with contextlib.closing(sqlite3.connect(cachedb.db_path(cache / run.CACHE_NAME, run.CACHE_NAME))) as db:
        return sorted(db.execute("SELECT key, value FROM entries"))


# --- behaviour with a stub engine (runs everywhere) ----------------------------------------


class StubEngine:
    """Returns fixed lines; counts calls; can pretend to run over the budget."""

    def __init__(self, lines: list[str], timeout: bool = False) -> None:
        self.lines = lines
        self.timeout = timeout
        self.calls = 0

    @property
    def name(self) -> str:
        return "stub 1"

    def read(self, image: Image.Image, seconds: float, sparse: bool = False) -> list[Line]:
        self.calls += 1
        if self.timeout:
            raise OcrTimeout(f"reading took more than {seconds:g} s")
        return [Line(tuple(Word(w, 91.0) for w in text.split())) for text in self.lines]


def small_scan(tmp_path: Path, name: str = "scan.pdf") -> Path:
    return ocrscans.save_scan_pdf([ocrscans.form_page(60)], tmp_path / name, 60)


def test_stub_header_settles_and_result_is_cached(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub = StubEngine(["Milestone 1.2 - Ladder inspection", "Date: May 14, 2026"])
    monkeypatch.setattr(run, "find_engine", lambda: stub)
    path = small_scan(tmp_path)
    facts = inspect_file(path, options())
    assert stub.calls == 1 and facts.ocr is not None and facts.ocr.labels == ("1.2",)
    assert ocr_dates(facts) == {MAY_14}
    again = inspect_file(path, options())
    assert stub.calls == 1 and again.ocr is not None and again.ocr.cached
    assert inspect_file(path, options("off")).ocr is None


def test_over_budget_is_not_read_and_not_cached(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stub = StubEngine([], timeout=True)
    monkeypatch.setattr(run, "find_engine", lambda: stub)
    facts = inspect_file(small_scan(tmp_path), options())
    assert facts.ocr is not None and facts.ocr.status == OVER_BUDGET
    assert "took longer than" in (facts.ocr.problem or "")
    assert not list(cache.rglob("*.json"))


def test_no_engine_leaves_facts_as_before(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "find_engine", lambda: None)
    path = small_scan(tmp_path)
    facts = inspect_file(path, options())
    off = inspect_file(path, options("off"))
    assert facts.ocr is not None and facts.ocr.status == NO_ENGINE
    assert facts.dates == off.dates and facts.text == off.text


def test_text_pdf_is_never_read_by_ocr(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.synth import make_text_pdf

    stub = StubEngine(["Milestone 9.9"])
    monkeypatch.setattr(run, "find_engine", lambda: stub)
    facts = inspect_file(make_text_pdf(tmp_path / "t.pdf"), options())
    assert facts.ocr is None and stub.calls == 0


def test_oversized_image_is_refused_before_ocr(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.synth import make_text_file

    stub = StubEngine(["Milestone 1.2"])
    monkeypatch.setattr(run, "find_engine", lambda: stub)
    # A PNG header declaring 100000 x 100000 pixels: refused by inspection, never decoded or read.
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    path = tmp_path / "bomb.png"
    path.write_bytes(png + b"\x00" * 64)
    facts = inspect_file(path, options())
    assert facts.unreadable and facts.ocr is None and stub.calls == 0
    del make_text_file


# --- the report, once --------------------------------------------------------------------


def test_report_says_once_how_many_scans_ocr_would_verify(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from packager.api import check_folder
    from tests.plans import valid_plan

    monkeypatch.setattr(run, "find_engine", lambda: None)
    (tmp_path / "action-plan.yaml").write_text(
        yaml.safe_dump(valid_plan(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    folder = tmp_path / "Objective 1 - Emergency response"
    folder.mkdir()
    for name in ("1.1 - Drill sign-in - 2026-05-14.pdf", "1.2 - Ladder check - 2026-05-20.pdf"):
        small_scan(folder, name)
    result = check_folder(tmp_path, today=dt.date(2026, 11, 26), workers=1)
    notes = [f for f in result.findings if f.check == "ocr-unavailable"]
    assert len(notes) == 1
    assert notes[0].message.startswith("OCR would verify the dates and labels of 2 scanned files")
    off = check_folder(tmp_path, today=dt.date(2026, 11, 26), workers=1, ocr="off")
    assert not [f for f in off.findings if f.check.startswith("ocr-")]


def test_over_budget_is_a_could_not_verify_warning(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from packager.checks import Context, Stage
    from packager.checks import ocr as ocr_checks
    from packager.inventory import FileRecord, Inventory, Mapping
    from packager.ocr.model import OcrFacts
    from tests.plans import plan_from, valid_plan

    facts = FileFacts(kind="pdf", mime="application/pdf", size=1, sha256="0" * 64,
                      ocr=OcrFacts(status=OVER_BUDGET, problem="reading a page took longer than 40 s"))
    record = FileRecord(path="Objective 1/1.1 - scan.pdf", size=1, facts=facts,
                        mapping=Mapping(objective=1, milestone="1.1"))
    rules = load_rules(None)
    plan = plan_from(valid_plan())
    ctx = Context(plan=plan, rules=rules, stage=Stage.FINAL, today=dt.date(2026, 11, 26),
                  inventory=Inventory(root="x", files=(record,)))
    (finding,) = list(ocr_checks.run(ctx))
    assert finding.check == "ocr-unread" and finding.severity.value == "warning"
    assert finding.message == (
        "Could not verify the date and label of '1.1 - scan.pdf' from the page itself: OCR was tried and "
        "reading a page took longer than 40 s."
    )


# --- extraction from OCR text (no engine) ---------------------------------------------------


def line(text: str, conf: float = 90.0) -> Line:
    return Line(tuple(Word(w, conf) for w in text.split()))


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("Date: 2O26-O5-14", "Date: 2026-05-14"),
    ("May l4, 2026", "May 14, 2026"),
    ("Milestone I.2", "Milestone I.2"),  # a lone letter is left alone
    ("Office 12", "Office 12"),
])
def test_clean_undoes_letter_for_digit_swaps(raw: str, cleaned: str) -> None:
    assert extract.clean(raw) == cleaned


@pytest.mark.parametrize(("lines", "expected"), [
    (["Senior Representative Acknowledgement", "Signature: ____ J. Smith", "Date: June 12, 2026"], dt.date(2026, 6, 12)),
    (["Printed May 1, 2026", "", "", "", "", "Signed: ______", "Date: 2026-06-12"], dt.date(2026, 6, 12)),
    (["Meeting of May 1, 2026", "no signature block here"], dt.date(2026, 5, 1)),  # 'signature' word
    (["Report dated May 1, 2026", "Items reviewed"], None),
])
def test_signature_date(lines: list[str], expected: dt.date | None) -> None:
    found = extract.signature_date([line(t) for t in lines if t] or [line("x")], WINDOW, 45)
    assert (found.date if found else None) == expected


def test_low_confidence_dates_are_not_taken() -> None:
    assert extract.dates_in([line("Date: May 14, 2026", 30.0)], WINDOW, 45) == []
    (found,) = extract.dates_in([line("Date: May 14, 2026", 80.0)], WINDOW, 45)
    assert found == FoundDate(MAY_14, "ocr", "May 14, 2026", False, confidence=0.8)


def test_parse_tsv_groups_words_into_lines() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t96.5\tMilestone",
        "5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t91\t1.2",
        "4\t1\t1\t1\t2\t0\t0\t0\t1\t1\t-1\t",
        "5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t88\tMay",
        "5\t1\t1\t1\t2\t2\t0\t0\t1\t1\tbad\t14",
    ]
    lines = parse_tsv("\n".join([header, *rows]))
    assert [ln.text for ln in lines] == ["Milestone 1.2", "May"]
    assert lines[0].words[0].conf == 96.5


def test_damaged_cache_entry_is_read_again(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stub = StubEngine(["Milestone 1.2", "Date: May 14, 2026"])
    monkeypatch.setattr(run, "find_engine", lambda: stub)
    path = small_scan(tmp_path)
    inspect_file(path, options())
    entries = _ocr_entries(cache)
    assert entries
    for key, _text in entries:
        cachedb.put(run.CACHE_NAME, key, '{"version": 1, "regions": [{"name": 3}]}')
    cachedb.flush()
    facts = inspect_file(path, options())
    assert stub.calls == 2 and facts.ocr is not None and not facts.ocr.cached


def test_a_name_that_labels_the_file_lets_the_top_settle_it(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub = StubEngine(["Ladder inspection checklist", "Date: May 14, 2026"])
    monkeypatch.setattr(run, "find_engine", lambda: stub)
    path = small_scan(tmp_path, "1.2 - Ladder check.pdf")
    labelled = InspectOptions(rules=options().rules, window=WINDOW, labelled=frozenset({"1.2 - ladder check.pdf"}))
    facts = inspect_file(path, labelled)
    assert facts.ocr is not None and facts.ocr.regions == ("page 1 top",) and stub.calls == 1
    # Asked again without the name's label (e.g. an audit of a renamed copy): the cached top does not
    # settle it, so the whole page is read once more and cached.
    unlabelled = inspect_file(path, options())
    assert unlabelled.ocr is not None and unlabelled.ocr.regions == ("page 1 top", "page 1")
    assert stub.calls == 3
    assert inspect_file(path, labelled).ocr.cached  # type: ignore[union-attr]


def test_ocr_on_without_an_engine_is_unusable_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from packager.cli import main
    from packager.ocr import engine

    monkeypatch.setattr(engine, "find_engine", lambda: None)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--ocr", "on"])
    assert result.exit_code == 2
    assert "no OCR engine is installed" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("mode", ["off", "auto"])
def test_with_ocr_off_the_ocr_pipeline_never_loads(tmp_path: Path, mode: str) -> None:
    """Inspecting a photo with OCR off (cache on) never loads ``packager.ocr.run`` and its imaging: the
    cache key says "ocr:off" without it. With OCR on, the photo is a page OCR may read, so it loads."""
    from tests.freshpython import run_python

    photo = tmp_path / "1.1 Photo.png"
    Image.new("RGB", (64, 48), "white").save(photo)
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from packager.inspect import InspectOptions\n"
        "from packager.rules import load_rules\n"
        "from packager.scan import inspect_for_checks\n"
        "facts = inspect_for_checks(Path(sys.argv[1]), InspectOptions(load_rules(None).deliverables, ocr=sys.argv[2]),"
        " '1.1 Photo.png')\n"
        "print(facts.kind, 'packager.ocr.run' in sys.modules)\n"
    )
    env = {**os.environ, "PACKAGER_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PACKAGER_NO_CACHE", None)
    kind, loaded = run_python(code, str(photo), mode, env=env).stdout.split()
    assert kind == "png" and loaded == str(mode != "off")
