"""Invisible and control characters: reported as file-name-unsafe, escaped on the terminal, and never
reaching a zip entry name, the manifest or a generated PDF."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from packager.safetext import TERMINAL_UNSAFE, UNSAFE, escape_unsafe, strip_unsafe, unsafe_chars
from tests.hostile import TODAY, fingerprint, run, sample_copy

COMPANY = "North\u202ewind\u200b Paving \x1b]0;pwned\x07\x1b[2J Ltd."
BIDI_NAME = "1.1 - Drill report \u202efdp.exe - 2026-05-14.pdf"
ESC_NAME = "1.1 - Drill \x1b[2J\x9b31m copy - 2026-05-14.pdf"
RAW_NAME = b"1.2 - Caf\xe9 report - 2026-06-20.pdf"  # Latin-1, not UTF-8


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("a\x1b]0;t\x07b", "a\\u001b]0;t\\u0007b"), ("x\u202ey", "x\\u202ey"), ("caf\udce9", "caf\\xe9"),
     ("keep\ttabs\nand lines", "keep\ttabs\nand lines")],
)
def test_escape_unsafe(text: str, escaped: str) -> None:
    assert escape_unsafe(text) == escaped
    assert not unsafe_chars(strip_unsafe(text))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = sample_copy(tmp_path_factory.mktemp("names"))
    plan_path = folder / "action-plan.yaml"
    plan = yaml.safe_load(plan_path.read_text(encoding="utf-8"))
    plan["company"] = COMPANY
    plan["objectives"][1]["title"] = "Hand\u2066 safety\u2069 \u200dgloves"
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=False, sort_keys=False), encoding="utf-8")
    source = next(p for p in sorted(folder.rglob("1.1 *.pdf")))
    shutil.copy(source, source.with_name(BIDI_NAME))
    shutil.copy(source, source.with_name(ESC_NAME))
    second = next(p for p in sorted(folder.rglob("1.2 *.pdf")))
    raw_dir = os.fsencode(second.parent)
    shutil.copy(second, os.path.join(raw_dir, RAW_NAME))
    return folder


def test_check_reports_and_escapes(hostile: Path) -> None:
    before = fingerprint(hostile)
    code, out, err = run("check", str(hostile), "--today", TODAY)
    assert code in (0, 1), err
    assert not TERMINAL_UNSAFE.search(out + err), "raw control or bidi characters reached the terminal"
    unsafe = [line for line in out.splitlines() if "file-name-unsafe" in line]
    assert len(unsafe) >= 4, out
    assert "The company name contains invisible or control characters" in out
    assert "U+202E" in out and "not valid UTF-8" in out and "\\xe9" in out
    code, out, _err = run("check", str(hostile), "--today", TODAY, "--format", "json")
    data = json.loads(out)
    messages = [f["message"] for f in data["findings"] if f["check"] == "file-name-unsafe"]
    assert any("\u202e" in m for m in messages)  # JSON keeps the text exactly, escaped
    assert fingerprint(hostile) == before


def test_build_keeps_them_out_of_names_manifest_and_pdfs(hostile: Path, tmp_path: Path) -> None:
    before = fingerprint(hostile)
    out = tmp_path / "hostile.zip"
    code, stdout, err = run("build", str(hostile), "-o", str(out), "--today", TODAY, "--allow-errors")
    assert code in (0, 1), err
    assert not TERMINAL_UNSAFE.search(stdout + err)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert not [n for n in names if UNSAFE.search(n)]
        assert sum("/1.1 - " in n for n in names) == 4  # the hostile copies are in, renamed
        assert all(n.startswith("Northwind Paving ]0;pwned[2J Ltd - COR") for n in names)
        manifest_name = next(n for n in names if n.endswith("manifest.json"))
        raw = zf.read(manifest_name)
        manifest = json.loads(raw)
        assert not TERMINAL_UNSAFE.search(raw.decode("utf-8"))
        assert not unsafe_chars(manifest["plan"]["company"])
        for name in names:
            if name.endswith(".pdf") and "/00 Submission Documents/0" in name and "Signed" not in name:
                text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(zf.read(name))).pages)
                assert not TERMINAL_UNSAFE.search(text), name
    assert fingerprint(hostile) == before


@given(st.text(max_size=60))
def test_escaped_text_is_always_safe_to_print(text: str) -> None:
    shown = escape_unsafe(text)
    assert not TERMINAL_UNSAFE.search(shown)
    shown.encode("utf-8")  # never a lone surrogate, which could not be printed at all
    assert json.loads(escape_unsafe(json.dumps(text, ensure_ascii=False), json=True)) == text
