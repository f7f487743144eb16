"""The archive reader against real-world zips collected in ../shared/corpus/zip/.

Every file is scanned and every entry the scan clears is spooled into a temporary folder.
Nothing may crash (InputError is the accepted answer for a file that is no zip at all),
and each file must get exactly the check ids listed below: the hostile ones must be
caught, the harmless ones must stay quiet. Where SOURCES.md and the bytes disagree, the
bytes win (see the notes).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from packager.archive import EntryError, EntryReader, scan_archive
from packager.errors import InputError
from packager.rules import ArchiveRules, load_rules
from tests.shared_corpus import corpus_root

CORPUS = corpus_root() / "zip"
FILES = sorted(CORPUS.glob("*.zip")) if CORPUS.is_dir() else []
NOT_A_ZIP = "InputError"

EXPECTED: dict[str, set[str]] = {
    "libarchive__compat_zip_8.zip": set(),  # "arc\test" is just arc/test
    "libarchive__zip_encryption_header.zip": {"zip-encrypted-entry"},  # the CD itself
    "libarchive__zip_encryption_partially.zip": {"zip-encrypted-entry"},
    "libarchive__zip_filename_cp866.zip": set(),
    "libarchive__zip_filename_cp932.zip": set(),
    "libarchive__zip_filename_koi8r.zip": set(),
    "libarchive__zip_high_compression.zip": set(),  # 416:1 is within deflate's reach
    "libarchive__zip_mac_metadata.zip": set(),
    "libarchive__zip_malformed1.zip": {NOT_A_ZIP},
    "libarchive__zip_nested.zip": {"zip-nested-archive"},
    "libarchive__zip_sfx.zip": set(),
    "libarchive__zip_size_exceeds_declared_deflate.zip": {"zip-corrupt"},  # found when read
    "libarchive__zip_symlink.zip": {"zip-unsafe-path"},
    "libarchive__zip_traditional_encryption_data.zip": {"zip-encrypted-entry"},
    # Its zip64 size really declares 4 GiB for a 5-byte stored entry.
    "libarchive__zip_uncompressed_size_off_by_4gib.zip": {"zip-bomb", "zip-corrupt"},
    "libarchive__zip_winzip_aes256.zip": {"zip-encrypted-entry"},
    "libarchive__zip_with_invalid_traditional_eocd.zip": set(),  # read via the zip64 record
    "libarchive__zip_zip64a.zip": set(),
    "snyk__zip-slip-win.zip": {"zip-unsafe-path"},
    "snyk__zip-slip.zip": {"zip-unsafe-path"},
    # yauzl's failure cases patch only the central directory name, so the local header
    # (still "a.txt") disagrees with it as well.
    "yauzl__absolute_path_C_xt.zip": {"zip-unsafe-path", "zip-corrupt"},
    "yauzl__absolute_path_atxt.zip": {"zip-unsafe-path", "zip-corrupt"},
    "yauzl__eocd_not_found_truncated.zip": {NOT_A_ZIP},
    # 2 GiB declared in a 308-byte file: over the size limits and past the end of file.
    "yauzl__file_data_overflows_bounds.zip": {"zip-bomb", "zip-corrupt"},
    "yauzl__invalid_characters_in_fileName_a_txt.zip": {"zip-corrupt"},
    "yauzl__invalid_relative_path_xt.zip": {"zip-unsafe-path", "zip-corrupt"},
    "yauzl__multi_disk.zip": {NOT_A_ZIP},
    "yauzl__stored_size_mismatch_2147483647.zip": {"zip-corrupt"},
    "yauzl__strong_encryption.zip": {"zip-encrypted-entry"},
    "yauzl__traditional-encryption.zip": {"zip-encrypted-entry"},
    "yauzl__unicode-path-extra-field.zip": set(),
    "yauzl__wrong-entry-sizes.zip": {"zip-corrupt"},
    "yauzl__zip64.zip": set(),
    "zip2__aes_archive.zip": {"zip-encrypted-entry"},
    "zip2__chinese.zip": set(),
    "zip2__comment_garbage.zip": set(),  # an empty archive with a sloppy comment length
    "zip2__invalid_offset.zip": {NOT_A_ZIP},  # both the CD offset and size are wrong
    "zip2__non_utf8.zip": set(),
    "zip2__symlink.zip": {"zip-unsafe-path"},
    "zip2__zip64_demo.zip": set(),  # leading junk before the first header
    # Nine deflated .zip entries at an ordinary 8.7:1; the recursion is never opened.
    "zipbomb__Challenge9.zip": {"zip-nested-archive"},
    "zipbomb__zbsm.zip": {"zip-bomb"},
}

# Names the scan must report, where the file makes them certain.
EXPECTED_NAMES: dict[str, tuple[str, ...]] = {
    "yauzl__unicode-path-extra-field.zip": ("七个房间.txt",),
    "zip2__chinese.zip": ("七个房间.txt",),
    "libarchive__compat_zip_8.zip": ("arc/test",),
    "zip2__comment_garbage.zip": (),
}

pytestmark = pytest.mark.skipif(not FILES, reason=f"no zip corpus at {CORPUS}")


def _listing(folder: Path) -> list[tuple[str, int, int]]:
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    )


def _outcome(path: Path, spool_dir: Path, limits: ArchiveRules) -> tuple[set[str], list[str]]:
    """Check ids from the scan plus those raised while spooling every cleared entry."""
    try:
        scan = scan_archive(path, limits)
    except InputError as exc:
        assert path.name in str(exc)
        return {NOT_A_ZIP}, []
    found = {f.check for f in scan.findings}
    if scan.aborted:
        assert scan.entries == ()
    with EntryReader(scan, limits) as reader:
        for entry in scan.entries:
            try:
                spooled, digest = reader.spool(entry, spool_dir)
            except EntryError as exc:
                found.add(exc.finding.check)
                continue
            assert spooled.parent == spool_dir
            assert len(digest) == 64
    messages = [f.message for f in scan.findings]
    return found, messages


@pytest.fixture(scope="module")
def limits() -> ArchiveRules:
    return load_rules().archive


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_zip(path: Path, tmp_path: Path, limits: ArchiveRules) -> None:
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    corpus_before = _listing(CORPUS)
    cwd_before = sorted(os.listdir("."))
    found, messages = _outcome(path, spool_dir, limits)
    assert _listing(CORPUS) == corpus_before
    assert sorted(os.listdir(".")) == cwd_before
    assert all(p.parent == spool_dir for p in tmp_path.rglob("*") if p != spool_dir)
    if path.name in EXPECTED:
        assert found == EXPECTED[path.name]
    if path.name in EXPECTED_NAMES:
        assert scan_archive(path, limits).all_names == EXPECTED_NAMES[path.name]
    if path.name == "zipbomb__zbsm.zip":
        assert any("overlap" in m for m in messages), "the overlap itself must be named"


def test_every_corpus_zip_has_an_expectation() -> None:
    missing = sorted({p.name for p in FILES} - set(EXPECTED))
    assert not missing, f"add the expected check ids for {missing}"
