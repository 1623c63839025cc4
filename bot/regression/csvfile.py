"""An uploaded CSV file read into checked, typed columns, or refused saying what to fix and where.

``read_table`` turns the bytes of a file into its columns (``ColumnInfo``) and rows (a DataFrame: numeric
columns float64 with NaN for missing values, categorical columns pandas Categoricals whose categories are
the sorted levels), or raises ``UserInputError`` naming the line (counted as in a text editor: the header
is line 1) or the column (by number and name) to fix.

Two readers agree on every file. The fast one checks the file's structure with numpy over its bytes
(quotes, line ends, delimiters, lengths, values per row) and lets pandas' C parser read the cells; any file
whose structure it cannot vouch for goes to the precise one, the ``csv`` module row by row, which finds the
first problem and words it. Both type a column the same way, once per distinct cell text. Sizes are
checked before parsing and every row is bounded while it is read, so hostile input can neither hang the
parser nor exhaust memory. Cells are data only: nothing is evaluated, and a spreadsheet formula such as
``=cmd|' /C calc'!A0`` stays a piece of text.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bot.regression.datasets import ColumnInfo
from bot.regression.errors import UserInputError
from bot.regression.text import clip

MISSING = frozenset({"", "na", "n/a", "nan", "null", "-", "."})  # compared case-insensitively
_LONGEST_MISSING = max(map(len, MISSING))
_NUMBER_STARTS = frozenset("0123456789+-.,")  # what a number (``,5`` with a decimal comma) starts with
MAX_ABS_VALUE = 1e15
EXTENSIONS = (".csv", ".txt", ".tsv")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SAVE_AS_CSV = (
    "In Excel choose File › Save As › “CSV UTF-8 (Comma delimited)”; "
    "in other programs export as CSV and choose UTF-8."
)

_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls)"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS = re.compile(r"([0-9]+)")
_SAMPLE_CHARS = 65_536  # text the delimiter is chosen from
_SAMPLE_ROWS = 20
_NATURAL_SORT_LEVELS = 1_000  # levels sorted naturally (Group 2 < Group 10); more sort plainly
_SNIFF_CHARS = 2_048  # csv.Sniffer takes quadratic time on hostile text: keep its sample small
_TAB, _LF, _CR, _SPACE, _QUOTE, _DEL, _C1_LEAD = 9, 10, 13, 32, 34, 127, 0xC2  # bytes
# Every spelling of a missing-value marker, for pandas (which compares them exactly).
_NA_TOKENS = sorted(
    {
        "".join(spelling)
        for marker in MISSING
        for spelling in itertools.product(*({c, c.upper()} for c in marker))
    }
)
# pandas before 3.1 parses floats exactly only when asked to (3.1 always does, and deprecates asking).
_EXACT_FLOATS = (
    {"float_precision": "round_trip"} if tuple(map(int, pd.__version__.split(".")[:2])) < (3, 1) else {}
)

Place = tuple[int, int]  # (line in the file where a row starts, its row number in a spreadsheet)
PlaceOf = Callable[[int], Place]  # the place of the i-th row of data


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on an uploaded dataset; a categorical with more than ``max_levels`` loads but is flagged."""

    max_bytes: int = 5_000_000
    max_rows: int = 100_000
    max_columns: int = 50
    max_levels: int = 50
    max_name_length: int = 32
    max_description_length: int = 1000
    max_cell_length: int = 200
    max_column_name_length: int = 100

    @property
    def max_row_chars(self) -> int:
        """Characters one row may take in the file: every cell at its longest, quoted, quotes doubled."""
        return self.max_columns * (2 * self.max_cell_length + 3)


# ---------------------------------------------------------------------------------------------- words


def shown(text: str, limit: int = 40) -> str:
    """User text safe inside a code span, on one line, cut to ``limit`` characters."""
    return clip(" ".join(text.split()).replace("`", "'"), limit)


