"""Documents to sections of text under their headings, one function per format.

Every format comes out the same way: ``Section``s, each the path of headings it sits under and its paragraphs
(separated by blank lines), which the chunker cuts without crossing a section. Markdown keeps its ``#`` headings
(and setext ones); HTML is turned into Markdown first (``markdownify`` over BeautifulSoup, scripts, styles and
navigation removed); a DOCX's ``Heading N`` paragraphs are its headings and its tables become ``a | b`` rows; a PDF's
outline (its bookmarks), where it has one, gives the headings of its pages; a CSV of questions and answers gives one
section per row, ``Q: … A: …``, under its category when the file has one. What cannot be read fails with an
``ExtractionError`` whose ``code`` the dashboard translates (an encrypted PDF, a damaged file, a document with no
text), never with half a document.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

FORMAT_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".pdf": "pdf",
    ".docx": "docx",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
}
FORMAT_MEDIA_TYPES = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/csv": "csv",
    "application/csv": "csv",
    "text/html": "html",
    "application/xhtml+xml": "html",
}
# What people upload instead, named in the refusal.
_NOT_SUPPORTED = (
    (b"\xd0\xcf\x11\xe0", "an old Word (.doc) or Excel (.xls) file: save it as .docx"),
    (b"\x89PNG", "an image: knowledge bases read text, not pictures"),
    (b"\xff\xd8\xff", "an image: knowledge bases read text, not pictures"),
    (b"GIF8", "an image: knowledge bases read text, not pictures"),
)
MAX_HEADING = 300  # characters of one heading
_QUESTION_NAMES = {"question", "questions", "pergunta", "perguntas", "questao", "duvida", "q", "p"}
_ANSWER_NAMES = {"answer", "answers", "resposta", "respostas", "solucao", "a", "r"}
_CATEGORY_NAMES = {"category", "categoria", "section", "secao", "topic", "topico", "assunto", "tema", "grupo"}
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BOILERPLATE_TAGS = (
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "nav", "form",
    "button", "select", "textarea", "head",
)  # fmt: skip


class ExtractionError(ValueError):
    """A document that cannot be read; ``str()`` says why for the user, ``code`` says it for translation."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Section:
    headings: tuple[str, ...]
    text: str  # paragraphs separated by a blank line


@dataclass
class Extracted:
    sections: list[Section] = field(default_factory=list)
    pages: int | None = None  # a PDF's
    title: str | None = None  # what the file calls itself (an HTML <title>, a DOCX's title), if anything

    @property
    def empty(self) -> bool:
        return not any(s.text.strip() for s in self.sections)


def detect_format(filename: str | None, media_type: str | None, head: bytes = b"") -> str | None:
    """The format of an upload from its name, else its media type; ``None`` for one we do not read."""
    for magic, what in _NOT_SUPPORTED:
        if head.startswith(magic):
            raise ExtractionError(f"this is {what}", code="unsupported_format")
    if filename:
        dot = filename.rfind(".")
        found = FORMAT_EXTENSIONS.get(filename[dot:].lower()) if dot >= 0 else None
        if found:
            return found
    media = (media_type or "").split(";", 1)[0].strip().lower()
    if media in FORMAT_MEDIA_TYPES:
        return FORMAT_MEDIA_TYPES[media]
    if head.startswith(b"%PDF"):
        return "pdf"
    return None


