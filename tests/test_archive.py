"""The safe archive reader against hand-crafted hostile zips (see tests/zipcraft.py)."""

from __future__ import annotations

import hashlib
import os
import string
import struct
import subprocess
import sys
import textwrap
import unicodedata
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import packager.archive.reader as reader_module
from packager.archive import (
    CHUNK,
    ArchiveEntry,
    ArchiveScan,
    EntryError,
    EntryReader,
    archive_kind,
    is_archive_magic,
    is_archive_name,
    nested_archive_finding,
    normalise_name,
    scan_archive,
    spool_directory,
)
from packager.archive.names import (
    collision_key,
    decode_raw_name,
    escape_for_display,
    has_hidden_char,
    is_hidden_char,
)
from packager.errors import InputError
from packager.findings import Finding, Severity
from packager.rules import ArchiveRules, load_rules
from tests import zipcraft as zc

LIMITS = ArchiveRules()


def scan(tmp_path: Path, data: bytes, limits: ArchiveRules = LIMITS, name: str = "t.zip") -> ArchiveScan:
    path = tmp_path / name
    path.write_bytes(data)
    return scan_archive(path, limits)


def checks(result: ArchiveScan) -> set[str]:
    return {f.check for f in result.findings}


def only(result: ArchiveScan, check: str) -> list[Finding]:
    return [f for f in result.findings if f.check == check]


def spool_all(result: ArchiveScan, directory: Path, limits: ArchiveRules = LIMITS) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with EntryReader(result, limits) as reader:
        for entry in result.entries:
            path, digest = reader.spool(entry, directory)
            content = path.read_bytes()
            assert hashlib.sha256(content).hexdigest() == digest
            out[entry.name] = content
    return out


# --- a clean archive ------------------------------------------------------------------


def test_bundled_profile_limits_are_used_as_given() -> None:
    assert load_rules().archive.max_ratio == 1032


def test_clean_zip_lists_files_and_reads_them_back(tmp_path: Path) -> None:
    files = {
        "manifest.json": b'{"a": 1}',
        "Objective 1/1.1 Training records.pdf": b"%PDF-1.7\n" + os.urandom(3000),
        "Objective 1/notes.txt": b"hello " * 5000,
        "empty.txt": b"",
    }
    result = scan(tmp_path, zc.zipfile_zip(files))
    assert result.findings == ()
    assert not result.aborted
    assert set(result.all_names) == set(files)
    assert {e.name for e in result.entries} == set(files)
    assert [e.index for e in result.entries] == list(range(len(files)))
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    assert spool_all(result, spool_dir) == files
    with EntryReader(result, LIMITS) as reader:
        manifest = next(e for e in result.entries if e.name == "manifest.json")
        assert reader.read_bytes(manifest, 1000) == b'{"a": 1}'


def test_directories_are_listed_but_not_entries(tmp_path: Path) -> None:
    data = zc.build([zc.directory("docs/"), zc.stored("docs/a.txt", b"a"), zc.directory("./")])
    result = scan(tmp_path, data)
    assert result.findings == ()
    assert result.all_names == ("docs/", "docs/a.txt", "./")
    assert [e.name for e in result.entries] == ["docs/a.txt"]
    assert all(not e.is_dir for e in result.entries)


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_other_compression_methods_are_read(tmp_path: Path, compression: int) -> None:
    files = {"a.txt": b"abc" * 100_000, "b.txt": b"", "c.bin": os.urandom(70_000)}
    result = scan(tmp_path, zc.zipfile_zip(files, compression))
    assert result.findings == ()
    assert spool_all(result, tmp_path) == files


@pytest.mark.parametrize("extra", [1, 50, 100, 1000])
def test_deflate_output_waiting_inside_zlib_is_not_lost(tmp_path: Path, extra: int) -> None:
    # Around a chunk boundary zlib can hold output back after eating all of its input.
    size = CHUNK + extra
    result = scan(tmp_path, zc.build([zc.zeros_entry("z.bin", size)]))
    assert spool_all(result, tmp_path) == {"z.bin": bytes(size)}


def test_zip64_records_are_followed(tmp_path: Path) -> None:
    data = zc.build([zc.stored("a.txt", b"abc", zip64=True), zc.stored("b.txt", b"d")], zip64_end=True)
    result = scan(tmp_path, data)
    assert result.findings == ()
    assert spool_all(result, tmp_path) == {"a.txt": b"abc", "b.txt": b"d"}


def test_zipfile_force_zip64_archive_is_read(tmp_path: Path) -> None:
    path = tmp_path / "z64.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("big.txt", "w", force_zip64=True) as f:
        f.write(b"zip64 " * 1000)
    result = scan_archive(path, LIMITS)
    assert result.findings == ()
    assert spool_all(result, tmp_path) == {"big.txt": b"zip64 " * 1000}


def test_prepended_junk_is_tolerated(tmp_path: Path) -> None:
    # Like a self-extracting stub, or zip64_demo.zip's "Leading junk.": offsets are shifted.
    data = zc.build([zc.stored("a.txt", b"abc"), zc.deflated("b.txt", b"def" * 99)], prefix=b"MZ stub" * 50)
    result = scan(tmp_path, data)
    assert result.findings == ()
    assert spool_all(result, tmp_path) == {"a.txt": b"abc", "b.txt": b"def" * 99}


