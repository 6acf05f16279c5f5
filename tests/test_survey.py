"""Survey-backed scores (issue 11, phase 1): reading responses, scoring, the score of an activity in a view,
validate's survey checks and the `cyclemap survey` commands. Bad-survey regressions are case folders under
tests/cases/invalid/survey-* and segment-*."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import run_process

from cyclemap.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.loader import load_map
from cyclemap.problems import MapError
from cyclemap.render.landscape import EACH
from cyclemap.survey import ALL, RESERVED_VIEWS, reader
from cyclemap.survey.reader import read_responses
from cyclemap.survey.scoring import Tally, measure, wilson
from cyclemap.survey.views import ScoreViews, load_map_survey, score_tallies
from cyclemap.workshop.pages import _summary

MAP = """\
cyclemap: 1
title: Rooftop solar
customer: Homeowners
outcome: Cheap, clean power
segments:
  - id: first-time
    name: First-time buyers
  - id: upgraders
    name: Adding a battery
survey:
  file: responses.csv
  segment_column: segment{extra}
phases:
  pre:
    activities:
      - name: Choose an installer
        id: choose-installer{scores}
  during:
    activities:
      - name: Get the panels installed
        id: install
  post:
    activities: []
"""
HEAD = ("respondent,segment,choose-installer.importance,choose-installer.satisfaction,"
        "install.importance,install.satisfaction")


@pytest.fixture
def survey_map(tmp_path: Path) -> Callable[..., Path]:
    """Write MAP (with `extra` survey keys and `scores` under choose-installer) and responses.csv; the map's path."""

    def write(responses: str | bytes, extra: str = "", scores: str = "") -> Path:
        (tmp_path / "map.yaml").write_text(MAP.format(extra=extra, scores=scores), encoding="utf-8")
        data = responses.encode() if isinstance(responses, str) else responses
        (tmp_path / "responses.csv").write_bytes(data)
        return tmp_path / "map.yaml"

    return write


def rows(*cells: tuple[object, ...], start: int = 1) -> str:
    """CSV lines r<N>,<cells...>."""
    return "".join(f"r{n},{','.join('' if c is None else str(c) for c in row)}\n" for n, row in enumerate(cells, start))


def ulwick_rows() -> str:
    """270 respondents: 200 rate importance 4 or 5, 75 rate satisfaction 4 or 5 (shuffled, seeded)."""
    importance = [5] * 120 + [4] * 80 + [3] * 40 + [2] * 20 + [1] * 10
    satisfaction = [5] * 25 + [4] * 50 + [3] * 95 + [2] * 60 + [1] * 40
    random.Random(11).shuffle(satisfaction)
    return rows(*(("first-time", i, s, "", "") for i, s in zip(importance, satisfaction, strict=True)))


def scores_of(path: Path):
    cmap = load_map(str(path))
    return cmap, load_map_survey(cmap, str(path))


# -- scoring --------------------------------------------------------------------


def test_ulwick_example_gives_7_4_importance_2_8_satisfaction_12_0_opportunity(survey_map, cli) -> None:
    """Ulwick's worked example from a CSV of 270 rows: 7.4 / 2.8 / 12.0, as the summary prints it."""
    path = survey_map(HEAD + "\n" + ulwick_rows())
    cmap, results = scores_of(path)
    score = ScoreViews(cmap, results).score(cmap.phases.pre.activities[0])
    assert score is not None and score.source == "survey"
    assert (round(score.importance, 1), round(score.satisfaction, 1), round(score.opportunity, 1)) == (7.4, 2.8, 12.0)
    assert score.n == {"importance": 270, "satisfaction": 270}
    entry = json.loads(cli("survey", "summary", str(path), "-f", "json").out)["scores"][0]
    assert (entry["segment"], entry["importance"], entry["satisfaction"], entry["opportunity"]) == (
        "all", 7.407, 2.778, 12.037)
    assert entry["thin"] is False


