"""A survey's CSV -> integer tallies per question column and segment, in one streaming pass.

The file is read line by line (never whole), decoded as UTF-8 (a BOM is
skipped), split by the `csv` module with the delimiter the header uses (comma
or semicolon). Each answer is counted in a histogram bucket of its column,
its respondent's segment and its point of the scale; scores come later from
the histograms (`cyclemap.survey.scoring`). A blank cell is "not answered".

Problems are located as FILE:ROW:COL: ROW is the line the record starts on
(the header is line 1), COL the 1-based column, named by its header. The
first `MAX_PROBLEMS` are kept; the rest are counted into one last problem.
Limits keep hostile files cheap: lines of at most `MAX_LINE_BYTES`, cells of
at most `MAX_CELL_CHARS`, at most `MAX_COLUMNS` columns.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from hashlib import blake2b
from itertools import chain
from operator import itemgetter
from typing import BinaryIO, NoReturn

from cyclemap.problems import Problem, clip
from cyclemap.survey import QUESTIONS

MAX_LINE_BYTES = 4 * 1024 * 1024
"""Longest line read (a header of 50,000 question columns is about 2 MB)."""
MAX_CELL_CHARS = 64 * 1024
"""Longest cell (the `csv` module's field size limit while a survey is read)."""
MAX_COLUMNS = 50_000
"""Most columns in a survey (two per activity of a 25,000-activity map)."""
MAX_PROBLEMS = 100
"""Problems kept per survey; the others are only counted, so a broken export cannot flood the screen."""
_BOM = b"\xef\xbb\xbf"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)", re.ASCII)
_WHOLE = re.compile(r"[-+]?\d+(?:\.0*)?", re.ASCII)
"""A whole number in ASCII digits (\\d alone would take Arabic-Indic or full-width digits as 9 or 10)."""
_CODE_BASE = "0"
"""The character of code 0 (a blank cell); code k is the k-th character after it."""
_BATCH = 4096
"""Rows of one segment gathered before they are counted."""
RESPONDENT = "respondent"
"""The column of respondent ids (optional): an id given twice is a problem."""


class _Stop(Exception):
    """The file cannot be read further (not text, a line too long, broken quoting): the problem is recorded."""


@dataclass(frozen=True, slots=True)
class Column:
    """A question column of the survey: `<activity id>.importance` or `.satisfaction`."""

    index: int
    """0-based position in the file."""
    activity: str
    question: str
    """importance or satisfaction."""

    @property
    def header(self) -> str:
        return f"{self.activity}.{self.question}"


@dataclass
class Tallies:
    """What the responses add up to: a histogram per question column and segment."""

    file: str
    """The survey file, as messages name it."""
    scale: tuple[int, int]
    segments: tuple[str, ...]
    """The segment ids; segment slot 0 holds respondents without a segment, slot i + 1 segment i."""
    columns: tuple[Column, ...] = ()
    counts: Counter[int] = field(default_factory=Counter)
    """Bucket ((column number * slots) + slot) * width + code -> answers; code 0 is a blank cell,
    code k the scale point min + k - 1 (see `bucket`)."""
    respondents: list[int] = field(default_factory=list)
    """Rows counted per segment slot."""

    @property
    def slots(self) -> int:
        return len(self.segments) + 1

    @property
    def width(self) -> int:
        return self.scale[1] - self.scale[0] + 2

    def bucket(self, column: int, slot: int) -> int:
        """The bucket of code 0 of column number `column` (in `columns`) and segment slot `slot`."""
        return (column * self.slots + slot) * self.width

    def histogram(self, column: int, slots: Sequence[int]) -> list[int]:
        """Answers per scale point (min first) of column number `column`, summed over segment `slots`."""
        counts = self.counts
        points = [0] * (self.width - 1)
        for slot in slots:
            base = self.bucket(column, slot)
            for code in range(1, self.width):
                points[code - 1] += counts.get(base + code, 0)
        return points