def test_archive_comment_and_trailing_junk(tmp_path: Path) -> None:
    data = zc.build([zc.stored("a.txt", b"abc")], comment=b"PK\x05\x06 not really") + b"trailing"
    result = scan(tmp_path, data)
    assert result.findings == ()
    assert [e.name for e in result.entries] == ["a.txt"]


def test_cp437_names_and_unicode_path_extra(tmp_path: Path) -> None:
    raw = "café.txt".encode("cp437")
    extra = zc.unicode_path_extra(raw, "café-unicode.txt")
    stale = zc.unicode_path_extra(b"other", "wrong.txt")  # CRC of another name: ignored
    data = zc.build(
        [
            zc.stored(raw, b"1", extra=extra),
            zc.stored("naïve.txt".encode("cp437"), b"2", extra=stale),
            zc.stored("日本.txt", b"3"),  # UTF-8 flag set by the helper
        ]
    )
    result = scan(tmp_path, data)
    assert result.findings == ()
    assert result.all_names == ("café-unicode.txt", "naïve.txt", "日本.txt")


# Name (as the user typed it), raw bytes in the zip, its flags, what a reviewer should see.
RAW_NAMES = [
    ("ASCII", b"1.1 Drill report.pdf", 0, "1.1 Drill report.pdf"),
    ("Windows 'Send to' (cp437)", "1.1 Procédure été.pdf".encode("cp437"), 0, "1.1 Procédure été.pdf"),
    ("Windows 'Send to' in Canada (cp850)", "À faire - ÉQUIPE Île-à-la-Crosse.pdf".encode("cp850"), 0,
     "À faire - ÉQUIPE Île-à-la-Crosse.pdf"),
    ("cp850 capitals cp437 reads as Greek", "CÔTÉ ÛÙ.pdf".encode("cp850"), 0, "CÔTÉ ÛÙ.pdf"),
    ("UTF-8 with the flag", "1.1 Procédure été.pdf".encode(), 0x0800, "1.1 Procédure été.pdf"),
    ("macOS Finder: UTF-8 without the flag", "1.1 Procédure été.pdf".encode(), 0, "1.1 Procédure été.pdf"),
    ("macOS Finder, decomposed accents", unicodedata.normalize("NFD", "accusé signé.pdf").encode(), 0,
     unicodedata.normalize("NFD", "accusé signé.pdf")),
    ("macOS Finder, an en dash", "Objective 2 – Sécurité/2.1 a.pdf".encode(), 0, "Objective 2 – Sécurité/2.1 a.pdf"),
    ("box drawing in either code page stays cp437", bytes([0xC9, 0xCD, 0xBB]) + b".txt", 0, "╔═╗.txt"),
    ("broken UTF-8 with the flag", b"a\xff.txt", 0x0800, "a\ufffd.txt"),
]


@pytest.mark.parametrize(("raw", "flags", "expected"), [r[1:] for r in RAW_NAMES], ids=[r[0] for r in RAW_NAMES])
def test_names_decode_as_the_program_that_wrote_them_meant(raw: bytes, flags: int, expected: str) -> None:
    assert decode_raw_name(raw, flags) == expected


# What a Windows "Send to" zip's names are made of, in English, French or Spanish: the letters each
# DOS code page has (cp437 in the United States, cp850 in Canada).
PLAIN = list(string.ascii_letters + string.digits + " -_.,()&'")


def _latin_letters(codepage: str) -> list[str]:
    return [ch for ch in bytes(range(0x80, 0x100)).decode(codepage) if unicodedata.name(ch, "").startswith("LATIN")]


# 'ß' is the one cp437 letter whose byte can start a UTF-8 sequence: followed by two accented capitals
# ('ßÄÄ', which no name holds) it reads as UTF-8. Every other cp437 letter is a byte UTF-8 never starts with.
CP437_NAME_LETTERS = [ch for ch in _latin_letters("cp437") if ch != "ß"]


@given(st.text(st.sampled_from(PLAIN + CP437_NAME_LETTERS), min_size=1, max_size=60))
def test_a_cp437_name_reads_back(name: str) -> None:
    """cp437 names of letters, digits and accented letters are never taken for UTF-8 (no byte of theirs
    can start a UTF-8 sequence) nor for cp850: reading the names macOS and Canadian Windows write costs
    them nothing."""
    assert decode_raw_name(name.encode("cp437"), 0) == name


FRENCH_WORDS = ("À", "JOUR", "ÉQUIPE", "Île", "ÎLE", "Ève", "ÈVE", "CÔTÉ", "Être", "ÊTRE", "Rôle", "RÔLE", "Sécurité",
                "SÉCURITÉ", "Procédure", "Échéance", "Hôpital", "FORÊT", "Août", "AOÛT", "Noël", "Maïs", "Où", "OÙ",
                "Leçon", "FAÇADE", "Âge", "ÂGE", "2026-06-20", "1.2")


@given(st.lists(st.sampled_from(FRENCH_WORDS), min_size=1, max_size=8), st.sampled_from([" ", " - ", "_", "/"]))
def test_a_french_name_from_canadian_windows_reads_back(words: list[str], between: str) -> None:
    """French words, capitals included, in cp850 (Canada's DOS code page) read back as typed. (Two
    bytes of a cp850 name can form UTF-8 only where a capital such as 'È' touches an accented letter,
    which no French word has.)"""
    name = between.join(w for w in words if all(ch in CP850 for ch in w))
    assume(name)
    assert decode_raw_name(name.encode("cp850"), 0) == name


