"""`cyclemap gaps`: the gap rules of issue 4, their ranking, filters, outputs and exit codes."""

from __future__ import annotations

import csv
import doctest
import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import cyclemap.gaps
import cyclemap.report.gaps
from cyclemap.cli import GapFormat, main
from cyclemap.exit_codes import EXIT_INVALID
from cyclemap.gaps import KINDS, Gap, GapFilter, Severity, filter_gaps, find_gaps, opportunity_score, severity_by_id
from cyclemap.loader import load_map
from cyclemap.model import PHASE_KEYS, CycleMap
from cyclemap.report.gaps import REPORTERS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
JSON_ENTRY_KEYS = [
    "rank", "id", "phase", "phase_label", "path", "kinds", "score", "band", "importance", "satisfaction", "reason"
]


# -- helpers ------------------------------------------------------------------------


def act(name: str, *subcycle: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An activity as YAML data; `subcycle` activities nest below it."""
    activity: dict[str, Any] = {"name": name, **fields}
    if subcycle:
        activity["subcycle"] = list(subcycle)
    return activity


def served(name: str, **fields: Any) -> dict[str, Any]:
    """An activity with an offering and nothing else: no gap of its own."""
    return act(name, offerings=["Our service"], **fields)


def write_map(tmp_path: Path, phases: dict[str, list[dict[str, Any]]], **fields: Any) -> Path:
    """A map file; phases not given hold one served activity, so they add no gap."""
    data = {
        "cyclemap": 1,
        "title": "Test map",
        "customer": "Testers",
        "outcome": "Tested",
        **fields,
        "phases": {key: {"activities": phases.get(key, [served(f"Filler {key}")])} for key in PHASE_KEYS},
    }
    path = tmp_path / "map.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def load(tmp_path: Path, phases: dict[str, list[dict[str, Any]]], **fields: Any) -> CycleMap:
    return load_map(str(write_map(tmp_path, phases, **fields)))


def gaps_by_id(
    tmp_path: Path, pre: list[dict[str, Any]], threshold: float | None = None, **fields: Any
) -> dict[str, Gap]:
    """The gaps of a map whose pre phase is `pre`, by activity id."""
    return {gap.id: gap for gap in find_gaps(load(tmp_path, {"pre": pre}, **fields), threshold) if gap.id}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line in-process: exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def gaps_json(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> dict[str, Any]:
    code, out, _ = run(capsys, "gaps", str(path), "--format", "json", *args)
    assert code == 0
    document: dict[str, Any] = json.loads(out)
    return document


# -- scoring ----------------------------------------------------------------------


def test_score_follows_the_opportunity_formula() -> None:
    """score = importance + max(importance - satisfaction, 0), on the 0..10 scale."""
    assert opportunity_score(8, 2, 10) == 14.0
    assert opportunity_score(2, 8, 10) == 2.0
    assert opportunity_score(10, 0, 10) == 20.0


def test_score_is_null_unless_both_scores_are_given(tmp_path: Path) -> None:
    """Without importance or satisfaction there is no score, no band and no underserved kind."""
    gaps = gaps_by_id(tmp_path, [act("Only importance", importance=9), act("Only satisfaction", satisfaction=1)])
    assert all(gap.score is None and gap.band is None for gap in gaps.values())
    assert all("underserved" not in gap.kinds for gap in gaps.values())


@given(st.integers(1, 100).flatmap(lambda top: st.tuples(st.just(top), st.integers(0, top), st.integers(0, top))))
def test_score_stays_between_0_and_20_on_any_scale(case: tuple[int, int, int]) -> None:
    """Any scores within the scale give an opportunity score from 0 to 20."""
    top, importance, satisfaction = case
    score = opportunity_score(importance, satisfaction, top)
    assert score is not None
    assert 0 <= score <= 20


def test_scale_max_other_than_10_is_normalised(tmp_path: Path) -> None:
    """On a 0-5 scale, 4 important and 1 satisfied scores 8 + 6 = 14, and the reason says x/5."""
    gaps = gaps_by_id(tmp_path, [served("Plan", importance=4, satisfaction=1)], scale={"min": 0, "max": 5})
    assert gaps["plan"].score == 14.0
    assert gaps["plan"].band == "high"
    assert gaps["plan"].reason.startswith("customer rates this 4/5 important but only 1/5 satisfied")


def test_float_noise_does_not_decide_a_threshold(tmp_path: Path) -> None:
    """0.57 on a 0-1 scale scores exactly 11.4 (not 11.399999999999999), so threshold 11.4 is reached."""
    gaps = gaps_by_id(
        tmp_path,
        [served("Plan", importance=0.57, satisfaction=0)],
        scale={"min": 0, "max": 1},
        gaps={"threshold": 11.4},
    )
    assert gaps["plan"].score == 11.4
    assert "underserved" in gaps["plan"].kinds


# -- rule 1: underserved ------------------------------------------------------------


def test_underserved_when_score_reaches_threshold(tmp_path: Path) -> None:
    """A score equal to the threshold is underserved; just below is not."""
    pre = [served("At", importance=6, satisfaction=2), served("Below", importance=6, satisfaction=3)]
    gaps = gaps_by_id(tmp_path, pre)
    assert gaps["at"].score == 10.0
    assert gaps["at"].kinds == ("underserved", "unevidenced")
    assert "below" in gaps  # unevidenced only
    assert gaps["below"].kinds == ("unevidenced",)


@pytest.mark.parametrize(
    ("importance", "satisfaction", "band"),
    [(10, 5, "extreme"), (9, 6, "high"), (8, 4, "high"), (8, 5, "moderate"), (6, 2, "moderate")],
)
def test_band_follows_the_score(tmp_path: Path, importance: int, satisfaction: int, band: str) -> None:
    """Underserved scores >= 15 are extreme, >= 12 high, else moderate."""
    gaps = gaps_by_id(tmp_path, [served("Plan", importance=importance, satisfaction=satisfaction)])
    assert gaps["plan"].band == band
    assert gaps["plan"].severity == Severity(band)


def test_band_is_null_when_not_underserved(tmp_path: Path) -> None:
    """A scored entry below the threshold has a score but no band."""
    gap = gaps_by_id(tmp_path, [served("Plan", importance=5, satisfaction=5)])["plan"]
    assert gap.score == 5.0
    assert gap.band is None


def test_threshold_comes_from_the_map(tmp_path: Path) -> None:
    """The map's gaps.threshold decides who is underserved."""
    pre = [served("Plan", importance=7, satisfaction=5)]  # score 9
    assert "underserved" not in gaps_by_id(tmp_path, pre)["plan"].kinds
    assert "underserved" in gaps_by_id(tmp_path, pre, gaps={"threshold": 9})["plan"].kinds


def test_threshold_argument_overrides_the_map(tmp_path: Path) -> None:
    """find_gaps(threshold=...) (the --threshold option) wins over gaps.threshold."""
    pre = [served("Plan", importance=7, satisfaction=5)]  # score 9
    assert "underserved" in gaps_by_id(tmp_path, pre, threshold=9)["plan"].kinds
    assert "underserved" not in gaps_by_id(tmp_path, pre, threshold=9.5, gaps={"threshold": 5})["plan"].kinds


def test_high_importance_alone_can_reach_the_threshold(tmp_path: Path) -> None:
    """10 important and 10 satisfied scores 10: underserved at the default threshold, and the reason says why."""
    gap = gaps_by_id(tmp_path, [served("Plan", importance=10, satisfaction=10)])["plan"]
    assert gap.kinds[0] == "underserved"
    assert "importance alone reaches the threshold of 10" in gap.reason


# -- rule 2: unserved ---------------------------------------------------------------


def test_unserved_is_reported_only_on_the_topmost_activity(tmp_path: Path) -> None:
    """A whole subtree without offerings is one unserved gap, on its root."""
    pre = [act("Keep it working", act("Spot a fault", act("Read the app")), act("Claim warranty"))]
    gaps = gaps_by_id(tmp_path, pre)
    assert list(gaps) == ["keep-it-working"]
    assert gaps["keep-it-working"].kinds == ("unserved",)
    assert gaps["keep-it-working"].reason == "no offering of ours covers it or any step within it"


def test_activity_served_via_an_ancestor_is_not_unserved(tmp_path: Path) -> None:
    """An offering on the parent covers the children below it."""
    assert gaps_by_id(tmp_path, [served("Buy", subcycle=[act("Pay", subcycle=[act("Get receipt")])])]) == {}


def test_activity_served_via_a_descendant_is_not_unserved(tmp_path: Path) -> None:
    """An offering deep below covers every activity above it."""
    assert gaps_by_id(tmp_path, [act("Buy", act("Pay", served("Get receipt")))]) == {}


def test_unserved_child_of_a_parent_served_through_a_sibling(tmp_path: Path) -> None:
    """The parent is served through one child; the other child's stretch is unserved on that child."""
    gaps = gaps_by_id(tmp_path, [act("Buy", served("Pay"), act("Return", act("Print label")))])
    assert list(gaps) == ["return"]
    assert gaps["return"].kinds == ("unserved",)


def test_unserved_top_level_activity(tmp_path: Path) -> None:
    """A top-level activity without offerings anywhere is unserved (it has no parent)."""
    gaps = gaps_by_id(tmp_path, [served("Buy"), act("Leave")])
    assert gaps["leave"].kinds == ("unserved",)
    assert gaps["leave"].reason == "no offering of ours covers it"


# -- rule 3: unaddressed pain ---------------------------------------------------------


def test_unaddressed_pain_needs_an_offering_of_its_own(tmp_path: Path) -> None:
    """Pains with offerings only on the parent are still unaddressed; pains with an own offering are not."""
    gaps = gaps_by_id(tmp_path, [served("Buy", subcycle=[act("Pay", pains=["Fees"]), served("Ship", pains=["Late"])])])
    assert list(gaps) == ["pay"]
    assert gaps["pay"].kinds == ("unaddressed-pain",)
    assert gaps["pay"].reason == "customer reports 1 pain here and no offering of ours is on this step itself"


def test_unserved_and_unaddressed_pain_together(tmp_path: Path) -> None:
    """An unserved activity with pains has both kinds, in contract order, and one reason line."""
    gap = gaps_by_id(tmp_path, [served("Buy"), act("Leave", pains=["Slow", "Rude"])])["leave"]
    assert gap.kinds == ("unserved", "unaddressed-pain")
    assert gap.reason == "no offering of ours covers it; customer reports 2 pains here"
    assert gap.severity is Severity.PAIN


# -- rule 4: unevidenced ----------------------------------------------------------------


def test_unevidenced_needs_evidence_of_its_own(tmp_path: Path) -> None:
    """Evidence on the parent does not back the child's scores; an unscored activity needs none."""
    evidence = [{"source": "survey", "ref": "S-1"}]
    pre = [served("Buy", importance=5, satisfaction=5, evidence=evidence,
                  subcycle=[served("Pay", satisfaction=4), served("Ship")])]
    gaps = gaps_by_id(tmp_path, pre)
    assert list(gaps) == ["pay"]
    assert gaps["pay"].kinds == ("unevidenced",)
    assert gaps["pay"].reason == "the satisfaction score cites no evidence"
    assert gaps["pay"].severity is Severity.NONE


# -- rule 5: overserved ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("importance", "satisfaction", "margin", "overserved"),
    [(3, 6, None, True), (3, 5, None, False), (3, 5, 2, True), (4, 10, 7, False)],
)
def test_overserved_uses_the_margin(
    tmp_path: Path, importance: int, satisfaction: int, margin: int | None, overserved: bool
) -> None:
    """Overserved when satisfaction exceeds importance by the margin (default 3) or more."""
    fields: dict[str, Any] = {} if margin is None else {"gaps": {"overserved_margin": margin}}
    pre = [served("Sign", importance=importance, satisfaction=satisfaction, evidence=[{"source": "other", "ref": "R"}])]
    gaps = gaps_by_id(tmp_path, pre, **fields)
    assert ("sign" in gaps and gaps["sign"].kinds == ("overserved",)) is overserved