@dataclass
class _Problems:
    """The problems of one survey file, the first `MAX_PROBLEMS` kept and the rest counted."""

    file: str
    kept: list[Problem] = field(default_factory=list)
    more: int = 0
    first_more: tuple[int, int] = (1, 1)

    def add(self, line: int, col: int, message: str | Callable[[], str]) -> None:
        """Record a problem; `message` may be a function, called only for a problem that is kept."""
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(Problem(self.file, line, col, message if isinstance(message, str) else message()))
        else:
            if not self.more:
                self.first_more = (line, col)
            self.more += 1

    def all(self) -> list[Problem]:
        if not self.more:
            return list(self.kept)
        note = (f"{self.more:,} more problem{'s' * (self.more != 1)} in this survey from here on "
                f"{'are' if self.more != 1 else 'is'} not listed; fix the ones above first")
        return [*self.kept, Problem(self.file, *self.first_more, note, stands_for=self.more)]


@contextmanager
def _cell_limit(limit: int) -> Iterator[None]:
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def read_responses(  # noqa: PLR0913 - the survey settings, spelled out
    stream: BinaryIO,
    name: str,
    *,
    scale: tuple[int, int],
    activity_ids: Collection[str],
    segments: Sequence[str],
    segment_column: str | None = None,
    ignore_columns: Collection[str] = (),
) -> tuple[Tallies, list[Problem]]:
    """The tallies of the responses in `stream` (the file `name`), and every problem found."""
    reader = _Reader(stream, _Problems(name), Tallies(name, scale, tuple(segments)), activity_ids)
    with _cell_limit(MAX_CELL_CHARS), suppress(_Stop):
        reader.run(segment_column, frozenset(ignore_columns))
    return reader.tallies, reader.problems.all()


