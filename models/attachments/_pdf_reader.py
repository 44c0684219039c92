"""PDFs are read in a process of their own: `python -m models.attachments._pdf_reader` reads a PDF's
bytes on stdin and writes its pages' text on stdout, one JSON line each.

Why a process: a PDF is untrusted input, and pypdf parsing one leaves the reading process several
times the file's size larger (objects in cycles, a fragmented heap) and holds the GIL while other
people's answers stream. In its own process the server keeps only the text, Cancel ends the
reading at once, and a PDF that crashes or floods pypdf takes nothing else down.

The lines: {"total": pages} first, then [page label, text] per page, or {"refused": "damaged" |
"encrypted" | "page N"} (the parent says it in a sentence with the file's name)."""

from __future__ import annotations

import io
import json
import sys


def _opens_without_password(pdf) -> bool:
    """True for a PDF encrypted with an empty user password (only owner permissions set), which
    every viewer opens without asking."""
    try:
        return bool(pdf.decrypt(""))
    except Exception:  # noqa: BLE001 - an unsupported cipher: not readable here either
        return False


def _say(line: object) -> None:
    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main() -> None:
    import pypdf

    data = sys.stdin.buffer.read()
    # pypdf reports damage as many kinds of exception: every one while parsing is this refusal.
    try:
        pdf = pypdf.PdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not _opens_without_password(pdf):
            _say({"refused": "encrypted"})
            return
        total = len(pdf.pages)
        labels = pdf.page_labels
    except Exception:  # noqa: BLE001 - untrusted input: any failure to parse is damage
        _say({"refused": "damaged"})
        return
    _say({"total": total})
    for number in range(total):
        try:
            text = pdf.pages[number].extract_text() or ""
        except Exception:  # noqa: BLE001 - as above, for one page
            _say({"refused": f"page {number + 1}"})
            return
        _say([labels[number] if number < len(labels) else str(number + 1), text])


if __name__ == "__main__":
    main()