CP850 = set(bytes(range(256)).decode("cp850"))


@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60), st.integers(0, 0xFFFF))
def test_any_utf8_name_reads_back_with_or_without_the_flag(name: str, flags: int) -> None:
    assert decode_raw_name(name.encode(), flags) == name


@given(st.binary(max_size=80), st.integers(0, 0xFFFF))
def test_any_raw_name_decodes(raw: bytes, flags: int) -> None:
    assert isinstance(decode_raw_name(raw, flags), str)


def test_a_macos_finder_zip_lists_its_accented_names(tmp_path: Path) -> None:
    names = ["Objective 2 – Sécurité/2.1 Procédure.pdf", unicodedata.normalize("NFD", "admin/accusé signé.pdf")]
    result = scan(tmp_path, zc.build([zc.stored(n.encode(), b"x") for n in names]))  # no UTF-8 flag
    assert result.findings == ()
    assert result.all_names == tuple(names)


# --- zip-unsafe-path --------------------------------------------------------------------

UNSAFE = [
    ("../evil.txt", "../evil.txt", "zip slip"),
    ("a/../../evil", "a/../../evil", "zip slip"),
    ("..\\evil.txt", "../evil.txt", "zip slip"),
    ("/etc/x", "/etc/x", "top of the disk"),
    ("C:\\x", "C:/x", "drive letter"),
    ("C:/x", "C:/x", "drive letter"),
    ("c:x", "c:x", "drive letter"),
    ("./A:", "./A:", "drive letter"),
    ("./C:/x", "./C:/x", "drive letter"),
    ("\\\\server\\share\\x", "//server/share/x", "top of the disk"),
    ("a/.. /x", "a/.. /x", "dots and spaces"),
    ("a/.../x", "a/.../x", "dots and spaces"),
    ("evil\x1b[2J.txt", "evil\\x1b[2J.txt", "hidden control"),
    ("invoice\u202efdp.exe", "invoice\\u202efdp.exe", "hidden control"),
    ("nul\x00.pdf", "nul\\x00.pdf", "hidden control"),
    ("", "", "no name"),
]


@pytest.mark.parametrize(("name", "shown", "words"), UNSAFE)
def test_unsafe_paths_are_flagged_and_never_readable(tmp_path: Path, name: str, shown: str, words: str) -> None:
    data = zc.build([zc.stored("good.txt", b"good"), zc.stored(name, b"evil")])
    result = scan(tmp_path, data)
    [finding] = only(result, "zip-unsafe-path")
    assert finding.severity is Severity.ERROR
    assert finding.path == shown
    assert f"'{shown}'" in finding.message
    assert words in finding.message
    assert "packager build" in finding.hint
    assert [e.name for e in result.entries] == ["good.txt"]
    assert result.all_names[1] == shown


def test_unsafe_names_are_escaped_for_the_terminal(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.with_names(["../\x1b]0;pwned\x07\r\n.txt"]))
    [finding] = result.findings
    assert finding.path is not None
    assert not any(ord(c) < 0x20 for c in finding.path + finding.message)
    assert "\\x1b" in finding.path


def test_symlink_entry_is_unsafe(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.symlink_zip())
    [finding] = result.findings
    assert finding.check == "zip-unsafe-path"
    assert finding.path == "link"
    assert "symbolic link" in finding.message
    assert [e.name for e in result.entries] == ["ok.txt"]


def test_unicode_path_extra_cannot_hide_a_traversal(tmp_path: Path) -> None:
    # Info-ZIP unzip uses the extra field's name, Python's zipfile the plain one: check both.
    hidden_plain = zc.stored("../evil.txt", b"x", extra=zc.unicode_path_extra(b"../evil.txt", "nice.txt"))
    hidden_extra = zc.stored("nice2.txt", b"x", extra=zc.unicode_path_extra(b"nice2.txt", "../evil2.txt"))
    result = scan(tmp_path, zc.build([hidden_plain, hidden_extra]))
    findings = only(result, "zip-unsafe-path")
    assert [f.path for f in findings] == ["nice.txt", "../evil2.txt"]
    assert "'../evil.txt'" in findings[0].message
    assert result.entries == ()


def test_overlong_name_is_unsafe(tmp_path: Path) -> None:
    limits = ArchiveRules(max_name_length=50)
    result = scan(tmp_path, zc.with_names(["a" * 51, "b" * 50]), limits)
    [finding] = result.findings
    assert finding.check == "zip-unsafe-path"
    assert "51 characters" in finding.message
    assert [e.name for e in result.entries] == ["b" * 50]


def test_huge_names_keep_memory_and_display_bounded(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.with_names(["x/" * 30_000 + "../evil"]))
    [finding] = result.findings
    assert finding.check == "zip-unsafe-path"
    assert finding.path is not None and len(finding.path) <= 200


# --- zip-bomb ---------------------------------------------------------------------------