@pytest.mark.parametrize(("scale", "top"), [((1, 5), (4, 5)), ((1, 7), (6, 7)), ((1, 10), (9, 10)), ((0, 10), (9, 10))])
def test_top_two_box_counts_the_top_two_points_of_the_survey_scale(
    scale: tuple[int, int], top: tuple[int, int]
) -> None:
    """One answer at each point of the scale: only the two highest count as top-two answers."""
    points = list(range(scale[0], scale[1] + 1))
    text = "a.importance,a.satisfaction\n" + "".join(f"{p},{p}\n" for p in points)
    tallies, problems = read_responses(io.BytesIO(text.encode()), "s.csv", scale=scale, activity_ids={"a"},
                                       segments=())
    assert problems == []
    result = score_tallies(tallies, "top-two-box", 1).score("a")
    assert result is not None
    assert result.importance.value == pytest.approx(10 * 2 / len(points))
    assert Tally.of(tallies.histogram(0, [0]), scale[0]).top_two == 2 == sum(1 for p in points if p in top)


def test_mean_method_and_its_interval() -> None:
    """mean: 10 x (mean - min) / (max - min); interval mean +- 1.96 sd / sqrt(n) with sd over n - 1, clipped."""
    # answers 2, 4, 4, 5 on 1-5: mean 3.75 -> 6.875; sd = sqrt(1.5833...) -> half-width 1.96 * 1.2583 / 2 / 4 * 10
    m = measure(Tally(4, 3, 15, 61), "mean", (1, 5))
    assert m is not None
    assert m.value == pytest.approx(6.875)
    half = 1.96 * (19 / 12) ** 0.5 / 2 * 10 / 4
    assert (m.low, m.high) == (pytest.approx(6.875 - half), pytest.approx(6.875 + half))
    high = measure(Tally(4, 4, 19, 91), "mean", (1, 5))  # 4, 5, 5, 5: 9.375 +- 1.225, clipped at 10
    assert high is not None and (high.value, high.low, high.high) == (9.375, pytest.approx(8.15), 10.0)
    one = measure(Tally(1, 1, 5, 25), "mean", (1, 5))
    assert one is not None and (one.value, one.low, one.high) == (10.0, 0.0, 10.0)


def test_wilson_interval_matches_the_textbook_value() -> None:
    """Wilson 95% interval for 200 of 270 (0.7407): about 0.685 to 0.789."""
    low, high = wilson(200, 270)
    assert (round(low, 4), round(high, 4)) == (0.6853, 0.7894)  # by hand: 0.7374 -+ 0.0520
    assert wilson(10, 10)[1] == 1.0


def test_pooled_all_counts_every_respondent_not_the_average_of_segments(survey_map) -> None:
    """90 first-time buyers all rate 5, 10 upgraders all rate 1: 'all' is 9.0 (90 of 100), not 5.0."""
    text = HEAD + "\n" + rows(*[("first-time", 5, 5, "", "")] * 90, *[("upgraders", 1, 1, "", "")] * 10)
    cmap, results = scores_of(survey_map(text))
    assert results is not None
    activity = cmap.phases.pre.activities[0]
    views = ScoreViews(cmap, results)
    scored = {view: views.score(activity, view) for view in views.views()}
    assert {v: round(s.importance, 3) for v, s in scored.items() if s} == {ALL: 9.0, "first-time": 10.0,
                                                                          "upgraders": 0.0}
    assert results.respondents == {ALL: 100, "first-time": 90, "upgraders": 10}
    assert scored["upgraders"] is not None and scored["upgraders"].survey is not None
    assert scored["upgraders"].survey.thin and not scored["first-time"].survey.thin  # type: ignore[union-attr]


# -- the score in a view --------------------------------------------------------


