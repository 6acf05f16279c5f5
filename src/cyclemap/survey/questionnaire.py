"""The questionnaire a map asks for: two questions per activity, in outcome-driven-innovation wording.

Each question names the exact column the survey file needs
(`<activity id>.importance`, `<activity id>.satisfaction`), so a survey tool's
export can be read back as it is. `template_csv` is an empty response file
with those columns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from cyclemap.model import CycleMap, label_of
from cyclemap.render.text import clean
from cyclemap.report.gaps import csv_cell, markdown_cell
from cyclemap.survey import QUESTIONS
from cyclemap.survey.reader import RESPONDENT

DEFAULT_SEGMENT_COLUMN = "segment"
"""The segment column of a questionnaire for a map with segments whose survey names none."""


@dataclass(frozen=True)
class Question:
    """One question to field, and the column its answers go in."""

    column: str
    activity: str
    """The activity's id ('' for the segment question)."""
    question: str
    """importance, satisfaction or segment."""
    phase: str
    wording: str


def _phrase(name: str) -> str:
    """An activity name inside a sentence: first letter lower-case unless it starts an acronym.

    >>> _phrase("Choose an installer"), _phrase("Get EU funding"), _phrase("EV charger fitted")
    ('choose an installer', 'get EU funding', 'EV charger fitted')
    """
    text = clean(name, 200).strip()
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def scale_of(cmap: CycleMap) -> tuple[int, int]:
    """The answer scale of the map's survey (1 to 5 when the map has no survey yet)."""
    return (cmap.survey.scale.min, cmap.survey.scale.max) if cmap.survey is not None else (1, 5)


def segment_column(cmap: CycleMap) -> str | None:
    """The column of respondents' segments: the survey's, else `segment` when the map has segments."""
    if cmap.survey is not None and cmap.survey.segment_column is not None:
        return cmap.survey.segment_column
    return DEFAULT_SEGMENT_COLUMN if cmap.segments else None


def questions(cmap: CycleMap) -> list[Question]:
    """The segment question (when the map has segments), then two questions per activity in map order."""
    found = []
    column = segment_column(cmap)
    if column is not None:
        choices = "; ".join(f"{s.id} = {clean(s.name, 200)}" for s in cmap.segments)
        found.append(Question(column, "", "segment", "", f"Which of these describes you best? ({choices})"))
    for visit in cmap.walk():
        activity, phrase = visit.activity, _phrase(visit.activity.name)
        wordings = (
            f"How important is it to you to {phrase}?",
            f"How satisfied are you with how you {phrase} today?",
        )
        phase = label_of(visit.phase, cmap.phase(visit.phase))
        for question, wording in zip(QUESTIONS, wordings, strict=True):
            found.append(Question(f"{activity.id}.{question}", activity.id or "", question, phase, wording))
    return found


def questionnaire_csv(cmap: CycleMap) -> str:
    """The questions as CSV: column, activity, question, phase, wording, scale.

    The scale is written "1 to 5": spreadsheets read "1-5" as a date.
    """
    low, high = scale_of(cmap)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["column", "activity", "question", "phase", "wording", "scale"])
    for q in questions(cmap):
        writer.writerow([csv_cell(cell) for cell in (q.column, q.activity, q.question, q.phase, q.wording,
                                                     "" if q.question == "segment" else f"{low} to {high}")])
    return out.getvalue()


def questionnaire_markdown(cmap: CycleMap) -> str:
    """The questions as a Markdown page to hand to whoever sets up the survey."""
    low, high = scale_of(cmap)
    lines = [
        f"# Questionnaire: {markdown_cell(cmap.title)}",
        "",
        f"For: {markdown_cell(cmap.customer)}. Every rating is a whole number from {low} (not at all) to {high} "
        "(extremely); a question left blank counts as not answered.",
        "Name each column of the survey's export exactly as below, one row per respondent, with a "
        f"`{RESPONDENT}` column of unique ids.",
        "",
        "| column | phase | question |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {markdown_cell(q.column)} | {markdown_cell(q.phase)} | {markdown_cell(q.wording)} |"
              for q in questions(cmap)]
    return "\n".join(lines) + "\n"


def template_csv(cmap: CycleMap) -> str:
    """An empty response file: the header row the survey file needs."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([RESPONDENT, *(q.column for q in questions(cmap))])
    return out.getvalue()
