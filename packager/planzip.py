"""The plan inside a zip: the spring proposal package the company sent, given as the approved plan.

A reviewer keeps what the company sent in spring: the zip `packager build --stage proposal` made, whose
manifest carries the plan. ``--plan proposal.zip`` (and ``packager plan convert proposal.zip plan.yaml``)
read that plan, or, in a zip made by hand, its action-plan.yaml or action-plan.xlsx. The zip is read as a
received zip is: its table of contents judged first, every entry through the bounded reader.
"""

from __future__ import annotations

from pathlib import Path

from packager.archive import EntryError, EntryReader, scan_archive
from packager.audit import (
    MAX_MANIFEST_BYTES,
    UNTRUSTED_DATA_ERRORS,
    load_manifest,
    plan_in_entry,
    untrusted_data_problem,
)
from packager.classify import find_root, manifest_path, plan_path
from packager.errors import InputError
from packager.naming import NamingConvention
from packager.plan import Plan, plan_from_data
from packager.rules import Rules

ZIP_MAGIC = b"PK\x03\x04"


def load_plan_zip(path: Path, rules: Rules) -> Plan:
    """The plan of a zip: its packager manifest's plan, else its plan file; InputError (exit 2) naming the zip
    when it holds neither or cannot be read safely."""
    scan = scan_archive(path, rules.archive)
    if scan.aborted:
        reasons = "; ".join(f.message for f in scan.findings[:3])
        raise InputError(f"the zip is not safe to read ({reasons})", file=path, field="--plan",
                         hint="Ask the company for its plan as action-plan.yaml or action-plan.xlsx")
    naming = NamingConvention(rules.naming)
    names = {e.name: e for e in scan.entries if not e.is_dir}
    root = find_root(scan.all_names, naming)
    manifest_name = manifest_path(names, root, naming)
    plan_name = plan_path(names, root, {e.name: e.modified for e in scan.entries})
    try:
        with EntryReader(scan, rules.archive) as reader:
            if manifest_name is not None:
                manifest = load_manifest(reader.read_bytes(names[manifest_name], MAX_MANIFEST_BYTES))
                if manifest is not None and isinstance(manifest.get("plan"), dict):
                    return plan_from_data(manifest["plan"], f"{path} ({manifest_name}, plan)", rules)
            if plan_name is not None:
                return plan_in_entry(reader, names[plan_name], rules)
    except EntryError as exc:
        raise InputError(exc.finding.message, file=path, field="--plan") from None
    except UnicodeDecodeError:
        raise InputError(f"'{plan_name}' in the zip is not UTF-8 text", file=path, field="--plan") from None
    except UNTRUSTED_DATA_ERRORS as exc:  # a hostile manifest: nested too deep, numbers out of range
        raise InputError(f"the plan in the zip cannot be used: {untrusted_data_problem(exc)}", file=path,
                         field="--plan") from None
    raise InputError(
        "this zip holds no plan: neither a packager manifest with the plan nor an action-plan.yaml or "
        "action-plan.xlsx at its top", file=path, field="--plan",
        hint="Give the approved plan as action-plan.yaml or action-plan.xlsx, or the proposal zip 'packager build "
        "--stage proposal' made",
    )
