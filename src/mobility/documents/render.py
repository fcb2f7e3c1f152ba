"""A :class:`~mobility.documents.content.Draft` as a Word (.docx) or PDF file.

Word files are written with python-docx, PDFs with fpdf2 in a Unicode TrueType font
(DejaVu Sans from Debian's ``fonts-dejavu-core``, or the file ``MOBILITY_PDF_FONT`` names),
so umlauts and names in any Latin, Greek or Cyrillic script print as typed. The
document is built in memory and moved into place under its final name only when
complete: a reader never sees half a file.

Examples
--------
>>> from mobility.documents.content import Block, Draft
>>> draft = Draft("Title", "Sub", (Block("Part", rows=(("Name", "Zoë"),)),), "draft")
>>> render_bytes(draft, ".docx")[:2]
b'PK'
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from mobility.documents.content import Draft
from mobility.errors import ConfigurationError, ValidationError

SUFFIXES = (".docx", ".pdf")
#: What an empty value prints as: a line to write on.
BLANK = "_" * 32

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)


def check_document_path(path: str | os.PathLike) -> Path:
    """``path`` if it ends in .docx or .pdf, else ValidationError."""
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        raise ValidationError(f"{target.name}: a document is written as .docx or .pdf")
    return target


def write_document(draft: Draft, path: str | os.PathLike) -> Path:
    """Write ``draft`` to ``path`` (.docx or .pdf), atomically."""
    target = check_document_path(path)
    return write_bytes_atomically(target, render_bytes(draft, target.suffix.lower()))


def write_bytes_atomically(target: Path, data: bytes) -> Path:
    """Write ``data`` beside ``target`` under a temporary name, then rename it into place:
    the file appears complete or not at all, and a failure leaves what was there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                    suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp_name).replace(target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def render_bytes(draft: Draft, suffix: str) -> bytes:
    """The file's bytes for ``suffix`` (``.docx`` or ``.pdf``)."""
    if suffix == ".docx":
        return _docx(draft)
    if suffix == ".pdf":
        return _pdf(draft)
    raise ValidationError(f"a document is written as .docx or .pdf, not {suffix}")


def _docx(draft: Draft) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = draft.title
    doc.add_heading(draft.title, level=0)
    doc.add_paragraph(draft.subtitle)
    for block in draft.blocks:
        doc.add_heading(block.heading, level=1)
        for note in block.notes:
            doc.add_paragraph(note).runs[0].italic = True
        if block.rows:
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in block.rows:
                cells = table.add_row().cells
                cells[0].text = label
                cells[1].text = value or BLANK
        for label in block.lines:
            doc.add_paragraph(f"{label}:")
            doc.add_paragraph(BLANK * 2)
    footer = doc.add_paragraph(draft.footer)
    footer.runs[0].font.size = Pt(8)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def pdf_font() -> Path:
    """The TrueType font PDFs are set in; ConfigurationError when none is installed."""
    override = os.environ.get("MOBILITY_PDF_FONT")
    for candidate in ((override,) if override else ()) + _FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise ConfigurationError("no Unicode font for PDF documents: install the Debian package "
                             "fonts-dejavu-core, set MOBILITY_PDF_FONT to a .ttf file, or "
                             "write the document as .docx")


def _pdf(draft: Draft) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(draft.title)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("Body", "", str(pdf_font()))
    pdf.add_page()
    width = pdf.epw

    def para(text: str, size: float, height: float) -> None:
        pdf.set_font("Body", size=size)
        pdf.multi_cell(width, height, text, new_x="LMARGIN", new_y="NEXT")

    para(draft.title, 16, 9)
    para(draft.subtitle, 10, 6)
    for block in draft.blocks:
        pdf.ln(3)
        para(block.heading, 13, 8)
        for note in block.notes:
            para(note, 9, 5)
        pdf.set_font("Body", size=10)
        if block.rows:
            with pdf.table(col_widths=(38, 62), text_align="LEFT",
                           first_row_as_headings=False, line_height=6) as table:
                for label, value in block.rows:
                    row = table.row()
                    row.cell(label)
                    row.cell(value or BLANK)
        for label in block.lines:
            para(f"{label}:", 10, 6)
            para(BLANK * 2, 10, 8)
    pdf.ln(4)
    para(draft.footer, 8, 4)
    return bytes(pdf.output())
