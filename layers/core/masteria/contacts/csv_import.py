"""Reading contact CSV files: encoding and delimiter detection, column mapping, row validation.

Files come from spreadsheets of every origin: UTF-8 with or without a BOM, or Windows-1252 (Excel on
Windows in Brazil); comma or semicolon; quoted fields that contain delimiters and newlines. A record
is what the csv module reads (one record may span several physical lines); record 1 is the header.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from masteria.contacts import phones
from masteria.contacts.csv_safety import unsafe_cell

TARGETS = ("phone", "name", "email", "language", "notes", "tags")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"true", "1", "yes", "y", "sim", "s", "verdadeiro", "x"}
_FALSE = {"false", "0", "no", "n", "nao", "não", "falso", ""}
# Header names that map themselves (lower-cased, accents kept as users type them).
_AUTO = {
    "phone": "phone", "telefone": "phone", "celular": "phone", "whatsapp": "phone", "mobile": "phone",
    "fone": "phone", "name": "name", "nome": "name", "email": "email", "e-mail": "email",
    "language": "language", "idioma": "language", "notes": "notes", "notas": "notes",
    "observacoes": "notes", "observações": "notes", "tags": "tags", "etiquetas": "tags",
}  # fmt: skip


@dataclass(frozen=True)
class Dialect:
    encoding: str  # "utf-8-sig" or "cp1252" (Excel on Windows; "latin-1" in imports made before it)
    delimiter: str  # "," or ";"


class NotReadable(ValueError):
    """A file that cannot be read as a CSV of contacts; ``str()`` says why and what to do, for the user, and
    ``code`` (with the ``line`` where it breaks) says it for translation."""

    def __init__(self, message: str, *, code: str, line: int | None = None) -> None:
        super().__init__(message)
        self.code, self.line = code, line


# What other kinds of file start with, as people upload them instead of a CSV.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP file (an Excel .xlsx workbook is one)", "file_zip"),
    (b"\x1f\x8b", "a gzip-compressed file", "file_gzip"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) workbook", "file_xls"),
    (b"%PDF", "a PDF document", "file_pdf"),
)
_SAVE_AS = 'open it in your spreadsheet and save it as "CSV UTF-8" (comma or semicolon separated)'
_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}


def detect(sample: bytes) -> Dialect:
    """Encoding (UTF-8 unless the bytes are not UTF-8, then Windows-1252) and delimiter from the first bytes;
    ``NotReadable`` for what is not a text file (a workbook, an archive, UTF-16, binary)."""
    for magic, what, code in _MAGIC:
        if sample.startswith(magic):
            raise NotReadable(f"this is {what}, not a CSV: {_SAVE_AS}", code=code)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or sample[:2].count(b"\x00") == 1:
        raise NotReadable(f'the file is in UTF-16 (Excel\'s "Unicode text"): {_SAVE_AS}', code="file_utf16")
    if b"\x00" in sample:
        raise NotReadable(f"the file holds NUL bytes, so it is not text: {_SAVE_AS}", code="file_nul")
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            # the sample may end inside a multi-byte character: decode it incrementally, unfinished
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "cp1252" if _is_cp1252(sample) else "latin-1"
    text = sample.decode(encoding, errors="ignore")
    header = next(csv.reader(io.StringIO(text), delimiter=","), [""])
    first_line = ",".join(header)
    delimiter = ";" if first_line.count(";") > max(len(header) - 1, 0) else ","
    return Dialect(encoding=encoding, delimiter=delimiter)


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False  # one of the five bytes Windows-1252 leaves undefined: read as Latin-1
    return True


def check_text(stream: IO[bytes], dialect: Dialect) -> Dialect:
    """Every line in one encoding, and no line in another (a file that mixes UTF-8 and Windows-1252, as when
    two exports are pasted together): ``NotReadable`` naming the first line that breaks it. The encoding told
    from the first bytes is only a guess when they are all ASCII: a Windows-1252 file whose first accent comes
    late is read as Windows-1252 (the dialect returned), not refused."""
    seen_utf8 = False  # a line with non-ASCII UTF-8 so far
    for number, line in enumerate(stream, start=1):
        if line.isascii():
            continue
        if b"\x00" in line:
            raise NotReadable(
                f"line {number} holds a NUL byte, so the file is not text: {_SAVE_AS}", code="file_nul", line=number
            )
        name = _ENCODING_NAMES.get(dialect.encoding, dialect.encoding)
        try:
            line.decode(dialect.encoding)
        except UnicodeDecodeError:
            if dialect.encoding == "utf-8-sig" and not seen_utf8 and _is_cp1252(line):
                dialect = Dialect(encoding="cp1252", delimiter=dialect.delimiter)  # ASCII until here: Excel's
                continue
            raise NotReadable(
                f"line {number} is not {name} like the lines before it: the file mixes encodings; {_SAVE_AS}",
                code="file_mixed_encoding",
                line=number,
            ) from None
        if dialect.encoding == "utf-8-sig":
            seen_utf8 = True
            continue
        with contextlib.suppress(UnicodeDecodeError):
            line.decode("utf-8")
            raise NotReadable(
                f"line {number} is UTF-8 while the lines before it are {name}: the file mixes encodings; {_SAVE_AS}",
                code="file_mixed_encoding",
                line=number,
            )
    return dialect


def records(stream: IO[bytes], dialect: Dialect) -> Iterator[list[str]]:
    """Every record of the file, header first; ``NotReadable`` (with the line) for one the csv module cannot
    read (a field past its size limit, as an unclosed quote makes; a NUL byte)."""
    text = io.TextIOWrapper(stream, encoding=dialect.encoding, newline="")
    reader = csv.reader(text, delimiter=dialect.delimiter)
    while True:
        starts = reader.line_num + 1  # where the record begins (it may span lines)
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason, code = str(error), "file_unreadable"
            if "field larger than field limit" in reason:
                reason = f"a field is longer than {csv.field_size_limit():,} characters (is a quote left open?)"
                code = "file_field_too_long"
            raise NotReadable(f"line {starts}: {reason}", code=code, line=starts) from error
        except UnicodeDecodeError as error:
            raise NotReadable(
                f"around line {starts}: the file mixes encodings; {_SAVE_AS}", code="file_mixed_encoding", line=starts
            ) from error
        yield record


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """Header → target for the headers we recognise by name."""
    mapping: dict[str, str] = {}
    for header in headers:
        target = _AUTO.get(header.strip().lower())
        if target and target not in mapping.values():
            mapping[header] = target
    return mapping


@dataclass
class ParsedRow:
    phone: str
    name: str | None = None
    email: str | None = None
    language: str | None = None
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)


class RowError(ValueError):
    """Why a row was rejected, in words for the rejected-rows file."""


def _custom_value(kind: str, options: list[str], raw: str) -> Any:
    value = raw.strip()
    if kind == "text":
        return value[:1000]
    if kind == "number":
        number = float(value.replace(",", ".")) if value.count(",") == 1 and "." not in value else float(value)
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        folded = value.lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        raise ValueError("must be true or false")
    if kind == "date":
        for parse in (date.fromisoformat, lambda v: datetime.strptime(v, "%d/%m/%Y").date()):  # noqa: DTZ007
            with contextlib.suppress(ValueError):
                return parse(value).isoformat()
        raise ValueError("must be a date (YYYY-MM-DD or DD/MM/YYYY)")
    if value not in options:
        raise ValueError(f"must be one of {', '.join(options)}")
    return value


class RowParser:
    """Turns a record into a ``ParsedRow`` following the mapping, or raises ``RowError``."""

    def __init__(
        self, headers: list[str], mapping: dict[str, str], region: str, custom: dict[str, tuple[str, list[str]]]
    ) -> None:
        self._columns: list[tuple[int, str]] = []
        for index, header in enumerate(headers):
            target = mapping.get(header)
            if target is None or target == "ignore":
                continue
            if target not in TARGETS and not (target.startswith("custom.") and target[7:] in custom):
                raise ValueError(f"column {header!r}: unknown target {target!r}")
            self._columns.append((index, target))
        if "phone" not in {t for _, t in self._columns}:
            raise ValueError("map one column to phone")
        self._region = region
        self._custom = custom
        self._phones: dict[str, str] = {}

    def phone(self, raw: str) -> str:
        cached = self._phones.get(raw)
        if cached is None:
            try:
                cached = phones.normalize(unsafe_cell(raw), self._region)
            except phones.InvalidPhone as error:
                raise RowError(str(error)) from error
            if len(self._phones) < 200_000:
                self._phones[raw] = cached
        return cached

    def parse(self, record: list[str]) -> ParsedRow:
        row = ParsedRow(phone="")
        for index, target in self._columns:
            raw = record[index] if index < len(record) else ""
            value = raw.strip()
            if target == "phone":
                row.phone = self.phone(value)
            elif not value:
                continue
            elif target == "tags":
                row.tags = sorted({t.strip()[:80] for t in re.split(r"[|,;]", value) if t.strip()})
            elif target == "email":
                if not _EMAIL.match(value) or len(value) > 320:
                    raise RowError(f"invalid email {value!r}")
                row.email = value
            elif target.startswith("custom."):
                key = target[7:]
                kind, options = self._custom[key]
                try:
                    row.custom_fields[key] = _custom_value(kind, options, value)
                except ValueError as error:
                    raise RowError(f"custom field {key}: {error}") from error
            elif target == "name":
                row.name = value[:200]
            elif target == "language":
                row.language = value[:16]
            else:
                row.notes = value[:10_000]
        return row