def test_declared_3gb_bomb_is_rejected_without_inflating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(zc.declared_bomb(3 * 1024**3))
    inflaters: list[object] = []
    real = reader_module._Inflate

    def recording_inflate() -> object:
        inflaters.append(object())
        return real()

    monkeypatch.setattr(reader_module, "_Inflate", recording_inflate)
    result = scan_archive(path, LIMITS)
    assert inflaters == []  # refused from the central directory: not one byte inflated
    assert result.aborted
    assert result.entries == ()
    assert result.all_names == ("bomb.bin",)
    bombs = only(result, "zip-bomb")
    assert any("3.0 GB" in f.message and "1.0 GB limit for one file" in f.message for f in bombs)
    assert any(f.path is None and "2.0 GB limit for a whole zip" in f.message for f in bombs)
    assert all("zip bomb" in f.message and f.severity is Severity.ERROR for f in bombs)


def test_zip64_declared_bomb(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.declared_bomb(5 * 1024**4))
    assert result.aborted
    assert any("5.0 TB" in f.message for f in only(result, "zip-bomb"))


def test_compression_ratio_bomb(tmp_path: Path) -> None:
    limits = ArchiveRules(max_ratio=100, ratio_min_bytes=1024**2)
    data = zc.build([zc.zeros_entry("zeros.bin", 4 * 1024**2), zc.stored("ok.txt", b"ok")])
    result = scan(tmp_path, data, limits)
    [finding] = result.findings
    assert finding.check == "zip-bomb"
    assert finding.path == "zeros.bin"
    assert "squeezed" in finding.message and "4.0 MB" in finding.message
    assert result.aborted and result.entries == ()


def test_ratio_is_judged_only_above_ratio_min_bytes(tmp_path: Path) -> None:
    limits = ArchiveRules(max_ratio=100, ratio_min_bytes=1024**2)
    result = scan(tmp_path, zc.build([zc.zeros_entry("small.bin", 1024**2)]), limits)
    assert result.findings == ()
    assert spool_all(result, tmp_path, limits) == {"small.bin": bytes(1024**2)}


def test_honest_deflate_of_zeros_passes_the_default_ratio(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.build([zc.zeros_entry("zeros.bin", 8 * 1024**2)]))
    assert result.findings == ()


def test_entries_sharing_one_local_header_are_an_overlap_bomb(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.shared_header_bomb(copies=5))
    bombs = only(result, "zip-bomb")
    assert len(bombs) == 1
    assert "overlap" in bombs[0].message
    assert "3 other entries" in bombs[0].message
    assert result.aborted and result.entries == ()


def test_quoted_overlap_with_genuine_headers_is_caught(tmp_path: Path) -> None:
    # No size limit or header mismatch is broken: only the overlap check can see it.
    result = scan(tmp_path, zc.quoted_overlap_bomb())
    [finding] = result.findings
    assert finding.check == "zip-bomb"
    assert finding.path == "b.txt"
    assert "'a.txt'" in finding.message and "overlap" in finding.message
    assert result.aborted


def test_data_overlapping_the_central_directory_is_a_bomb(tmp_path: Path) -> None:
    lay = zc.Layout()
    data = zc.build([zc.stored("a.txt", b"abc"), zc.stored("b.txt", b"def")], layout=lay)
    cd_size = lay.eocd_offset - lay.cd_offset
    # b.txt now claims its data runs on into the central directory (and stays in the file).
    patched = zc.build(
        [zc.stored("a.txt", b"abc"), zc.stored("b.txt", b"def", compressed_size=3 + cd_size, size=3 + cd_size)]
    )
    assert len(patched) == len(data)
    result = scan(tmp_path, patched)
    bombs = only(result, "zip-bomb")
    assert any("table of contents" in f.message and f.path == "b.txt" for f in bombs)


def test_too_many_entries_stops_early(tmp_path: Path) -> None:
    limits = ArchiveRules(max_entries=5)
    result = scan(tmp_path, zc.many_entries(6), limits)
    [finding] = result.findings
    assert finding.check == "zip-bomb"
    assert "6 entries" in finding.message and "5" in finding.message
    assert result.aborted and result.entries == () and result.all_names == ()
    assert not scan(tmp_path, zc.many_entries(5), limits, name="ok.zip").findings


def test_declared_entry_count_is_enough_to_stop(tmp_path: Path) -> None:
    # The end record claims 65,535 entries; nothing else needs reading to refuse it.
    result = scan(tmp_path, zc.build([zc.stored("a", b"a")], declared_count=65_535), ArchiveRules(max_entries=1000))
    assert result.aborted and "65,535 entries" in result.findings[0].message


# --- zip-encrypted-entry ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (zc.zipcrypto_zip(), "secret.txt", "classic zip password"),
        (zc.aes_zip(), "aes.txt", "AES"),
        (zc.strong_encryption_zip(), "strong.txt", "strong encryption"),
    ],
)
def test_encrypted_entries(tmp_path: Path, data: bytes, name: str, kind: str) -> None:
    result = scan(tmp_path, data)
    [finding] = result.findings
    assert finding.check == "zip-encrypted-entry"
    assert finding.path == name
    assert "password-protected" in finding.message and kind in finding.message
    assert "without a password" in finding.hint
    assert name not in {e.name for e in result.entries}