def test_score_in_a_view_survey_wins_then_hand_entered_then_unscored(survey_map) -> None:
    """The rule: survey score if anyone in the view answered both; else the map's own; else unscored."""
    scores = ("\n        importance: 8\n        satisfaction: 4\n        segments:\n"
              "          upgraders: {importance: 5, satisfaction: 7}")
    # first-time buyers answer choose-installer; upgraders answer only importance; nobody answers install
    text = HEAD + "\n" + rows(("first-time", 5, 1, "", ""), ("upgraders", 4, "", "", ""))
    cmap, results = scores_of(survey_map(text, scores=scores))
    choose, install = cmap.phases.pre.activities[0], cmap.phases.during.activities[0]
    views = ScoreViews(cmap, results)
    pooled = views.score(choose)
    assert pooled is not None and pooled.source == "survey" and pooled.scale_max == 10
    assert (pooled.importance, pooled.satisfaction, pooled.n) == (10.0, 0.0, {"importance": 2, "satisfaction": 1})
    assert [(e.source, e.ref) for e in pooled.evidence] == [("survey", results.file)]  # type: ignore[union-attr]
    upgraders = views.score(choose, "upgraders")
    assert upgraders is not None and upgraders.source == "map"
    assert (upgraders.importance, upgraders.satisfaction, upgraders.scale_max, upgraders.n) == (5, 7, 10, None)
    assert upgraders.evidence == () and upgraders.interval is None
    assert views.score(install) is None and views.score(install, "first-time") is None


def test_a_map_without_a_survey_scores_as_written(write_map: Callable[..., Path], small_map: str) -> None:
    """No survey: view 'all' is the activity's own scores on the map's scale; segment views are unscored."""
    cmap = load_map(str(write_map(small_map)))
    views = ScoreViews(cmap)
    score = views.score(cmap.phases.pre.activities[0])
    assert score is not None and (score.importance, score.satisfaction, score.opportunity) == (6, 3, 9.0)
    assert views.views() == (ALL,)
    with pytest.raises(ValueError, match="no segment 'upgraders'"):
        views.check_view("upgraders")


# -- reading ------------------------------------------------------------------------


def test_bom_semicolons_blank_cells_and_padded_values_are_read(survey_map) -> None:
    """A UTF-8 BOM, ';' as delimiter, CRLF lines, blank cells (not answered) and ' 4 ' all read as meant."""
    text = "\ufeff" + HEAD.replace(",", ";") + "\r\n" + rows(("first-time", " 4 ", "", "5", "1")).replace(",", ";")
    _, results = scores_of(survey_map(text.encode("utf-8")))
    assert results is not None
    assert results.score("choose-installer") is None  # satisfaction unanswered: unscored
    install = results.score("install")
    assert install is not None and (install.importance.n, install.importance.value) == (1, 10.0)


def test_problems_are_capped_but_counted(survey_map) -> None:
    """A file with thousands of bad ratings lists the first 100 problems and counts the rest in one more."""
    text = HEAD + "\n" + rows(*[("first-time", 9, 9, "", "")] * 2000)
    with pytest.raises(MapError) as caught:
        scores_of(survey_map(text))
    problems = caught.value.problems
    assert len(problems) == reader.MAX_PROBLEMS + 1
    assert problems[-1].message.startswith("3,900 more problems in this survey from here on are not listed")


