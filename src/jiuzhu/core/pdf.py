"""Printable A4 documents: one plain description, shown two ways.

A capability's ``documents.py`` builds a :class:`Document` (title, facts, sections of facts,
text and tables: strings only, already translated and masked) from what its scoped look-ups
return. The same document is then

* the browser's print view (``templates/core/document_print.html`` with ``print.css``: A4,
  ``@page`` margins, the buttons hidden on paper), through :func:`print_response`;
* a PDF download through :func:`pdf_download`, which renders it with ReportLab (installs with
  pip, no system libraries), embeds the CJK font named by ``settings.PDF_FONT``
  (``JIUZHU_PDF_FONT``) as a subset of the characters the document uses, and audits the
  download as an export of the object in the same transaction as the render.

A missing font is :class:`PdfFontMissing` (503, a message naming the setting), never a 500;
``jiuzhu check --deploy`` warns about it (``core/checks.py``).
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import AuditAction, User

PDF_CONTENT_TYPE = "application/pdf"


# ---------------------------------------------------------------- the document


@dataclass
class Facts:
    """Label–value pairs (a definition list on paper)."""

    pairs: Sequence[tuple[str, str]]
    kind: str = "facts"


@dataclass
class Text:
    text: str
    muted: bool = False
    kind: str = "text"


@dataclass
class Table:
    """Headers and rows of strings (an empty string prints as an empty cell; use :func:`cell`
    for "—"). ``widths`` are relative column widths (default equal); ``numeric`` the indexes
    of right-aligned columns; ``empty`` is printed instead of a table without rows."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[int] = ()
    numeric: frozenset[int] = frozenset()
    empty: str = ""
    kind: str = "table"


Block = Facts | Text | Table


@dataclass
class Section:
    title: str
    blocks: Sequence[Block] = ()


@dataclass
class Document:
    """What one printed page set says. ``stem`` names the downloaded file; ``signatures``
    are the lines left for a signature or seal at the end."""

    title: str
    stem: str
    subtitle: str = ""
    facts: Sequence[tuple[str, str]] = ()
    sections: Sequence[Section] = ()
    signatures: Sequence[str] = ()
    printed_at: dt.datetime = field(default_factory=timezone.localtime)

    @property
    def footer(self) -> str:
        return _("Printed %(when)s") % {"when": self.printed_at.strftime("%Y-%m-%d %H:%M")}

    def strings(self) -> Iterator[str]:
        """Every string the document prints (for the font subset and for tests)."""
        yield from (self.title, self.subtitle, self.footer, *self.signatures)
        for label, value in self.facts:
            yield from (label, value)
        for section in self.sections:
            yield section.title
            for block in section.blocks:
                if isinstance(block, Facts):
                    for label, value in block.pairs:
                        yield from (label, value)
                elif isinstance(block, Text):
                    yield block.text
                else:
                    yield from block.headers
                    yield block.empty
                    for row in block.rows:
                        yield from row


