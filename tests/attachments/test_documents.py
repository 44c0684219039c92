"""Documents read into text with LlamaIndex's readers: pages and labels, progress, cancel, refusals."""

from __future__ import annotations

import threading

import pytest

from models.attachments import AttachmentRefused, IndexingCancelled, read_document
from tests.attachments.files import encrypt_pdf, make_docx, make_pdf


def test_a_pdf_is_read_page_by_page_with_progress(limits) -> None:
    pdf = make_pdf([["Page one says hello."], ["Page two (with parentheses) says bye."], ["Three."]])
    seen = []
    document = read_document("my report.pdf", pdf, limits, progress=lambda done, total: seen.append((done, total)))
    assert document.page_count == 3 and [page.page for page in document.pages] == ["1", "2", "3"]
    assert document.pages[1].text.strip() == "Page two (with parentheses) says bye."
    assert {page.file for page in document.pages} == {"my report.pdf"}
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_cancel_stops_reading_between_pages(limits) -> None:
    cancel = threading.Event()
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done == 2:
            cancel.set()

    with pytest.raises(IndexingCancelled):
        read_document("long.pdf", make_pdf([["words"]] * 10), limits, progress=progress, cancel=cancel)
    assert seen == [0, 1, 2]


def test_docx_csv_markdown_and_text(limits) -> None:
    docx = read_document("letter.docx", make_docx(["Dear Ann,", "The café opens at 9."]), limits)
    assert "Dear Ann," in docx.text and "The café opens at 9." in docx.text and docx.page_count is None
    csv = read_document("people.csv", b"name,city\nAnn,Lisbon\nBo,Porto\n", limits)
    assert csv.text.splitlines() == ["name, city", "Ann, Lisbon", "Bo, Porto"]  # the header is kept
    markdown = "# Plan\n\n| step | who |\n| --- | --- |\n| buy | Ann |\n\n```python\nprint(1)\n```\n"
    assert read_document("plan.md", markdown.encode(), limits).text == markdown  # as written, not reparsed
    assert read_document("note.txt", "naïve ☕\n".encode("utf-16"), limits).text == "naïve ☕\n"
    assert read_document("note.txt", b"\xef\xbb\xbfwith a BOM\n", limits).text == "with a BOM\n"


def refused(name: str, data: bytes, settings) -> str:
    with pytest.raises(AttachmentRefused) as caught:
        read_document(name, data, settings)
    return str(caught.value)


def test_a_scanned_pdf_is_refused_with_no_ocr(limits) -> None:
    assert refused("scan.pdf", make_pdf([None, None]), limits) == \
        "“scan.pdf” looks scanned: no text found; OCR is not available."


def test_an_encrypted_pdf_is_refused(limits) -> None:
    locked = encrypt_pdf(make_pdf([["Secret plans."]]))
    assert refused("locked.pdf", locked, limits) == "“locked.pdf” is protected by a password, so it can't be read."


def test_a_pdf_locked_only_against_editing_is_read(limits) -> None:
    """An empty user password (owner permissions only): every viewer opens it, and so do we."""
    document = read_document("open.pdf", encrypt_pdf(make_pdf([["Readable."]]), password=""), limits)
    assert document.pages[0].text.strip() == "Readable."


@pytest.mark.parametrize("damage", [
    lambda pdf: pdf[: len(pdf) // 3],
    lambda pdf: b"%PDF-1.4\n" + b"\x00garbage" * 50,
    lambda pdf: pdf.replace(b"/Type /Pages", b"/Type /Broken"),
])
def test_a_damaged_pdf_is_refused(limits, damage) -> None:
    sentence = refused("broken.pdf", damage(make_pdf([["Some text."]] * 3)), limits)
    assert sentence.startswith("“broken.pdf” is damaged") or sentence.endswith("OCR is not available.")


def test_a_damaged_docx_and_empty_text_are_refused(limits) -> None:
    broken = make_docx(["x"]).replace(b"word/document.xml", b"word/documenX.xml")
    assert refused("letter.docx", b"PK\x03\x04" + broken[4:], limits).startswith("“letter.docx” is damaged")
    assert refused("blank.txt", b"  \n\n", limits) == "“blank.txt” holds no text to read."


def test_cancel_set_before_the_first_page_stops_reading(limits) -> None:
    """Set before the reader says a word: it is ended (by its watcher or at its first line), as cancelled."""
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(IndexingCancelled):
        read_document("long.pdf", make_pdf([["words"]] * 50), limits, cancel=cancel)