def test_validate_counts_the_problems_that_are_not_listed(survey_map, cli) -> None:
    """4,000 bad ratings: 100 listed and one line for the rest; the total said "Found 101 problems"."""
    path = survey_map(HEAD + "\n" + rows(*[("first-time", 9, 9, "", "")] * 2000))
    result = cli("validate", str(path))
    assert result.code == EXIT_INVALID
    assert result.out.splitlines()[-1] == "Found 4000 problems in 1 file."


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(HEAD + "\nr1,first-time," + "4" * 200_000 + ",1,,\n",
                 "responses.csv:2:3: error: column 'choose-installer.importance': the cell is longer than 65,536 "
                 "characters\n", id="huge-cell"),
    pytest.param(HEAD + '\nr1,first-time,"4,1,,\n' + "x\n" * 70_000,
                 "responses.csv:2:3: error: column 'choose-installer.importance': a quote (\") opens this cell and "
                 "is not closed within 65,536 characters", id="unclosed-quote"),
    pytest.param(HEAD + '\nr1,first-time,4,1,2,"' + "x\n" * 40_000 + '"\n',
                 "responses.csv:2:6: error: column 'install.satisfaction': a quote (\") opens this cell and "
                 "is not closed within 65,536 characters", id="long-multi-line-cell-is-at-its-first-line"),
    pytest.param(HEAD + "\r" + "r1,first-time,4,1,2,3\r" * 300_000,
                 "responses.csv:1:1: error: this file ends its lines with CR only", id="big-cr-only-file"),
    pytest.param(",".join(["x-c"] * 1_000_000) + "\n", "the header has more than 50,000 columns", id="million-columns"),
    pytest.param("a" * (5 * 1024 * 1024) + "\n", "the line is longer than 4 MiB", id="endless-line"),
    pytest.param("\ufeff".encode("utf-16"), "the file is UTF-16", id="utf-16"),
])
def test_hostile_files_give_one_clean_problem(survey_map, run_cyclemap, content: str | bytes, message: str) -> None:
    """Huge cells, unclosed quotes, a million columns, endless lines, UTF-16: a located problem, exit 4."""
    path = survey_map(content)
    result = run_cyclemap("validate", str(path), timeout=60)
    assert result.code == EXIT_INVALID, result.err
    assert message in result.out
    assert "Traceback" not in result.out + result.err


def test_field_size_limit_is_restored() -> None:
    """Reading a survey leaves the csv module's process-wide field size limit as it was."""
    before = csv.field_size_limit()
    read_responses(io.BytesIO(b"a.importance\n4\n"), "s.csv", scale=(1, 5), activity_ids={"a"}, segments=())
    assert csv.field_size_limit() == before


# -- commands ----------------------------------------------------------------------


def test_validate_checks_the_survey_and_warns_about_overridden_scores(survey_map, cli) -> None:
    """A valid survey over hand-entered scores: exit 0, one warning naming the map and survey places."""
    path = survey_map(HEAD + "\n" + rows(("first-time", 5, 1, "", "")), scores="\n        importance: 8\n"
                      "        satisfaction: 4")
    result = cli("validate", str(path))
    assert result.code == EXIT_OK
    lines = result.out.splitlines()
    assert lines[0] == (f"{path}:17:13: warning: 'choose-installer' has hand-entered scores (importance/satisfaction) "
                        f"and survey scores ({path.parent / 'responses.csv'}:1:3, {path.parent / 'responses.csv'}:1:4)"
                        " for all respondents; the survey's are used, remove one of them")
    assert f"ok {path}: valid map, 2 activities (1 scored in the map, 1 by the survey), 1 level deep; survey " \
        in result.out
    assert json.loads(cli("validate", str(path), "-f", "json").out)[0]["severity"] == "warning"


def test_validate_reports_survey_problems_as_file_row_col(survey_map, cli) -> None:
    """Survey problems make validate exit 4, each as FILE:ROW:COL naming the column."""
    path = survey_map(HEAD + "\n" + rows(("first-time", 6, 1, "", "")))
    result = cli("validate", str(path))
    assert result.code == EXIT_INVALID
    place = f"{path.parent / 'responses.csv'}:2:3"
    assert f"{place}: error: column 'choose-installer.importance': 6 is outside" in result.out


def test_no_output_may_replace_the_survey_file(survey_map, cli) -> None:
    """The survey is an input: writing a summary over it is refused and leaves it as it was."""
    path = survey_map(HEAD + "\n" + rows(("first-time", 5, 1, "", "")))
    survey = path.parent / "responses.csv"
    before = survey.read_bytes()
    result = cli("survey", "summary", str(path), "-o", str(survey))
    assert result.code == EXIT_USAGE
    assert "the map reads this file; refusing to write over it" in result.err
    assert survey.read_bytes() == before