class _Reader:
    """One pass over a survey file."""

    def __init__(self, stream: BinaryIO, problems: _Problems, tallies: Tallies, ids: Collection[str]) -> None:
        self.stream = stream
        self.problems = problems
        self.tallies = tallies
        self.ids = ids if isinstance(ids, set | frozenset | dict) else set(ids)
        self.line = 0
        """The last physical line read."""
        self.header: list[str] = []
        self.delimiter = ","
        self.record: list[str] = []
        """The lines of the record being read (for where a record the `csv` module cannot read breaks)."""
        low, high = tallies.scale
        self.chars: dict[str, str] = {
            "": _CODE_BASE, **{str(point): chr(ord(_CODE_BASE) + point - low + 1) for point in range(low, high + 1)}
        }
        """Cell -> its code character: blank is code 0, the scale's points codes 1, 2, ..."""

    # -- lines ---------------------------------------------------------------

    def _lines(self) -> Iterator[str]:
        """The decoded lines of the file; a line that is not UTF-8 text, or too long, stops the reading."""
        while True:
            raw = self.stream.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            self.line += 1
            if self.line == 1:
                raw = self._first_line(raw)
            if len(raw) > MAX_LINE_BYTES:
                self._stop(1, CR_ONLY if _cr_only(raw) else f"the line is longer than "
                           f"{MAX_LINE_BYTES // (1024 * 1024)} MiB; is this a survey export?")
            nul = raw.find(b"\x00")
            if nul >= 0:
                self._stop(_column_of(raw, nul), "the file contains a NUL byte; is it a binary file? "
                           "Export the survey as CSV (UTF-8)")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                self._stop(_column_of(raw, err.start),
                           f"invalid UTF-8 (byte 0x{raw[err.start]:02x}); export the survey as CSV (UTF-8)")
            self.record.append(text)
            yield text

    def _first_line(self, raw: bytes) -> bytes:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            self._stop(1, "the file is UTF-16; export the survey as CSV (UTF-8)")
        return raw[len(_BOM):] if raw.startswith(_BOM) else raw

    def _stop(self, col: int, message: str, line: int | None = None) -> NoReturn:
        self.problems.add(self.line if line is None else line, col, message)
        raise _Stop

    # -- the pass ------------------------------------------------------------

    def run(self, segment_column: str | None, ignored: frozenset[str]) -> None:
        lines = self._lines()
        first = next((text for text in lines if text.strip()), None)
        if first is None:
            self.problems.add(1, 1, "the survey file is empty; it needs a header row naming its columns "
                              "(cyclemap survey questionnaire --template writes one)")
            return
        header_line = self.line
        self.record[:] = [first]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        self.delimiter = delimiter
        if first.count(delimiter) >= MAX_COLUMNS:
            self._stop(MAX_COLUMNS + 1, f"the header has more than {MAX_COLUMNS:,} columns")
        rows = csv.reader(chain([first], lines), delimiter=delimiter, strict=True)
        header = self._next(rows, header_line)
        if header is None:
            return
        self.header = header
        layout = _Layout.of(self, header_line, segment_column, ignored)
        self.tallies.columns = layout.columns
        self.tallies.respondents = [0] * self.tallies.slots
        self._count(rows, layout)

    def _next(self, rows: Iterator[list[str]], start: int) -> list[str] | None:
        """The next record, which starts on line `start`; one the `csv` module cannot read stops the reading."""
        try:
            return next(rows, None)
        except csv.Error as err:
            self._unreadable(start, str(err))

    def _unreadable(self, start: int, reason: str) -> NoReturn:
        """Stop at a record that cannot be read: at the line it starts on and the cell that breaks it."""
        text = "".join(self.record)
        if "new-line character" in reason and start == 1 and _cr_only(text.encode("utf-8")):
            self._stop(1, CR_ONLY, start)
        number, quoted = _broken_cell(text, self.delimiter)
        where = f"column '{clip(self.header[number])}': " if number < len(self.header) else ""
        self._stop(number + 1, where + _csv_reason(reason, quoted), start)

    def _count(self, rows: Iterator[list[str]], layout: _Layout) -> None:
        """Count every row's answers: each row's question cells become one string of code characters
        (`_CODE_BASE` + code), gathered per segment and counted a column at a time (see `_Batches`)."""
        problems, chars = self.problems, self.chars
        width = len(self.header)
        indexes = [c.index for c in layout.columns]
        pick: Callable[[list[str]], Sequence[str]] = (
            itemgetter(*indexes) if len(indexes) > 1 else (lambda row: [row[i] for i in indexes])
        )
        code, join = chars.__getitem__, "".join
        batches = _Batches(self.tallies, len(indexes))
        pending, respondents, record = batches.pending, self.tallies.respondents, self.record
        seen: dict[bytes, int] = {}
        """The digest of each respondent id -> the row it is first on (ids may be long; digests are not)."""
        who, segment_at, slots = layout.respondent, layout.segment, layout.slots
        while True:
            start = self.line + 1
            record.clear()
            row = self._next(rows, start)
            if row is None:
                batches.flush_all()
                return
            if len(row) != width:
                if row:  # a blank line is not a respondent
                    self._ragged(start, row, width)
                continue
            if who is not None and row[who]:
                first = seen.setdefault(_digest(row[who]), start)
                if first != start:
                    problems.add(start, who + 1, partial(_repeated, self.header[who], row[who], first))
                    continue
            slot = 0
            if segment_at is not None:
                slot = slots.get(row[segment_at], -1)
                if slot < 0:
                    slot = self._segment(start, row[segment_at], segment_at, layout)
            cells = pick(row)
            try:
                coded = join(map(code, cells))  # a cell that is not plainly a point of the scale: KeyError
            except KeyError:
                coded = self._slow(start, cells, layout)
            batch = pending[slot]
            batch.append(coded)
            respondents[slot] += 1
            if len(batch) >= _BATCH:
                batches.flush(slot)

    def _ragged(self, start: int, row: list[str], width: int) -> None:
        if len(row) > width:
            self.problems.add(start, width + 1, f"the row has {len(row)} cells and the header {width}; "
                              "a cell beyond the last column (an unquoted comma or semicolon?)")
        else:
            self.problems.add(start, len(row) + 1, lambda: (
                f"column '{clip(self.header[len(row)])}': the row ends after {len(row)} cell"
                f"{'s' * (len(row) != 1)} and the header has {width}; write every cell, blank for not answered"))

    def _segment(self, start: int, written: str, at: int, layout: _Layout) -> int:
        """The slot of a segment cell that is not exactly a segment id: blank, padded, or a problem (slot 0)."""
        text = written.strip()
        if text in layout.slots:
            return layout.slots[text]
        if text:
            self.problems.add(start, at + 1, lambda: _unknown_segment(self.header[at], text, self.tallies.segments))
        return 0

    def _slow(self, start: int, cells: Sequence[str], layout: _Layout) -> str:
        """The code characters of a row with a cell that is not plainly a point of the scale (padded, '4.0',
        or a problem, counted as blank)."""
        low, high = self.tallies.scale
        coded = []
        for number, cell in enumerate(cells):
            char = self.chars.get(cell)
            if char is None:
                text = cell.strip()
                char = self.chars.get(text)
                if char is None and _WHOLE.fullmatch(text) and low <= (point := int(float(text))) <= high:
                    char = self.chars[str(point)]
                if char is None:
                    column = layout.columns[number]
                    self.problems.add(start, column.index + 1, partial(_bad_cell, column.header, text, low, high))
                    char = _CODE_BASE
            coded.append(char)
        return "".join(coded)


