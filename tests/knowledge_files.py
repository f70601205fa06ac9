"""Real documents for the knowledge-base tests and bench, made here: PDFs with fpdf2 (an outline from its sections,
encrypted ones with pypdf), DOCX with python-docx."""

from __future__ import annotations

import io
from collections.abc import Sequence

import docx
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter


def pdf(pages: Sequence[tuple[str | None, str]], *, title: str | None = None) -> bytes:
    """One page per (section heading or None, text); a heading opens an outline entry (a bookmark) on its page."""
    document = FPDF()
    document.set_auto_page_break(auto=True, margin=15)
    if title:
        document.set_title(title)
    for heading, body in pages:
        document.add_page()
        document.set_font("helvetica", size=11)
        if heading:
            document.start_section(heading, level=0)
            document.set_font("helvetica", style="B", size=14)
            document.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
            document.set_font("helvetica", size=11)
        if body:
            document.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def encrypted(data: bytes, *, password: str = "segredo") -> bytes:
    """``data`` (a PDF) that opens only with ``password``."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_file(blocks: Sequence[tuple[str, object]]) -> bytes:
    """Blocks of ("title", text), ("h1".."h3", text), ("p", text), ("bullet", text) or ("table", rows)."""
    document = docx.Document()
    for kind, value in blocks:
        if kind == "title":
            document.add_heading(str(value), level=0)
        elif kind.startswith("h"):
            document.add_heading(str(value), level=int(kind[1:]))
        elif kind == "bullet":
            document.add_paragraph(str(value), style="List Bullet")
        elif kind == "table":
            rows = list(value)  # type: ignore[call-overload]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        else:
            document.add_paragraph(str(value))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
