"""Test files made on the spot: PDFs written by hand (text pages, textless "scanned" pages), DOCX as
the zip Word writes, images with Pillow, and the long report with a planted fact that retrieval must
find. Used by the attachment tests and by bench B11."""

from __future__ import annotations

import io
import random
import zipfile

from PIL import Image, ImageDraw

# The fact planted on one page of the long report, and a question a person would ask about it.
PLANTED_PAGE = 217
PLANTED_FACT = "The Heliotrope reservoir holds exactly 4,817 cubic metres of rainwater."
PLANTED_QUESTION = "How much water does the Heliotrope reservoir hold, says the council report?"
_WORDS = ("annual budget council meeting committee proposal district school library transport road bridge "
          "maintenance survey residents garden festival market water energy housing planning report summary "
          "schedule contract supplier invoice review quarter revenue expense staff training policy safety "
          "inspection parking traffic lighting park playground museum archive record minutes motion vote "
          "agreement tender repair river harbour ferry station timetable").split()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str] | None]) -> bytes:
    """A PDF with one page per item: its lines as Helvetica text, or (None) a page with only a
    drawn rectangle and no text layer, as a scanner makes."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        if lines is None:
            content = b"0.5 g 50 50 500 700 re f"
        else:
            shown = b" T* ".join(b"(" + _escape(line).encode("latin-1", "replace") + b") Tj" for line in lines)
            content = b"BT /F1 10 Tf 12 TL 50 750 Td " + shown + b" ET"
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % len(objects))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(kids)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start))
    return out.getvalue()


def report_pages(count: int = 300, *, seed: int = 15) -> list[list[str]]:
    """`count` pages of plausible council-report text (about 450 words each), the planted fact on
    PLANTED_PAGE (when there is one) among the other lines."""
    rng = random.Random(seed)
    pages = []
    for number in range(1, count + 1):
        lines = [f"Section {number}: {' '.join(rng.choice(_WORDS) for _ in range(4))}"]
        for _ in range(50):
            lines.append(" ".join(rng.choice(_WORDS) for _ in range(9)) + ".")
        if number == PLANTED_PAGE:
            lines.insert(31, PLANTED_FACT)
        pages.append(lines)
    return pages


def encrypt_pdf(data: bytes, password: str = "secret") -> bytes:
    """The same PDF, readable only with `password`."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    writer.encrypt(password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def compress_pdf(data: bytes) -> bytes:
    """The same PDF with its pages' text streams compressed (Flate), as most PDF writers make them."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(paragraphs: list[str]) -> bytes:
    """A minimal Word document (the parts docx2txt and Word need) with one paragraph per item."""
    body = "".join(f"<w:p><w:r><w:t>{_xml(text)}</w:t></w:r></w:p>" for text in paragraphs)
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body>{body}</w:body></w:document>")
    types = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_image(size: tuple[int, int], image_format: str = "PNG", *, color: str = "white", **options) -> bytes:
    """An image of one colour with a black mark in its top-left corner (to see orientation)."""
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 4, size[1] // 4), fill="black")
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def screenshot(size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A PNG screenshot full of small (10 px) text, as a wide monitor's capture is."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    line = "The quick brown fox jumps over the lazy dog 0123456789 " * (size[0] // 300 + 1)
    for top in range(0, size[1], 14):
        draw.text((10, top), line, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
