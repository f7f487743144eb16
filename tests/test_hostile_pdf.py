"""Hostile PDFs: decompression bombs, PDF/zip polyglots, and a file that kills its inspector."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import zipfile
import zlib
from pathlib import Path

import pytest

from packager import scan
from packager.inspect import InspectOptions, inspect_file
from packager.inspect import pdf as pdf_module
from packager.rules import load_rules
from tests.hostile import TODAY, fingerprint, run, sample_copy
from tests.synth import make_text_pdf

OPTIONS = InspectOptions(rules=load_rules(None).deliverables)


def raw_pdf(content: bytes, *, tail: bytes = b"") -> bytes:
    """A minimal one-page PDF whose page content stream is ``content`` (already Flate-compressed)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue() + tail


def zeros_deflated(n: int) -> bytes:
    c = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    parts = [c.compress(block[: min(len(block), n - i)]) for i in range(0, n, len(block))]
    return b"".join(parts) + c.flush()


def test_a_stream_over_the_cap_is_unreadable_and_never_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_module, "STREAM_INFLATE_CAP", 1024 * 1024)
    path = tmp_path / "1.1 - Bomb - 2026-05-14.pdf"
    path.write_bytes(raw_pdf(zeros_deflated(3 * 1024 * 1024)))

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("a bomb must not reach the PDF readers")

    monkeypatch.setattr(pdf_module, "_read_structure", never)
    facts = inspect_file(path, OPTIONS)
    assert facts.unreadable is not None and "decompression bomb" in facts.unreadable


def test_many_streams_over_the_file_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_module, "FILE_INFLATE_CAP", 2 * 1024 * 1024)
    one = zeros_deflated(900 * 1024)
    body = raw_pdf(one) + b"".join(b"%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % (9 + i, len(one))
                                   + one + b"\nendstream\nendobj\n" for i in range(3))
    path = tmp_path / "many.pdf"
    path.write_bytes(body)
    facts = inspect_file(path, OPTIONS)
    assert facts.unreadable is not None and "in all" in facts.unreadable


def test_an_ordinary_pdf_is_not_a_bomb(tmp_path: Path) -> None:
    path = make_text_pdf(tmp_path / "ok.pdf", pages=3)
    assert pdf_module.inflation_problem(path) is None
    assert pdf_module.carried_zip(path) is None
    assert inspect_file(path, OPTIONS).unreadable is None


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name in names:
            zf.writestr(name, b"MZ payload")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (_zip(["readme.txt", "run.exe"]), "PDF/zip polyglot"),  # zip appended: the file is a zip too
        (_zip(["../../evil.sh"])[:-22] + b"garbage" * 4, "'../../evil.sh'"),  # carried, directory cut off
    ],
)
def test_pdf_zip_polyglot_is_active_content(tmp_path: Path, tail: bytes, expected: str) -> None:
    folder = sample_copy(tmp_path)
    target = next(p for p in sorted(folder.rglob("*.pdf")) if p.name.startswith("1.2"))
    target.write_bytes(target.read_bytes() + tail)
    before = fingerprint(folder)
    code, out, _err = run("check", str(folder), "--today", TODAY)
    assert code == 1
    assert "active-content" in out and expected in out
    assert fingerprint(folder) == before


def test_harmless_pk_bytes_are_not_a_polyglot(tmp_path: Path) -> None:
    path = tmp_path / "pk.pdf"
    path.write_bytes(raw_pdf(zlib.compress(b"BT (PK\x03\x04 notes.txt) Tj ET")) + _zip(["notes.txt"])[:-22])
    assert pdf_module.carried_zip(path) is None


def _killer(
    path: Path, options: InspectOptions, name: str | None = None, sha256: str | None = None, data: bytes | None = None
) -> object:
    """Runs in the worker: dies outright on one file, as under an out-of-memory kill."""
    if name is not None and "kill" in name:
        os._exit(9)
    return inspect_file(path, options, name, sha256, data)


def test_a_worker_that_dies_becomes_a_finding_on_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "inspect_file", _killer)
    paths = [make_text_pdf(tmp_path / f"{i}.pdf") for i in range(scan.PARALLEL_MIN_FILES + 1)]
    jobs = [(p, "kill-me.pdf" if i == 3 else p.name) for i, p in enumerate(paths)]
    facts = scan.inspect_many(jobs, OPTIONS, workers=2)
    assert len(facts) == len(jobs)
    dead = [i for i, f in enumerate(facts) if f.unreadable and "stopped the inspector" in f.unreadable]
    assert dead == [3]
    assert all(f.kind == "pdf" and f.unreadable is None for i, f in enumerate(facts) if i != 3)


@pytest.mark.skipif(scan.pool_context().get_start_method() != "fork", reason="small runs are read in-process")
def test_a_file_that_kills_its_reader_in_a_small_run_becomes_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few files (below PARALLEL_MIN_FILES) still go to a worker: a crash is a finding, not the end."""
    monkeypatch.setattr(scan, "inspect_file", _killer)
    paths = [make_text_pdf(tmp_path / f"{i}.pdf") for i in range(3)]
    jobs = [(p, "kill-me.pdf" if i == 1 else p.name) for i, p in enumerate(paths)]
    facts = scan.inspect_many(jobs, OPTIONS)
    assert [bool(f.unreadable and "stopped the inspector" in f.unreadable) for f in facts] == [False, True, False]
    assert scan._pool_size(3, None) == 1 and scan._pool_size(3, 1) == 0 and scan._pool_size(0, None) == 0


def test_the_inflation_bound_holds_for_the_densest_deflate() -> None:
    """Files too small to reach a cap even at deflate's largest ratio skip the inflation scan."""
    n = 8 * 1024 * 1024
    assert n / len(zeros_deflated(n)) < pdf_module.MAX_INFLATE_RATIO