def test_a_map_from_standard_input_cannot_read_its_survey(survey_map, cli) -> None:
    """A map with a survey read from stdin: a located problem (there is no folder to read the survey from)."""
    path = survey_map(HEAD + "\n")
    result = cli("validate", "-", stdin=path.read_bytes())
    assert result.code == EXIT_INVALID
    assert "-:11:9: error: cannot read the survey 'responses.csv': a map read from standard input" in result.out


def test_questionnaire_csv_markdown_and_template(survey_map, cli, tmp_path: Path) -> None:
    """The questions in ODI wording with their columns; the template is the header a valid survey needs."""
    path = survey_map(HEAD + "\n")
    csv_text = cli("survey", "questionnaire", str(path)).out
    assert csv_text.splitlines()[:3] == [
        "column,activity,question,phase,wording,scale",
        "segment,,segment,,Which of these describes you best? (first-time = First-time buyers; upgraders = Adding "
        "a battery),",
        "choose-installer.importance,choose-installer,importance,Pre,How important is it to you to choose an "
        "installer?,1 to 5",
    ]
    assert "How satisfied are you with how you get the panels installed today?" in csv_text
    markdown = cli("survey", "questionnaire", str(path), "-f", "markdown").out
    assert "| install.satisfaction | During | How satisfied are you with how you get the panels installed today? |" \
        in markdown
    template = tmp_path / "responses.csv"
    assert cli("survey", "questionnaire", str(path), "--template", "-o", str(tmp_path / "t.csv")).code == EXIT_OK
    template.write_bytes((tmp_path / "t.csv").read_bytes())
    assert template.read_text().strip() == HEAD
    result = cli("validate", str(path))
    assert (result.code, "survey" in result.out) == (EXIT_OK, True)
    assert cli("survey", "questionnaire", str(path), "--template", "-f", "markdown").code == EXIT_USAGE


@pytest.mark.parametrize("args", [("--template",), ("-f", "markdown"), ()])
def test_questionnaire_never_writes_over_the_survey_file(args: tuple[str, ...], survey_map, cli) -> None:
    """`questionnaire --template -o <the survey file>` replaced 270 responses with a header, exit 0."""
    path = survey_map(HEAD + "\n" + ulwick_rows())
    survey = path.parent / "responses.csv"
    before = survey.read_bytes()
    link = path.parent / "link.csv"
    link.symlink_to("responses.csv")
    for target in (survey, link):
        result = cli("survey", "questionnaire", str(path), *args, "-o", str(target))
        assert result.code == EXIT_USAGE, result.err
        assert "refusing to write over it (nothing was written)" in result.err
        assert survey.read_bytes() == before
    assert link.is_symlink()
    result = cli("survey", "questionnaire", str(path), *args, "-o", str(survey), "--force") if args == (
        "--template",) else None
    assert result is None or (result.code, survey.read_bytes()) == (EXIT_USAGE, before)


def test_questionnaire_to_standard_output_leading_to_the_survey_is_refused(survey_map, tmp_path: Path) -> None:
    """`questionnaire --template >> surveys/s.csv` appended a header to the responses."""
    path = survey_map(HEAD + "\n" + ulwick_rows())
    survey = path.parent / "responses.csv"
    before = survey.read_bytes()
    with survey.open("ab") as out:
        done = subprocess.run([sys.executable, "-m", "cyclemap", "survey", "questionnaire", str(path), "--template"],
                              stdout=out, stderr=subprocess.PIPE, timeout=60, check=False)
    assert done.returncode == EXIT_USAGE
    assert b"standard output leads to" in done.stderr
    assert survey.read_bytes() == before
    assert run_process("survey", "questionnaire", str(path), "--template").code == EXIT_OK


