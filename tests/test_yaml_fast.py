"""The fast (LibYAML) reading of a plan or a rules profile gives exactly what the pure-Python reading
gives, line numbers included; what it refuses is refused with the pure-Python reading's message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from packager import yamlio
from packager.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [*sorted((ROOT / "rules").glob("*.yaml")), ROOT / "fixtures" / "sample" / "action-plan.yaml"]

pytestmark = pytest.mark.skipif(yamlio._FastLoader is None, reason="PyYAML without LibYAML here")


def _shape(value: Any) -> Any:
    """The value with the lines the loader attached to every block and list."""
    if isinstance(value, yamlio.LocatedDict):
        return ("dict", value.line, value.key_lines, {k: _shape(v) for k, v in value.items()})
    if isinstance(value, yamlio.LocatedList):
        return ("list", value.line, value.item_lines, [_shape(v) for v in value])
    return (type(value).__name__, value)


def _pure(text: str) -> Any:
    return yaml.load(text, Loader=yamlio._Loader)


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_fast_reading_is_the_pure_reading(path: Path) -> None:
    text = path.read_text("utf-8")
    fast = yaml.load(text, Loader=yamlio._FastLoader)
    assert _shape(fast) == _shape(_pure(text))
    assert _shape(yamlio.load_yaml_text(text, path.name)) == _shape(_pure(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("program: COR\ncompany: [unclosed\n", "expected ',' or ']', but got '<stream end>'"),
        ("a: 1\na: 2\n", "the key 'a' appears twice"),
        ("year: 2026-02-30\n", None),  # an impossible date is kept as text, not refused
        ("a:" + " [" * 1200 + "\n", "nested too deeply"),
    ],
    ids=["unclosed", "twice", "bad-date", "deep"],
)
def test_what_the_fast_reading_refuses_has_the_pure_message(text: str, message: str | None) -> None:
    if message is None:
        assert yamlio.load_yaml_text(text, "plan.yaml") == {"year": "2026-02-30"}
        return
    with pytest.raises(InputError) as info:
        yamlio.load_yaml_text(text, "plan.yaml")
    assert message in str(info.value)


@settings(max_examples=150, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=20) | st.dates().map(str),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
))
def test_any_document_reads_the_same_both_ways(value: Any) -> None:
    text = yaml.safe_dump({"doc": value}, allow_unicode=True)
    assert _shape(yaml.load(text, Loader=yamlio._FastLoader)) == _shape(_pure(text))
