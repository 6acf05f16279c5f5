"""Survey-backed scores: a map's `survey` responses, scored per customer segment.

- `reader`: the survey's CSV, read in one streaming pass into integer tallies,
  with every problem as FILE:ROW:COL.
- `scoring`: tallies -> scores on the 0-10 scale, with n and a 95% interval.
- `views`: loading a map's survey, and `ScoreViews.score`, the one rule saying
  which score an activity has in a view ("all" or a segment id).
- `checks`: the map's own segment checks, and the warnings validate prints.

Nothing here prints; modules load only when a map has a survey or segments.
"""

ALL = "all"
"""The view of every respondent pooled (and of the map's own hand-entered scores)."""
RESERVED_VIEWS = (ALL, "each")
"""Words that `--segment` gives a meaning of its own, so no segment may have them as its id ("each" is
`render --layout landscape --segment each`, `cyclemap.render.landscape.EACH`)."""
QUESTIONS = ("importance", "satisfaction")
"""The two questions asked per activity, as the survey's column names end."""