def test_zipcrypto_helper_is_real_encryption() -> None:
    # The crafted entry really is ZipCrypto: Python's zipfile decrypts it with the password.
    import io

    with zipfile.ZipFile(io.BytesIO(zc.zipcrypto_zip())) as zf:
        assert zf.read("secret.txt", pwd=b"swordfish") == b"password is swordfish\n"


def test_local_header_encryption_flag_must_match(tmp_path: Path) -> None:
    entry = zc.stored("a.txt", b"abc", local_flags=zc.FLAG_ENCRYPTED)
    result = scan(tmp_path, zc.build([entry]))
    assert checks(result) == {"zip-corrupt"}
    assert result.entries == ()


# --- zip-duplicate-entry ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "words"),
    [
        ("Report.pdf", "Report.pdf", "exactly the same name"),
        ("Report.pdf", "report.pdf", "capital letters"),
        ("caf\u00e9.txt", "cafe\u0301.txt", "accented letters"),
        ("A/Caf\u00e9.txt", "a/cafe\u0301.TXT", "capital letters and in how accented"),
        ("docs/a.txt", "docs//./a.txt", "exactly the same name"),
        ("docs\\a.txt", "docs/a.txt", "exactly the same name"),
    ],
)
def test_duplicates_keep_only_the_first(tmp_path: Path, first: str, second: str, words: str) -> None:
    result = scan(tmp_path, zc.build([zc.stored(first, b"1"), zc.stored(second, b"2")]))
    [finding] = result.findings
    assert finding.check == "zip-duplicate-entry"
    assert finding.path == normalise_name(second).display
    assert words in finding.message
    [kept] = result.entries
    assert kept.index == 0
    assert spool_all(result, tmp_path) == {kept.name: b"1"}


def test_duplicate_folders_are_harmless(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.build([zc.directory("d/"), zc.directory("D/"), zc.stored("d/a", b"a")]))
    assert result.findings == ()


def test_collision_key() -> None:
    assert collision_key("Straße/Ä.txt") == collision_key("STRASSE/a\u0308.TXT")
    assert collision_key("a/") == collision_key("A")


# --- zip-corrupt ------------------------------------------------------------------------


def test_cut_off_zip_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    data = zc.zipfile_zip({"a.txt": b"x" * 1000})
    path = tmp_path / "Acme Action Plan.zip"
    path.write_bytes(data[: len(data) - 30])
    with pytest.raises(InputError) as info:
        scan_archive(path, LIMITS)
    text = str(info.value)
    assert "Acme Action Plan.zip" in text
    assert "incomplete" in text
    assert "\n" not in text


def test_bytes_missing_from_the_middle_is_corrupt(tmp_path: Path) -> None:
    lay = zc.Layout()
    data = zc.build([zc.stored("a.txt", b"a" * 100), zc.stored("b.txt", b"b" * 100)], layout=lay)
    cut = data[:50] + data[90:]  # 40 bytes of a.txt's data are gone
    result = scan(tmp_path, cut)
    assert "zip-corrupt" in checks(result)
    assert result.entries == () or all(e.name == "a.txt" for e in result.entries)
    corrupt_paths = {f.path for f in only(result, "zip-corrupt")}
    assert "b.txt" in corrupt_paths
    if result.entries:  # a.txt's header survived, but its data did not
        with EntryReader(result, LIMITS) as reader, pytest.raises(EntryError):
            reader.spool(result.entries[0], tmp_path)


def test_central_directory_cut_short(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.build([zc.stored("a.txt", b"a")], declared_count=3))
    [finding] = only(result, "zip-corrupt")
    assert finding.path is None
    assert "1 of the 3 entries" in finding.message
    assert [e.name for e in result.entries] == ["a.txt"]


def test_bad_crc_is_found_when_read_and_leaves_no_file(tmp_path: Path) -> None:
    lay = zc.Layout()
    data = zc.build([zc.stored("a.txt", b"hello world")], layout=lay)
    result = scan(tmp_path, zc.flip_byte(data, lay.data_offsets[0] + 3))
    assert result.findings == ()  # the scan never reads data
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    with EntryReader(result, LIMITS) as reader:
        with pytest.raises(EntryError) as info:
            reader.spool(result.entries[0], spool_dir)
        with pytest.raises(EntryError):
            reader.read_bytes(result.entries[0], 100)
    assert info.value.finding.check == "zip-corrupt"
    assert info.value.finding.path == "a.txt"
    assert "checksum" in info.value.finding.message
    assert list(spool_dir.iterdir()) == []


def test_more_data_than_declared_is_stopped(tmp_path: Path) -> None:
    content = bytes(5 * 1024**2)
    entry = zc.RawEntry(b"liar.bin", zc.deflate(content), 1000, zlib.crc32(content), zc.DEFLATED)
    result = scan(tmp_path, zc.build([entry]))
    assert result.findings == ()
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    with EntryReader(result, LIMITS) as reader, pytest.raises(EntryError) as info:
        reader.spool(result.entries[0], spool_dir)
    assert info.value.finding.check == "zip-corrupt"
    assert "more data than the zip says" in info.value.finding.message
    assert list(spool_dir.iterdir()) == []