def _at(place: Place) -> str:
    """``line 17``, or ``line 19 (row 17 in a spreadsheet)`` when quoted line breaks make them differ."""
    line, row = place
    return f"line {line:,}" if line == row else f"line {line:,} (row {row:,} in a spreadsheet)"


def _cap(text: str) -> str:
    """``text`` with its first letter upper case (unlike ``str.capitalize``, the rest is kept)."""
    return text[:1].upper() + text[1:]


def _column(index: int, name: str) -> str:
    """``column 3 (`price`)``."""
    return f"column {index + 1} (`{shown(name)}`)"


def _and(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def number(cell: str, decimal_comma: bool) -> float | None:
    """The number ``cell`` writes (``3,5`` too when ``decimal_comma``), or ``None``."""
    if cell[:1] not in _NUMBER_STARTS:
        return None
    if decimal_comma and "," in cell and "." not in cell:
        cell = cell.replace(",", ".", 1)
    return float(cell) if _NUMBER.fullmatch(cell) else None


def _natural_key(text: str) -> tuple[list[str | int], str]:
    """Sort key ordering ``Group 2`` before ``Group 10``, ignoring case."""
    parts = _DIGITS.split(text)
    return [int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)], text


def _is_missing(cell: str) -> bool:
    """Whether a (stripped) cell marks a missing value: empty, NA, N/A, NaN, null, - or ."""
    return len(cell) <= _LONGEST_MISSING and cell.casefold() in MISSING


# ---------------------------------------------------------------------------------------------- bytes


def _line_of(text: bytes | str, position: int) -> int:
    """The 1-based line of ``position`` (lines end with LF, CRLF or a lone CR)."""
    head = text[:position]
    if isinstance(head, bytes):
        return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


def _megabytes(size: int) -> str:
    """A size in MB rounded up to 0.1, so a file just over a limit never reads as equal to it."""
    return f"{math.ceil(size / 100_000) / 10:g} MB"


def check_filename(filename: str) -> None:
    """A given file name must end in .csv, .txt or .tsv."""
    if filename and not filename.lower().endswith(EXTENSIONS):
        raise UserInputError(
            f"`{shown(filename, 60)}` is not a CSV file: upload a file ending in .csv (or .txt, .tsv).",
            SAVE_AS_CSV,
        )


def _empty(message: str = "The file is empty.") -> UserInputError:
    """The refusal of a file without values."""
    return UserInputError(message, "Upload a CSV file whose first line holds the column names.")


def check_size(size: int, limits: UploadLimits) -> None:
    """A file of ``size`` bytes must be within the size limit."""
    if size > limits.max_bytes:
        raise UserInputError(
            f"The file is {_megabytes(size)}; the limit is {limits.max_bytes / 1e6:g} MB.",
            "Upload fewer rows, or delete the columns the regression does not need.",
        )