def test_overserved_margin_is_on_the_normalised_scale(tmp_path: Path) -> None:
    """On a 0-5 scale, 1 important and 3 satisfied is 2 vs 6: 4 apart, so overserved at margin 3."""
    gap = gaps_by_id(tmp_path, [served("Sign", importance=1, satisfaction=3)], scale={"min": 0, "max": 5})["sign"]
    assert gap.kinds == ("unevidenced", "overserved")
    assert gap.severity is Severity.OVERSERVED
    assert gap.reason.endswith("customer is 3/5 satisfied but rates this only 1/5 important: "
                               "an opening for a simpler, cheaper offer")


# -- rule 6: empty phase ---------------------------------------------------------------------


def test_empty_phase_is_one_entry_named_after_its_phase_with_empty_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A phase without activities is a phase-level gap: id phase:during (as in diff), path [], kinds ["empty-phase"]."""
    path = write_map(tmp_path, {"during": []})
    entries = gaps_json(capsys, path)["gaps"]
    assert entries == [
        {
            "rank": 1,
            "id": "phase:during",
            "phase": "during",
            "phase_label": "During",
            "path": [],
            "kinds": ["empty-phase"],
            "score": None,
            "band": None,
            "importance": None,
            "satisfaction": None,
            "reason": entries[0]["reason"],
        }
    ]
    assert "no activities" in entries[0]["reason"]


# -- ranking and the public API -----------------------------------------------------------------


def test_ranking_is_score_descending_nulls_last_ties_in_document_order(tmp_path: Path) -> None:
    """Scores high to low; equal scores and unscored entries keep document order (pre, during, post; depth-first)."""
    cmap = load(
        tmp_path,
        {
            "pre": [served("A", importance=6, satisfaction=2, subcycle=[served("A1", importance=9, satisfaction=1)])],
            "during": [served("B", importance=6, satisfaction=2), act("C", pains=["x"])],
            "post": [],
        },
    )
    ranked = [(gap.id, gap.score) for gap in find_gaps(cmap)]
    assert ranked == [("a1", 17.0), ("a", 10.0), ("b", 10.0), ("c", None), (None, None)]


def test_empty_phase_sits_in_document_order_among_unscored_entries(tmp_path: Path) -> None:
    """An empty pre phase comes before unscored entries of later phases."""
    cmap = load(tmp_path, {"pre": [], "post": [act("Leave")]})
    assert [(gap.phase, gap.id) for gap in find_gaps(cmap)] == [("pre", None), ("post", "leave")]


def test_path_runs_from_the_top_level_activity_down(tmp_path: Path) -> None:
    """path lists names from the phase's top-level activity to the gap's own activity."""
    gaps = gaps_by_id(tmp_path, [served("Decide", subcycle=[served("Compare", subcycle=[act("Check", pains=["x"])])])])
    assert gaps["check"].path == ("Decide", "Compare", "Check")


def test_scores_keep_their_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Importance 8 stays 8 and satisfaction 3.5 stays 3.5 in JSON; the score is rounded to 2 decimals."""
    path = write_map(tmp_path, {"pre": [served("Plan", importance=8, satisfaction=3.5)]}, scale={"min": 0, "max": 9})
    (entry,) = gaps_json(capsys, path)["gaps"]
    assert (entry["importance"], entry["satisfaction"]) == (8, 3.5)
    assert type(entry["importance"]) is int
    assert entry["score"] == 13.89  # 8.888... + 5