def test_less_data_than_declared(tmp_path: Path) -> None:
    content = b"short"
    entry = zc.RawEntry(b"short.txt", zc.deflate(content), 50, zlib.crc32(content), zc.DEFLATED)
    result = scan(tmp_path, zc.build([entry]))
    with EntryReader(result, LIMITS) as reader, pytest.raises(EntryError) as info:
        reader.read_bytes(result.entries[0], 100)
    assert "shorter than the zip says (5 of 50 bytes)" in info.value.finding.message


def test_damaged_deflate_stream(tmp_path: Path) -> None:
    entry = zc.RawEntry(b"junk.bin", b"\xff" * 64, 100, 0, zc.DEFLATED)
    result = scan(tmp_path, zc.build([entry]))
    with EntryReader(result, LIMITS) as reader, pytest.raises(EntryError) as info:
        reader.read_bytes(result.entries[0], 1000)
    assert info.value.finding.check == "zip-corrupt"


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"local_name": b"other.txt"}, "different name"),
        ({"local_method": zc.DEFLATED}, "described differently"),
        ({"local_crc": 1234}, "different sizes or checksum"),
        ({"local_sizes": (3, 99)}, "different sizes or checksum"),
    ],
)
def test_local_header_must_match_central_directory(tmp_path: Path, override: dict[str, object], words: str) -> None:
    entry = replace(zc.stored("a.txt", b"abc"), **override)  # type: ignore[arg-type]
    result = scan(tmp_path, zc.build([entry, zc.stored("b.txt", b"b")]))
    [finding] = result.findings
    assert finding.check == "zip-corrupt" and finding.path == "a.txt"
    assert words in finding.message
    assert [e.name for e in result.entries] == ["b.txt"]


def test_data_descriptor_entries_skip_the_local_size_check(tmp_path: Path) -> None:
    entry = zc.stored("a.txt", b"abc", flags=zc.FLAG_DESCRIPTOR, local_sizes=(0, 0), local_crc=0)
    result = scan(tmp_path, zc.build([entry]))
    assert result.findings == ()


def test_missing_local_header(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.build([zc.stored("a.txt", b"abc", header_offset=7)]))
    [finding] = result.findings
    assert finding.check == "zip-corrupt"
    assert "cannot be found" in finding.message


def test_data_running_past_end_of_file(tmp_path: Path) -> None:
    entry = zc.stored("a.txt", b"abc", compressed_size=10_000, size=10_000)
    result = scan(tmp_path, zc.build([entry]))
    assert [f.check for f in result.findings] == ["zip-corrupt"]
    assert "past the end" in result.findings[0].message


def test_stored_entry_with_two_sizes(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.build([zc.stored("a.txt", b"abc", size=5)]))
    [finding] = result.findings
    assert finding.check == "zip-corrupt" and "two different sizes" in finding.message


def test_unsupported_method_is_unreadable(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.build([zc.stored("a.txt", b"abc", method=9)]))
    [finding] = result.findings
    assert finding.check == "zip-corrupt"
    assert "Deflate64" in finding.message
    assert result.entries == ()


def test_bad_zip64_extra(tmp_path: Path) -> None:
    data = bytearray(zc.build([zc.stored("a.txt", b"abc")]))
    cd = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 20, 0xFFFFFFFF)  # compressed size says "see zip64", no extra
    result = scan(tmp_path, bytes(data))
    [finding] = result.findings
    assert finding.check == "zip-corrupt" and finding.path == "a.txt"


# --- zip-nested-archive -----------------------------------------------------------------


def test_nested_archive_by_name_is_a_warning_and_still_readable(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.nested_zip())
    [finding] = result.findings
    assert finding.check == "zip-nested-archive"
    assert finding.severity is Severity.WARNING
    assert finding.path == "docs/inner.zip"
    assert "not opened" in finding.message
    contents = spool_all(result, tmp_path)
    assert is_archive_magic(contents["docs/inner.zip"])
    assert not is_archive_magic(contents["readme.txt"])


@pytest.mark.parametrize(
    "name", ["a.zip", "b.7z", "c.RAR", "d.tar.gz", "e.tgz", "f.tar", "g.bz2", "h.xz", "i.zst", "j.cab"]
)
def test_archive_names(name: str) -> None:
    assert is_archive_name(name)
    assert is_archive_name("folder/" + name)


@pytest.mark.parametrize("name", ["report.pdf", "zip", "notes.zip.txt", "a.docx", "photo.jpg", "folder.zip/"])
def test_not_archive_names(name: str) -> None:
    assert not is_archive_name(name)


def test_archive_magic() -> None:
    assert archive_kind(zc.zipfile_zip({"x.txt": b"x"})) == "zip"
    assert archive_kind(b"PK\x05\x06" + bytes(18)) == "zip"
    assert archive_kind(b"7z\xbc\xaf\x27\x1c\x00\x04") == "7z"
    assert archive_kind(b"Rar!\x1a\x07\x01\x00") == "rar"
    assert archive_kind(b"\x1f\x8b\x08\x00") == "gzip"
    import bz2
    import gzip
    import lzma

    assert archive_kind(bz2.compress(b"hello")) == "bzip2"
    assert archive_kind(lzma.compress(b"hello")) == "xz"
    assert archive_kind(gzip.compress(b"hello")) == "gzip"
    assert archive_kind(bytes(257) + b"ustar\x0000") == "tar"
    for plain in (b"%PDF-1.7", b"BZh is not bzip2", b"", b"PK", b"\x89PNG\r\n"):
        assert not is_archive_magic(plain)
    # Office documents are zips by design, not archives to warn about.
    docx = zc.zipfile_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    odt = zc.zipfile_zip({"mimetype": b"application/vnd.oasis.opendocument.text"}, zipfile.ZIP_STORED)
    assert not is_archive_magic(docx[:512])
    assert not is_archive_magic(odt[:512])