def _may_hold_control(data: bytes) -> bool:
    """Whether ``data`` may hold a control character: a C0 one but tab and line ends, DEL, or a byte that
    can start a C1 one in UTF-8 (a quick scan that spares most files the exact search)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    c0 = (buf < _SPACE) & (buf != _TAB) & (buf != _LF) & (buf != _CR)
    return bool(c0.any() or (buf == _DEL).any() or (buf == _C1_LEAD).any())


def _decode(data: bytes, limits: UploadLimits) -> str:
    """The file as text: size, binary content and encoding checked; a UTF-8 BOM is dropped."""
    check_size(len(data), limits)
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise UserInputError(f"This looks like {what}, not a CSV file; export it as CSV.", SAVE_AS_CSV)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UserInputError("The file is UTF-16 text, not UTF-8; save it as “CSV UTF-8”.", SAVE_AS_CSV)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UserInputError(
            f"The file holds a NUL byte (byte {nul + 1:,}, on line {_line_of(data, nul)}), "
            "so it is not a text file (or it is UTF-16, not UTF-8).",
            SAVE_AS_CSV,
        )
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + skip
        byte = data[at]
        guess = bytes([byte]).decode("cp1252", errors="replace")
        latin = f", which is “{guess}” in Windows-1252" if guess.isprintable() and guess != "\ufffd" else ""
        raise UserInputError(
            f"The file is not UTF-8: byte {at + 1:,} (on line {_line_of(data, at)}) is 0x{byte:02X}{latin}.",
            SAVE_AS_CSV,
        ) from None
    control = _CONTROL.search(text) if _may_hold_control(data) else None
    if control:
        raise UserInputError(
            f"Line {_line_of(text, control.start())} holds the control character "
            f"U+{ord(control.group()):04X}, which has no place in a CSV file.",
            "Delete it, or export the file again as CSV UTF-8.",
        )
    if not text.strip(" \t\r\n,;"):
        raise _empty()
    return text


# ---------------------------------------------------------------------------------------------- delimiter


def _head(text: str, chars: int) -> str:
    """The first ``chars`` characters of ``text``, cut back to a whole line when there is one."""
    if len(text) <= chars:
        return text
    cut = max(text.rfind("\n", 0, chars), text.rfind("\r", 0, chars))
    return text[:cut] if cut > 0 else text[:chars]


def _reader(source: Iterable[str], delimiter: str) -> Iterable[list[str]]:
    """The csv reader every parse uses: double quotes, strict about text after a closing quote."""
    return csv.reader(source, delimiter=delimiter, quotechar='"', strict=True, skipinitialspace=True)


def _field_counts(sample: str, delimiter: str) -> list[int]:
    """Cells per non-blank row in the first rows of ``sample`` (stopping at anything unreadable)."""
    counts: list[int] = []
    try:
        for row in _reader(io.StringIO(sample, newline=""), delimiter):
            if any(cell.strip() for cell in row):
                counts.append(len(row))
            if len(counts) == _SAMPLE_ROWS:
                break
    except csv.Error:
        pass
    return counts


def _sniff(sample: str) -> str | None:
    """``csv.Sniffer``'s guess among comma, semicolon and tab, if it has one."""
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return None