def cell(value: Any) -> str:
    """A value as printed: ``—`` for nothing, dates and times in ISO order."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- the font


class PdfFontMissing(DomainError):
    status = 503

    def __init__(self, path: str):
        super().__init__(
            "pdf_font_missing",
            _(
                "PDF documents cannot be made: the font file %(path)s is missing. Ask the "
                "administrator to install it or to set JIUZHU_PDF_FONT; the print view still "
                "works."
            )
            % {"path": path},
            path=path,
        )


def font_path() -> Path:
    return Path(settings.PDF_FONT)


def font_problem() -> str:
    """Why PDFs cannot be made, or ``""``."""
    path = font_path()
    if not path.is_file():
        return f"The PDF font {path} (JIUZHU_PDF_FONT) does not exist."
    if path.suffix.lower() not in (".ttf", ".otf", ".ttc"):
        return f"The PDF font {path} (JIUZHU_PDF_FONT) is not a .ttf, .otf or .ttc file."
    return ""


_FONTS: dict[str, str] = {}
_FONTS_LOCK = threading.Lock()


def _font_name() -> str:
    """The registered ReportLab name of the configured font. Reading a CJK font's tables takes
    most of a second, so it is done once per process and path; each document then embeds only
    the glyphs it uses (ReportLab subsets TrueType fonts on output)."""
    path = str(font_path())
    with _FONTS_LOCK:
        if path in _FONTS:
            return _FONTS[path]
        if font_problem():
            raise PdfFontMissing(path)
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFError, TTFont

        name = f"jiuzhu-cjk-{len(_FONTS)}"
        try:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        except (TTFError, OSError):
            raise PdfFontMissing(path) from None
        _FONTS[path] = name
        return name


# ---------------------------------------------------------------- rendering


def _markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def render_pdf(document: Document) -> bytes:
    """The document as an A4 PDF with the CJK font embedded as a subset."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import (
        CondPageBreak,
        HRFlowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as PdfTable

    font = _font_name()

    def style(size: float, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            f"s{size}", fontName=font, fontSize=size, leading=size * 1.45, wordWrap="CJK", **extra
        )

    title, subtitle = style(16, alignment=TA_CENTER), style(10, alignment=TA_CENTER)
    heading, body = style(12, spaceBefore=6), style(10)
    muted = style(8.5, textColor=colors.HexColor("#555555"))
    label = style(9.5, textColor=colors.HexColor("#555555"))
    value, small, small_right = style(9.5), style(9), style(9, alignment=TA_RIGHT)
    grey = colors.HexColor("#999999")
    margin = 15 * mm
    width = A4[0] - 2 * margin
    footer = f"{document.title} · {document.footer}"

    class NumberedCanvas(Canvas):
        """Draws "page n of m" once every page is known (pages are kept, then written)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = font  # no unembedded Helvetica in the file
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for page in self._pages:
                self.__dict__.update(page)
                number = _("Page %(page)s of %(pages)s") % {
                    "page": self._pageNumber,
                    "pages": len(self._pages),
                }
                self.setFont(font, 8)
                self.setFillColor(colors.HexColor("#666666"))
                self.drawCentredString(A4[0] / 2, 9 * mm, f"{footer} · {number}")
                super().showPage()
            super().save()

    def facts(pairs: Sequence[tuple[str, str]]) -> list:
        if not pairs:
            return []
        table = PdfTable(
            [[Paragraph(_markup(k), label), Paragraph(_markup(v or "—"), value)] for k, v in pairs],
            colWidths=(width * 0.27, width * 0.73),
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("LINEABOVE", (0, 0), (-1, -1), 0.4, colors.HexColor("#dddddd")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        return [table, Spacer(1, 2 * mm)]

    def table(block: Table) -> list:
        if not block.rows:
            return [Paragraph(_markup(block.empty or "—"), muted), Spacer(1, 2 * mm)]
        count = len(block.headers)
        weights = list(block.widths) or [1] * count
        widths = [width * w / sum(weights) for w in weights]

        def cells(values: Sequence[str], header: bool = False) -> list:
            return [
                Paragraph(
                    _markup(text),
                    small_right if index in block.numeric and not header else small,
                )
                for index, text in enumerate(values)
            ]

        rows = [cells(block.headers, header=True)] + [cells(row) for row in block.rows]
        grid = PdfTable(rows, colWidths=widths, repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("GRID", (0, 0), (-1, -1), 0.5, grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return [grid, Spacer(1, 2 * mm)]

    story: list = [Paragraph(_markup(document.title), title)]
    if document.subtitle:
        story.append(Paragraph(_markup(document.subtitle), subtitle))
    story += [Spacer(1, 3 * mm), *facts(document.facts)]
    for section in document.sections:
        story += [
            CondPageBreak(30 * mm),
            Paragraph(_markup(section.title), heading),
            HRFlowable(width="100%", thickness=0.6, color=grey, spaceBefore=1, spaceAfter=3),
        ]
        for block in section.blocks:
            if isinstance(block, Facts):
                story += facts(block.pairs)
            elif isinstance(block, Text):
                story += [Paragraph(_markup(block.text), muted if block.muted else body)]
                story.append(Spacer(1, 1.5 * mm))
            else:
                story += table(block)
    if document.signatures:
        line = PdfTable(
            [[Paragraph(_markup(f"{s}：____________"), body) for s in document.signatures]],
            colWidths=[width / len(document.signatures)] * len(document.signatures),
        )
        line.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font)]))
        story += [Spacer(1, 10 * mm), line]
    output = io.BytesIO()
    SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=18 * mm,
        title=document.title,
        author="jiuzhu",
        creator="jiuzhu",
        lang="zh-CN",
    ).build(story, canvasmaker=NumberedCanvas)
    return output.getvalue()


# ---------------------------------------------------------------- responses


@transaction.atomic
def pdf_audited(
    *, actor: User, document: Document, obj: models.Model | None = None, detail: dict | None = None
) -> bytes:
    """Render the document and record the download (an export of ``obj``) in one
    transaction: every PDF of personal data leaves one audit entry."""
    content = render_pdf(document)
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=obj,
        object_type="" if obj is not None else f"document.{document.stem}",
        detail={"format": "pdf", "document": document.stem, **(detail or {})},
    )
    return content


def pdf_download(
    request: HttpRequest,
    document: Document,
    *,
    obj: models.Model | None = None,
    detail: dict | None = None,
) -> HttpResponse:
    """The PDF as a download that no cache keeps; without the font, a page saying so (503)."""
    try:
        content = pdf_audited(actor=request.user, document=document, obj=obj, detail=detail)
    except PdfFontMissing as error:
        return render(request, "core/document_unavailable.html", {"error": error}, status=503)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{document.stem}-{stamp}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def print_response(
    request: HttpRequest, document: Document, *, pdf_url: str = "", back_url: str = ""
) -> HttpResponse:
    """The browser's print view of the document (A4 print CSS; 打印 and 下载PDF buttons)."""
    return render(
        request,
        "core/document_print.html",
        {"document": document, "pdf_url": pdf_url, "back_url": back_url},
    )


__all__ = [
    "Document",
    "Facts",
    "PdfFontMissing",
    "Section",
    "Table",
    "Text",
    "cell",
    "font_problem",
    "pdf_audited",
    "pdf_download",
    "print_response",
    "render_pdf",
]