def test_nested_archive_finding_by_content() -> None:
    finding = nested_archive_finding("photo.jpg", by_content=True)
    assert finding.check == "zip-nested-archive" and finding.severity is Severity.WARNING
    assert "'photo.jpg'" in finding.message and "really an archive" in finding.message


# --- unusable input ---------------------------------------------------------------------


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        scan_archive(tmp_path / "nowhere.zip", LIMITS)
    assert "nowhere.zip" in str(info.value) and "no such file" in str(info.value)


@pytest.mark.parametrize(
    "content", [b"", b"hello, this is plain text\n" * 10, b"%PDF-1.7\n" + bytes(5000), b"PK\x03\x04" + bytes(40)]
)
def test_not_a_zip_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "Plan.zip"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        scan_archive(path, LIMITS)
    assert "Plan.zip" in str(info.value)
    assert "not a zip" in str(info.value) or "too small" in str(info.value)


def test_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        scan_archive(tmp_path, LIMITS)


def test_multi_disk_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="split into several files"):
        scan(tmp_path, zc.build([zc.stored("a", b"a")], disk=1))


def test_lost_central_directory_is_an_input_error(tmp_path: Path) -> None:
    data = bytearray(zc.build([zc.stored("a", b"a")]))
    cd = data.rindex(b"PK\x01\x02")
    data[cd : cd + 4] = b"XXXX"
    with pytest.raises(InputError, match="table of contents"):
        scan(tmp_path, bytes(data))


# --- the reader's own guarantees --------------------------------------------------------


def test_spooling_never_writes_outside_the_given_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    data = zc.build(
        [
            zc.stored("../../escape.txt", b"1"),
            zc.stored("/tmp/abs.txt", b"2"),
            zc.stored("ok/../../../x.txt", b"3"),
            zc.stored("link", b"../..", external_attr=zc.MODE_LINK),
            zc.stored("safe/inner.txt", b"4"),
            zc.stored("manifest.json", b"{}"),
        ]
    )
    archive = tmp_path / "in" / "a.zip"
    archive.parent.mkdir()
    archive.write_bytes(data)
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = scan_archive(archive, LIMITS)
    paths = []
    with EntryReader(result, LIMITS) as reader:
        for entry in result.entries:
            path, _ = reader.spool(entry, spool_dir)
            paths.append(path)
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert sorted(set(after) - set(before)) == sorted(p.relative_to(tmp_path) for p in paths)
    assert all(p.parent == spool_dir for p in paths)
    assert all(p.name.startswith(f"entry-{e.index:05d}") for p, e in zip(paths, result.entries, strict=True))
    assert list(work.iterdir()) == []
    assert sorted(e.name for e in result.entries) == ["manifest.json", "safe/inner.txt"]


def test_spool_directory_is_private_and_removed() -> None:
    with spool_directory() as folder:
        assert folder.is_dir()
        assert folder.stat().st_mode & 0o777 == 0o700
        (folder / "x").write_bytes(b"x")
    assert not folder.exists()


def test_reader_refuses_entries_the_scan_did_not_clear(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.with_names(["../evil.txt", "ok.txt"]))
    forged = ArchiveEntry("../evil.txt", 6, 6, 0, 0, False, 0)
    with EntryReader(result, LIMITS) as reader, pytest.raises(ValueError, match="not one of the entries"):
        reader.spool(forged, tmp_path)