def _detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one giving the same number (> 1) of cells on every early row.

    Several candidates can do that (``a,b;c``): then ``csv.Sniffer`` decides, else the order above. When
    none is consistent, the one most rows agree with, so that the ragged-row check names the bad line.
    """
    sample = _head(text, _SAMPLE_CHARS)
    counts = {d: _field_counts(sample, d) for d in DELIMITERS}
    if not any(counts.values()):
        raise _empty(
            "The file is empty." if sample == text else "The file starts with thousands of blank rows."
        )
    wide = {d: c for d, c in counts.items() if c and c[0] > 1}
    if not wide:
        first = next((line for line in sample.splitlines() if line.strip()), "")
        raise UserInputError(
            f"The header (`{shown(first)}`) names only one column; a regression needs at least two: "
            "a response and a predictor.",
            "Separate the column names and the values with commas, semicolons or tabs.",
        )
    consistent = [d for d, c in wide.items() if len(set(c)) == 1]
    sniffed = _sniff(_head(text, _SNIFF_CHARS))
    if sniffed in consistent or (not consistent and sniffed in wide):
        return str(sniffed)
    if consistent:
        return consistent[0]
    return max(wide, key=lambda d: sum(n == wide[d][0] for n in wide[d]))


# ---------------------------------------------------------------------------------------------- header


def _check_header(record: list[str], place: Place, delimiter: str, limits: UploadLimits) -> list[str]:
    """The column names of the header row, each checked."""
    names = [cell.replace("\ufeff", "").strip() for cell in record]  # a stray byte-order mark, too
    where = f"the header ({_at(place)})"
    if len(names) > limits.max_columns:
        raise UserInputError(
            f"The file has {len(names):,} columns; the limit is {limits.max_columns}.",
            "Delete the columns the regression does not need.",
        )
    filled = [n for n in names if n]
    if all(number(n, delimiter == ";") is not None for n in filled):
        listed = ", ".join(shown(n, 12) for n in filled[:4])
        raise UserInputError(
            f"The first line must hold the column names, but {where} holds only numbers ({listed}).",
            "Add a line at the top with a name for each column, e.g. `score,completed,lesson`.",
        )
    empty = [str(i + 1) for i, n in enumerate(names) if not n]
    if empty:
        columns = f"Column {empty[0]} has" if len(empty) == 1 else f"Columns {_and(empty)} have"
        raise UserInputError(
            f"{columns} no name in {where}.", "Give every column a name, or delete the empty column."
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if len(name) > limits.max_column_name_length:
            raise UserInputError(
                f"The name of {_column(i, name)} is {len(name):,} characters long; "
                f"the limit is {limits.max_column_name_length}.",
                "Shorten it.",
            )
        if any(unicodedata.category(ch) == "Cc" for ch in name):
            raise UserInputError(
                f"The name of {_column(i, name)} holds a line break or a tab; a column name must be one line.",
                "Rename the column.",
            )
        first = seen.setdefault(name.casefold(), i)
        if first != i:
            raise UserInputError(
                f"{_cap(_column(first, names[first]))} and {_column(i, name)} have the same name "
                "(upper and lower case count as the same).",
                "Rename one of them.",
            )
    return names


# ---------------------------------------------------------------------------------------------- precise reader


class _BoundedLines:
    """The physical lines of ``text`` for ``csv.reader``, refusing a row longer than ``max_row_chars``.

    The caller calls ``row_done`` after each row, so ``row_start`` is the line the next row starts on.
    """

    def __init__(self, text: str, limits: UploadLimits) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self._limit = limits.max_row_chars
        self._limits = limits
        self._chars = 0
        self.line = 0
        self.row_start = 1

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        text = next(self._lines)
        self.line += 1
        self._chars += len(text)
        if self._chars > self._limit:
            if self.line == self.row_start:
                raise UserInputError(
                    f"Line {self.line:,} is {len(text):,} characters long; a row can take at most "
                    f"{self._limit:,} ({self._limits.max_columns} values of up to "
                    f"{self._limits.max_cell_length} characters).",
                    "Is this a CSV file with one row per line?",
                )
            raise UserInputError(
                f"The row starting on line {self.row_start:,} runs on to line {self.line:,} (more than "
                f'{self._limit:,} characters): a double quote (") probably opens a value and never closes.',
                "Close the quote, or remove it.",
            )
        return text

    def row_done(self) -> None:
        """Mark the end of a row: the next line starts a new one."""
        self.row_start = self.line + 1
        self._chars = 0


def _csv_error(exc: csv.Error, lines: _BoundedLines) -> UserInputError:
    """A parse error of the csv module, said with its line."""
    if "unexpected end of data" in str(exc):
        return UserInputError(
            f'The row starting on line {lines.row_start:,} has a double quote (") that never closes, '
            "so the rest of the file reads as one value.",
            "Close the quote, or remove it.",
        )
    if "expected after" in str(exc):
        return UserInputError(
            f"Line {lines.line:,}: a value in double quotes is followed by more text before the next "
            'delimiter (as in `"a" b`).',
            "Put the whole value inside the quotes, or remove them.",
        )
    return UserInputError(f"Line {lines.line:,} cannot be read as CSV ({exc}).")


def _read_rows(
    text: str, delimiter: str, limits: UploadLimits
) -> tuple[list[str], list[list[str]], list[Place]]:
    """The header, the data rows (cells stripped) and where each row is; blank rows are skipped.

    Reads row by row and raises at the first problem, so the message names it; the fast reader sends
    here every file it cannot vouch for.
    """
    lines = _BoundedLines(text, limits)
    reader = iter(_reader(lines, delimiter))
    header: list[str] | None = None
    rows: list[list[str]] = []
    places: list[Place] = []
    ragged: list[tuple[Place, int]] = []
    spreadsheet_row = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _csv_error(exc, lines) from None
        spreadsheet_row += 1
        if spreadsheet_row > 2 * limits.max_rows + 1:
            raise UserInputError(
                f"The file has more than {2 * limits.max_rows + 1:,} rows, many of them blank; "
                f"the limit is {limits.max_rows:,} rows of data.",
                "Delete the blank rows.",
            )
        place = (lines.row_start, spreadsheet_row)
        lines.row_done()
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if header is None:
            header = _check_header(record, place, delimiter, limits)
            continue
        if len(rows) + len(ragged) == limits.max_rows:
            raise UserInputError(
                f"The file has more than {limits.max_rows:,} rows of data; the limit is {limits.max_rows:,}.",
                "Upload a sample of the rows, or only the rows you need.",
            )
        if max(map(len, cells)) > limits.max_cell_length:
            longest = max(range(len(cells)), key=lambda i: len(cells[i]))
            name = header[longest] if longest < len(header) else ""
            column = _column(longest, name) if name else f"column {longest + 1}"
            raise UserInputError(
                f"{_cap(_at(place))}, {column}: a value is {len(cells[longest]):,} characters long; "
                f"the limit is {limits.max_cell_length}.",
                "Shorten it, or delete the column if the regression does not need it.",
            )
        if len(cells) != len(header):
            ragged.append((place, len(cells)))
            continue
        rows.append(cells)
        places.append(place)
    if header is None:
        raise _empty()
    if ragged:
        (place, count), others = ragged[0], len(ragged) - 1
        more = f" ({others:,} more lines have the wrong number of values.)" if others else ""
        raise UserInputError(
            f"{_cap(_at(place))} has {count} values but the header has {len(header)} columns.{more}",
            "Every row needs one value per column (leave a cell empty when a value is missing); a value "
            f"that contains a {DELIMITERS[delimiter]} must be inside double quotes.",
        )
    if not rows:
        raise UserInputError(
            "The file has column names but no rows of data below them.", "Add the data, one row per line."
        )
    return header, rows, places


# ---------------------------------------------------------------------------------------------- fast reader


@dataclass(frozen=True)
class _Records:
    """Where the records (rows, blank ones too) of a file's bytes are, found with numpy.

    Record ``r`` is ``body[starts[r]:ends[r]]`` (``ends[r]`` is its line end, or the end of the file);
    ``fields[r]`` is how many values it holds; ``breaks`` are every line end, quoted ones too.
    """

    body: bytes
    starts: np.ndarray
    ends: np.ndarray
    fields: np.ndarray
    breaks: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)

    def cells(self, record: int, delimiter: str) -> list[str]:
        """The cells of one record, read by the csv module."""
        text = self.body[self.starts[record] : self.ends[record]].decode("utf-8")
        return next(iter(_reader(io.StringIO(text, newline=""), delimiter)), [])

    def blank(self, record: int, delimiter: str) -> bool:
        """Whether a record holds no value at all (it is skipped, as a blank line is)."""
        return not any(cell.strip() for cell in self.cells(record, delimiter))

    def place(self, record: int) -> Place:
        """The line a record starts on, and its row number in a spreadsheet."""
        return int(np.searchsorted(self.breaks, self.starts[record])) + 1, record + 1


def _line_ends(buf: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The line ends among ``positions`` (of LF and CR bytes, sorted): each LF, and each CR not before an LF."""
    kinds = buf[positions]
    following = np.zeros(len(positions), dtype=np.uint8)
    inside = positions + 1 < len(buf)
    following[inside] = buf[positions[inside] + 1]
    return positions[(kinds == _LF) | (following != _LF)]


