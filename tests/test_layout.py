"""Built names keep their meaning: the whole path budgeted against Windows' limit, the top folder and
objective folders shortened first, descriptions cut at words and never collapsed together."""

from __future__ import annotations

import pytest

from packager.layout import Wanted, cut_words, path_budget, plan_layout
from packager.model import Stage
from tests.plans import plan_from, valid_plan

BUDGET = path_budget(260, 70)


def layout_for(company: str, titles: list[str], wanted: list[Wanted], budget: int = BUDGET):  # type: ignore[no-untyped-def]
    data = valid_plan()
    data["company"] = company
    for objective, title in zip(data["objectives"], titles, strict=False):
        objective["title"] = title
    return plan_from(data), plan_layout(plan_from(data), Stage.FINAL, wanted, budget=budget, max_title_length=32)


def test_budget_is_windows_limit_less_a_typical_extraction_prefix() -> None:
    assert BUDGET == 189


def test_short_company_keeps_every_name_whole() -> None:
    wanted = [Wanted(1, "1.2", "Emergency response plan rev 3", "2026-06-20", "pdf")]
    _plan, layout = layout_for("Northwind Paving Ltd.", ["Strengthen emergency response readiness"], wanted)
    assert layout.top == "Northwind Paving Ltd - COR Action Plan 2026 - Final Submission"
    assert layout.path(0, 1).endswith("/Objective 1 - Strengthen emergency response/"
                                      "1.2 - Emergency response plan rev 3 - 2026-06-20.pdf")


def test_top_folder_then_objective_folders_shrink_before_descriptions() -> None:
    long_description = "Monthly hand tool inspection log for the Calgary north yard and the Red Deer shop"
    wanted = [Wanted(2, "2.1", long_description, "2026-07-31", "pdf")]
    company = "Northwind Paving and Aggregates Incorporated of Central Alberta"
    _plan, layout = layout_for(company, ["x", "Reduce hand injuries by 50% through monthly tool inspections"], wanted)
    path = layout.path(0, 2)
    assert len(path) <= BUDGET
    assert layout.top == "Northwind Paving - COR 2026 Final"  # shortened first, at a word, no dangling "and"
    assert long_description in path  # the description keeps its meaning
    assert "/Objective 2 - Reduce hand injuries by 50%/" in path


def test_descriptions_cut_at_words_when_nothing_else_can_give(  # a tiny budget forces cutting
) -> None:
    wanted = [Wanted(1, "1.1", "Drill report for the Calgary north yard evacuation", "2026-05-14", "pdf")]
    _plan, layout = layout_for("Northwind", ["Strengthen emergency response"], wanted, budget=80)
    path = layout.path(0, 1)
    assert len(path) <= 80
    name = path.rsplit("/", 1)[1]
    description = name.removeprefix("1.1 - ").removesuffix(" - 2026-05-14.pdf")
    assert "Drill report for the Calgary north yard evacuation".startswith(description)
    assert not description.endswith((" the", " for"))
    full = "Drill report for the Calgary north yard evacuation"
    assert (full + " ").startswith(description + " ")  # whole words only


def test_two_different_files_never_share_a_description() -> None:
    wanted = [Wanted(3, "3.2", "Toolbox talk attendance sheet Site A", "2026-10-05", "pdf"),
              Wanted(3, "3.2", "Toolbox talk attendance sheet Site B", "2026-10-05", "pdf"),
              Wanted(3, "3.2", "Photo", None, "jpg"), Wanted(3, "3.2", "Photo", None, "jpg")]
    _plan, layout = layout_for("Northwind", ["a", "b", "Hold 8 monthly toolbox talks"], wanted, budget=95)
    names = [layout.names[i] for i in range(4)]
    assert len({n.casefold() for n in names}) == 4
    assert "Site A" in names[0] and "Site B" in names[1]
    assert names[2:] == ["3.2 - Photo.jpg", "3.2 - Photo (2).jpg"]
    assert all(len(layout.path(i, 3)) <= 95 for i in range(4))


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("Strengthen emergency response readiness at all sites", 32, "Strengthen emergency response"),
     ("Train supervisors by October", 22, "Train supervisors"),
     ("Supercalifragilistic", 8, "Supercal"),
     ("Short", 40, "Short")],
)
def test_cut_words(text: str, limit: int, expected: str) -> None:
    assert cut_words(text, limit) == expected


def test_index_wraps_check_ids_and_paths_only_at_sensible_points() -> None:
    from packager.documents.render import FILTERS

    breakable = FILTERS["breakable"]
    assert str(breakable("deliverable-unmapped")) == "deliverable-<wbr>unmapped"
    assert str(breakable("Objective 3/a_b <x>.pdf")) == "Objective 3/<wbr>a_<wbr>b &lt;x&gt;.pdf"