def test_reader_refuses_a_file_changed_after_the_scan(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(zc.build([zc.stored("a.txt", b"abc")]))
    result = scan_archive(path, LIMITS)
    path.write_bytes(zc.build([zc.stored("a.txt", b"abc"), zc.stored("b", b"")]))
    with pytest.raises(InputError, match="changed"):
        EntryReader(result, LIMITS)


def test_read_bytes_refuses_oversized_entries_before_reading(tmp_path: Path) -> None:
    result = scan(tmp_path, zc.build([zc.stored("manifest.json", b"x" * 5000)]))
    with EntryReader(result, LIMITS) as reader, pytest.raises(EntryError) as info:
        reader.read_bytes(result.entries[0], 1000)
    assert info.value.finding.check == "zip-bomb"
    assert "4.9 KB" in info.value.finding.message and "1,000 bytes" in info.value.finding.message


def test_many_findings_are_summed_up(tmp_path: Path) -> None:
    data = zc.build([zc.stored(f"../e{i}.txt", b"x") for i in range(70)])
    result = scan(tmp_path, data)
    unsafe = only(result, "zip-unsafe-path")
    assert len(unsafe) == 51
    assert "20 more entries" in unsafe[-1].message


def test_spool_memory_stays_flat(tmp_path: Path) -> None:
    # 128 MiB of zeros in a 128 KB zip, spooled in a fresh interpreter: peak RSS stays far
    # below the entry's size (a 1 GiB entry measured the same ~25 MiB).
    size = 128 * 1024**2
    archive = tmp_path / "zeros.zip"
    archive.write_bytes(zc.build([zc.zeros_entry("zeros.bin", size)]))
    script = textwrap.dedent(
        f"""
        import resource, sys
        from pathlib import Path
        from packager.archive import EntryReader, scan_archive
        from packager.rules import ArchiveRules
        limits = ArchiveRules(max_ratio=10**6)
        scan = scan_archive(Path({str(archive)!r}), limits)
        with EntryReader(scan, limits) as reader:
            path, digest = reader.spool(scan.entries[0], Path({str(tmp_path)!r}))
        assert path.stat().st_size == {size}
        # VmHWM belongs to this process image; ru_maxrss would carry the forking parent's peak.
        hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")]
        print(hwm[0].split()[1] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    peak_mib = int(out.stdout.strip()) / 1024  # KiB on Linux
    assert peak_mib < 100, f"peak RSS {peak_mib:.0f} MiB"


# --- properties -------------------------------------------------------------------------

_PIECES = st.sampled_from(["..", ".", "/", "\\", "C:", "c:", "a", "é", "e\u0301", "\x00", " ", "...", ".. ", "\u202e", "~"])
NAMES = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=12).map("".join))


@given(NAMES)
@settings(max_examples=500)
def test_normalised_safe_names_never_escape(name: str) -> None:
    result = normalise_name(name)
    if result.problem is None:
        shown = result.display
        assert not shown.startswith("/")
        assert ".." not in shown.rstrip("/").split("/")
        assert not (len(shown) >= 2 and shown[1] == ":" and shown[0].isascii() and shown[0].isalpha())
        assert "\\" not in shown
        assert "\x00" not in shown
        assert escape_for_display(shown, limit=10**9) == shown


@given(NAMES)
def test_display_has_no_control_characters(name: str) -> None:
    shown = normalise_name(name).display
    assert all(ord(c) >= 0x20 and c != "\x7f" for c in shown)


def _mutations() -> st.SearchStrategy[list[tuple[int, int]]]:
    return st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6)


BASE_ZIP = zc.build(
    [
        zc.deflated("a.txt", b"hello world " * 50),
        zc.stored("dir/b.bin", bytes(range(256))),
        zc.stored("c.txt", b"c", zip64=True),
    ],
    zip64_end=True,
)


@given(_mutations(), st.one_of(st.none(), st.integers(0, len(BASE_ZIP))))
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_damaged_zips_never_crash(tmp_path: Path, mutations: list[tuple[int, int]], cut: int | None) -> None:
    data = bytearray(BASE_ZIP)
    for pos, value in mutations:
        data[pos % len(data)] = value
    path = tmp_path / "fuzz.zip"
    path.write_bytes(bytes(data[:cut]))
    try:
        result = scan_archive(path, LIMITS)
    except InputError:
        return
    spool_dir = tmp_path / "fuzz-spool"
    spool_dir.mkdir(exist_ok=True)
    with EntryReader(result, LIMITS) as reader:
        for entry in result.entries:
            try:
                reader.spool(entry, spool_dir)
            except EntryError as exc:
                assert exc.finding.check in {"zip-corrupt", "zip-bomb"}
    assert {p.parent for p in spool_dir.iterdir()} <= {spool_dir}


def test_hidden_character_pattern_matches_the_per_character_rule() -> None:
    """The one-regex test of a name flags exactly the characters ``is_hidden_char`` does."""
    differ = [c for c in range(0x110000) if has_hidden_char(chr(c)) != is_hidden_char(chr(c))]
    assert differ == []
    assert has_hidden_char("Objective 1/1.1 - Record\u202egpj.pdf")
    assert not has_hidden_char("Objective 1/1.1 - Émilie Côté.pdf")


def test_spooling_an_entry_twice_never_overwrites_or_follows_a_link(tmp_path: Path) -> None:
    """The spool file is created new: a file or link already at its name is left alone."""
    archive = tmp_path / "a.zip"
    archive.write_bytes(zc.build([zc.stored("one.txt", b"fresh")]))
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    result = scan_archive(archive, LIMITS)
    entry = result.entries[0]
    (spool_dir / f"entry-{entry.index:05d}.bin").symlink_to(outside)
    with EntryReader(result, LIMITS) as reader:
        first, _ = reader.spool(entry, spool_dir)
        second, _ = reader.spool(entry, spool_dir)
    assert outside.read_bytes() == b"keep"
    assert first != second and first.read_bytes() == second.read_bytes() == b"fresh"
    assert first.parent == second.parent == spool_dir


@pytest.mark.parametrize("size", [0, 5, 511, 512, 513, CHUNK + 7])
def test_spool_with_head_gives_the_first_bytes_without_a_second_read(tmp_path: Path, size: int) -> None:
    data = bytes((i * 7 + 3) % 251 for i in range(size))
    archive = tmp_path / "a.zip"
    archive.write_bytes(zc.build([zc.stored("s.bin", data), zc.deflated("d.bin", data)]))
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    result = scan_archive(archive, LIMITS)
    with EntryReader(result, LIMITS) as reader:
        for entry in result.entries:
            target, sha, head = reader.spool_with_head(entry, spool_dir, 512)
            assert head == data[:512] == target.read_bytes()[:512]
            assert reader.spool(entry, spool_dir)[1] == sha
