"""Documents read into text: a PDF page by page with pypdf (what LlamaIndex's PDFReader runs, one
Document per page with its page label), DOCX with LlamaIndex's DocxReader (docx2txt), CSV with its
CSVReader (which keeps the header row, unlike the default pandas reader), TXT and Markdown with
SimpleDirectoryReader's default (plain text: its MarkdownReader splits and drops text).

PDFs are read here rather than through PDFReader.load_data because it reads every page in one call
(no progress to show, nothing to cancel between pages) and retries a damaged file three times.
LlamaIndex is imported only here, when a document is read."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from threading import Event

from models.attachments._check import decoded_text, extension_of
from models.attachments._records import AttachmentRefused, DocumentText, IndexingCancelled, Passage

Progress = Callable[[int, int], None]


def read_document(name: str, data: bytes, settings, *, progress: Progress | None = None,
                  cancel: Event | None = None) -> DocumentText:
    """The text of a document whose kind check_upload accepted; progress(done, total) as it goes
    (pages of a PDF), IndexingCancelled once `cancel` is set, AttachmentRefused for a damaged,
    encrypted or textless file."""
    extension = extension_of(name)
    if extension == "pdf":
        document = _read_pdf(name, data, progress or _quiet, cancel)
    else:
        _check_cancel(cancel)
        text = _read_with_llama_index(name, extension, data)
        document = DocumentText(name, (Passage(name, None, text),))
        (progress or _quiet)(1, 1)
    if not any(page.text.strip() for page in document.pages):
        raise AttachmentRefused(f"“{name}” holds no text to read.")
    return document


def _quiet(done: int, total: int) -> None:
    """No progress wanted."""


def _check_cancel(cancel: Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise IndexingCancelled()


def _read_pdf(name: str, data: bytes, progress: Progress, cancel: Event | None) -> DocumentText:
    import pypdf

    # A PDF is untrusted input and pypdf reports damage as many kinds of exception, so every
    # exception while parsing is this one refusal (never a traceback).
    try:
        pdf = pypdf.PdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not _opens_without_password(pdf):
            raise AttachmentRefused(f"“{name}” is protected by a password, so it can't be read.")
        total = len(pdf.pages)
        labels = pdf.page_labels
    except AttachmentRefused:
        raise
    except Exception:  # noqa: BLE001 - untrusted input: any failure to parse is damage
        raise AttachmentRefused(f"“{name}” is damaged and can't be read as a PDF.") from None
    pages = []
    progress(0, total)
    for number in range(total):
        _check_cancel(cancel)
        try:
            text = pdf.pages[number].extract_text() or ""
        except Exception:  # noqa: BLE001 - as above, for one page
            raise AttachmentRefused(f"“{name}” is damaged: page {number + 1} can't be read.") from None
        label = labels[number] if number < len(labels) else str(number + 1)
        pages.append(Passage(name, label, text))
        progress(number + 1, total)
    if not any(page.text.strip() for page in pages):
        raise AttachmentRefused(f"“{name}” looks scanned: no text found; OCR is not available.")
    return DocumentText(name, tuple(pages), total)


def _opens_without_password(pdf) -> bool:
    """True for a PDF encrypted with an empty user password (only owner permissions set), which
    every viewer opens without asking."""
    try:
        return bool(pdf.decrypt(""))
    except Exception:  # noqa: BLE001 - an unsupported cipher: not readable here either
        return False


def _read_with_llama_index(name: str, extension: str, data: bytes) -> str:
    """A DOCX, CSV, TXT or Markdown file's text through LlamaIndex's readers, which read paths: the
    bytes go to a private temporary folder first (under a fixed name, never the person's)."""
    if extension in ("csv", "txt", "md", "markdown"):
        text = decoded_text(data)  # check_upload made sure it decodes
        if text is None:
            raise AttachmentRefused(f"“{name}” is not text in UTF-8.")
        data = text.encode("utf-8")  # the readers read UTF-8 (SimpleDirectoryReader) or the locale's
    with tempfile.TemporaryDirectory(prefix="bnagpt-read-") as folder:
        path = Path(folder) / f"document.{extension}"
        path.write_bytes(data)
        try:
            documents = _reader_documents(extension, path)
        except Exception:  # noqa: BLE001 - untrusted input: the readers' failures are damage
            raise AttachmentRefused(f"“{name}” is damaged and can't be read.") from None
    return "\n\n".join(document.text for document in documents)


def _reader_documents(extension: str, path: Path) -> list:
    if extension == "docx":
        from llama_index.readers.file import DocxReader

        return DocxReader().load_data(path)
    if extension == "csv":
        from llama_index.readers.file import CSVReader

        return CSVReader(concat_rows=True).load_data(path)
    from llama_index.core import SimpleDirectoryReader

    return SimpleDirectoryReader(input_files=[path], encoding="utf-8").load_data(show_progress=False)