def _quotes_are_plain(buf: np.ndarray, quotes: np.ndarray, separators: np.ndarray, delimiter: int) -> bool:
    """Whether every double quote opens or closes a quoted value, or doubles a quote inside one.

    Then a byte is inside quotes exactly when an odd number of quotes come before it. A quote that opens
    a value must start a field (after spaces at most; ``separators`` are the positions of delimiters and
    line ends, quoted or not), one that closes it must end the field. Anything else (a quote that never
    closes, text after a closing quote, a quote inside an unquoted value) is for the precise reader.
    """
    if len(quotes) % 2:
        return False
    opens, closes = quotes[0::2], quotes[1::2]
    doubled = closes[:-1] + 1 == opens[1:]  # ``""`` inside a quoted value
    opens = np.concatenate([opens[:1], opens[1:][~doubled]])
    closes = np.concatenate([closes[:-1][~doubled], closes[-1:]])
    index = np.searchsorted(separators, opens)
    before = np.where(index > 0, separators[np.maximum(index - 1, 0)], -1)
    spaced = opens - before > 1  # ``, "a"``: only spaces may come between
    if any(buf[b + 1 : o].tobytes().strip(b" ") for b, o in zip(before[spaced], opens[spaced], strict=True)):
        return False
    after = closes + 1
    ends_field = after >= len(buf)
    ends_field[~ends_field] = np.isin(buf[after[~ends_field]], (delimiter, _LF, _CR))
    return bool(ends_field.all())


