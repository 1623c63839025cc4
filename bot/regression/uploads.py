"""Instructors' own CSV datasets: check and type an upload before anything is stored.

``read_upload`` turns the bytes of an uploaded file into a ``Dataset``, or raises ``UserInputError``
saying what is wrong, where (lines counted as in a text editor, the header is line 1; columns by number
and name) and how to fix it. Sizes are checked before parsing and every row is bounded while it is read,
so hostile input can neither hang the parser nor exhaust memory. Cells are data only: nothing is
evaluated, and a spreadsheet formula such as ``=cmd|' /C calc'!A0`` stays a piece of text.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from bot.regression import formula as fm
from bot.regression.datasets import ColumnInfo, Dataset
from bot.regression.describe import clip, number
from bot.regression.errors import FormulaError, UserInputError
from bot.regression.steps import join_within

MISSING = frozenset({"", "na", "n/a", "nan", "null", "-", "."})  # compared case-insensitively
MAX_ABS_VALUE = 1e15
DESCRIBE_LIMIT = 3000  # characters of ``describe_columns``
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
_OUTCOME_WORDS = frozenset(
    {"score", "grade", "y", "price", "outcome", "response", "target", "result", "total", "mark", "marks"}
    | {"salary", "income", "sales", "cost", "yield", "weight", "height", "time"}
)
_ROW_NUMBER_WORDS = frozenset({"id", "index", "row", "rownames", "rowid"})

Place = tuple[int, int]  # (line in the file where a row starts, its row number in a spreadsheet)


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


# ---------------------------------------------------------------------------------------------- names


def _shown(text: str, limit: int = 40) -> str:
    """User text safe inside a code span, on one line, cut to ``limit`` characters."""
    return clip(" ".join(text.split()).replace("`", "'"), limit)


def _clean_name(text: str, max_length: int) -> str:
    """``text`` made into a valid dataset name as far as possible (``My Data!`` -> ``my-data``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", ascii_text).strip("-_")
    return cleaned[:max_length].rstrip("-_")


def check_name(name: str, taken: Iterable[str] = (), limits: UploadLimits | None = None) -> str:
    """The dataset name ``name`` in lower case; ``UserInputError`` when invalid or in ``taken``."""
    limits = limits or UploadLimits()
    key = name.strip().lower()
    longest = limits.max_name_length
    if not re.fullmatch(rf"[a-z0-9][a-z0-9_-]{{0,{longest - 1}}}", key):
        allowed = f"1–{longest} lower-case letters, digits, `-` or `_`, starting with a letter or digit"
        cleaned = _clean_name(name, longest)
        hint = f"Try `{cleaned}`." if cleaned else "For example `survey-2024`."
        if not key:
            raise UserInputError(f"Give the dataset a name: {allowed}.", hint)
        raise UserInputError(f"`{_shown(name)}` cannot be a dataset name: use {allowed}.", hint)
    if key in {t.strip().lower() for t in taken}:
        raise UserInputError(
            f"`{key}` is a bundled dataset; pick another name.",
            f"For example `{_clean_name('my-' + key, longest)}`.",
        )
    return key


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


def _check_filename(filename: str) -> None:
    """A given file name must end in .csv, .txt or .tsv."""
    if filename and not filename.lower().endswith(EXTENSIONS):
        raise UserInputError(
            f"`{_shown(filename, 60)}` is not a CSV file: upload a file ending in .csv (or .txt, .tsv).",
            SAVE_AS_CSV,
        )


def _empty(message: str = "The file is empty.") -> UserInputError:
    """The refusal of a file without values."""
    return UserInputError(message, "Upload a CSV file whose first line holds the column names.")


def _decode(data: bytes, limits: UploadLimits) -> str:
    """The file as text: size, binary content and encoding checked; a UTF-8 BOM is dropped."""
    if len(data) > limits.max_bytes:
        raise UserInputError(
            f"The file is {_megabytes(len(data))}; the limit is {limits.max_bytes / 1e6:g} MB.",
            "Upload fewer rows, or delete the columns the regression does not need.",
        )
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
    control = _CONTROL.search(text)
    if control:
        raise UserInputError(
            f"Line {_line_of(text, control.start())} holds the control character "
            f"U+{ord(control.group()):04X}, which has no place in a CSV file.",
            "Delete it, or export the file again as CSV UTF-8.",
        )
    if not text.strip(" \t\r\n,;"):
        raise _empty()
    return text


# ---------------------------------------------------------------------------------------------- rows


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
            f"The header (`{_shown(first)}`) names only one column; a regression needs at least two: "
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


def _at(place: Place) -> str:
    """``line 17``, or ``line 19 (row 17 in a spreadsheet)`` when quoted line breaks make them differ."""
    line, row = place
    return f"line {line:,}" if line == row else f"line {line:,} (row {row:,} in a spreadsheet)"


def _cap(text: str) -> str:
    """``text`` with its first letter upper case (unlike ``str.capitalize``, the rest is kept)."""
    return text[:1].upper() + text[1:]


def _column(index: int, name: str) -> str:
    """``column 3 (`price`)``."""
    return f"column {index + 1} (`{_shown(name)}`)"


def _and(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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
    if all(_number(n, delimiter == ";") is not None for n in filled):
        shown = ", ".join(_shown(n, 12) for n in filled[:4])
        raise UserInputError(
            f"The first line must hold the column names, but {where} holds only numbers ({shown}).",
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


def _read_rows(
    text: str, delimiter: str, limits: UploadLimits
) -> tuple[list[str], list[list[str]], list[Place]]:
    """The header, the data rows (cells stripped) and where each row is; blank rows are skipped."""
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


# ---------------------------------------------------------------------------------------------- types


def _number(cell: str, decimal_comma: bool) -> float | None:
    """The number ``cell`` writes (``3,5`` too when ``decimal_comma``), or ``None``."""
    if decimal_comma and "," in cell and "." not in cell:
        cell = cell.replace(",", ".", 1)
    return float(cell) if _NUMBER.fullmatch(cell) else None


def _natural_key(text: str) -> tuple[list[str | int], str]:
    """Sort key ordering ``Group 2`` before ``Group 10``, ignoring case."""
    parts = _DIGITS.split(text)
    return [int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)], text


def _is_missing(cell: str) -> bool:
    """Whether a (stripped) cell marks a missing value: empty, NA, N/A, NaN, null, - or ."""
    return cell.casefold() in MISSING


def _numeric_values(
    cells: Sequence[str], places: list[Place], column: str, decimal_comma: bool
) -> np.ndarray | None:
    """The cells as floats (missing as NaN) when every present cell is a number, else ``None``."""
    values = np.full(len(cells), np.nan)
    for i, cell in enumerate(cells):
        if _is_missing(cell):
            continue
        value = _number(cell, decimal_comma)
        if value is None:
            return None
        values[i] = value
    huge = np.flatnonzero(np.abs(values) > MAX_ABS_VALUE)
    if huge.size:
        i = int(huge[0])
        raise UserInputError(
            f"{_cap(_at(places[i]))}, {column}: `{_shown(cells[i], 30)}` is too large; "
            f"values must lie between −10¹⁵ and 10¹⁵.",
            "Check the value, or rescale the column (e.g. thousands instead of units).",
        )
    return values


def _typed_columns(
    header: list[str], rows: list[list[str]], places: list[Place], delimiter: str
) -> tuple[tuple[ColumnInfo, ...], pd.DataFrame]:
    """Each column numeric when every present cell is a number, else categorical (levels sorted)."""
    infos: list[ColumnInfo] = []
    data: dict[str, object] = {}
    first_text: dict[int, tuple[Place, str]] = {}
    for index, (name, cells) in enumerate(zip(header, zip(*rows, strict=True), strict=True)):
        column = _column(index, name)
        if all(_is_missing(cell) for cell in cells):
            raise UserInputError(
                f"{_cap(column)} has no values: every cell is empty or marks a missing value.",
                "Fill it in, or delete the column.",
            )
        numbers = _numeric_values(cells, places, column, delimiter == ";")
        if numbers is not None:
            infos.append(ColumnInfo(name, "numeric", "Uploaded column (numeric)."))
            data[name] = numbers
            continue
        values = [None if _is_missing(cell) else " ".join(cell.split()) for cell in cells]
        distinct = {v for v in values if v is not None}
        natural = len(distinct) <= _NATURAL_SORT_LEVELS  # a giant (an ID) sorts plainly, and fast
        levels = tuple(sorted(distinct, key=_natural_key if natural else None))
        infos.append(ColumnInfo(name, "categorical", "Uploaded column (categorical).", levels=levels))
        data[name] = pd.Categorical(values, categories=levels)
        i = next(
            i for i, c in enumerate(cells) if not _is_missing(c) and _number(c, delimiter == ";") is None
        )
        first_text[index] = (places[i], cells[i])
    if not any(info.kind == "numeric" for info in infos):
        index, (place, cell) = next(iter(first_text.items()))
        raise UserInputError(
            "No column holds only numbers, and a regression needs a numeric response: "
            f"{_column(index, header[index])} holds `{_shown(cell, 30)}` on {_at(place)}, for example.",
            "Write numbers with digits only (no units or thousands separators), and mark a missing value "
            "with an empty cell or NA.",
        )
    return tuple(infos), pd.DataFrame(data)


def read_upload(
    data: bytes,
    name: str,
    description: str = "",
    filename: str = "",
    source: str = "",
    limits: UploadLimits | None = None,
) -> Dataset:
    """An uploaded CSV as a checked, typed ``Dataset``; every problem raises ``UserInputError``.

    Accepts UTF-8 (with or without BOM), comma, semicolon (decimal commas allowed) or tab delimiters,
    any line endings, and ``"quoted"`` values holding delimiters or line breaks. ``examples`` are
    ``suggest_formulas``'s; ``version`` is the start of the file's SHA-256.
    """
    limits = limits or UploadLimits()
    name = check_name(name, limits=limits)
    description = description.strip()
    if len(description) > limits.max_description_length:
        raise UserInputError(
            f"The description is {len(description):,} characters long; "
            f"the limit is {limits.max_description_length:,}.",
            "Shorten it.",
        )
    _check_filename(filename)
    text = _decode(data, limits)
    delimiter = _detect_delimiter(text)
    header, rows, places = _read_rows(text, delimiter, limits)
    columns, frame = _typed_columns(header, rows, places, delimiter)
    dataset = Dataset(
        name=name,
        title=f"Uploaded: {_shown(filename, 100)}" if filename else "Uploaded dataset",
        description=description or "A dataset uploaded by an instructor.",
        source=source.strip() or "Uploaded by an instructor.",
        licence="As stated by the uploader.",
        columns=columns,
        examples=(),
        frame=frame,
        version=hashlib.sha256(data).hexdigest()[:12],
        row_noun="rows",
    )
    suggestions = _suggestions(dataset, 3, limits)
    return replace(
        dataset,
        examples=tuple(formula for formula, _ in suggestions),
        example_notes=tuple(why for _, why in suggestions),
    )


# ---------------------------------------------------------------------------------------------- advice


def _looks_numeric(levels: Sequence[str]) -> str | None:
    """The first level that is not a number when at least 80% of ``levels`` are numbers."""
    allowed = 0.2 * len(levels)
    text: list[str] = []
    for level in levels:
        if _number(level, decimal_comma=True) is None:
            text.append(level)
            if len(text) > allowed:
                return None
    return text[0] if text else None


def flagged_columns(dataset: Dataset, limits: UploadLimits | None = None) -> dict[str, str]:
    """Categorical columns that cannot serve as predictors, each with the reason in words."""
    limits = limits or UploadLimits()
    flags: dict[str, str] = {}
    for info in dataset.columns:
        if info.kind != "categorical":
            continue
        count = len(info.levels)
        present = int(dataset.frame[info.name].notna().sum())
        text = _looks_numeric(info.levels)
        if text is not None and count > 1:
            flags[info.name] = (
                f"mostly numbers, but `{_shown(text, 30)}` is not one: fix such cells "
                "(or leave them empty) to use the column as numeric"
            )
        elif count > limits.max_levels:
            distinct = " (every value is different: an ID?)" if count == present else ""
            flags[info.name] = (
                f"{count:,} levels: too many to use as a predictor (limit {limits.max_levels}){distinct}"
            )
        elif count == present and count > 1:
            flags[info.name] = f"every value is different ({count} levels), like an ID: not a predictor"
        elif count == 1:
            flags[info.name] = (
                f"only one value (`{_shown(info.levels[0], 30)}`): a constant is not a predictor"
            )
    return flags


def _words(name: str) -> set[str]:
    """The lower-case words and numbers of a column name (``Math_Score2`` -> math, score, 2)."""
    return set(re.findall(r"[a-z]+|[0-9]+", name.casefold()))


def _is_row_number(name: str, values: pd.Series) -> bool:
    """Whether a numeric column looks like a row number or an ID (by name, or 1, 2, 3, ...)."""
    if _words(name) & _ROW_NUMBER_WORDS:
        return True
    steps = np.diff(values.to_numpy())
    return len(values) > 2 and bool(np.all(steps == 1))


def _validates(dataset: Dataset, text: str) -> bool:
    """Whether ``text`` parses and validates on ``dataset`` (counting only rows with every value)."""
    try:
        parsed = fm.parse(text)
        complete = int(dataset.frame[list(parsed.columns())].notna().all(axis=1).sum())
        fm.validate(parsed, dataset.column_kinds(), text, levels=dataset.level_counts(), n_rows=complete)
    except FormulaError:
        return False
    return True


def _suggestions(dataset: Dataset, count: int, limits: UploadLimits) -> list[tuple[str, str]]:
    """Up to ``count`` formulas worth trying on ``dataset``, each with a line on why."""
    frame = dataset.frame
    numeric = [
        c.name
        for c in dataset.columns
        if c.kind == "numeric" and frame[c.name].nunique() > 1 and not _is_row_number(c.name, frame[c.name])
    ]
    if not numeric:
        return []
    flags = flagged_columns(dataset, limits)
    groups = [
        c.name
        for c in dataset.columns
        if c.kind == "categorical" and c.name not in flags and 2 <= len(c.levels) <= limits.max_levels
    ]
    y = next((n for n in numeric if _words(n) & _OUTCOME_WORDS), numeric[0])
    xs = [n for n in numeric if n != y]

    def term(name: str) -> str:
        return fm.factor_text(fm.Column(name))

    def code(name: str) -> str:
        return f"`{_shown(name, 40)}`"

    options: list[tuple[str, str]] = []
    if xs and groups:
        x, g = xs[0], groups[0]
        options.append(
            (
                f"{term(y)} ~ {term(x)} + {term(g)}",
                f"One slope for {code(x)} and a separate intercept for each level of {code(g)}: parallel lines.",
            )
        )
    if xs:
        options.append(
            (f"{term(y)} ~ {term(xs[0])}", f"Simple regression: how {code(y)} changes with {code(xs[0])}.")
        )
    if xs and groups:
        options.append(
            (
                f"{term(y)} ~ {term(xs[0])} * {term(groups[0])}",
                f"An interaction: the slope for {code(xs[0])} may differ between the levels of "
                f"{code(groups[0])}.",
            )
        )
    if len(xs) > 1:
        options.append(
            (
                f"{term(y)} ~ {term(xs[0])} + {term(xs[1])}",
                f"Two numeric predictors: the slope for {code(xs[0])} holding {code(xs[1])} fixed.",
            )
        )
    if groups:
        options.append(
            (f"{term(y)} ~ {term(groups[0])}", f"The mean {code(y)} in each level of {code(groups[0])}.")
        )
    if xs:
        square = fm.factor_text(fm.Call("I", fm.BinOp("**", fm.Column(xs[0]), fm.Number(2.0))))
        options.append(
            (f"{term(y)} ~ {term(xs[0])} + {square}", f"A curve: {code(y)} against {code(xs[0])}.")
        )
    usable = [(text, why) for text, why in options if _validates(dataset, text)]
    return usable[:count]


def suggest_formulas(dataset: Dataset, count: int = 3, limits: UploadLimits | None = None) -> tuple[str, ...]:
    """Up to ``count`` formulas worth trying on ``dataset``; each parses and validates on it.

    The response is the first numeric column whose name suggests an outcome (score, price, y, ...), else
    the first numeric column; row numbers, IDs and constant columns are left out.
    """
    return tuple(text for text, _ in _suggestions(dataset, count, limits or UploadLimits()))


def _column_line(dataset: Dataset, info: ColumnInfo, flag: str | None) -> str:
    """One markdown line on a column: its type and range, or levels, or why it is flagged."""
    name = f"`{_shown(info.name, 48)}`"
    series = dataset.frame[info.name]
    missing = int(series.isna().sum())
    gaps = f", {missing:,} missing" if missing else ""
    if info.kind == "numeric":
        return f"{name} — numeric ({number(series.min())}–{number(series.max())}){gaps}"
    if flag:
        return f"{name} — categorical ⚠ {flag}"
    shown = [f"`{_shown(level, 24)}`" for level in info.levels[:6]]
    more = f" … and {len(info.levels) - 6} more" if len(info.levels) > 6 else ""
    return f"{name} — categorical, {len(info.levels)} levels: {', '.join(shown)}{more}{gaps}"


def describe_columns(dataset: Dataset, limits: UploadLimits | None = None) -> str:
    """One markdown line per column, cut visibly (``… and N more columns``) to stay under 3000 characters."""
    flags = flagged_columns(dataset, limits)
    lines = [_column_line(dataset, info, flags.get(info.name)) for info in dataset.columns]
    return join_within(lines, DESCRIBE_LIMIT, "columns")


# Stored CSVs passed the limits in force when they were uploaded; reading them back must not fail later
# because an instructor lowered a limit.
STORED_LIMITS = UploadLimits(max_bytes=1 << 40, max_rows=10**9, max_columns=10**6)


def read_stored(
    data: bytes, name: str, description: str, filename: str, guild_id: int, source: str = ""
) -> Dataset:
    """A stored upload read back (typed and versioned exactly as on upload), belonging to server ``guild_id``."""
    dataset = read_upload(data, name, description, filename=filename, source=source, limits=STORED_LIMITS)
    return replace(dataset, guild_id=guild_id)
