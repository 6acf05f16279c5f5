"""Write the synthetic survey of examples/rooftop-solar-segments.yaml (seeded: the same file every run).

    python bench/make_example_survey.py            # writes examples/surveys/rooftop-solar-segments.csv

The responses are invented: 450 respondents in three segments, answers drawn
around a mean per activity and segment on the 1-5 scale, about 3% left blank.
They are shaped to show what a pooled score hides: first-time buyers and
landlords rate "Add a battery" low, so the pooled score looks unremarkable,
while the upgraders (a third of respondents) find it important and poorly served.
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "examples" / "surveys" / "rooftop-solar-segments.csv"
SEED = 2026
SEGMENTS = {"first-time": 210, "upgraders": 150, "landlords": 90}
PROFILES: dict[str, dict[str, tuple[float, float]]] = {
    # activity id: segment -> (mean importance, mean satisfaction) on 1-5
    "pays-off": {"first-time": (4.6, 2.2), "upgraders": (3.6, 3.4), "landlords": (4.4, 2.6)},
    "installer": {"first-time": (4.4, 2.5), "upgraders": (3.4, 3.8), "landlords": (3.9, 3.0)},
    "financing": {"first-time": (3.6, 3.2), "upgraders": (2.4, 3.6), "landlords": (4.5, 2.1)},
    "install": {"first-time": (4.2, 3.9), "upgraders": (3.8, 4.0), "landlords": (3.3, 3.8)},
    "monitor": {"first-time": (2.6, 4.5), "upgraders": (3.2, 4.4), "landlords": (1.8, 4.2)},
    "add-battery": {"first-time": (2.0, 3.4), "upgraders": (4.8, 1.6), "landlords": (1.6, 3.5)},
}
BLANK = 0.03


def answer(rng: random.Random, mean: float) -> str:
    """One rating on 1-5 around `mean`, or blank (not answered)."""
    if rng.random() < BLANK:
        return ""
    return str(min(5, max(1, round(rng.gauss(mean, 0.9)))))


def responses() -> str:
    rng = random.Random(SEED)
    header = ["respondent", "segment", *(f"{a}.{q}" for a in PROFILES for q in ("importance", "satisfaction")),
              "x-postcode-area"]
    lines = [",".join(header)]
    people = [segment for segment, count in SEGMENTS.items() for _ in range(count)]
    rng.shuffle(people)
    for number, segment in enumerate(people, start=1):
        cells = [f"r{number:04d}", segment]
        for means in PROFILES.values():
            importance, satisfaction = means[segment]
            cells += [answer(rng, importance), answer(rng, satisfaction)]
        cells.append(rng.choice(["north", "midlands", "south", "wales", "scotland"]))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUT.write_text(responses(), encoding="utf-8")
    print(f"Wrote {OUT.relative_to(ROOT)}")