def test_template_does_not_replace_a_file_that_is_not_empty_unless_forced(survey_map, cli, tmp_path: Path) -> None:
    """A template is written before responses exist: over another non-empty file only with --force."""
    path = survey_map(HEAD + "\n")
    other = tmp_path / "other.csv"
    other.write_text("id,answer\n1,yes\n")
    result = cli("survey", "questionnaire", str(path), "--template", "-o", str(other))
    assert result.code == EXIT_USAGE
    assert "the file exists and is not empty" in result.err and "--force" in result.err
    assert other.read_text() == "id,answer\n1,yes\n"
    assert cli("survey", "questionnaire", str(path), "--template", "-o", str(other), "--force").code == EXIT_OK
    assert other.read_text().strip() == HEAD
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert cli("survey", "questionnaire", str(path), "--template", "-o", str(empty)).code == EXIT_OK
    assert cli("survey", "questionnaire", str(path), "-o", str(other)).code == EXIT_OK  # the questions: as any -o


def test_summary_formats(survey_map, cli) -> None:
    """table, json and csv give the same scores; thin scores say so; hand-entered ones say they are from the map."""
    scores = "\n        segments:\n          upgraders: {importance: 5, satisfaction: 7}"
    path = survey_map(HEAD + "\n" + rows(("first-time", 5, 1, "", "")), scores=scores)
    table = cli("survey", "summary", str(path)).out.splitlines()
    assert table[0].endswith(": 1 respondent (first-time 1, upgraders 0); top-two-box on 1-5; scores on 0-10 "
                             "with 95% intervals; thin below n=30.")
    assert table[2].split() == ["choose-installer", "all", "10.0", "[2.1-10.0]", "n=1", "0.0", "[0.0-7.9]", "n=1",
                                "20.0", "thin"]
    assert table[4].split() == ["choose-installer", "upgraders", "5.0", "7.0", "5.0", "from", "the", "map"]
    csv_lines = cli("survey", "summary", str(path), "-f", "csv").out.splitlines()
    assert csv_lines[1] == ("choose-installer,Choose an installer,all,survey,10.0,2.065,10.0,1,0.0,0.0,7.935,1,20.0,"
                            "yes")
    data = json.loads(cli("survey", "summary", str(path), "-f", "json").out)
    assert data["survey"]["respondents"] == {"all": 1, "first-time": 1, "upgraders": 0}
    assert [(e["segment"], e["source"]) for e in data["scores"]] == [
        ("all", "survey"), ("first-time", "survey"), ("upgraders", "map")]


def test_survey_commands_need_a_valid_survey(survey_map, cli) -> None:
    """survey summary on a broken survey: the problems on stderr, exit 4, nothing on stdout."""
    result = cli("survey", "summary", str(survey_map(HEAD + "\n" + rows(("nobody", 5, 1, "", "")))))
    assert (result.code, result.out) == (EXIT_INVALID, "")
    assert "unknown segment 'nobody'" in result.err


def test_result_is_the_same_whatever_the_row_order(survey_map) -> None:
    """Integer tallies: shuffling the respondents gives exactly the same scores."""
    lines = ulwick_rows().splitlines(keepends=True)
    _, first = scores_of(survey_map(HEAD + "\n" + "".join(lines)))
    random.Random(3).shuffle(lines)
    _, second = scores_of(survey_map(HEAD + "\n" + "".join(lines)))
    assert first is not None and second is not None and first.scores == second.scores


def test_segment_views_are_checked_by_name(survey_map) -> None:
    """check_view: a known segment passes, a near miss gets a did-you-mean."""
    cmap, results = scores_of(survey_map(HEAD + "\n"))
    views = ScoreViews(cmap, results)
    assert views.check_view("upgraders") == "upgraders"
    with pytest.raises(ValueError, match="did you mean 'upgraders'"):
        views.check_view("upgrader")



def test_segment_ids_with_a_meaning_of_their_own_are_reserved() -> None:
    """`--segment all` is the pooled view and `--segment each` a panel per view: neither can name a segment
    (the case folders segment-reserved-id-* hold the messages)."""
    assert (ALL, EACH) == RESERVED_VIEWS