class _Batches:
    """Coded rows waiting to be counted, per segment slot.

    Counting a column at a time over a batch of rows keeps the per-answer work
    in C: the batch is joined into one string, each column is a slice with a
    step, and `str.count` counts each code in it.
    """

    def __init__(self, tallies: Tallies, columns: int) -> None:
        self.tallies = tallies
        self.columns = columns
        self.pending: list[list[str]] = [[] for _ in range(tallies.slots)]

    def flush(self, slot: int) -> None:
        rows, tallies, n = self.pending[slot], self.tallies, self.columns
        if not rows or not n:
            rows.clear()
            return
        joined = "".join(rows)
        counts, width = tallies.counts, tallies.width
        codes = [(code, chr(ord(_CODE_BASE) + code)) for code in range(1, width)]
        for column in range(n):
            cells = joined[column::n]
            base = tallies.bucket(column, slot)
            for code, char in codes:
                found = cells.count(char)
                if found:
                    counts[base + code] += found
        rows.clear()

    def flush_all(self) -> None:
        for slot in range(len(self.pending)):
            self.flush(slot)


@dataclass(frozen=True)
class _Layout:
    """What each column of a survey holds, from its header."""

    columns: tuple[Column, ...]
    respondent: int | None
    segment: int | None
    slots: dict[str, int]
    """Segment id -> slot in the tallies."""

    @classmethod
    def of(cls, reader: _Reader, line: int, segment_column: str | None, ignored: frozenset[str]) -> _Layout:
        """The layout of `reader.header`; unknown and repeated columns are problems."""
        header, problems = reader.header, reader.problems
        columns: list[Column] = []
        respondent = segment = None
        seen: dict[str, int] = {}
        for index, name in enumerate(header):
            key = name.strip()
            if key in seen:
                problems.add(line, index + 1, f"column '{clip(key)}' is there twice (also column {seen[key] + 1}); "
                             "keep one of them")
                continue
            seen[key] = index
            activity, _, question = key.rpartition(".")
            if key == RESPONDENT:
                respondent = index
            elif segment_column is not None and key == segment_column:
                segment = index
            elif key.startswith("x-") or key in ignored:
                continue
            elif question in QUESTIONS and activity in reader.ids:
                columns.append(Column(index, activity, question))
            else:
                problems.add(line, index + 1, partial(_unknown_column, key, reader.ids, segment_column))
        if segment_column is not None and segment is None:
            problems.add(line, 1, f"no column is named '{clip(segment_column)}' (the map's survey.segment_column); "
                         "name the column of segment ids so, or change segment_column")
        slots = {segment_id: number for number, segment_id in enumerate(reader.tallies.segments, start=1)}
        return cls(tuple(columns), respondent, segment, slots)