def _records(body: bytes, delimiter: str, limits: UploadLimits) -> _Records | None:
    """The records of ``body``, or None when the precise reader must look (odd quotes, long rows or cells)."""
    buf = np.frombuffer(body, dtype=np.uint8)
    mark = ord(delimiter)
    candidates = np.flatnonzero((buf == mark) | (buf == _LF) | (buf == _CR))
    quotes = np.flatnonzero(buf == _QUOTE)
    separators = candidates
    if len(quotes):
        if not _quotes_are_plain(buf, quotes, candidates, mark):
            return None
        separators = candidates[np.searchsorted(quotes, candidates) % 2 == 0]
    delimiters = separators[buf[separators] == mark]
    ends = _line_ends(buf, separators[buf[separators] != mark])
    breaks = _line_ends(buf, candidates[buf[candidates] != mark]) if len(quotes) else ends
    if not len(ends) or ends[-1] != len(buf) - 1:
        ends = np.append(ends, len(buf))
    starts = np.concatenate([[0], ends[:-1] + 1])
    widest = np.diff(separators, prepend=-1, append=len(buf)).max() - 1
    if (
        len(starts) > 2 * limits.max_rows + 1
        or (ends - starts).max() + 1 > limits.max_row_chars
        or widest > limits.max_cell_length
    ):
        return None
    fields = np.searchsorted(delimiters, ends) - np.searchsorted(delimiters, starts) + 1
    return _Records(body, starts, ends, fields, breaks)


def _read_cells(
    body: bytes, columns: int, delimiter: str, usecols: Sequence[int] | None = None
) -> pd.DataFrame | None:
    """The records of ``body`` read by pandas' C parser, one row per record (blank ones too).

    Without ``usecols``, numeric columns come back as numbers and the others as text, missing markers as
    NaN; with it, those columns as the text of each cell. None if pandas cannot read it.
    """
    raw = usecols is not None
    try:
        return pd.read_csv(
            io.BytesIO(body),
            sep=delimiter,
            header=None,
            names=range(columns),
            index_col=False,
            usecols=usecols,
            dtype=object if raw else None,
            na_filter=not raw,
            keep_default_na=False,
            na_values=_NA_TOKENS,
            quotechar='"',
            skipinitialspace=True,
            skip_blank_lines=False,
            decimal="," if delimiter == ";" else ".",
            low_memory=False,
            engine="c",
            encoding="utf-8",
            **_EXACT_FLOATS,
        )
    except (pd.errors.ParserError, ValueError):
        return None


def _cells(series: pd.Series) -> np.ndarray | None:
    """A column pandas read: float64 values when they are numbers it may keep, object cells when text.

    None when the column needs each cell's text: true/false (pandas made them booleans), or numbers that
    are infinite or too large (the precise message quotes the cell).
    """
    if series.dtype.kind in "iuf":
        values = series.to_numpy(dtype=np.float64)
        return None if (np.abs(values) > MAX_ABS_VALUE).any() else values
    if pd.api.types.infer_dtype(series, skipna=True) == "string":
        return series.to_numpy(dtype=object)
    return None