def test_kinds_are_listed_in_contract_order(tmp_path: Path) -> None:
    """An activity with many kinds lists them in the order of KINDS."""
    gap = gaps_by_id(tmp_path, [served("Buy"), act("Leave", importance=9, satisfaction=1, pains=["x"])])["leave"]
    assert gap.kinds == ("underserved", "unserved", "unaddressed-pain", "unevidenced")
    assert list(gap.kinds) == [kind for kind in KINDS if kind in gap.kinds]


def test_reason_reads_as_plain_words(tmp_path: Path) -> None:
    """The reason of an underserved, unserved activity reads like the issue's example."""
    gap = gaps_by_id(tmp_path, [served("Buy"), act("Compare", importance=8, satisfaction=2,
                                                    evidence=[{"source": "survey", "ref": "S"}])])["compare"]
    assert gap.reason == "customer rates this 8/10 important but only 2/10 satisfied; no offering of ours covers it"


def test_severity_takes_the_most_urgent_kind() -> None:
    """Band beats pain, pain beats overserved, overserved beats unevidenced (none)."""

    def gap(kinds: tuple[str, ...], band: str | None = None) -> Gap:
        return Gap("a", "pre", ("A",), kinds, None, band, None, None, "")

    assert gap(("underserved", "unserved"), "moderate").severity is Severity.MODERATE
    assert gap(("unaddressed-pain", "overserved")).severity is Severity.PAIN
    assert gap(("unevidenced", "overserved")).severity is Severity.OVERSERVED
    assert gap(("unevidenced",)).severity is Severity.NONE


