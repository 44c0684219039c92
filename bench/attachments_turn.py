"""B11-first-token: a question sent on the memory page with the 300-page PDF attached and indexed →
the answer's first token, in-process, through the real controller, LLM seam and LlamaIndex agent
against the fake Groq on 127.0.0.1 (which answers at once). What the PDF adds to a turn is finding
its passages for the question and sending them; the fake is checked to have received the planted
fact's passage."""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.report import Measurement, progress
from tests.attachments.files import PLANTED_FACT, PLANTED_QUESTION, make_pdf, report_pages

PAGES = 300


def first_token_row(repeat: int) -> Measurement:
    """Seconds from stream_reply to its first text, each run in a fresh memory-page controller."""
    row = Measurement("B11-first-token", f"Attachments: question sent → first token with the {PAGES}-page PDF "
                      "attached and indexed (memory page, in-process, fake Groq)", "s", budget=0.5)
    try:
        from controller.attachments import FileIntake
    except ImportError:
        row.error = "needs the attachments controller (branch i15-turns)"
        return row
    from controller.memory_chat import MemoryChatController
    from models.store import ConversationStore
    from settings import load_settings
    from tests.fake_groq import FakeGroq

    with FakeGroq() as fake, tempfile.TemporaryDirectory(prefix="bnagpt-b11-") as folder:
        missing = str(Path(folder) / "none")
        settings = replace(load_settings({"BNAGPT_SECRETS_FILE": missing, "BNAGPT_DOTENV_FILE": missing}),
                           groq_api_key=fake.api_key, groq_api_base=fake.base_url, max_retries=0,
                           conversations_dir=Path(folder))
        store = ConversationStore(folder)
        intake = FileIntake([("report.pdf", make_pdf(report_pages(PAGES)))], store.files, settings)
        for _ in intake.run():
            pass
        if intake.problems or not intake.attachments:
            row.error = f"the PDF was not attached: {intake.problems}"
            return row
        warm = MemoryChatController(settings, store)
        fake.reply_with("Warm.", reasoning="")
        "".join(text for text in warm.stream_reply("hello") if isinstance(text, str))  # imports, first engine
        for run in range(repeat):
            controller = MemoryChatController(settings, store)
            fake.reset()
            fake.reply_with("It holds 4,817 cubic metres [report.pdf p. 217].", reasoning="")
            began = time.perf_counter()
            stream = controller.stream_reply(PLANTED_QUESTION, intake.attachments)
            first = next(text for text in stream if isinstance(text, str) and text)
            row.values.append(time.perf_counter() - began)
            "".join(text for text in stream if isinstance(text, str))
            sent = str(fake.chat_requests()[-1]["messages"])
            if PLANTED_FACT not in sent:
                row.problems.append(f"run {run + 1}: the planted fact's passage did not reach the fake Groq")
            progress(f"B11 first token run {run + 1}/{repeat}: {row.values[-1] * 1000:.0f} ms ({first!r})")
    return row
