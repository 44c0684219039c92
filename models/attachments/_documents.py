"""Documents read into text: a PDF page by page with pypdf (what LlamaIndex's PDFReader runs, one
Document per page with its page label), DOCX with LlamaIndex's DocxReader (docx2txt), CSV with its
CSVReader (which keeps the header row, unlike the default pandas reader), TXT and Markdown with
SimpleDirectoryReader's default (plain text: its MarkdownReader splits and drops text).

PDFs are read page by page with pypdf, as PDFReader does, in a process of their own (_pdf_reader)
rather than through PDFReader.load_data, which reads every page in one call (no progress to show,
nothing to cancel between pages), retries a damaged file three times, and would parse untrusted
input inside the server.
LlamaIndex is imported only here, when a document is read."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from threading import Event

from models.attachments._check import decoded_text, extension_of
from models.attachments._records import AttachmentRefused, DocumentText, IndexingCancelled, Passage

Progress = Callable[[int, int], None]
CANCEL_CHECK_SECONDS = 0.1  # how often a reader's watcher looks whether it has ended by itself
PROJECT_DIR = Path(__file__).resolve().parent.parent.parent  # where `-m models.attachments…` is found


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
    """The PDF's pages, read by pypdf in a process of its own (_pdf_reader says why)."""
    reader = subprocess.Popen([sys.executable, "-m", "models.attachments._pdf_reader"], cwd=PROJECT_DIR,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    feeding = threading.Thread(target=_feed, args=(reader, data), name="bnaGPT PDF bytes", daemon=True)
    feeding.start()
    if cancel is not None:  # Cancel ends the reader even in the middle of a long page
        threading.Thread(target=_end_on_cancel, args=(reader, cancel), name="bnaGPT PDF cancel", daemon=True).start()
    try:
        pages, total = [], None
        for line in reader.stdout:
            _check_cancel(cancel)
            said = json.loads(line)
            if isinstance(said, dict) and "refused" in said:
                raise AttachmentRefused(_refusal(name, said["refused"]))
            if isinstance(said, dict):
                total = int(said["total"])
            else:
                pages.append(Passage(name, str(said[0]), str(said[1])))
            progress(len(pages), total)
        _check_cancel(cancel)
    finally:
        reader.kill()  # at once on Cancel or a refusal; a finished reader has exited already
        reader.wait()
        reader.stdout.close()
    if total is None or len(pages) != total:  # it ended without a word: killed, or out of memory
        raise AttachmentRefused(f"“{name}” is damaged and can't be read as a PDF.")
    if not any(page.text.strip() for page in pages):
        raise AttachmentRefused(f"“{name}” looks scanned: no text found; OCR is not available.")
    return DocumentText(name, tuple(pages), total)


def _feed(reader: subprocess.Popen, data: bytes) -> None:
    """Hand the reader the PDF's bytes (from a thread, so that its answers are read meanwhile)."""
    with suppress(OSError):  # it ended early: a refusal or Cancel
        reader.stdin.write(data)
    with suppress(OSError):
        reader.stdin.close()


def _end_on_cancel(reader: subprocess.Popen, cancel: Event) -> None:
    """Kill the reader once `cancel` is set; return when it has ended either way."""
    while reader.poll() is None:
        if cancel.wait(CANCEL_CHECK_SECONDS):
            reader.kill()
            return


def _refusal(name: str, what: str) -> str:
    if what == "encrypted":
        return f"“{name}” is protected by a password, so it can't be read."
    if what.startswith("page "):
        return f"“{name}” is damaged: {what} can't be read."
    return f"“{name}” is damaged and can't be read as a PDF."


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