def test_severity_by_id_maps_activities_with_a_gap(tmp_path: Path) -> None:
    """Activities without a gap and phase-level entries are absent from severity_by_id."""
    cmap = load(tmp_path, {"pre": [served("Fine"), act("Alone")], "post": []})
    assert severity_by_id(find_gaps(cmap)) == {"alone": Severity.PAIN}


def test_find_gaps_is_linear_enough_for_deep_maps(tmp_path: Path) -> None:
    """A 40-level chain without offerings is one unserved entry, found without recursion errors."""
    chain = act("Level 40")
    for level in range(39, 0, -1):
        chain = act(f"Level {level}", chain)
    gaps = gaps_by_id(tmp_path, [chain])
    assert list(gaps) == ["level-1"]


def test_rule_examples_in_docstrings_hold() -> None:
    """Every example written in the docstrings of the gap rules and reporters runs as written."""
    for module in (cyclemap.gaps, cyclemap.report.gaps):
        assert doctest.testmod(module).failed == 0


# -- filters ------------------------------------------------------------------------------------


@pytest.fixture
def mixed_map(tmp_path: Path) -> Path:
    """Four entries: underserved 14, underserved 12, overserved 3, unscored unserved."""
    evidence = [{"source": "survey", "ref": "S"}]
    return write_map(
        tmp_path,
        {
            "pre": [
                served("High", importance=8, satisfaction=2, evidence=evidence),
                served("Mid", importance=8, satisfaction=4, evidence=evidence),
                served("Over", importance=3, satisfaction=9, evidence=evidence),
                act("Alone"),
            ]
        },
    )


