"""Survey answers -> scores on the 0-10 scale, with the number of answers and a 95% interval.

Two methods, as in outcome-driven innovation:

- ``top-two-box``: 10 x the share of answers in the top two points of the
  scale (4 and 5 on 1-5; 6 and 7 on 1-7; 9 and 10 on 1-10), with a Wilson
  score interval (z = 1.96).
- ``mean``: 10 x (mean - min) / (max - min), with mean +- 1.96 sd / sqrt(n)
  (sd with n - 1), clipped to 0..10.

Everything is computed from integer counts, so the same answers give the same
scores whatever order they were read in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cyclemap.gaps import opportunity_score

Z = 1.96
"""The normal quantile of a two-sided 95% interval."""
SCALE_TOP = 10
"""Survey scores are on 0..10, whatever the questionnaire's scale."""
METHODS = ("top-two-box", "mean")


@dataclass(frozen=True, slots=True)
class Tally:
    """What the answers to one question (in one view) add up to."""

    n: int
    """Answers (blank cells are not answers)."""
    top_two: int
    """Answers in the top two points of the scale."""
    total: int
    """Sum of the answers."""
    squares: int
    """Sum of the squares of the answers."""

    @classmethod
    def of(cls, histogram: Sequence[int], low: int) -> Tally:
        """The tally of answers counted per point of the scale, `histogram[0]` holding the answers `low`.

        >>> Tally.of([1, 0, 0, 2, 3], 1)   # answers 1, 4, 4, 5, 5, 5 on 1-5
        Tally(n=6, top_two=5, total=24, squares=108)
        """
        n = sum(histogram)
        total = sum(count * (low + k) for k, count in enumerate(histogram))
        squares = sum(count * (low + k) ** 2 for k, count in enumerate(histogram))
        return cls(n, sum(histogram[-2:]), total, squares)


@dataclass(frozen=True, slots=True)
class Measure:
    """One question's score in one view: the value, its 95% interval (both 0..10) and n."""

    value: float
    low: float
    high: float
    n: int


def measure(tally: Tally, method: str, scale: tuple[int, int]) -> Measure | None:
    """The score of `tally` by `method` on the 0-10 scale; None when nobody answered.

    The Ulwick example: 200 of 270 respondents in the top two boxes.

    >>> m = measure(Tally(270, 200, 0, 0), "top-two-box", (1, 5))
    >>> round(m.value, 1), round(m.low, 1), round(m.high, 1), m.n
    (7.4, 6.9, 7.9, 270)
    """
    if tally.n == 0:
        return None
    if method == "mean":
        return _mean(tally, scale)
    low, high = wilson(tally.top_two, tally.n)
    return Measure(SCALE_TOP * tally.top_two / tally.n, SCALE_TOP * low, SCALE_TOP * high, tally.n)


def wilson(successes: int, n: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a proportion `successes` / `n` (n > 0).

    >>> [round(x, 4) for x in wilson(0, 10)]
    [0.0, 0.2775]
    """
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _mean(tally: Tally, scale: tuple[int, int]) -> Measure:
    """The mean method: 10 x (mean - min) / (max - min), mean +- z sd / sqrt(n), clipped to 0..10.

    One answer has no spread to estimate: its interval is the whole scale.
    """
    low, high = scale
    n = tally.n
    factor = SCALE_TOP / (high - low)
    value = (tally.total / n - low) * factor
    if n < 2:
        return Measure(value, 0.0, float(SCALE_TOP), n)
    variance = max(n * tally.squares - tally.total * tally.total, 0) / (n * (n - 1))  # exact in integers
    half = Z * math.sqrt(variance / n) * factor
    return Measure(value, max(0.0, value - half), min(float(SCALE_TOP), value + half), n)


@dataclass(frozen=True, slots=True)
class SurveyScore:
    """An activity's survey score in one view: both questions answered by someone."""

    importance: Measure
    satisfaction: Measure
    thin: bool
    """Fewer answers than the survey's `min_n` to either question."""

    @property
    def opportunity(self) -> float:
        """Ulwick's opportunity score (0..20) on the 0-10 survey scale, unrounded beyond 9 places.

        >>> i, s = Measure(200 / 27, 0, 10, 270), Measure(75 / 27, 0, 10, 270)
        >>> round(SurveyScore(i, s, False).opportunity, 1)
        12.0
        """
        score = opportunity_score(self.importance.value, self.satisfaction.value, SCALE_TOP)
        assert score is not None  # noqa: S101 - both values are given
        return score

    @property
    def answers(self) -> dict[str, int]:
        """Answers behind each question's score, ``{"importance": 270, "satisfaction": 268}``."""
        return {"importance": self.importance.n, "satisfaction": self.satisfaction.n}

    @property
    def intervals(self) -> dict[str, tuple[float, float]]:
        """The 95% interval (0-10) of each question's score, ``{"importance": (6.8, 7.9), ...}``."""
        return {"importance": (self.importance.low, self.importance.high),
                "satisfaction": (self.satisfaction.low, self.satisfaction.high)}


def survey_score(
    importance: Tally, satisfaction: Tally, method: str, scale: tuple[int, int], min_n: int
) -> SurveyScore | None:
    """The score from the tallies of both questions; None unless both were answered."""
    i, s = measure(importance, method, scale), measure(satisfaction, method, scale)
    if i is None or s is None:
        return None
    return SurveyScore(i, s, min(i.n, s.n) < min_n)
