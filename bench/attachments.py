"""B11: attachments. Reading and indexing a 300-page PDF (pages a second: at least 20) and the
server memory it takes (peak RSS over the resting process, against the file's size: at most 2×),
each in a fresh process that has read a 3-page PDF first, as a warm server has (LlamaIndex, its
tokenizer, pypdf, bm25s and the stemmer imported and made), before the clock starts; and a
question's passages from the cached index (what a turn with that PDF attached adds before its
request goes out); and a question → first token with that PDF attached (bench/attachments_turn.py).

`python -m bench.attachments --child` is the process measured; it prints one JSON line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.attachments_turn import first_token_row
from bench.report import Measurement, progress
from tests.attachments.files import compress_pdf, make_pdf, report_pages

PAGES = 300
PROJECT_DIR = Path(__file__).resolve().parent.parent


def _peak_reset() -> None:
    """Let VmHWM (the peak RSS) start again from the current RSS (Linux 4.0 and later)."""
    Path("/proc/self/clear_refs").write_text("5")


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(path: Path) -> dict:
    """One measurement in this (fresh) process: read + index the PDF at `path` (made by the parent,
    so that making it leaves no freed memory here for indexing to reuse unseen), its peak memory,
    and a question's passages from the index cached as bytes."""
    import gc

    from models.attachments import DocumentIndex, read_document
    from settings import load_settings
    from tests.attachments.files import PLANTED_FACT, PLANTED_QUESTION, make_pdf, report_pages

    settings = load_settings({"BNAGPT_SECRETS_FILE": "/nonexistent", "BNAGPT_DOTENV_FILE": "/nonexistent"})
    # A warm server has read a document before: LlamaIndex, its tokenizer, pypdf, bm25s and the
    # stemmer are imported and made once per process, not per document.
    small = make_pdf(report_pages(3))
    DocumentIndex.build(read_document("warm.pdf", small, settings), settings).retrieve("council", 500)
    pdf = path.read_bytes()  # as an upload arrives: the file's bytes in memory
    gc.collect()
    _peak_reset()
    resting = _status_kb("VmRSS")
    began = time.perf_counter()
    index = DocumentIndex.build(read_document("report.pdf", pdf, settings), settings)
    seconds = time.perf_counter() - began
    peak = _status_kb("VmHWM")
    cached = index.to_bytes()
    del index
    began = time.perf_counter()
    passages = DocumentIndex.from_bytes(cached).retrieve(PLANTED_QUESTION, token_budget=4000)
    retrieval = time.perf_counter() - began
    return {"seconds": seconds, "extra_mb": (peak - resting) / 1024, "file_mb": len(pdf) / 1024 / 1024,
            "retrieval": retrieval, "found": bool(passages) and PLANTED_FACT in passages[0].text}


def rows(repeat: int) -> list[Measurement]:
    """B11-index, B11-memory and B11-passages, each run in a fresh process."""
    index = Measurement("B11-index", f"Attachments: read and index a {PAGES}-page PDF (budget: 20 pages a second)",
                        "s", budget=PAGES / 20)
    memory = Measurement("B11-memory", f"Attachments: extra server memory while indexing the {PAGES}-page PDF, "
                         "in file sizes (peak RSS over the resting process)", "×", budget=2.0)
    # Most PDF writers compress the text streams, so the text is about twice the file: reported, not judged.
    squeezed = Measurement("B11-memory-compressed", f"Attachments: as B11-memory, the same {PAGES} pages with "
                           "their text streams compressed (Flate)", "×")
    passages = Measurement("B11-passages", "Attachments: a question's passages from the cached index of the "
                           f"{PAGES}-page PDF (index read back and BM25 rebuilt, then searched)", "s", budget=0.5)
    folder = Path(tempfile.mkdtemp(prefix="bnagpt-b11-"))
    plain, compressed = folder / "report.pdf", folder / "compressed.pdf"
    plain.write_bytes(make_pdf(report_pages(PAGES)))
    compressed.write_bytes(compress_pdf(plain.read_bytes()))
    try:
        _measure(repeat, plain, compressed, index, memory, squeezed, passages)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    index.details = {"pages a second (median)": round(PAGES / index.median, 1)}
    return [index, memory, squeezed, passages, first_token_row(repeat)]


def _measure(repeat: int, plain: Path, compressed: Path, index: Measurement, memory: Measurement,
             squeezed: Measurement, passages: Measurement) -> None:
    for run in range(repeat):
        result = _measured(plain)
        index.values.append(result["seconds"])
        memory.values.append(result["extra_mb"] / result["file_mb"])
        passages.values.append(result["retrieval"])
        if not result["found"]:
            passages.problems.append(f"run {run + 1}: the planted fact was not the first passage")
        memory.details = {"file": f"{result['file_mb']:.2f} MB", "extra (last run)": f"{result['extra_mb']:.1f} MB"}
        small = _measured(compressed)
        squeezed.values.append(small["extra_mb"] / small["file_mb"])
        squeezed.details = {"file": f"{small['file_mb']:.2f} MB", "extra (last run)": f"{small['extra_mb']:.1f} MB"}
        progress(f"B11 run {run + 1}/{repeat}: indexed in {result['seconds']:.2f} s "
                 f"({PAGES / result['seconds']:.0f} pages/s), {result['extra_mb']:.1f} MB extra "
                 f"for {result['file_mb']:.2f} MB, passages in {result['retrieval'] * 1000:.0f} ms")


def _measured(pdf: Path) -> dict:
    """What one fresh child process measured."""
    done = subprocess.run([sys.executable, "-m", "bench.attachments", "--child", str(pdf)], cwd=PROJECT_DIR,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(Path(sys.argv[2]))))
    else:
        for row in rows(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
            print(row.id, row.number(row.median), row.verdict, row.details)