def test_min_score_keeps_scores_at_or_above_and_drops_unscored(
    mixed_map: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--min-score 12 keeps 14 and 12, drops 3 and the unscored entry."""
    assert [g["id"] for g in gaps_json(capsys, mixed_map, "--min-score", "12")["gaps"]] == ["high", "mid"]


def test_kind_keeps_entries_having_any_listed_kind(mixed_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--kind may repeat; an entry stays if it has any of the kinds."""
    document = gaps_json(capsys, mixed_map, "--kind", "overserved", "--kind", "unserved")
    assert [g["id"] for g in document["gaps"]] == ["over", "alone"]


def test_top_keeps_the_first_n_after_the_other_filters(mixed_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--top applies last: the first N of what the other filters keep."""
    assert [g["id"] for g in gaps_json(capsys, mixed_map, "--top", "2")["gaps"]] == ["high", "mid"]
    assert [g["id"] for g in gaps_json(capsys, mixed_map, "--kind", "unserved", "--top", "1")["gaps"]] == ["alone"]
    assert gaps_json(capsys, mixed_map, "--top", "0")["gaps"] == []


def test_threshold_option_overrides_the_map_and_is_reported(
    mixed_map: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--threshold 13 leaves one underserved entry and the JSON says 13."""
    document = gaps_json(capsys, mixed_map, "--threshold", "13")
    assert document["threshold"] == 13
    assert [g["id"] for g in document["gaps"] if "underserved" in g["kinds"]] == ["high"]


def test_filter_rejects_unknown_kinds_and_negative_top() -> None:
    """GapFilter refuses what the options must refuse."""
    with pytest.raises(ValueError, match="unknown gap kind 'bogus'"):
        GapFilter(kinds=("bogus",))
    with pytest.raises(ValueError, match="0 or more"):
        GapFilter(top=-1)
    assert filter_gaps([], GapFilter(kinds=KINDS, min_score=0, top=3)) == []


@pytest.mark.parametrize(
    "option",
    [["--kind", "bogus"], ["--top", "-1"], ["--threshold", "21"], ["--format", "xml"], ["--min-score", "lots"]],
)
def test_bad_option_values_are_usage_errors(
    mixed_map: Path, capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    """Bad option values exit 2 with a message, before any output."""
    code, out, err = run(capsys, "gaps", str(mixed_map), *option)
    assert code == 2
    assert out == ""
    assert option[0] in err


# -- exit codes ---------------------------------------------------------------------------------


def test_fail_on_gaps_exits_1_when_entries_remain(mixed_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --fail-on-gaps, any remaining entry fails the run (for CI); without it the run succeeds."""
    assert run(capsys, "gaps", str(mixed_map), "--fail-on-gaps")[0] == 1
    assert run(capsys, "gaps", str(mixed_map))[0] == 0


def test_fail_on_gaps_exits_0_when_filters_leave_nothing(mixed_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Filters apply before --fail-on-gaps: nothing scoring 15 or more, so no failure."""
    code, out, _ = run(capsys, "gaps", str(mixed_map), "--min-score", "15", "--fail-on-gaps")
    assert code == 0
    assert "No gaps match the filters (4 gaps found in all)." in out


def test_invalid_map_exits_invalid_with_located_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An invalid map is reported as file:line:col on stderr (stdout stays for results) and exits EXIT_INVALID."""
    path = tmp_path / "bad.yaml"
    path.write_text("cyclemap: 1\ntitle: x\n", encoding="utf-8")
    code, out, err = run(capsys, "gaps", str(path))
    assert code == EXIT_INVALID
    assert f"{path}:1:1: error: missing required key" in err
    assert out == ""


# -- output formats ------------------------------------------------------------------------------

TRICKY_NAMES = {
    "markup": "Close [/] the [link=https://evil.example]deal[/link] [bold]now",
    "escape": "Pay \x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link",
    "pipe": "Cash | card\nor loan",
    "formula": "=HYPERLINK(\"https://evil.example\",\"x\")",
    "accent": "Café \u2013 見積もり",
}


@pytest.fixture
def tricky_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Unserved activities whose names hold markup, escapes, pipes, newlines and formulas."""
    monkeypatch.setenv("COLUMNS", "400")  # one table row per line, so names can be found whole
    pre = [act(name, id=key, pains=["Hurts"]) for key, name in TRICKY_NAMES.items()]
    return write_map(tmp_path, {"pre": pre}, title="Tricky [b]map")


def test_every_format_choice_has_a_reporter() -> None:
    """The --format choices are exactly the registry's keys."""
    assert [choice.value for choice in GapFormat] == list(REPORTERS)


def test_json_contract_keys_exactly(mixed_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """JSON holds map (as given), threshold, gaps and landscape; each entry exactly the contract's keys, in order."""
    document = gaps_json(capsys, mixed_map)
    assert list(document) == ["map", "threshold", "gaps", "landscape"]
    assert document["map"] == str(mixed_map)
    assert document["threshold"] == 10
    assert all(list(entry) == JSON_ENTRY_KEYS for entry in document["gaps"])
    assert document["gaps"][0] == {
        "rank": 1,
        "id": "high",
        "phase": "pre",
        "phase_label": "Pre",
        "path": ["High"],
        "kinds": ["underserved"],
        "score": 14.0,
        "band": "high",
        "importance": 8,
        "satisfaction": 2,
        "reason": "customer rates this 8/10 important but only 2/10 satisfied",
    }


def test_json_keeps_names_exactly_as_written(tricky_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Names load back from JSON unchanged, and non-ASCII text is written as such."""
    code, out, _ = run(capsys, "gaps", str(tricky_map), "-f", "json")
    assert code == 0
    assert "見積もり" in out
    assert "\x1b" not in out
    assert {entry["id"]: entry["path"][0] for entry in json.loads(out)["gaps"]} == TRICKY_NAMES


def test_table_shows_user_text_literally(tricky_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rich markup in names is printed as written, and escape sequences are shown, not sent."""
    code, out, _ = run(capsys, "gaps", str(tricky_map))
    assert code == 0
    assert TRICKY_NAMES["markup"] in out
    assert "Tricky [b]map" in out
    assert "\x1b" not in out
    assert "Pay \\x1b[31mred\\x1b[0m \\x1b]8;;https://evil.example\\x07link" in out


def test_table_lists_rank_score_band_phase_label_path_kinds_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table entry shows the rank, score and band, the phase's label, the joined path, kinds and reason."""
    monkeypatch.setenv("COLUMNS", "300")
    path = write_map(tmp_path, {"pre": [served("Decide", subcycle=[act("Compare", importance=8, satisfaction=2)])]})
    text = path.read_text(encoding="utf-8").replace("  pre:\n", "  pre:\n    label: Deciding\n")
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "gaps", str(path))
    assert code == 0
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "Compare" in line)
    cells = [cell.strip() for cell in lines[at].split("│")[1:-1]]
    below = [cell.strip() for cell in lines[at + 1].split("│")[1:-1]]
    assert cells == ["1", "14.0", "Deciding", "Decide > Compare", "underserved"]
    assert below[1] == "high"
    assert below[3].startswith("customer rates this 8/10 important but only 2/10 satisfied")


def test_no_gaps_prints_a_friendly_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A map without gaps says so in one line, and --fail-on-gaps passes."""
    path = write_map(tmp_path, {})
    code, out, _ = run(capsys, "gaps", str(path), "--fail-on-gaps")
    assert code == 0
    assert out.startswith(f"No opportunity gaps in {path} at threshold 10.0")
    assert run(capsys, "gaps", str(path), "-f", "markdown")[1].endswith(
        "every activity is served and evidenced, and none is under- or overserved.\n"
    )


def test_markdown_escapes_pipes_newlines_and_markup(tricky_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every row keeps seven cells: `|` is escaped, a newline becomes <br>, Markdown syntax is escaped."""
    code, out, _ = run(capsys, "gaps", str(tricky_map), "-f", "markdown")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| #")]
    assert len(rows) == len(TRICKY_NAMES)
    assert all(len(row.replace("\\|", "").split("|")) == 9 for row in rows)
    assert "Cash \\| card<br>or loan" in out
    assert "Close \\[/\\] the \\[link=https:&#8203;//evil.example\\]deal\\[/link\\]" in out  # and no autolink
    assert "\x1b" not in out


def test_csv_guards_formula_cells(tricky_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cell that starts with = + - @ gets a leading quote; control characters are shown as \\xNN."""
    code, out, _ = run(capsys, "gaps", str(tricky_map), "-f", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    paths = {row["id"]: row["path"] for row in rows}
    assert paths["formula"] == "'" + TRICKY_NAMES["formula"]
    assert paths["pipe"] == TRICKY_NAMES["pipe"].replace("\n", "\\x0a")  # no line of the file starts with user text
    assert paths["escape"].startswith("Pay \\x1b[31mred")
    assert "\x1b" not in out
    assert rows[0]["kinds"] == "unserved, unaddressed-pain"
    assert list(rows[0]) == list(cyclemap.report.gaps.CSV_COLUMNS)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cell_guard_covers_every_formula_start(start: str) -> None:
    """Each formula-starting character is neutralised with a leading quote."""
    assert cyclemap.report.gaps.csv_cell(f"{start}1+1") == "'" + f"{start}1+1".replace("\r", "\\x0d")


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
@pytest.mark.parametrize("spaces", [" ", "   ", " \t", "\u00a0"])
def test_csv_cell_guard_sees_a_formula_after_leading_spaces(start: str, spaces: str) -> None:
    """` =1+1`: spreadsheets skip the spaces and run the formula, so it gets the quote too."""
    text = f"{spaces}{start}1+1"
    assert cyclemap.report.gaps.csv_cell(text) == "'" + text
    assert cyclemap.report.gaps.csv_cell(f"{spaces}1{start}1") == f"{spaces}1{start}1"


def test_a_name_with_spaces_before_a_formula_is_quoted_in_the_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        "cyclemap: 1\ntitle: T\ncustomer: C\noutcome: O\nphases:\n  pre:\n    activities:\n"
        "      - {id: sum, name: ' =1+1', importance: 9, satisfaction: 1}\n"
        "  during: {activities: [{name: Use}]}\n  post: {activities: [{name: Pay}]}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "gaps", str(path), "-f", "csv")
    assert code == 0
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["sum"]["path"].startswith("'")
    assert rows["sum"]["path"].lstrip("' ").startswith("=1+1")


def test_github_annotations_point_at_activities(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One ::warning per gap at the activity's id line; an empty phase's gap at the phase's key."""
    path = tmp_path / "map.yaml"
    path.write_text(
        "cyclemap: 1\ntitle: T\ncustomer: C\noutcome: O\nphases:\n"
        "  pre:\n    activities:\n"
        "      - name: Buy, then pay\n        id: buy\n        offerings: [Shop]\n"
        "      - name: 'Leave: 100%'\n        id: leave\n"
        "  during: {activities: []}\n"
        "  post:\n    activities:\n"
        "      - {name: Keep, offerings: [Care], pains: [x], importance: 9, satisfaction: 1}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "gaps", str(path), "-f", "github")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"::warning file={path},line=16,col=9,title=Opportunity gap (extreme)::Keep: customer")
    assert lines[1] == (
        f"::warning file={path},line=12,col=13,title=Opportunity gap (unserved)::"
        "Leave: 100%25: no offering of ours covers it [unserved]"
    )
    assert lines[2].startswith(
        f"::warning file={path},line=13,col=3,title=Opportunity gap (empty-phase)::During phase:"
    )
    assert len(lines) == 3


# -- golden files for the examples --------------------------------------------------------------------


def _regen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regen_golden", Path(__file__).with_name("regen_golden.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_has_a_gaps_golden_file() -> None:
    """Each example map has tests/golden/gaps/<name>.json, and nothing else is there."""
    golden = sorted(p.stem for p in (ROOT / "tests" / "golden" / "gaps").glob("*.json"))
    assert golden == [p.stem for p in EXAMPLES]
    assert {f"gaps/{p.stem}.json" for p in EXAMPLES} <= set(_regen().GOLDEN)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_gaps_json_of_example_matches_golden(
    example: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cyclemap gaps examples/X.yaml -f json` prints the reviewed golden file (python tests/regen_golden.py)."""
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "gaps", f"examples/{example.name}", "--format", "json")
    assert code == 0
    assert out == (ROOT / "tests" / "golden" / "gaps" / f"{example.stem}.json").read_text(encoding="utf-8")