def _fast_table(
    text: str, delimiter: str, limits: UploadLimits
) -> tuple[list[str], list[_Cells], PlaceOf, np.ndarray] | None:
    """The header, each column's cells, where each row of data is, and which of them are blank.

    None whenever the precise reader must decide: a quote that is not plain, a row or cell that may be
    too long, too many rows, a row with the wrong number of values, or anything pandas reads otherwise.
    """
    body = text.encode("utf-8")
    records = _records(body, delimiter, limits)
    if records is None:
        return None
    first = next((r for r in range(len(records)) if not records.blank(r, delimiter)), None)
    if first is None:
        return None
    header = _check_header(records.cells(first, delimiter), records.place(first), delimiter, limits)
    data = first + 1
    rows = len(records) - data
    wrong = np.flatnonzero(records.fields[data:] != len(header)) + data
    if not 0 < rows <= limits.max_rows or not all(records.blank(int(r), delimiter) for r in wrong):
        return None
    rest = body[records.starts[data] :]
    read = _read_cells(rest, len(header), delimiter)
    if read is None or len(read) != rows:
        return None
    columns = [_cells(read[i]) for i in range(len(header))]
    again = [i for i, cells in enumerate(columns) if cells is None]
    raw = _read_cells(rest, len(header), delimiter, usecols=again) if again else read
    if raw is None or len(raw) != rows:
        return None
    parsed = [_parse(raw[i].to_numpy(dtype=object) if c is None else c) for i, c in enumerate(columns)]
    candidates = np.flatnonzero(np.logical_and.reduce([p.empty for p in parsed]))
    blank = np.zeros(rows, dtype=bool)
    blank[candidates] = [records.blank(int(r) + data, delimiter) for r in candidates]
    if blank.all():
        return None
    return header, parsed, lambda i: records.place(i + data), blank


# ---------------------------------------------------------------------------------------------- types


@dataclass(frozen=True)
class _Cells:
    """A column's cells, either numbers already (``codes`` empty) or text coded by distinct value.

    ``cells`` are float64 numbers, or object cells (str, or NaN where pandas saw a missing marker);
    ``texts`` the distinct texts stripped, one per code, with ``codes`` -1 for NaN; ``empty`` whether
    each row's cell is empty (NaN counts, to be checked: it may be ``NA``).
    """

    cells: np.ndarray
    codes: np.ndarray
    texts: tuple[str, ...]
    empty: np.ndarray


def _parse(cells: np.ndarray) -> _Cells:
    """A column's cells coded by distinct text (once per text, not per cell)."""
    if cells.dtype == np.float64:
        return _Cells(cells, np.empty(0, dtype=np.intp), (), np.isnan(cells))
    codes, uniques = pd.factorize(cells)
    texts = tuple(u.strip() for u in uniques.tolist())  # a list: iterating a pandas array is slow
    empty = np.array([not t for t in texts] + [True])
    return _Cells(cells, codes, texts, empty[codes])


@dataclass(frozen=True)
class _Typed:
    """A typed column over every row read: its info, values, and (categorical) its first text cell."""

    info: ColumnInfo
    values: np.ndarray | pd.Categorical
    first_text: int | None = None