def _digest(respondent: str) -> bytes:
    """A fixed-size stand-in for a respondent id, so that memory does not grow with the ids' length.

    16 bytes of BLAKE2b: the chance that two different ids of a survey of a billion respondents
    share one is below 1e-20.
    """
    return blake2b(respondent.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _column_of(raw: bytes, offset: int) -> int:
    """The 1-based character column of byte `offset` of a line."""
    return len(raw[:offset].decode("utf-8", "replace")) + 1


CR_ONLY = ("this file ends its lines with CR only, as old Mac Excel's \"CSV (Macintosh)\" does; "
           "save it as 'CSV UTF-8' instead")


def _cr_only(raw: bytes) -> bool:
    """Whether a line holds a line break of a lone CR (not CR LF): a CR-only file reads as one line."""
    return b"\r" in raw.replace(b"\r\n", b"")


def _broken_cell(text: str, delimiter: str) -> tuple[int, bool]:
    """The 0-based number of the cell where the record `text` stops making sense as CSV, and whether
    it is a quoted cell still open where `text` ends.

    The cell is the first that is longer than `MAX_CELL_CHARS`, goes on after its closing quote,
    holds a line break outside quotes, or is still open where `text` ends.
    """
    number, at = 0, 0
    while at < len(text):
        start = at
        if text[at] == '"':
            close = _closing_quote(text, at + 1)
            if close < 0:
                return number, True
            at = close + 1
            if at < len(text) and text[at] not in (delimiter, "\r", "\n"):
                return number, False
        end = min((i for i in (text.find(delimiter, at), text.find("\r", at), text.find("\n", at)) if i >= 0),
                  default=len(text))
        if end - start > MAX_CELL_CHARS or end == len(text) or text[end] != delimiter:
            return number, False
        number, at = number + 1, end + 1
    return number, False


def _closing_quote(text: str, at: int) -> int:
    """Where the quote opened before `at` closes (a doubled quote is a quote inside the cell); -1 if never."""
    while True:
        at = text.find('"', at)
        if at < 0 or text[at + 1:at + 2] != '"':
            return at
        at += 2


def _csv_reason(reason: str, quoted: bool) -> str:
    """What the `csv` module's complaint means, in plain words."""
    if "field larger than field limit" in reason:
        if quoted:
            return (f"a quote (\") opens this cell and is not closed within {MAX_CELL_CHARS:,} characters; "
                    "close it, and write a quote inside a cell as two (\"\")")
        return f"the cell is longer than {MAX_CELL_CHARS:,} characters"
    if "expected after" in reason:
        return ("the cell goes on after its closing quote; put the whole cell in quotes and write a quote "
                "inside it as two (\"\"), or leave the quotes out")
    if "unexpected end of data" in reason:
        return ("a quote (\") opens this cell and the file ends before it is closed; close it, and write a "
                "quote inside a cell as two (\"\")")
    if "new-line character" in reason:
        return ("a line break (CR) inside a cell that is not in quotes; put the cell in quotes or remove "
                "the line break")
    return f"the CSV cannot be read here ({reason})"


def _repeated(header: str, respondent: str, first: int) -> str:
    """The message for a respondent id seen before, on row `first`."""
    return (f"column '{clip(header)}': respondent '{clip(respondent)}' is there twice "
            f"(first on row {first}); remove the repeated response")


def _bad_cell(header: str, text: str, low: int, high: int) -> str:
    """The message for a cell that is not a rating on the scale `low`..`high`."""
    return f"column '{header}': {_bad_rating(text, low, high)}"


def _bad_rating(text: str, low: int, high: int) -> str:
    scale = f"whole numbers from {low} to {high}, or blank for not answered"
    if _WHOLE.fullmatch(text):
        return f"{clip(text, 20)} is outside the survey's scale; answers are {scale}"
    if _NUMBER.fullmatch(text):
        return f"{clip(text, 20)} is not a whole number; answers are {scale}"
    return f"'{clip(text, 40)}' is not a rating; answers are {scale}"


def _unknown_column(key: str, ids: Collection[str], segment_column: str | None) -> str:
    """The message for a column the survey cannot place, with a did-you-mean on the activity id."""
    message = f"unknown column '{clip(key)}'"
    activity, dot, question = key.rpartition(".")
    if not dot:
        activity, question = key, ""
    guess = _close(question, QUESTIONS) or "importance"
    if activity in ids:
        return f"{message}; did you mean '{clip(activity)}.{guess}'?"
    match = _close(activity, ids)
    if match is not None:
        return f"{message}: no activity has the id '{clip(activity)}'; did you mean '{match}.{guess}'?"
    if segment_column is None and key.lower() in ("segment", "segments"):
        return f"{message}; to read respondents' segments from it, add  segment_column: {clip(key)}  to the survey"
    return (f"{message}: question columns are <activity id>.importance and <activity id>.satisfaction; "
            "start other columns with 'x-' or list them under survey.ignore_columns")


def _close(word: str, candidates: Collection[str]) -> str | None:
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6) if word else []
    return match[0] if match else None


def _unknown_segment(header: str, text: str, segments: Sequence[str]) -> str:
    message = f"column '{clip(header)}': unknown segment '{clip(text)}'"
    if not segments:
        return f"{message}; the map declares no segments (list them under 'segments:')"
    match = _close(text, segments)
    if match is not None:
        return f"{message}; did you mean '{match}'?"
    return f"{message}; the map's segments are: {', '.join(segments)}"