def test_long_respondent_ids_are_not_held_in_memory(survey_map) -> None:
    """Respondent ids were kept whole to find repeats (25,000 ids of 8,000 characters: 230 MB); a digest
    per id is kept instead, and a repeated id is still reported with both rows."""
    ids = [f"{n:08d}" + "x" * 8000 for n in range(1500)]
    body = "".join(f"{rid},first-time,5,2,4,3\n" for rid in ids)
    path = survey_map(HEAD + "\n" + body + f"{ids[7]},upgraders,1,1,1,1\n")
    cmap = load_map(str(path))
    tracemalloc.start()
    try:
        with pytest.raises(MapError) as caught:
            load_map_survey(cmap, str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3_000_000, f"{peak:,} bytes at the peak for 12 MB of ids"
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (1502, 1)
    assert "is there twice (first on row 9)" in problem.message


def test_header_only_survey_is_valid_with_a_warning(survey_map, cli) -> None:
    """A survey with its header and no response yet validated as a plain "0 respondents"."""
    path = survey_map(HEAD + "\n")
    result = cli("validate", str(path))
    assert result.code == EXIT_OK
    assert result.out.splitlines()[0] == (f"{path.parent / 'responses.csv'}:1:1: warning: no responses yet: the survey "
                                          "file has its header row and no respondent, so it scores no activity; add "
                                          "the responses below the header")
    assert "1 warning." in result.out
    answered = survey_map(HEAD + "\n" + rows(("first-time", 5, 1, "", "")))
    assert "no responses yet" not in cli("validate", str(answered)).out


def test_counts_of_one_are_singular(survey_map, cli, tmp_path: Path) -> None:
    """"1 activities", "1 respondents", "thin: only 1 answers": one of each reads as one."""
    path = survey_map(HEAD + "\n" + rows(("first-time", 5, 1, "", "")))
    gaps = json.loads(cli("gaps", str(path), "-f", "json").out)
    [entry] = [g for g in gaps["gaps"] if g["id"] == "choose-installer"]
    assert entry["reason"].endswith("; thin: only 1 answer, fewer than min_n 30")
    assert "rated important by 100% of 1 respondent," in entry["reason"]
    assert ": 1 respondent (first-time 1, upgraders 0);" in cli("survey", "summary", str(path)).out
    one = tmp_path / "one.yaml"
    text = MAP.format(extra="", scores="")
    for written, kept in (("survey:\n  file: responses.csv\n  segment_column: segment\n", ""),
                          ("      - name: Get the panels installed\n        id: install\n", ""),
                          ("  during:\n    activities:\n", "  during:\n    activities: []\n")):
        text = text.replace(written, kept)
    one.write_text(text, encoding="utf-8")
    result = cli("validate", str(one))
    assert result.out == f"ok {one}: valid map, 1 activity (0 scored), 1 level deep\n", result.out
    assert _summary(load_map(str(one)), []).startswith("1 activity (")


def test_validate_counts_activities_the_survey_scores(survey_map, cli) -> None:
    """"(0 scored)" for a map whose survey scores every activity: each source is counted."""
    path = survey_map(HEAD + "\n" + rows(("first-time", 5, 1, 4, 4), ("upgraders", 4, 2, 5, 1)))
    assert ("valid map, 2 activities (0 scored in the map, 2 by the survey), 1 level deep; survey "
            in cli("validate", str(path)).out)


@pytest.mark.parametrize("written", ["/srv/responses.csv", "~/responses.csv", "https://example.com/r.csv", "C:/r.csv",
                                     "surveys/", "../responses.csv", "missing.csv", "."])
def test_survey_path_problems_speak_of_the_survey_file(written: str, survey_map, cli) -> None:
    """A survey path that cannot be read reused the include messages ("only files next to the map can be
    included", "relative to this file, like parts/pre.yaml")."""
    path = survey_map(HEAD + "\n")
    path.write_text(path.read_text().replace("file: responses.csv", f"file: '{written}'"))
    result = cli("validate", str(path))
    assert result.code == EXIT_INVALID
    assert f"error: cannot read the survey '{written}': " in result.out
    for include_words in ("include", "parts/pre.yaml", "YAML", "this file"):
        assert include_words not in result.out.splitlines()[0]