def test_a_file_too_small_to_reach_the_cap_is_not_scanned_but_one_byte_more_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = raw_pdf(zeros_deflated(64 * 1024))
    path = tmp_path / "b.pdf"
    path.write_bytes(body)
    monkeypatch.setattr(pdf_module, "STREAM_INFLATE_CAP", len(body) * pdf_module.MAX_INFLATE_RATIO)
    scanned: list[object] = []
    monkeypatch.setattr(pdf_module, "_inflation_scan", lambda data: scanned.append(data))
    assert pdf_module.inflation_problem(path) is None and not scanned
    assert pdf_module.inflation_problem(path, body) is None and not scanned  # the same, read from memory
    monkeypatch.setattr(pdf_module, "STREAM_INFLATE_CAP", len(body) * pdf_module.MAX_INFLATE_RATIO - 1)
    pdf_module.inflation_problem(path)
    pdf_module.inflation_problem(path, body)
    assert len(scanned) == 2


@pytest.mark.parametrize(
    "tail", [b"", _zip(["readme.txt", "run.exe"]), _zip(["../../evil.sh"])[:-22] + b"garbage", _zip(["notes.txt"])[:-22]]
)
def test_the_zip_probe_reads_memory_as_it_reads_the_file(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "z.pdf"
    path.write_bytes(raw_pdf(zlib.compress(b"BT (x) Tj ET")) + tail)
    assert pdf_module.carried_zip(path, path.read_bytes()) == pdf_module.carried_zip(path)


def test_a_bomb_after_a_stream_that_is_not_zlib_data_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain (or image) stream first must not make the scan skip over the bomb that follows it."""
    monkeypatch.setattr(pdf_module, "STREAM_INFLATE_CAP", 1024 * 1024)
    body = raw_pdf(zeros_deflated(3 * 1024 * 1024))
    at = body.index(b"4 0 obj")
    plain = b"9 0 obj\n<< /Length 20 >>\nstream\nBT (hello) Tj ET   \nendstream\nendobj\n"
    path = tmp_path / "hidden.pdf"
    path.write_bytes(body[:at] + plain + body[at:])
    problem = pdf_module.inflation_problem(path)
    assert problem is not None and "decompression bomb" in problem
    assert pdf_module.inflation_problem(path, path.read_bytes()) == problem  # the same from memory


def test_hostile_form_fields_are_read_within_bounds(tmp_path: Path) -> None:
    """A field that is its own parent, a megabyte typed into a field and a page of 50,000 widgets: the
    walk up the parents stops, what was typed is cut, and only the first 200 widgets are looked at."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject, TextStringObject

    from tests import synth

    form = synth.make_filled_form(tmp_path / "form.pdf", ["Checklist", "Date:"],
                                  {"date": "May 20, 2026", "notes": "x"}, nested=True)
    writer = PdfWriter(clone_from=PdfReader(form))
    widgets = writer.pages[0]["/Annots"]
    first = widgets[0].get_object()
    parent = first["/Parent"].get_object()
    parent[NameObject("/Parent")] = first.indirect_reference  # a cycle: widget -> parent -> widget
    widgets[1].get_object()["/Parent"].get_object()[NameObject("/V")] = TextStringObject("y " * 500_000)
    many = ArrayObject(list(widgets) * 25_000)
    writer.pages[0][NameObject("/Annots")] = many
    hostile = tmp_path / "hostile.pdf"
    with hostile.open("wb") as fh:
        writer.write(fh)
    facts = inspect_file(hostile, OPTIONS)
    assert facts.unreadable is None
    assert [d.date for d in facts.dates if d.source == "content"] == [dt.date(2026, 5, 20)]


def _misplaced_xref_pdf(path: Path) -> Path:
    """A PDF whose 'startxref' points 7 bytes off: pypdf recovers and logs two warnings."""
    make_text_pdf(path)
    data = path.read_bytes()
    offset = int(data.rsplit(b"startxref", 1)[1].split()[0])
    path.write_bytes(data.replace(b"startxref\n%d" % offset, b"startxref\n%d" % (offset + 7)))
    return path


def test_pypdf_warnings_never_reach_the_log_and_its_level_is_put_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _misplaced_xref_pdf(tmp_path / "misplaced.pdf")
    logger = logging.getLogger("pypdf")
    before = logger.level
    with caplog.at_level(logging.DEBUG):
        facts = inspect_file(path, OPTIONS)
    assert facts.unreadable is None and "Milestone" in facts.text
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert logger.level == before  # the main process's logging is as it was


def test_a_silenced_worker_stays_silent_without_setting_a_level_per_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _misplaced_xref_pdf(tmp_path / "misplaced.pdf")
    logger = logging.getLogger("pypdf")
    monkeypatch.setattr(logger, "level", logger.level)  # put back after the test
    pdf_module.silence_pypdf()
    levels: list[int] = []
    monkeypatch.setattr(logger, "setLevel", levels.append)
    with caplog.at_level(logging.DEBUG):
        assert inspect_file(path, OPTIONS).unreadable is None
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert levels == []  # setting a level empties every logger's cache: once per worker, not per file