def _type(index: int, name: str, cells: _Cells, place: PlaceOf, decimal_comma: bool) -> _Typed:
    """Numeric when every present cell is a number, else categorical with levels sorted naturally."""
    column = _column(index, name)
    if cells.cells.dtype == np.float64:
        if np.isnan(cells.cells).all():
            raise _no_values(column)
        return _Typed(ColumnInfo(name, "numeric", "Uploaded column (numeric)."), cells.cells)
    missing = [_is_missing(text) for text in cells.texts]
    if all(missing):
        raise _no_values(column)
    numbers: list[float] = []
    word: int | None = None  # the first distinct text that is no number: the column is categorical
    for code, (text, gone) in enumerate(zip(cells.texts, missing, strict=True)):
        value = None if gone else number(text, decimal_comma)
        if value is None and not gone:
            word = code
            break
        numbers.append(np.nan if value is None else value)
    if word is None:
        table = np.array([*numbers, np.nan])
        values = table[cells.codes]
        huge = np.flatnonzero(np.abs(values) > MAX_ABS_VALUE)
        if huge.size:
            i = int(huge[0])
            raise UserInputError(
                f"{_cap(_at(place(i)))}, {column}: `{shown(cells.texts[cells.codes[i]], 30)}` is too large; "
                f"values must lie between −10¹⁵ and 10¹⁵.",
                "Check the value, or rescale the column (e.g. thousands instead of units).",
            )
        return _Typed(ColumnInfo(name, "numeric", "Uploaded column (numeric)."), values)
    spelled = [
        None if gone else text if text.isprintable() and "  " not in text else " ".join(text.split())
        for text, gone in zip(cells.texts, missing, strict=True)
    ]
    by_text = pd.Categorical(spelled)  # levels sorted plainly, each distinct text coded
    if len(by_text.categories) <= _NATURAL_SORT_LEVELS:  # a giant (an ID) keeps the plain order
        by_text = pd.Categorical(spelled, categories=sorted(by_text.categories.tolist(), key=_natural_key))
    levels = tuple(by_text.categories.tolist())
    return _Typed(
        ColumnInfo(name, "categorical", "Uploaded column (categorical).", levels=levels),
        pd.Categorical.from_codes(np.append(by_text.codes, -1)[cells.codes], categories=levels),
        int(np.argmax(cells.codes == word)),  # codes follow first appearance: the first row of a word
    )


def _no_values(column: str) -> UserInputError:
    """The refusal of a column in which every cell is empty or marks a missing value."""
    return UserInputError(
        f"{_cap(column)} has no values: every cell is empty or marks a missing value.",
        "Fill it in, or delete the column.",
    )


def _typed_columns(
    header: list[str], columns: list[_Cells], place: PlaceOf, delimiter: str, keep: np.ndarray | None
) -> tuple[tuple[ColumnInfo, ...], pd.DataFrame]:
    """Every column typed (raising at the first bad one, in column order), rows outside ``keep`` dropped."""
    typed = [
        _type(i, name, cells, place, delimiter == ";")
        for i, (name, cells) in enumerate(zip(header, columns, strict=True))
    ]
    if not any(t.info.kind == "numeric" for t in typed):
        index, first = next((i, t) for i, t in enumerate(typed) if t.first_text is not None)
        row = int(first.first_text or 0)
        cells = columns[index]
        raise UserInputError(
            "No column holds only numbers, and a regression needs a numeric response: "
            f"{_column(index, header[index])} holds `{shown(cells.texts[cells.codes[row]], 30)}` on "
            f"{_at(place(row))}, for example.",
            "Write numbers with digits only (no units or thousands separators), and mark a missing value "
            "with an empty cell or NA.",
        )
    frame = pd.DataFrame({t.info.name: t.values for t in typed})
    if keep is not None:
        frame = frame[keep].reset_index(drop=True)
    return tuple(t.info for t in typed), frame


def read_table(data: bytes, limits: UploadLimits) -> tuple[tuple[ColumnInfo, ...], pd.DataFrame]:
    """The checked, typed columns and rows of a CSV file; ``UserInputError`` for the first problem.

    Accepts UTF-8 (with or without BOM), comma, semicolon (decimal commas allowed) or tab delimiters,
    any line endings, and ``"quoted"`` values holding delimiters or line breaks.
    """
    text = _decode(data, limits)
    delimiter = _detect_delimiter(text)
    fast = _fast_table(text, delimiter, limits)
    if fast is not None:
        header, columns, place, blank = fast
        return _typed_columns(header, columns, place, delimiter, ~blank)
    header, rows, places = _read_rows(text, delimiter, limits)
    columns = [_parse(np.array(column, dtype=object)) for column in zip(*rows, strict=True)]
    return _typed_columns(header, columns, places.__getitem__, delimiter, None)