def charset(media_type: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type``, if it names one Python knows."""
    found = re.search(r"charset=\"?([\w.:-]+)", media_type or "", re.IGNORECASE)
    if not found:
        return None
    try:
        return codecs.lookup(found.group(1)).name
    except LookupError:
        return None


def extract(data: bytes, format: str, *, encoding: str | None = None) -> Extracted:
    """``data`` of ``format`` as sections; ``ExtractionError`` when it cannot be read or holds no text."""
    readers = {
        "text": lambda: extract_text(data, encoding=encoding),
        "markdown": lambda: extract_markdown(data, encoding=encoding),
        "pdf": lambda: extract_pdf(data),
        "docx": lambda: extract_docx(data),
        "csv": lambda: extract_csv(data, encoding=encoding),
        "html": lambda: extract_html(data, encoding=encoding),
    }
    if format not in readers:
        raise ExtractionError(f"documents of format {format!r} cannot be read", code="unsupported_format")
    if not data.strip():
        raise ExtractionError("the document is empty", code="document_empty")
    try:
        extracted = readers[format]()
    except RecursionError as error:  # markup nested thousands of levels deep: the HTML-to-Markdown step recurses
        raise ExtractionError("the document is nested too deeply to be read", code="text_unreadable") from error
    if extracted.empty:
        raise ExtractionError("the document has no text to learn from", code="document_empty")
    return extracted


# ---- text and Markdown ---------------------------------------------------------------------------


def decode(data: bytes, encoding: str | None = None) -> str:
    """Text from bytes: the given encoding, else UTF-8 (with or without BOM), else Windows-1252 (Excel's, in
    Brazil); NUL bytes mean it is not text at all."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ExtractionError("the file is not readable text", code="text_unreadable") from error
    if b"\x00" in data[:8192]:
        raise ExtractionError("the file holds binary data, not text", code="text_unreadable")
    for candidate in (encoding, "utf-8-sig", "cp1252"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def clean(text: str) -> str:
    """One line's worth of text as stored: compatibility forms composed, control characters and runs of spaces
    gone (PostgreSQL's text cannot hold NUL)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _SPACES.sub(" ", _CONTROL.sub("", text))


def _paragraphs(lines: Iterable[str]) -> str:
    """Lines into paragraphs: runs of non-empty lines, kept line by line, a blank line between paragraphs."""
    out: list[str] = []
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped:
            current.append(stripped)
        elif current:
            out.append("\n".join(current))
            current = []
    if current:
        out.append("\n".join(current))
    return "\n\n".join(out)


class _Sections:
    """Builds sections as headings open and text follows: a heading of level n closes those of level n and deeper."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._stack: list[tuple[int, str]] = []
        self._lines: list[str] = []

    def heading(self, level: int, title: str) -> None:
        self.flush()
        title = clean(title).strip()[:MAX_HEADING]
        if not title:
            return
        self._stack = [(lvl, t) for lvl, t in self._stack if lvl < level] + [(level, title)]

    def line(self, text: str) -> None:
        self._lines.append(clean(text))

    def flush(self) -> None:
        body = _paragraphs(self._lines)
        self._lines = []
        if body:
            self.sections.append(Section(tuple(t for _, t in self._stack), body))


def extract_text(data: bytes, *, encoding: str | None = None) -> Extracted:
    builder = _Sections()
    for line in decode(data, encoding).splitlines():
        builder.line(line)
    builder.flush()
    return Extracted(builder.sections)


def _markdown_sections(text: str) -> list[Section]:
    builder = _Sections()
    lines = text.splitlines()
    fence: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            builder.line(line)
        elif opened:
            fence = opened.group(1)
            builder.line(line)
        elif atx := _ATX.match(line):
            builder.heading(len(atx.group(1)), atx.group(2) or "")
        elif (
            line.strip()
            and index + 1 < len(lines)
            and _SETEXT.match(lines[index + 1])
            and not (index > 0 and lines[index - 1].strip())  # a setext heading starts a block
        ):
            builder.heading(1 if lines[index + 1].strip()[0] == "=" else 2, line)
            index += 1
        else:
            builder.line(line)
        index += 1
    builder.flush()
    return builder.sections


def extract_markdown(data: bytes, *, encoding: str | None = None) -> Extracted:
    return Extracted(_markdown_sections(decode(data, encoding)))


# ---- PDF -----------------------------------------------------------------------------------------


def _outline_starts(reader: Any) -> dict[int, list[tuple[int, str]]]:
    """The page (0-based) each outline entry points to, with its level: {page: [(level, title), ...]}."""
    starts: dict[int, list[tuple[int, str]]] = {}

    def walk(items: Iterable[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:  # noqa: S112 - a broken destination: its heading is left out, its pages still read
                continue
            title = str(getattr(item, "title", "") or "")
            if page is not None and page >= 0 and title.strip():
                starts.setdefault(page, []).append((level, title))

    try:
        walk(reader.outline, 1)
    except Exception:  # an outline pypdf cannot read: the document is read without its headings
        return {}
    return starts


def extract_pdf(data: bytes) -> Extracted:
    """Each page's text (pypdf), under the outline's headings; an encrypted PDF opens only without a password."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(
                "the PDF is protected by a password: save a copy without the password and upload it",
                code="pdf_encrypted",
            )
        pages = list(reader.pages)
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, NotImplementedError) as error:
        raise ExtractionError("the PDF is damaged or not a PDF: it cannot be read", code="pdf_unreadable") from error
    starts = _outline_starts(reader)
    builder = _Sections()
    texts: list[str] = []
    for number, page in enumerate(pages):
        for level, title in starts.get(number, []):
            builder.heading(level, title)
        try:
            text = page.extract_text() or ""
        except Exception as error:  # pypdf raises many kinds on a damaged page's content
            raise ExtractionError(
                f"page {number + 1} of the PDF is damaged: it cannot be read", code="pdf_unreadable"
            ) from error
        texts.append(text)
        for line in text.splitlines():
            builder.line(line)
        builder.line("")  # a page ends a paragraph
    builder.flush()
    extracted = Extracted(builder.sections, pages=len(pages), title=_pdf_title(reader))
    if extracted.empty:
        raise ExtractionError(
            "the PDF has no text (a scanned document is pictures of pages: it needs text recognition first)",
            code="pdf_no_text",
        )
    return extracted


def _pdf_title(reader: Any) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:
        return None
    return clean(str(title)).strip()[:300] or None if title else None


# ---- DOCX ----------------------------------------------------------------------------------------


def extract_docx(data: bytes) -> Extracted:
    """Paragraphs and tables in document order; ``Heading N`` paragraphs are the headings, ``Title`` its title."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        content = list(document.iter_inner_content())
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ExtractionError("the DOCX is damaged or not a Word document", code="docx_unreadable") from error
    except Exception as error:  # python-docx's own (PackageNotFoundError…) and lxml's parse errors
        raise ExtractionError("the DOCX is damaged or not a Word document", code="docx_unreadable") from error
    builder = _Sections()
    title: str | None = None
    for block in content:
        if isinstance(block, Table):
            for row in block.rows:
                cells = [clean(cell.text).strip() for cell in row.cells]
                unique = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]  # merged cells
                if unique:
                    builder.line(" | ".join(unique))
            builder.line("")
            continue
        style = (block.style.name if block.style is not None else "") or ""
        text = block.text
        level = _HEADING_STYLE.match(style.strip())
        if level:
            builder.heading(int(level.group(1)), text)
        elif style.strip().lower() == "title":  # the document's name (its passages name it): no heading
            title = title or clean(text).strip()[:300] or None
        else:
            builder.line(("- " + text) if style.lower().startswith("list") and text.strip() else text)
            builder.line("")
    builder.flush()
    core_title = document.core_properties.title
    return Extracted(builder.sections, title=title or (clean(core_title).strip()[:300] if core_title else None))


# ---- CSV of questions and answers ----------------------------------------------------------------


def _plain(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


def _columns(header: list[str]) -> tuple[int, int, int | None] | None:
    names = [_plain(h) for h in header]

    def find(options: set[str]) -> int | None:
        return next((i for i, n in enumerate(names) if n in options), None)

    question, answer = find(_QUESTION_NAMES), find(_ANSWER_NAMES)
    if question is None or answer is None:
        return None
    return question, answer, find(_CATEGORY_NAMES)


def _rows(text: str) -> Iterator[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
    except csv.Error as error:
        raise ExtractionError(f"the CSV cannot be read: {error}", code="csv_unreadable") from error


def _cell(row: list[str], at: int | None) -> str:
    return clean(row[at]).strip() if at is not None and at < len(row) else ""


def extract_csv(data: bytes, *, encoding: str | None = None) -> Extracted:
    """One section per row, ``Q: <question>\\nA: <answer>``, under the row's category if the file has that column.
    The columns are found by their header (question/pergunta, answer/resposta, category/categoria); a header
    with other names: the first two columns are the question and the answer."""
    rows = _rows(decode(data, encoding))
    header = next(rows, None)
    if header is None:
        raise ExtractionError("the CSV is empty", code="document_empty")
    found = _columns(header)
    if found is None:
        if len(header) < 2:
            raise ExtractionError("the CSV needs two columns: the question and its answer", code="csv_columns")
        found = (0, 1, None)
    question_at, answer_at, category_at = found
    sections = []
    for row in rows:
        question, answer = _cell(row, question_at), _cell(row, answer_at)
        if question and answer:
            category = _cell(row, category_at)[:MAX_HEADING]
            sections.append(Section((category,) if category else (), f"Q: {question}\nA: {answer}"))
    return Extracted(sections)


# ---- HTML ----------------------------------------------------------------------------------------


def html_to_markdown(data: bytes, *, encoding: str | None = None) -> tuple[str, str | None]:
    """A page's main content as Markdown (headings as ``#``), and its ``<title>``."""
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    try:
        soup = BeautifulSoup(data, "lxml", from_encoding=encoding)
    except Exception:  # lxml missing or refusing: the standard library's parser
        soup = BeautifulSoup(data, "html.parser", from_encoding=encoding)
    title_tag = soup.find("title")
    title = clean(title_tag.get_text()).strip()[:300] or None if title_tag else None
    for tag in soup.find_all(_BOILERPLATE_TAGS):
        tag.decompose()
    main = soup.find("main") or soup.find("article") or soup.find("body") or soup
    converter = MarkdownConverter(
        heading_style="ATX", strip=["a", "img"], escape_asterisks=False, escape_underscores=False, escape_misc=False
    )
    return converter.convert_soup(main), title


def extract_html(data: bytes, *, encoding: str | None = None) -> Extracted:
    markdown, title = html_to_markdown(data, encoding=encoding)
    return Extracted(_markdown_sections(markdown), title=title)
